"""One language of a lens written as an AWS custom lens file."""

import json

from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Choice, Lens, Question
from .spec import ELLIPSIS, LIMITS, MAX_FILE_BYTES, NONE_SUFFIX, SCHEMA_VERSION


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _content_of(
    text: str, url: str, *, text_limit: int = LIMITS.choice_content_text, url_limit: int = LIMITS.choice_content_url
) -> dict:
    content = {"displayText": _fit(text or url, text_limit)}
    if url.startswith(("https://", "http://")) and len(url) <= url_limit:
        content["url"] = url
    return content


def link_of(link: dict) -> dict:
    """One ``{"displayText", "url"}`` link of an additional resource, the format's keys only."""
    return {key: link[key] for key in ("displayText", "url") if isinstance(link.get(key), str)}


def lens_to_aws(lens: Lens, *, language: str) -> dict:
    """The lens in one language as an AWS custom lens (a dict ready for ``json.dumps``).

    Texts come in ``language``, falling back like the pages do to the other language
    where one is empty. The file is valid by ``validate_aws_lens`` whenever the lens's
    ids are: a text longer than its AWS limit is cut and ends in "…"; an empty lens
    description becomes the lens name; a choice (other than "None of these") without an
    improvement plan gets its title as one; a helpful resource with only a URL shows the
    URL; a URL AWS cannot hold (over 1024 characters, or not http/https) is left out.
    Tiers have no place in the format and are left out. Everything an imported file held
    comes back as it was: a file imported and exported again is the same file (keys the
    format does not know, which the import ignores, aside).
    """
    pillars = lens.pillars.order_by("order", "pk").prefetch_related("questions__choices", "questions__risk_rules")
    with translation.override(language):
        return {
            "schemaVersion": SCHEMA_VERSION,
            "name": _fit(lens.name, LIMITS.lens_name),
            "description": _fit(lens.description or lens.name, LIMITS.lens_description),
            "pillars": [
                {
                    "id": pillar.key,
                    "name": _fit(pillar.name, LIMITS.pillar_name),
                    "questions": [_question_to_aws(q) for q in sorted(pillar.questions.all(), key=_order)],
                }
                for pillar in pillars
            ],
        }


def _order(row) -> tuple[int, int]:
    return (row.order, row.pk)


def _question_to_aws(question: Question) -> dict:
    entry = {"id": question.key, "title": _fit(question.title, LIMITS.question_title)}
    if question.description:
        entry["description"] = _fit(question.description, LIMITS.question_description)
    if question.helpful_resource or question.helpful_resource_url:
        entry["helpfulResource"] = _content_of(
            question.helpful_resource,
            question.helpful_resource_url,
            text_limit=LIMITS.question_resource_text,
            url_limit=LIMITS.question_resource_url,
        )
    entry["choices"] = [_choice_to_aws(choice) for choice in sorted(question.choices.all(), key=_order)]
    entry["riskRules"] = [
        {"condition": rule.condition, "risk": rule.risk} for rule in sorted(question.risk_rules.all(), key=_order)
    ]
    return entry


def _choice_to_aws(choice: Choice) -> dict:
    entry = {"id": choice.key, "title": _fit(choice.title, LIMITS.choice_title)}
    if choice.description:
        entry["description"] = _fit(choice.description, LIMITS.choice_description)
    if choice.helpful_resource or choice.helpful_resource_url:
        entry["helpfulResource"] = _content_of(choice.helpful_resource, choice.helpful_resource_url)
    plan = choice.improvement_plan
    if not plan and not choice.improvement_plan_url and not choice.key.endswith(NONE_SUFFIX):
        plan = choice.title
    if plan or choice.improvement_plan_url:
        entry["improvementPlan"] = _content_of(plan, choice.improvement_plan_url)
    resources = [
        {"type": resource["type"], "content": [link_of(link) for link in resource["content"]]}
        for resource in choice.additional_resources or []
        if isinstance(resource, dict) and resource.get("content")
    ]
    if resources:
        entry["additionalResources"] = resources
    return entry


def export_warnings(lens: Lens, *, language: str) -> list[str]:
    """What the AWS tool could not hold as it is, said before the file is handed over.

    Each text over its AWS API limit (question and choice descriptions and resource texts and
    URLs 1,024 or 2,048 characters, titles 128) is cut by ``lens_to_aws`` and ends in "…"; a URL
    over its limit is left out; a file over 500 KB is refused by the AWS tool.
    """
    warnings: list[str] = []

    def check(place: str, text: str, limit: int, *, url: bool = False) -> None:
        if text and len(text) > limit:
            what = _("left out") if url else _("cut to %(limit)d") % {"limit": limit}
            warnings.append(
                _("%(place)s: %(length)d characters, over the AWS limit of %(limit)d (%(what)s)")
                % {"place": place, "length": len(text), "limit": limit, "what": what}
            )

    pillars = lens.pillars.order_by("order", "pk").prefetch_related("questions__choices")
    with translation.override(language):
        check(_("lens name"), lens.name, LIMITS.lens_name)
        check(_("lens description"), lens.description, LIMITS.lens_description)
        for pillar in pillars:
            check(_("pillar %(key)s name") % {"key": pillar.key}, pillar.name, LIMITS.pillar_name)
            for question in sorted(pillar.questions.all(), key=_order):
                where = _("question %(key)s") % {"key": question.key}
                check(f"{where} {_('title')}", question.title, LIMITS.question_title)
                check(f"{where} {_('description')}", question.description, LIMITS.question_description)
                check(f"{where} {_('helpful resource')}", question.helpful_resource, LIMITS.question_resource_text)
                check(f"{where} URL", question.helpful_resource_url, LIMITS.question_resource_url, url=True)
                for choice in sorted(question.choices.all(), key=_order):
                    where = _("choice %(key)s") % {"key": choice.key}
                    check(f"{where} {_('title')}", choice.title, LIMITS.choice_title)
                    check(f"{where} {_('description')}", choice.description, LIMITS.choice_description)
                    check(f"{where} {_('helpful resource')}", choice.helpful_resource, LIMITS.choice_content_text)
                    check(f"{where} {_('improvement plan')}", choice.improvement_plan, LIMITS.choice_content_text)
                    for url in (choice.helpful_resource_url, choice.improvement_plan_url):
                        check(f"{where} URL", url, LIMITS.choice_content_url, url=True)
        size = len(json.dumps(lens_to_aws(lens, language=language), ensure_ascii=False, indent=2).encode())
    if size > MAX_FILE_BYTES:
        warnings.append(
            _("The file is %(size)d bytes, over the 500 KB the AWS tool accepts: it will be refused there.")
            % {"size": size}
        )
    return warnings
