"""Tracker tokens at rest: Fernet with the keys of ``TRACKER_TOKEN_KEYS`` (MultiFernet, first key encrypts).

Under DEBUG with no key set, one is derived from ``SECRET_KEY`` so development needs no setup;
anywhere else a missing key refuses to store a token (``TokenKeysMissing``) instead of guessing.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _


class TokenKeysMissing(RuntimeError):
    """No key to encrypt tokens with; the message is for the person connecting a tracker."""


class TokenUnreadable(RuntimeError):
    """A stored token none of the keys opens (the key it was encrypted with was removed)."""


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.TRACKER_TOKEN_KEYS if key.strip()]
    if not keys and settings.DEBUG:
        keys = [base64.urlsafe_b64encode(hashlib.sha256(b"tracker-tokens:" + settings.SECRET_KEY.encode()).digest())]
    if not keys:
        raise TokenKeysMissing(
            _("Issue trackers are not set up on this server: an administrator must set TRACKER_TOKEN_KEYS.")
        )
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt_token(encrypted: str) -> str:
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable("the stored tracker token cannot be decrypted with TRACKER_TOKEN_KEYS") from None
