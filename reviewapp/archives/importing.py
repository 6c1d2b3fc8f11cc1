"""An archive read back as a new workload owned by the importer, in one transaction (all or nothing)."""

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from questions.jsonfile import NotJSON, read_json
from questions.models import Lens, Profile
from questions.profiles import answers_problems

from ..bank import Bank, load_bank
from ..models import (
    CHOICE_NOTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    Answer,
    AnswerChange,
    AnswerRisk,
    ImprovementItem,
    Membership,
    Milestone,
    MilestoneAnswer,
    Review,
    Role,
    Workload,
)
from .reader import ArchiveReader, kind_of
from .spec import FORMAT, MAX_FILE_BYTES, VERSION, WorkloadArchiveError

_REASONS = ["", *Answer.Reason.values]
_WORKLOAD_TEXTS = (
    "name",
    "description",
    "environment",
    "review_owner",
    "industry",
    "architecture_diagram_url",
    "notes",
)


@dataclass
class ArchiveImport:
    workload: Workload
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def workload_from_archive(*, data: dict | str | bytes, user) -> ArchiveImport:
    """A new workload from an archive, owned by ``user`` (see the package docstring).

    Raises WorkloadArchiveError with every problem and its place, and writes nothing, when
    the archive is not one this instance reads.
    """
    if isinstance(data, str | bytes):
        if len(data) > MAX_FILE_BYTES:
            raise WorkloadArchiveError([f"archive: larger than {MAX_FILE_BYTES} bytes"])
        try:
            data = read_json(data)
        except NotJSON as exc:
            raise WorkloadArchiveError([str(exc)]) from None
    if not isinstance(data, dict):
        raise WorkloadArchiveError([f"archive: must be an object, found {kind_of(data)}"])
    if data.get("format") != FORMAT:
        raise WorkloadArchiveError([f'format: must be "{FORMAT}", found {json.dumps(data.get("format"))}'])
    if data.get("version") != VERSION:
        raise WorkloadArchiveError(
            [f"version: this instance reads version {VERSION}, found {json.dumps(data.get('version'))}"]
        )
    read = ArchiveReader()
    workload, times = _workload(read, data)
    if read.problems:
        raise WorkloadArchiveError(read.problems)
    _members(read, data, workload, user)
    lenses: dict[int, str] = {}
    for place, review_data in read.items(data, "reviews", ""):
        _review(read, place, review_data, workload, lenses)
    if read.problems:
        raise WorkloadArchiveError(read.problems)  # the transaction rolls back whatever was written
    Workload.objects.filter(pk=workload.pk).update(**times)
    workload.refresh_from_db()
    warnings = [
        _("User “%(username)s” does not exist here: left out as a member and as the author of what they did.")
        % {"username": name}
        for name in read.unknown_users
    ]
    return ArchiveImport(workload=workload, warnings=warnings)


def _workload(read: ArchiveReader, data: dict) -> tuple[Workload, dict]:
    fields = read.value(data, "workload", "", dict)
    if fields is None:
        return Workload(), {}
    values = {name: read.value(fields, name, "workload", str, default="") for name in _WORKLOAD_TEXTS}
    regions = read.value(fields, "regions", "workload", list, default=[])
    for index, region in enumerate(regions or []):
        if not isinstance(region, str):
            read.add(f"workload.regions[{index}]", f"must be a string, found {kind_of(region)}")
    workload = Workload(regions=regions or [], created_by=read.user(fields, "created_by", "workload"), **values)
    workload.profile, workload.profile_answers = _profile(read, fields)
    try:
        workload.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            read.problems.extend(f"workload.{name}: {message}" for message in messages)
    times = {
        name: value
        for name in ("created_at", "updated_at")
        if (value := read.time(fields, name, "workload")) is not None
    }
    if not read.problems:
        workload.save()
    return workload, times


def _profile(read: ArchiveReader, fields: dict) -> tuple[Profile | None, dict]:
    """The workload's profile version (by slug and version, which must exist here) and its answers, if any."""
    ref = read.value(fields, "profile", "workload", dict, default=None, nullable=True)
    if ref is None:
        return None, {}
    slug = read.value(ref, "slug", "workload.profile", str)
    version = read.value(ref, "version", "workload.profile", int)
    answers = read.value(ref, "answers", "workload.profile", dict, default={})
    if slug is None or version is None or answers is None:
        return None, {}
    profile = Profile.objects.exclude(status=Profile.Status.DRAFT).filter(slug=slug, version=version).first()
    if profile is None:
        read.add("workload.profile", f'no published profile "{slug}" version {version} here: load that profile first')
        return None, {}
    problems = answers_problems(profile, answers)
    for problem in problems:
        read.add("workload.profile.answers", problem)
    return (profile, answers) if not problems else (None, {})


def _members(read: ArchiveReader, data: dict, workload: Workload, user) -> None:
    owner = Membership(workload=workload, user=user, role=Role.OWNER)
    memberships, times, seen = [owner], {}, set()
    for place, member in read.items(data, "members", ""):
        name = read.value(member, "username", place, str)
        role = read.value(member, "role", place, str, choices=Role.values)
        created_at = read.time(member, "created_at", place)
        if name is None or role is None:
            continue
        if name in seen:
            read.add(place, f'duplicate member "{name}"')
            continue
        seen.add(name)
        if name == user.get_username():  # the importer is an owner whatever the archive says
            times[id(owner)] = created_at
            continue
        member_user = read.user_named(name)
        if member_user is not None:
            membership = Membership(workload=workload, user=member_user, role=role)
            memberships.append(membership)
            times[id(membership)] = created_at
    Membership.objects.bulk_create(memberships)
    _keep_times(memberships, times, "created_at")


def _keep_times(rows: list, times: dict, name: str) -> None:
    """Put back the archive's times that creating the rows replaced with now (auto_now fields)."""
    changed = []
    for row in rows:
        if times.get(id(row)) is not None:
            setattr(row, name, times[id(row)])
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, [name])


def _lens(read: ArchiveReader, obj: dict, place: str) -> Lens | None:
    ref = read.value(obj, "lens", place, dict)
    if ref is None:
        return None
    slug = read.value(ref, "slug", f"{place}.lens", str)
    version = read.value(ref, "version", f"{place}.lens", str)
    if slug is None or version is None:
        return None
    lens = Lens.objects.without_drafts().filter(slug=slug, version=version).first()
    if lens is None:
        read.add(
            f"{place}.lens", f'no published lens "{slug}" version "{version}" here: import that lens version first'
        )
    return lens


def _review(read: ArchiveReader, place: str, data: dict, workload: Workload, lenses: dict[int, str]) -> None:
    lens = _lens(read, data, place)
    if lens is None:
        return
    if lens.pk in lenses:
        read.add(
            f"{place}.lens",
            f'a second review of lens "{lens.slug}" version "{lens.version}" (first at {lenses[lens.pk]})',
        )
        return
    lenses[lens.pk] = place
    bank = load_bank(lens)
    review = Review.objects.create(
        workload=workload,
        lens=lens,
        revision=read.value(data, "revision", place, int, default=0) or 0,
        facilitator=read.user(data, "facilitator", place),
        facilitator_question=read.value(data, "facilitator_question", place, str, default="", max_length=128) or "",
        created_by=read.user(data, "created_by", place),
    )
    _answers(read, place, data, review, bank)
    _improvement_items(read, place, data, review, bank)
    _milestones(read, place, data, review)
    times = {name: value for name in ("created_at", "updated_at") if (value := read.time(data, name, place))}
    Review.objects.filter(pk=review.pk).update(**times)


def _answers(read: ArchiveReader, place: str, data: dict, review: Review, bank: Bank) -> None:
    answers, selections, changes, seen = [], [], [], {}
    for where, answer_data in read.items(data, "answers", place):
        key = read.value(answer_data, "question", where, str)
        item = bank.by_key.get(key) if key is not None else None
        if key is not None and item is None:
            read.add(
                f"{where}.question",
                f'unknown question "{key}" in lens "{bank.lens.slug}" version "{bank.lens.version}"',
            )
        if item is None:
            continue
        if key in seen:
            read.add(f"{where}.question", f'a second answer to "{key}" (first at {seen[key]})')
            continue
        seen[key] = where
        chosen = []
        for index, choice_key in enumerate(read.value(answer_data, "choices", where, list, default=[]) or []):
            choice = item.choices_by_key.get(choice_key) if isinstance(choice_key, str) else None
            if choice is None:
                read.add(f"{where}.choices[{index}]", f"unknown choice {json.dumps(choice_key, ensure_ascii=False)}")
            else:
                chosen.append(choice)
        answer = Answer(
            review=review,
            question=item.question,
            is_applicable=read.value(answer_data, "is_applicable", where, bool, default=True) is not False,
            reason=read.value(answer_data, "reason", where, str, default="", choices=_REASONS) or "",
            notes=read.value(answer_data, "notes", where, str, default="", max_length=NOTES_MAX_LENGTH) or "",
            choice_na=_choice_na(read, answer_data, where, item),
            risk=read.value(answer_data, "risk", where, str, default=AnswerRisk.UNANSWERED, choices=AnswerRisk.values)
            or AnswerRisk.UNANSWERED,
            version=read.value(answer_data, "version", where, int, default=0) or 0,
            review_revision=read.value(answer_data, "review_revision", where, int, default=0) or 0,
            updated_by=read.user(answer_data, "updated_by", where),
            updated_at=read.time(answer_data, "updated_at", where),
        )
        answers.append(answer)
        selections.append(chosen)
        changes.extend(_changes(read, where, answer_data, answer))
    answered = {answer.question_id for answer in answers}
    # Questions the archive does not answer start unanswered, as in a new review.
    answers.extend(Answer(review=review, question=q.question) for q in bank.questions if q.question.pk not in answered)
    Answer.objects.bulk_create(answers)
    Through = Answer.selected_choices.through
    Through.objects.bulk_create(
        Through(answer_id=answer.pk, choice_id=choice.pk)
        for answer, chosen in zip(answers, selections, strict=False)
        for choice in chosen
    )
    for change in changes:
        change.answer_id = change.answer.pk
    AnswerChange.objects.bulk_create(changes)


def _choice_na(read: ArchiveReader, data: dict, where: str, item) -> dict:
    """The practices that do not apply, ``{key: {"reason": …, "notes": …}}`` (none in older archives)."""
    found = read.value(data, "choice_na", where, dict, default={}) or {}
    kept = {}
    for key, entry in found.items():
        place = f"{where}.choice_na.{key}"
        choice = item.choices_by_key.get(key)
        if choice is None or choice.is_none:
            read.add(place, f"unknown practice {json.dumps(key, ensure_ascii=False)}")
            continue
        if not isinstance(entry, dict):
            read.add(place, f"must be an object, found {kind_of(entry)}")
            continue
        reason = read.value(entry, "reason", place, str, default="NONE", choices=Answer.ChoiceReason.values)
        notes = read.value(entry, "notes", place, str, default="", max_length=CHOICE_NOTES_MAX_LENGTH)
        kept[key] = {"reason": reason or "NONE", "notes": notes or ""}
    return kept


def _changes(read: ArchiveReader, place: str, data: dict, answer: Answer) -> list[AnswerChange]:
    changes, versions = [], {}
    for where, change in read.items(data, "changes", place):
        version = read.value(change, "version", where, int)
        if version in versions:
            read.add(f"{where}.version", f"a second change with version {version} (first at {versions[version]})")
            continue
        versions[version] = where
        row = AnswerChange(
            answer=answer,
            version=version,
            changed_by=read.user(change, "changed_by", where),
            changed_at=read.time(change, "changed_at", where, nullable=False),
            before=read.value(change, "before", where, dict),
            after=read.value(change, "after", where, dict),
            restored_from=read.value(change, "restored_from", where, int, default=None, nullable=True),
            template_name=read.value(change, "template", where, str, default="", max_length=100) or "",
        )
        if None not in (row.version, row.changed_at, row.before, row.after):
            changes.append(row)
    return changes


def _improvement_items(read: ArchiveReader, place: str, data: dict, review: Review, bank: Bank) -> None:
    items, times, seen = [], {}, {}
    for where, item_data in read.items(data, "improvement_items", place):
        question_key = read.value(item_data, "question", where, str)
        choice_key = read.value(item_data, "choice", where, str)
        question = bank.by_key.get(question_key) if question_key is not None else None
        if question_key is not None and question is None:
            read.add(f"{where}.question", f'unknown question "{question_key}"')
        choice = question.choices_by_key.get(choice_key) if question and choice_key is not None else None
        if question is not None and choice_key is not None and (choice is None or choice.is_none):
            read.add(f"{where}.choice", f'unknown best practice "{choice_key}" of question "{question_key}"')
            continue
        if choice is None:
            continue
        if choice.pk in seen:
            read.add(f"{where}.choice", f'a second item for "{choice_key}" (first at {seen[choice.pk]})')
            continue
        seen[choice.pk] = where
        item = ImprovementItem(
            review=review,
            choice=choice,
            status=read.value(
                item_data,
                "status",
                where,
                str,
                default=ImprovementItem.Status.OPEN,
                choices=ImprovementItem.Status.values,
            )
            or ImprovementItem.Status.OPEN,
            owner=read.user(item_data, "owner", where),
            due_date=read.day(item_data, "due_date", where),
            note=read.value(item_data, "note", where, str, default="", max_length=2000) or "",
            updated_by=read.user(item_data, "updated_by", where),
        )
        items.append(item)
        times[id(item)] = read.time(item_data, "updated_at", where)
    ImprovementItem.objects.bulk_create(items)
    _keep_times(items, times, "updated_at")


def _milestones(read: ArchiveReader, place: str, data: dict, review: Review) -> None:
    milestones, times, answers, names = [], {}, [], {}
    for where, milestone_data in read.items(data, "milestones", place):
        name = read.value(milestone_data, "name", where, str, max_length=100)
        lens = _lens(read, milestone_data, where)
        if name is not None and not name.strip():
            read.add(f"{where}.name", "must not be empty")
            continue
        if name in names:
            read.add(f"{where}.name", f'a second milestone named "{name}" (first at {names[name]})')
            continue
        if name is None or lens is None:
            continue
        names[name] = where
        milestone = Milestone(
            review=review,
            name=name,
            lens=lens,
            review_revision=read.value(milestone_data, "review_revision", where, int, default=0) or 0,
            created_by=read.user(milestone_data, "created_by", where),
        )
        milestones.append(milestone)
        times[id(milestone)] = read.time(milestone_data, "created_at", where)
        answers.extend(_milestone_answers(read, where, milestone_data, milestone, load_bank(lens)))
    Milestone.objects.bulk_create(milestones)
    _keep_times(milestones, times, "created_at")
    for answer in answers:
        answer.milestone_id = answer.milestone.pk
    MilestoneAnswer.objects.bulk_create(answers)


def _milestone_answers(read: ArchiveReader, place: str, data: dict, milestone: Milestone, bank: Bank) -> list:
    answers, seen = [], {}
    for where, answer_data in read.items(data, "answers", place):
        key = read.value(answer_data, "question", where, str)
        item = bank.by_key.get(key) if key is not None else None
        if key is not None and item is None:
            read.add(
                f"{where}.question",
                f'unknown question "{key}" in lens "{bank.lens.slug}" version "{bank.lens.version}"',
            )
        if item is None:
            continue
        if key in seen:
            read.add(f"{where}.question", f'a second answer to "{key}" (first at {seen[key]})')
            continue
        seen[key] = where
        selected = read.value(answer_data, "selected_keys", where, list, default=[]) or []
        for index, choice_key in enumerate(selected):
            if not isinstance(choice_key, str) or choice_key not in item.choices_by_key:
                read.add(
                    f"{where}.selected_keys[{index}]", f"unknown choice {json.dumps(choice_key, ensure_ascii=False)}"
                )
        answers.append(
            MilestoneAnswer(
                milestone=milestone,
                question=item.question,
                selected_keys=selected,
                risk=read.value(
                    answer_data, "risk", where, str, default=AnswerRisk.UNANSWERED, choices=AnswerRisk.values
                )
                or AnswerRisk.UNANSWERED,
                is_applicable=read.value(answer_data, "is_applicable", where, bool, default=True) is not False,
                reason=read.value(answer_data, "reason", where, str, default="", choices=_REASONS) or "",
                notes=read.value(answer_data, "notes", where, str, default="") or "",
                choice_na=_choice_na(read, answer_data, where, item),
                version=read.value(answer_data, "version", where, int, default=0) or 0,
                updated_by=read.value(answer_data, "updated_by", where, str, default="", max_length=150) or "",
                updated_at=read.time(answer_data, "updated_at", where),
            )
        )
    return answers
