"""The names django-axes shows in the admin, listed so that our Korean catalogue translates them.

django-axes ships no Korean. Django looks a string up in every catalogue, ours (LOCALE_PATHS)
first, so listing its strings here (makemessages reads them) puts the sign-in throttling pages
of the admin in Korean with the rest. Nothing imports this module; it is only read.
"""

from django.utils.translation import gettext_noop as _

AXES_NAMES = [
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("User Agent"),
    _("Username"),
    _("The time when access attempt expires and is no longer valid."),
    _("access attempt"),
    _("access attempts"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("Axes"),
]
