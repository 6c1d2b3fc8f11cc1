"""System checks of what the settings alone cannot promise: a file cache folder that is ours alone,
and a SITE_URL for the links in notification mails (a warning).

Django's file cache unpickles every file it finds in its folder, so a folder that another user
owns, or that group or others may write, lets them run code in the app. The check creates a
missing folder with mode 0700 and refuses anything else. It runs with every management command
that checks (``check``, ``migrate``, ``runserver``) and when a web process starts (wsgi.py).
"""

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


@checks.register(checks.Tags.caches)
def check_cache_folders(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") != FILE_CACHE:
            continue
        folder = Path(config["LOCATION"])
        hint = f"Give CACHE_DIR a folder of the user running the app ({os.geteuid()}) with mode 0700, or set CACHE_URL."
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.stat()
        except OSError as exc:
            errors.append(
                checks.Error(
                    f"Cache {alias!r}: cannot create {folder}: {exc.strerror}.", hint=hint, id="reviewapp.E001"
                )
            )
            continue
        if info.st_uid != os.geteuid():
            errors.append(
                checks.Error(
                    f"Cache {alias!r}: {folder} belongs to user {info.st_uid}, not to the app's user {os.geteuid()}.",
                    hint=hint,
                    id="reviewapp.E002",
                )
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            errors.append(
                checks.Error(
                    f"Cache {alias!r}: group or others may write {folder} (mode {stat.filemode(info.st_mode)}).",
                    hint=hint,
                    id="reviewapp.E003",
                )
            )
    return errors


@checks.register(checks.Tags.compatibility)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Links in notification mails start with SITE_URL; without it they would lead nowhere."""
    if settings.SITE_URL.startswith(("http://", "https://")):
        return []
    return [
        checks.Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in notification mails need the address people open the app at.",
            hint="Set SITE_URL, e.g. https://review.example.com (see docs/deployment.md).",
            id="reviewapp.W004",
        )
    ]
