"""Saving an answer: the one write path for choices, applicability and notes."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .bank import BankQuestion
from .improvements import improvement_sync
from .models import Answer, Review
from .risk import question_risk


class AnswerConflict(Exception):
    """The answer changed since the version the client started from; nothing was saved."""

    def __init__(self, current_version: int):
        super().__init__(f"the answer is at version {current_version}")
        self.current_version = current_version


@transaction.atomic
def answer_save(
    *,
    review: Review,
    item: BankQuestion,
    user,
    selected_keys: frozenset[str],
    is_applicable: bool,
    reason: str,
    notes: str,
    expected_version: int | None = None,
) -> Answer:
    """Store one question's answer with its recomputed risk; bump its version and the review's revision.

    The improvement items of the question follow the change (see ``improvement_sync``).
    With ``expected_version``, a save on any other version raises ``AnswerConflict``.

    The input is already validated (see ``AnswerForm``): keys belong to the question,
    "None of these" stands alone, a reason comes only with "does not apply".
    """
    risk = question_risk(rules=item.rules, selected=selected_keys, is_applicable=is_applicable)
    answer, _created = Answer.objects.select_for_update().get_or_create(review=review, question=item.question)
    if expected_version is not None and answer.version != expected_version:
        raise AnswerConflict(answer.version)
    before = frozenset(answer.selected_choices.values_list("key", flat=True))
    answer.is_applicable = is_applicable
    answer.reason = "" if is_applicable else reason
    answer.notes = notes
    answer.risk = risk
    answer.version = F("version") + 1
    answer.updated_by = user
    answer.updated_at = timezone.now()
    answer.save()
    answer.selected_choices.set([item.choices_by_key[key] for key in selected_keys])
    improvement_sync(review=review, item=item, before=before, after=selected_keys, risk=risk)
    Review.objects.filter(pk=review.pk).update(revision=F("revision") + 1, updated_at=answer.updated_at)
    answer.refresh_from_db(fields=["version"])
    return answer
