"""Review templates: made from a review, edited, applied when a review is created, moved to a newer lens.

A template keeps, per question id, an answer in the shape of ``AnswerState``. Applying it
saves each answer through ``answer_save`` (the one write path) and marks the change in the
answer's history as applied from the template. Templates belong to the user who made them;
staff may see and use all of them.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from questions.models import Lens

from .answer_state import EMPTY, AnswerState, answer_problems
from .answers import answer_save
from .bank import load_bank
from .models import AnswerChange, Review, ReviewTemplate, ReviewTemplateAnswer
from .progress import live_records
from .upgrades import newer_lens


class TemplateError(ValueError):
    """A template that cannot be saved, applied or upgraded; ``problems`` says why. Nothing was changed."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def current_lens(template: ReviewTemplate) -> Lens | None:
    """The latest published version of the template's lens, when the template is on an older one."""
    return newer_lens(template.lens)


def template_states(template: ReviewTemplate) -> dict[str, AnswerState]:
    """The template's answers by question id."""
    return {row.question_key: AnswerState.from_json(row.state) for row in template.answers.all()}


def _answers_checked(lens: Lens, answers: dict[str, AnswerState]) -> dict[str, AnswerState]:
    bank = load_bank(lens)
    problems: list[str] = []
    for key, state in answers.items():
        item = bank.by_key.get(key)
        if item is None:
            problems.append(_("“%(key)s” is not a question of this lens version.") % {"key": key})
            continue
        for error in answer_problems(item=item, state=state):
            for messages in error.message_dict.values():
                problems.extend(f"{item.question.label}: {message}" for message in messages)
    if problems:
        raise TemplateError(problems)
    return {key: state for key, state in answers.items() if state != EMPTY}


def _named(create):
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        raise TemplateError([_("You already have a template with this name.")]) from None


@transaction.atomic
def template_create(
    *, owner, name: str, lens: Lens, answers: dict[str, AnswerState], description: str = ""
) -> ReviewTemplate:
    """A template of the given answers (by question id) for the lens version; empty answers are left out."""
    checked = _answers_checked(lens, answers)
    template = _named(lambda: ReviewTemplate.objects.create(owner=owner, name=name, description=description, lens=lens))
    ReviewTemplateAnswer.objects.bulk_create(
        ReviewTemplateAnswer(template=template, question_key=key, state=state.as_json())
        for key, state in checked.items()
    )
    return template


def template_from_review(*, review: Review, owner, name: str, description: str = "") -> ReviewTemplate:
    """A template of the review's answers as they stand (the questions answered or marked as not applying)."""
    bank = load_bank(review.lens)
    records = live_records(review)
    answers = {
        item.key: records[item.question.pk].state
        for item in bank.questions
        if item.question.pk in records and records[item.question.pk].version > 0
    }
    return template_create(owner=owner, name=name, lens=review.lens, answers=answers, description=description)


@transaction.atomic
def template_update(
    *, template: ReviewTemplate, name: str, description: str, answers: dict[str, AnswerState] | None = None
) -> ReviewTemplate:
    """Rename the template and, when ``answers`` is given, replace its answers."""
    template = ReviewTemplate.objects.select_for_update().get(pk=template.pk)
    template.name, template.description = name, description
    _named(lambda: template.save(update_fields=["name", "description", "updated_at"]))
    if answers is not None:
        checked = _answers_checked(template.lens, answers)
        template.answers.all().delete()
        ReviewTemplateAnswer.objects.bulk_create(
            ReviewTemplateAnswer(template=template, question_key=key, state=state.as_json())
            for key, state in checked.items()
        )
    return template


@transaction.atomic
def template_apply(*, review: Review, template: ReviewTemplate, user) -> int:
    """Save the template's answers into the review (each through ``answer_save``); the number saved.

    The template must be on the review's lens version (an older one is upgraded first). Each
    change is recorded in the answer's history as applied from the template.
    """
    if template.lens_id != review.lens_id:
        raise TemplateError(
            [
                _("The template “%(name)s” is for %(lens)s, not the review's lens version: upgrade the template first.")
                % {"name": template.name, "lens": template.lens}
            ]
        )
    bank = load_bank(review.lens)
    saved = 0
    for key, state in template_states(template).items():
        item = bank.by_key.get(key)
        if item is None:
            continue
        answer = answer_save(review=review, item=item, user=user, state=state)
        updated = AnswerChange.objects.filter(answer=answer, version=answer.version, template__isnull=True).update(
            template=template, template_name=template.name
        )
        saved += updated
    return saved


@dataclass
class TemplateUpgrade:
    template: ReviewTemplate
    old_lens: Lens
    new_lens: Lens
    dropped_questions: list[str]  # question ids the new version does not have
    dropped_choices: list[str]  # choice ids the new version does not have


@transaction.atomic
def template_upgrade(*, template: ReviewTemplate) -> TemplateUpgrade:
    """Move the template to the latest published version of its lens, answers mapped by question and choice ids."""
    template = ReviewTemplate.objects.select_for_update().select_related("lens").get(pk=template.pk)
    target = current_lens(template)
    if target is None:
        raise TemplateError([_("The template already uses the current version of its lens.")])
    bank = load_bank(target)
    dropped_questions, dropped_choices = [], []
    kept: list[ReviewTemplateAnswer] = []
    for row in template.answers.all():
        item = bank.by_key.get(row.question_key)
        if item is None:
            dropped_questions.append(row.question_key)
            continue
        state = AnswerState.from_json(row.state)
        carried = state.kept_in(item)
        dropped_choices.extend(sorted(state.risk_keys - carried.risk_keys))
        row.state = carried.as_json()
        kept.append(row)
    template.answers.exclude(pk__in=[row.pk for row in kept]).delete()
    ReviewTemplateAnswer.objects.bulk_update(kept, ["state"])
    old_lens = template.lens
    template.lens = target
    template.save(update_fields=["lens", "updated_at"])
    return TemplateUpgrade(template, old_lens, target, sorted(dropped_questions), dropped_choices)


@dataclass
class TemplateAnswerRow:
    """One pre-filled answer as the template page lists it, in the lens's order."""

    key: str
    label: str
    title: str
    state: AnswerState
    choices: list[str]  # titles of the ticked choices


def template_rows(template: ReviewTemplate) -> list[TemplateAnswerRow]:
    bank = load_bank(template.lens)
    states = template_states(template)
    return [
        TemplateAnswerRow(
            key=item.key,
            label=item.question.label,
            title=item.question.title,
            state=states[item.key],
            choices=[choice.title for choice in item.choices if choice.key in states[item.key].choices],
        )
        for item in bank.questions
        if item.key in states
    ]
