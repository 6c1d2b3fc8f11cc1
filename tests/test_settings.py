"""Settings that decide what the app trusts: the .env file (DEBUG only), the proxy count, the file cache's folder."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error

from reviewapp.checks import FILE_CACHE, check_cache_folders

BASE_DIR = Path(__file__).resolve().parent.parent
# What this test run puts in the environment, kept out of the fresh processes below.
OURS = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "TRUSTED_PROXY_COUNT",
    "CACHE_URL",
    "CACHE_DIR",
    "DJANGO_SETTINGS_MODULE",
}


def _settings_copy(tmp_path: Path, dotenv: str) -> Path:
    """config/settings.py in a folder of its own, with a planted .env beside it (its BASE_DIR)."""
    (tmp_path / "app").mkdir()
    shutil.copy(BASE_DIR / "config" / "settings.py", tmp_path / "app" / "planted_settings.py")
    (tmp_path / ".env").write_text(dotenv)
    return tmp_path / "app"


def _import(folder: Path, env: dict, expression: str = "") -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in OURS}
    script = (
        f"import sys; sys.path.insert(0, {str(folder)!r}); import planted_settings as s; print({expression or '1'})"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=folder, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


PLANTED = "DEBUG=true\nSECRET_KEY=from-the-planted-file\nTRUSTED_PROXY_COUNT=7\n"


def test_it_does_not_read_a_dotenv_file_when_the_environment_does_not_say_debug(tmp_path):
    folder = _settings_copy(tmp_path, PLANTED)

    result = _import(folder, {})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_it_does_not_read_a_dotenv_file_in_production(tmp_path):
    folder = _settings_copy(tmp_path, PLANTED + "DATABASE_URL=sqlite:////tmp/planted.sqlite3\n")
    env = {"DEBUG": "false", "SECRET_KEY": "from-the-environment", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}

    result = _import(folder, {**env, "TRUSTED_PROXY_COUNT": "1"}, "s.DEBUG, s.SECRET_KEY, s.TRUSTED_PROXY_COUNT")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-the-environment", "1"]


def test_it_reads_the_dotenv_file_under_debug(tmp_path):
    folder = _settings_copy(tmp_path, PLANTED)

    result = _import(folder, {"DEBUG": "true"}, "s.DEBUG, s.SECRET_KEY, s.TRUSTED_PROXY_COUNT")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "from-the-planted-file", "7"]


def test_it_refuses_to_start_in_production_without_a_declared_proxy_count(tmp_path):
    folder = _settings_copy(tmp_path, "")
    env = {"DEBUG": "false", "SECRET_KEY": "from-the-environment", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}

    result = _import(folder, env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set TRUSTED_PROXY_COUNT" in result.stderr


def test_it_keeps_the_production_file_cache_in_a_folder_of_the_app(tmp_path):
    folder = _settings_copy(tmp_path, "")
    env = {"DEBUG": "false", "SECRET_KEY": "s", "DATABASE_URL": "sqlite:////tmp/x.sqlite3", "TRUSTED_PROXY_COUNT": "0"}

    result = _import(folder, env, "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [FILE_CACHE, str(tmp_path / "var" / "cache")]


# --- The file cache's folder ---------------------------------------------------------------------


@pytest.fixture
def file_cache(settings, tmp_path):
    folder = tmp_path / "var" / "cache"
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(folder)}}
    return folder


def test_it_creates_the_cache_folder_for_the_app_user_alone(file_cache):
    assert check_cache_folders() == []

    info = file_cache.stat()
    assert (info.st_mode & 0o777, info.st_uid) == (0o700, os.geteuid())


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_it_refuses_a_cache_folder_others_may_write(file_cache, mode):
    file_cache.mkdir(parents=True)
    file_cache.chmod(mode)

    errors = check_cache_folders()

    assert [(type(e), e.id) for e in errors] == [(Error, "reviewapp.E003")]
    assert str(file_cache) in errors[0].msg


def test_it_refuses_a_cache_folder_of_another_user(file_cache):
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    file_cache.mkdir(parents=True, mode=0o700)
    os.chown(file_cache, 65534, 65534)

    assert [e.id for e in check_cache_folders()] == ["reviewapp.E002"]


def test_it_leaves_other_caches_alone(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert check_cache_folders() == []


def test_it_refuses_to_serve_with_a_cache_folder_others_may_write(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(
        DEBUG="false",
        SECRET_KEY="s",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        TRUSTED_PROXY_COUNT="0",
        CACHE_DIR=str(folder),
        REPORT_WARM_UP="false",
    )

    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "group or others may write" in result.stderr
