"""Who hears of what: one function per event, called by the write path where it happens."""

from django.db.models import Q

from questions.languages import texts_of
from questions.models import Lens

from ..models import Comment, ImprovementItem, Membership, NotificationKind, Review, Role
from .delivery import app_path, notify

EXCERPT_LENGTH = 200


def _item_params(item: ImprovementItem) -> dict:
    return {
        "workload": item.review.workload.name,
        "practice": texts_of(item.choice, "title"),
        "question": item.choice.question.label,
        "due_date": item.due_date.isoformat() if item.due_date else None,
    }


def item_assigned(*, item: ImprovementItem, user) -> None:
    """The item's (new) owner hears that it is theirs now."""
    if item.owner is None:
        return
    notify(
        recipients=[item.owner],
        kind=NotificationKind.ASSIGNED,
        actor=user,
        params=_item_params(item),
        link=app_path("reviewapp:plan", item.review_id),
    )


def item_due(*, item: ImprovementItem, kind: str) -> None:
    """The owner hears that the item is due soon or overdue (the scheduled check decides which, once a day)."""
    notify(
        recipients=[item.owner],
        kind=kind,
        params=_item_params(item),
        link=app_path("reviewapp:plan", item.review_id),
    )


def comment_written(*, comment: Comment, user, already_mentioned: set[int] | None = None) -> None:
    """Members ``@mentioned`` hear of it as a mention, others who wrote on the question as a comment;
    after an edit (``already_mentioned``: whom it named before) only the newly mentioned hear of it."""
    review = comment.review
    params = {
        "workload": review.workload.name,
        "question": comment.question.label,
        "excerpt": comment.body[:EXCERPT_LENGTH] + ("…" if len(comment.body) > EXCERPT_LENGTH else ""),
    }
    link = app_path("reviewapp:review_question", review.pk, comment.question.key)
    before = already_mentioned or set()
    mentions = list(comment.mentions.all())
    mentioned = [person for person in mentions if person.pk not in before]
    notify(recipients=mentioned, kind=NotificationKind.MENTION, actor=user, params=params, link=link)
    if already_mentioned is not None:
        return
    named = {person.pk for person in mentions}
    members = Membership.objects.filter(workload_id=review.workload_id).values("user_id")
    others = {
        c.author
        for c in Comment.objects.filter(review=review, question=comment.question, deleted_at__isnull=True)
        .exclude(pk=comment.pk)
        .filter(author_id__in=members)
        .exclude(author_id__in=named)
        .select_related("author")
    }
    notify(recipients=others, kind=NotificationKind.COMMENT, actor=user, params=params, link=link)


def review_shared(*, membership: Membership, by) -> None:
    """A person added to a workload hears that its reviews are shared with them."""
    notify(
        recipients=[membership.user],
        kind=NotificationKind.SHARED,
        actor=by,
        params={"workload": membership.workload.name, "role": membership.role},
        link=app_path("reviewapp:workload_detail", membership.workload_id),
    )


def newer_lens_published(*, lens: Lens, user=None, **_signal) -> None:
    """Owners of each review on an older version of the lens hear that it can move to the new one."""
    reviews = (
        Review.objects.filter(lens__slug=lens.slug)
        .exclude(lens=lens)
        .exclude(workload__reviews__lens=lens)
        .filter(Q(lens__published_at__lt=lens.published_at) | Q(lens__published_at__isnull=True))
        .select_related("workload")
        .order_by("pk")
    )
    owners: dict[int, list] = {}
    for membership in Membership.objects.filter(
        workload__in={review.workload_id for review in reviews}, role=Role.OWNER
    ).select_related("user"):
        owners.setdefault(membership.workload_id, []).append(membership.user)
    for review in reviews:
        notify(
            recipients=owners.get(review.workload_id, []),
            kind=NotificationKind.NEWER_LENS,
            actor=user,
            params={"workload": review.workload.name, "lens": texts_of(lens, "name"), "version": lens.version},
            link=app_path("reviewapp:review_upgrade", review.pk),
        )
