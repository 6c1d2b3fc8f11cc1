"""Every text the app shows has its Korean translation.

Runs ``makemessages`` on a copy of the sources (so the committed catalog is left alone) and asks
gettext's ``msgattrib`` for entries without a translation or marked fuzzy; also checks that the
compiled catalog in the repository is the one built from the committed .po file.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    for name in ("manage.py", "reviewapp", "questions", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    _tool("xgettext")
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "reviewapp.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "--no-obsolete", "--no-location"],
        cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
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
