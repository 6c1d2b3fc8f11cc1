"""A workload written as an archive (a dict ready for ``json.dumps``)."""

from django.db.models import Prefetch

from ..models import Answer, AnswerChange, ImprovementItem, Milestone, MilestoneAnswer, Review, Workload
from .spec import FORMAT, VERSION, day, timestamp


def _name(user) -> str | None:
    return user.get_username() if user else None


def _lens(lens) -> dict:
    return {"slug": lens.slug, "version": lens.version}


def workload_archive(workload: Workload) -> dict:
    """Everything the workload holds, in a fixed order, named by stable keys (see the package docstring)."""
    reviews = (
        Review.objects.filter(workload=workload)
        .select_related("lens", "facilitator", "created_by")
        .order_by("lens__slug", "lens__version", "pk")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "workload": {
            "name": workload.name,
            "description": workload.description,
            "environment": workload.environment,
            "regions": list(workload.regions or []),
            "review_owner": workload.review_owner,
            "industry": workload.industry,
            "architecture_diagram_url": workload.architecture_diagram_url,
            "notes": workload.notes,
            "profile": (
                {
                    "slug": workload.profile.slug,
                    "version": workload.profile.version,
                    "answers": workload.profile_answers,
                }
                if workload.profile_id
                else None
            ),
            "created_by": _name(workload.created_by),
            "created_at": timestamp(workload.created_at),
            "updated_at": timestamp(workload.updated_at),
        },
        "members": [
            {"username": m.user.get_username(), "role": m.role, "created_at": timestamp(m.created_at)}
            for m in workload.listed_memberships()
        ],
        "reviews": [_review(review) for review in reviews],
    }


def _review(review: Review) -> dict:
    return {
        "lens": _lens(review.lens),
        "revision": review.revision,
        "facilitator": _name(review.facilitator),
        "facilitator_question": review.facilitator_question,
        "created_by": _name(review.created_by),
        "created_at": timestamp(review.created_at),
        "updated_at": timestamp(review.updated_at),
        "answers": [_answer(answer) for answer in _answers(review)],
        "improvement_items": [_item(item) for item in _items(review)],
        "milestones": [_milestone(milestone) for milestone in _milestones(review)],
    }


def _answers(review: Review):
    changes = AnswerChange.objects.select_related("changed_by").order_by("version")
    return (
        Answer.objects.filter(review=review)
        .select_related("question__pillar", "updated_by")
        .prefetch_related("selected_choices", Prefetch("changes", queryset=changes))
        .order_by("question__pillar__order", "question__order", "question__key")
    )


def _answer(answer: Answer) -> dict:
    return {
        "question": answer.question.key,
        "choices": sorted(choice.key for choice in answer.selected_choices.all()),
        "is_applicable": answer.is_applicable,
        "reason": answer.reason,
        "notes": answer.notes,
        "choice_na": answer.choice_na,
        "risk": answer.risk,
        "version": answer.version,
        "review_revision": answer.review_revision,
        "updated_by": _name(answer.updated_by),
        "updated_at": timestamp(answer.updated_at),
        "changes": [
            {
                "version": change.version,
                "changed_by": _name(change.changed_by),
                "changed_at": timestamp(change.changed_at),
                "before": change.before,
                "after": change.after,
                "restored_from": change.restored_from,
                "template": change.template_name,
            }
            for change in answer.changes.all()
        ],
    }


def _items(review: Review):
    return (
        ImprovementItem.objects.filter(review=review)
        .select_related("choice__question__pillar", "owner", "updated_by")
        .order_by("choice__question__pillar__order", "choice__question__order", "choice__order", "choice__key")
    )


def _item(item: ImprovementItem) -> dict:
    return {
        "question": item.choice.question.key,
        "choice": item.choice.key,
        "status": item.status,
        "owner": _name(item.owner),
        "due_date": day(item.due_date),
        "note": item.note,
        "updated_by": _name(item.updated_by),
        "updated_at": timestamp(item.updated_at),
    }


def _milestones(review: Review):
    answers = MilestoneAnswer.objects.select_related("question__pillar").order_by(
        "question__pillar__order", "question__order", "question__key"
    )
    return (
        Milestone.objects.filter(review=review)
        .select_related("lens", "created_by")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("created_at", "pk")
    )


def _milestone(milestone: Milestone) -> dict:
    return {
        "name": milestone.name,
        "lens": _lens(milestone.lens),
        "review_revision": milestone.review_revision,
        "created_by": _name(milestone.created_by),
        "created_at": timestamp(milestone.created_at),
        "answers": [
            {
                "question": a.question.key,
                "risk": a.risk,
                "selected_keys": list(a.selected_keys),
                "is_applicable": a.is_applicable,
                "reason": a.reason,
                "notes": a.notes,
                "choice_na": a.choice_na,
                "version": a.version,
                "updated_by": a.updated_by,
                "updated_at": timestamp(a.updated_at),
            }
            for a in milestone.answers.all()
        ],
    }
