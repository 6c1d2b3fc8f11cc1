"""Profiles in the admin: bank editors write drafts, publish them, and copy a published version into the next draft.

A published (or retired) version is read-only, as a published lens is: the answers workloads
gave it keep their meaning.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from ..models import Profile, ProfileChoice, ProfileQuestion
from ..profiles import ProfileError, profile_draft_create, profile_publish
from .common import BankPermissions


def _profile_of(obj) -> Profile | None:
    if isinstance(obj, Profile):
        return obj
    if isinstance(obj, ProfileQuestion):
        return obj.profile
    if isinstance(obj, ProfileChoice):
        return obj.question.profile
    return None


class ProfilePermissions(BankPermissions):
    def _editable(self, obj) -> bool:
        profile = _profile_of(obj)
        return profile is None or profile.is_editable


class ProfileQuestionInline(ProfilePermissions, TranslationTabularInline):
    model = ProfileQuestion
    extra = 0
    fields = ["order", "key", "title", "multiple"]
    show_change_link = True


class ProfileChoiceInline(ProfilePermissions, TranslationTabularInline):
    model = ProfileChoice
    extra = 0
    fields = ["order", "key", "title", "prioritises"]


@admin.register(Profile)
class ProfileAdmin(ProfilePermissions, TranslationAdmin):
    list_display = ["name", "slug", "version", "lens_slug", "status"]
    list_filter = ["status", "lens_slug"]
    search_fields = ["slug", "name_ko", "name_en"]
    readonly_fields = ["status", "created_at"]
    fields = ["slug", "version", "lens_slug", "status", "name", "description", "created_at"]
    inlines = [ProfileQuestionInline]
    actions = ["make_draft", "publish"]

    def save_model(self, request, obj, form, change):
        if not change:  # a profile made here starts as a draft, to be filled and then published
            obj.status = Profile.Status.DRAFT
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Create the next version as a draft"))
    def make_draft(self, request, queryset):
        for profile in queryset:
            try:
                draft = profile_draft_create(profile=profile)
            except ProfileError as exc:
                self.message_user(request, f"{profile}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("Draft created: %(profile)s") % {"profile": draft}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish (the previous version is retired)"))
    def publish(self, request, queryset):
        for profile in queryset:
            try:
                profile_publish(profile=profile)
            except ProfileError as exc:
                self.message_user(request, f"{profile}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("Published: %(profile)s") % {"profile": profile}, messages.SUCCESS)

    def get_actions(self, request):
        return super().get_actions(request) if request.user.has_perm("questions.change_profile") else {}


@admin.register(ProfileQuestion)
class ProfileQuestionAdmin(ProfilePermissions, TranslationAdmin):
    list_display = ["title", "key", "profile", "order"]
    list_filter = ["profile"]
    fields = ["profile", "order", "key", "title", "description", "multiple"]
    inlines = [ProfileChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile":
            kwargs["queryset"] = Profile.objects.filter(status=Profile.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
