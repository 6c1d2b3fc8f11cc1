"""Comments on a review's questions: Markdown, ``@username`` mentions of members, edited and deleted by their author.

Mentioned members are notified, and so are the others who wrote on the question; an edit notifies
only members it mentions for the first time (reviewapp/notifications/events.py).

A comment written while a session runs belongs to it. Every write bumps the review's revision
(under the same lock as ``answer_save``) and stamps the comment with it, so the live refresh
sends the question's thread to every open page; the form people type in is never part of it.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import role_of
from .bank import load_bank
from .models import WRITE_ROLES, Comment, Review
from .models.sessions import COMMENT_MAX_LENGTH
from .notifications import events

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned(review: Review, body: str) -> list:
    """The workload's members named ``@username`` in the text (others are left as plain text)."""
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    return list(review.workload.members().filter(username__in=names)) if names else []


def _clean(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a comment first."), code="empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("A comment has at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}, code="too_long"
        )
    return body


def _lock(review: Review) -> tuple[int, int | None]:
    """Take the review's lock (as answer_save does) and give its next revision and running session."""
    revision, session_id = (
        Review.objects.select_for_update().values_list("revision", "live_session_id").get(pk=review.pk)
    )
    revision += 1
    Review.objects.filter(pk=review.pk).update(revision=revision, updated_at=timezone.now())
    return revision, session_id


@transaction.atomic
def comment_add(*, review: Review, question_key: str, user, body: str) -> Comment:
    """A member who can write comments on a question of the review's lens."""
    if role_of(user, review.workload) not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot comment.")
    item = load_bank(review.lens).by_key.get(question_key)
    if item is None:
        raise ValidationError(_("No such question in this lens."), code="no_question")
    body = _clean(body)
    revision, session_id = _lock(review)
    comment = Comment.objects.create(
        review=review,
        question=item.question,
        author=user,
        body=body,
        session_id=session_id,
        review_revision=revision,
        created_at=timezone.now(),
    )
    comment.mentions.set(mentioned(review, body))
    events.comment_written(comment=comment, user=user)
    return comment


def comment_check_own(comment: Comment, user) -> None:
    """PermissionDenied unless ``user`` wrote the comment (and may still write in the workload)."""
    if comment.author_id != user.pk or comment.deleted_at is not None:
        raise PermissionDenied("Only its author may change a comment.")
    if role_of(user, comment.review.workload) not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot comment.")


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    """Its author changes a comment's text (the mentions follow the new text)."""
    comment_check_own(comment, user)
    body = _clean(body)
    revision, _session = _lock(comment.review)
    comment.body, comment.edited_at, comment.review_revision = body, timezone.now(), revision
    comment.save(update_fields=["body", "edited_at", "review_revision"])
    before = set(comment.mentions.values_list("pk", flat=True))
    comment.mentions.set(mentioned(comment.review, body))
    events.comment_written(comment=comment, user=user, already_mentioned=before)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> None:
    """Its author deletes a comment: the text goes, the row stays so open pages learn of it."""
    comment_check_own(comment, user)
    revision, _session = _lock(comment.review)
    comment.body, comment.deleted_at, comment.review_revision = "", timezone.now(), revision
    comment.save(update_fields=["body", "deleted_at", "review_revision"])
    comment.mentions.clear()


def question_comments(review: Review, question_key: str) -> list[Comment]:
    """The question's comments, oldest first (deleted ones left out), with authors and mentions."""
    return list(
        Comment.objects.filter(review=review, question__key=question_key, deleted_at__isnull=True)
        .select_related("author")
        .prefetch_related("mentions")
    )
