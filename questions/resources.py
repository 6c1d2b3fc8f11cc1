"""A choice's additional resources: the AWS custom lens format's ``additionalResources``, kept as data.

At most one entry of each type (``HELPFUL_RESOURCE``, ``IMPROVEMENT_PLAN``), each with 1-5
links ``{"displayText", "url"}``; the same rules as a lens file's (``interchange/validation.py``).
"""

from django.core.exceptions import ValidationError

RESOURCE_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")
MAX_ADDITIONAL_LINKS = 5
LINK_TEXT_LIMIT = LINK_URL_LIMIT = 1024


def additional_resources_problems(value, place: str = "additionalResources") -> list[str]:
    """Every way ``value`` breaks the format, each message with its place; empty when valid."""
    if not isinstance(value, list):
        return [f"{place}: must be an array"]
    problems, seen = [], set()
    if len(value) > len(RESOURCE_TYPES):
        problems.append(f"{place}: must have 0 to {len(RESOURCE_TYPES)} entries, found {len(value)}")
    for index, resource in enumerate(value):
        where = f"{place}[{index}]"
        if not isinstance(resource, dict):
            problems.append(f"{where}: must be an object")
            continue
        kind = resource.get("type")
        if kind not in RESOURCE_TYPES:
            problems.append(f"{where}.type: must be one of {', '.join(RESOURCE_TYPES)}, found {kind!r}")
        elif kind in seen:
            problems.append(f'{where}: duplicate additional resource type "{kind}"')
        seen.add(kind)
        content = resource.get("content")
        if not isinstance(content, list) or not 1 <= len(content) <= MAX_ADDITIONAL_LINKS:
            problems.append(f"{where}.content: must be an array of 1 to {MAX_ADDITIONAL_LINKS} links")
            continue
        for n, link in enumerate(content):
            problems.extend(_link_problems(link, f"{where}.content[{n}]"))
    return problems


def _link_problems(link, place: str) -> list[str]:
    if not isinstance(link, dict):
        return [f"{place}: must be an object"]
    problems = []
    text, url = link.get("displayText"), link.get("url")
    if not isinstance(text, str) or not text.strip() or len(text) > LINK_TEXT_LIMIT:
        problems.append(f"{place}.displayText: must be 1 to {LINK_TEXT_LIMIT} characters")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > LINK_URL_LIMIT
    ):
        problems.append(f"{place}.url: must be an http(s) URL of at most {LINK_URL_LIMIT} characters")
    return problems


def validate_additional_resources(value) -> None:
    """Model field validator (the admin's form): the format's rules."""
    problems = additional_resources_problems(value)
    if problems:
        raise ValidationError(problems, code="invalid_additional_resources")
