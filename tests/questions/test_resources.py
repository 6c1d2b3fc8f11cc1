"""A choice's additional resources as stored data (questions/resources.py): the format's rules."""

import pytest
from django.core.exceptions import ValidationError

from questions.models import Choice
from questions.resources import additional_resources_problems

GOOD = [{"type": "HELPFUL_RESOURCE", "content": [{"displayText": "Guide", "url": "https://example.com"}]}]


def test_it_accepts_the_formats_shape():
    assert additional_resources_problems([]) == []
    assert additional_resources_problems(GOOD) == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"type": "HELPFUL_RESOURCE"}, "additionalResources: must be an array"),
        (
            [{"type": "LINKS", "content": GOOD[0]["content"]}],
            "additionalResources[0].type: must be one of HELPFUL_RESOURCE, IMPROVEMENT_PLAN, found 'LINKS'",
        ),
        (GOOD + GOOD, 'additionalResources[1]: duplicate additional resource type "HELPFUL_RESOURCE"'),
        (
            [{"type": "IMPROVEMENT_PLAN", "content": []}],
            "additionalResources[0].content: must be an array of 1 to 5 links",
        ),
        (
            [{"type": "IMPROVEMENT_PLAN", "content": [{"displayText": "x", "url": "ftp://x"}]}],
            "additionalResources[0].content[0].url: must be an http(s) URL of at most 1024 characters",
        ),
        (
            [{"type": "IMPROVEMENT_PLAN", "content": [{"displayText": " "}]}],
            "additionalResources[0].content[0].displayText: must be 1 to 1024 characters",
        ),
    ],
)
def test_it_names_what_breaks_the_format(value, problem):
    assert additional_resources_problems(value) == [problem]


def test_it_refuses_a_bad_value_when_a_choice_is_validated(lens):
    choice = Choice.objects.filter(question__pillar__lens=lens).first()
    choice.additional_resources_en = [{"type": "LINKS", "content": []}]

    with pytest.raises(ValidationError) as refused:
        choice.full_clean()

    assert "additional_resources_en" in refused.value.message_dict
