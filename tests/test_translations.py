"""Every text the app shows has its Korean translation.

Runs ``makemessages`` on a copy of the sources (so the committed catalog is left alone) and asks
gettext's ``msgattrib`` for entries without a translation or marked fuzzy; also checks that the
compiled catalog in the repository is the one built from the committed .po file.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOG = Path("locale/ko/LC_MESSAGES/django.po")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: the translation test needs gettext (apt install gettext)")
    return path


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> Path:
    """The Korean catalog as `make messages` would leave it, made in a copy of the project."""
    copy = tmp_path_factory.mktemp("messages")
    for name in ("manage.py", "config", "reviewapp", "questions", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    _tool("xgettext")
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ko",
            "-e",
            "html,txt,py,svg",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return copy / CATALOG


def _entries(catalog: Path, *flags: str) -> list[str]:
    result = subprocess.run([_tool("msgattrib"), *flags, "--no-wrap", str(catalog)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    ids = [line.removeprefix("msgid ") for line in result.stdout.splitlines() if line.startswith("msgid ")]
    return [text for text in ids if text != '""']  # the header


def test_every_text_has_a_korean_translation(fresh_catalog):
    assert _entries(fresh_catalog, "--untranslated") == []


def test_no_korean_translation_is_a_fuzzy_guess(fresh_catalog):
    assert _entries(fresh_catalog, "--only-fuzzy") == []


def test_the_compiled_catalog_matches_the_committed_one(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([_tool("msgfmt"), "--check", "-o", str(compiled), str(ROOT / CATALOG)], check=True)

    assert compiled.read_bytes() == (ROOT / CATALOG).with_suffix(".mo").read_bytes(), "run `make messages`"


# --- The admin and the strings scripts show ------------------------------------------------------

HANGUL = re.compile("[\uac00-\ud7a3]")
OUR_APPS = {"questions", "reviewapp"}


def _admin_models():
    """Every model of ours the admin shows, as a page of its own or inline in another's."""
    from django.contrib import admin

    shown = set()
    for model, model_admin in admin.site._registry.items():
        shown.add(model)
        shown.update(inline.model for inline in model_admin.inlines)
    return sorted((m for m in shown if m._meta.app_label in OUR_APPS), key=lambda m: m._meta.label)


def test_every_model_and_field_in_the_admin_has_a_korean_name():
    untranslated = []
    with translation.override("ko"):
        for model in _admin_models():
            meta = model._meta
            for what, name in [("model", meta.verbose_name), ("plural", meta.verbose_name_plural)]:
                if not HANGUL.search(str(name)):
                    untranslated.append(f"{meta.label} {what}: {name}")
            for field in meta.get_fields():
                if field.auto_created or not hasattr(field, "verbose_name") or field.name == "id":
                    continue
                if not HANGUL.search(str(field.verbose_name)):
                    untranslated.append(f"{meta.label}.{field.name}: {field.verbose_name}")
            if not HANGUL.search(str(meta.app_config.verbose_name)):
                untranslated.append(f"app {meta.app_label}: {meta.app_config.verbose_name}")

    assert untranslated == []


@pytest.mark.django_db
def test_the_admin_says_whose_it_is_in_korean(client):
    from django.conf import settings

    from .factories import make_user

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    html = client.get("/admin/questions/lens/").content.decode()

    assert "Well-Architected 검토 관리" in html
    assert "Django 관리" not in html
    assert "렌즈" in html and "Lenses" not in html


@pytest.mark.django_db
def test_every_message_for_scripts_is_translated(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    html = client.get("/accounts/login/").content.decode()

    messages = re.findall(r'data-msg-[\w-]+="([^"]*)"', html)
    assert messages and all(HANGUL.search(message) for message in messages), messages


def test_the_sign_in_throttling_pages_of_the_admin_are_korean_too():
    """django-axes ships no Korean; reviewapp/axes_names.py lists its names for our catalogue."""
    from django.apps import apps

    untranslated = []
    with translation.override("ko"):
        for model in apps.get_app_config("axes").get_models():
            meta = model._meta
            names = [meta.verbose_name, meta.verbose_name_plural]
            names += [f.verbose_name for f in meta.get_fields() if hasattr(f, "verbose_name") and f.name != "id"]
            untranslated += [f"{meta.label}: {name}" for name in names if not HANGUL.search(str(name))]

    assert untranslated == []
