"""Helpers shared by the API views."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from ...progress import QuestionState


def writing(request) -> bool:
    return request.method not in SAFE_METHODS


def answer_data(q: QuestionState) -> dict:
    return {
        "question": q.item.key,
        "label": q.question.label,
        "pillar": q.item.pillar.key,
        "title": q.question.title,
        "selected_choices": [c.key for c in q.selected_choices],
        "not_applicable_choices": [
            {"choice": na.key, "reason": na.reason, "notes": na.notes} for _title, na in q.na_practices
        ],
        "is_applicable": q.state.applicable,
        "reason": q.state.reason,
        "notes": q.state.notes,
        "risk": q.risk,
        "version": q.answer.version,
        "updated_by": q.answer.updated_by,
        "updated_at": q.answer.updated_at,
    }


_ETAG_VERSION = forms.IntegerField(min_value=0, max_value=999_999_999)


def if_match_version(request) -> int | None:
    value = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not value:
        return None
    try:
        return _ETAG_VERSION.clean(value)
    except DjangoValidationError:
        raise ValidationError({"If-Match": [_('Give the answer\'s ETag, e.g. "3".')]}) from None


def file_refused(problems: list[str], what: str, *, total: int | None = None) -> Response:
    """400 for an imported file: the one problem as the error, or how many, and every problem with its place.

    The problems name the file's own (English) fields and are written in English; so is the count
    above them, whatever the request's language, so that the two always agree.
    """
    total = len(problems) if total is None else total
    error = problems[0] if total == 1 else f"The {what} file has {total} problems."
    return Response({"error": error, "problems": problems}, status=status.HTTP_400_BAD_REQUEST)


class LanguageQuery(serializers.Serializer):
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES])


_QUERY_ID = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def query_id(request, name: str, message: str) -> int | None:
    """An id given as a query parameter (``?workload=12``), None when absent; 400 with ``message`` if not one."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        return _QUERY_ID.clean(value)
    except DjangoValidationError:
        raise ValidationError({name: [message]}) from None
