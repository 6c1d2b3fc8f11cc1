"""What a notification says, in the language active when it is read (the page's, or the mail's).

Its params hold plain values (names, dates, an excerpt) and, for the question bank's texts, one
string per language (``{"ko": ..., "en": ...}``), so a mail in Korean names the practice in Korean.
"""

from datetime import date

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Notification, NotificationKind, Role


def in_language(value) -> str:
    """A bank text stored per language, in the active one (the other one when it is missing)."""
    if not isinstance(value, dict):
        return str(value or "")
    language = (get_language() or "ko")[:2]
    return value.get(language) or next((text for text in value.values() if text), "")


def _date(value: str | None) -> str:
    return formats.date_format(date.fromisoformat(value), "DATE_FORMAT") if value else ""


def describe(notification: Notification) -> str:
    """One sentence saying what happened."""
    p = notification.params
    values = {
        "actor": notification.actor.get_username() if notification.actor else _("Someone"),
        "workload": p.get("workload", ""),
        "practice": in_language(p.get("practice")),
        "question": p.get("question", ""),
        "date": _date(p.get("due_date")),
        "lens": in_language(p.get("lens")),
        "version": p.get("version", ""),
    }
    kind = notification.kind
    if kind == NotificationKind.ASSIGNED:
        if values["date"]:
            return _("%(actor)s assigned you “%(practice)s” in %(workload)s, due %(date)s.") % values
        return _("%(actor)s assigned you “%(practice)s” in %(workload)s.") % values
    if kind == NotificationKind.COMMENT:
        return _("%(actor)s commented on %(question)s in %(workload)s.") % values
    if kind == NotificationKind.MENTION:
        return _("%(actor)s mentioned you on %(question)s in %(workload)s.") % values
    if kind == NotificationKind.DUE_SOON:
        return _("“%(practice)s” in %(workload)s is due %(date)s.") % values
    if kind == NotificationKind.OVERDUE:
        return _("“%(practice)s” in %(workload)s was due %(date)s and is not done yet.") % values
    if kind == NotificationKind.NEWER_LENS:
        return _("%(lens)s %(version)s is published: your review of %(workload)s can move to it.") % values
    if kind == NotificationKind.SHARED:
        role = Role(p["role"]).label if p.get("role") in Role.values else ""
        return _("%(actor)s shared %(workload)s with you (%(role)s).") % (values | {"role": role})
    return NotificationKind(kind).label


def excerpt(notification: Notification) -> str:
    """The comment's words, for comments and mentions ("" for other kinds)."""
    return notification.params.get("excerpt", "")
