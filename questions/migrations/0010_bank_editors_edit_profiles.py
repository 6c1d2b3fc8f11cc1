"""Bank editors curate profiles too: they get the same rights on them as on the rest of the bank."""

from django.db import migrations

PROFILE_MODELS = ["profile", "profilequestion", "profilechoice"]
GROUP = "Bank editors"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in PROFILE_MODELS for action in ("add", "change", "delete", "view")]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="questions", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("questions", "0009_profiles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
