"""The improvement plan: missing best practices of risky questions, tracked as items.

Items follow the answers: ticking a practice marks its item done, unticking it opens
it again, and a question that turns high or medium risk gets an item for every
practice it still lacks.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from questions.models import Choice

from .bank import BankQuestion
from .models import RISKY, ImprovementItem, Review, WebhookEvent
from .notifications import events
from .progress import QuestionState, ReviewState
from .trackers import sync as tracker_sync  # a module: trackers.sync imports this one too
from .webhooks import emit


def improvement_sync(
    *, review: Review, item: BankQuestion, before: frozenset[str], after: frozenset[str], risk: str
) -> None:
    """Bring one question's items in line with its new answer (called inside ``answer_save``)."""
    practices = [choice for choice in item.choices if not choice.is_none]
    items = ImprovementItem.objects.filter(review=review, choice__in=practices).order_by()
    existing = {choice_id: (pk, status) for pk, choice_id, status in items.values_list("pk", "choice_id", "status")}
    to_create, done, reopened = [], [], []
    for choice in practices:
        current = existing.get(choice.pk)
        ticked = choice.key in after and choice.key not in before
        unticked = choice.key in before and choice.key not in after
        if current is not None:
            pk, status = current
            if ticked and status != ImprovementItem.Status.DONE:
                done.append(pk)
            elif unticked and status == ImprovementItem.Status.DONE:
                reopened.append(pk)
        elif choice.key not in after and (unticked or risk in RISKY):
            to_create.append(ImprovementItem(review=review, choice=choice))
    if to_create:
        ImprovementItem.objects.bulk_create(to_create, ignore_conflicts=True)
    now = timezone.now()
    for status, pks in ((ImprovementItem.Status.DONE, done), (ImprovementItem.Status.OPEN, reopened)):
        if pks:  # a save ticks or unticks a practice or two: one small UPDATE, not bulk_update's CASE per row
            ImprovementItem.objects.filter(pk__in=pks).update(status=status, updated_at=now)


@transaction.atomic
def improvement_update(
    *, review: Review, choice: Choice, user, status: str, owner, due_date, note: str
) -> ImprovementItem:
    """Set the tracking fields of the item for one missing practice (creating it if needed).

    A new owner hears that the item is theirs (unless they gave it to themselves)."""
    owner_before = (
        ImprovementItem.objects.select_for_update()
        .filter(review=review, choice=choice)
        .values_list("owner_id", flat=True)
        .first()
    )
    item, _created = ImprovementItem.objects.update_or_create(
        review=review,
        choice=choice,
        defaults={"status": status, "owner": owner, "due_date": due_date, "note": note, "updated_by": user},
    )
    _item_changed(review, item, user)
    tracker_sync.queue_item_sync(item)
    if owner is not None and owner.pk != owner_before:
        events.item_assigned(item=item, user=user)
    return item


@transaction.atomic
def improvement_set_status(*, item: ImprovementItem, status: str, user=None) -> ImprovementItem:
    """Set an item's status alone: what an issue closed or reopened in the tracker does (``user`` is None)."""
    item.status, item.updated_by = status, user
    item.save(update_fields=["status", "updated_by", "updated_at"])
    _item_changed(item.review, item, user)
    return item


def _item_changed(review: Review, item: ImprovementItem, user) -> None:
    if review.workload.webhook_events:
        data = {
            "review": review.pk,
            "practice": item.choice.key,
            "status": item.status,
            "owner": getattr(item.owner, "username", None),
            "due_date": item.due_date.isoformat() if item.due_date else None,
            "by": getattr(user, "username", None),
        }
        emit(review.workload, WebhookEvent.ITEM_CHANGED, data)


@dataclass
class PlanPractice:
    choice: Choice
    item: ImprovementItem | None


@dataclass
class PlanQuestion:
    state: QuestionState
    practices: list[PlanPractice] = field(default_factory=list)

    @property
    def risk(self) -> str:
        return self.state.risk


@dataclass
class PlanFilters:
    pillar: str = ""
    risk: str = ""
    status: str = ""
    owner: int | None = None
    only: frozenset[str] | None = None  # the question ids to keep (the prioritised ones), None for all

    @property
    def active(self) -> bool:
        return bool(self.pillar or self.risk or self.status or self.owner or self.only is not None)


def improvement_plan(
    state: ReviewState, filters: PlanFilters | None = None, *, with_items: bool = True
) -> list[PlanQuestion]:
    """Questions at high or medium risk, high first, then in pillar and question order,
    each with the practices it lacks and their tracking items; filters narrow it down.

    ``with_items=False`` leaves tracking out (a milestone's plan is advice, not work in hand).
    """
    filters = filters or PlanFilters()
    items = (
        {
            i.choice_id: i
            for i in ImprovementItem.objects.filter(review=state.review).select_related("owner", "tracked_issue")
        }
        if with_items
        else {}
    )
    plan = []
    for pillar in state.pillars:
        if filters.pillar and pillar.pillar.key != filters.pillar:
            continue
        for question in pillar.questions:
            if question.risk not in RISKY or (filters.risk and question.risk != filters.risk):
                continue
            if filters.only is not None and question.item.key not in filters.only:
                continue
            practices = []
            for choice in question.missing_practices:
                item = items.get(choice.pk)
                status = item.status if item else ImprovementItem.Status.OPEN
                if filters.status and status != filters.status:
                    continue
                if filters.owner and (item is None or item.owner_id != filters.owner):
                    continue
                practices.append(PlanPractice(choice=choice, item=item))
            if practices or not (filters.status or filters.owner):
                plan.append(PlanQuestion(state=question, practices=practices))
    plan.sort(key=lambda q: RISKY.index(q.risk))  # stable: pillar and question order kept within a risk
    return plan


def plan_status_counts(plan: list[PlanQuestion]) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` of the practices in the plan, every status listed."""
    counts = {status: 0 for status in ImprovementItem.Status.values}
    for entry in plan:
        for practice in entry.practices:
            counts[practice.item.status if practice.item else ImprovementItem.Status.OPEN] += 1
    return [(status, ImprovementItem.Status(status).label, n) for status, n in counts.items()]
