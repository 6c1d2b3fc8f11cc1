"""On the question page, a best practice marked as not applying, with the keyboard, on a phone, in Korean."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from questions.models import Lens
from reviewapp.answer_state import AnswerState, ChoiceNA
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerRisk

from ..factories import make_user, make_workload
from .conftest import ARTIFACTS
from .test_screens import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "ops_q1"


@pytest.fixture
def world(transactional_db, live_server):
    call_command("loaddata", "serverless_lens", verbosity=0)
    dana = make_user("dana")
    review = make_workload(dana, name="Booking", lens=Lens.objects.get(slug="serverless")).reviews.get()
    return {"url": live_server.url, "review": review, "dana": dana, "item": load_bank(review.lens).by_key[KEY]}


def _page(browser, world, language: str, width: int):
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    host = world["url"].split("//", 1)[1].split(":")[0]
    client = Client()
    client.force_login(world["dana"])
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{world['url']}/reviews/{world['review'].pk}/questions/{KEY}/")
    return page


def _answer(world) -> Answer:
    return Answer.objects.get(review=world["review"], question__key=KEY)


def _wait_for(check, page, timeout=8_000):
    waited = 0
    while not check():
        assert waited < timeout, "the save never landed"
        page.wait_for_timeout(100)
        waited += 100


def test_it_marks_a_practice_as_not_applying_with_the_keyboard_on_a_korean_phone(browser, world):
    item = world["item"]
    first, second = item.choices[0], item.choices[1]
    page = _page(browser, world, "ko", 390)
    row = page.locator(".choice").nth(1)
    expect(row.locator(".choice-na-fields")).to_be_hidden()  # reason and note only once it does not apply

    page.locator(f'input[name="choices"][value="{first.key}"]').focus()
    page.keyboard.press("Space")  # the first practice is followed
    box = row.locator("input[data-choice-na]")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(row.locator(".choice-na-fields")).to_be_visible()
    expect(row.get_by_text("적용 제외", exact=True)).to_be_visible()
    page.keyboard.press("Tab")  # to the reason
    expect(row.locator("[data-na-reason]")).to_be_focused()
    row.locator("[data-na-reason]").select_option("ARCHITECTURE_CONSTRAINTS")
    page.keyboard.press("Tab")  # to the note
    page.keyboard.type("VPC 없음")

    _wait_for(lambda: _answer(world).choice_na.get(second.key, {}).get("notes") == "VPC 없음", page)
    answer = _answer(world)
    assert answer.choice_na == {second.key: {"reason": "ARCHITECTURE_CONSTRAINTS", "notes": "VPC 없음"}}
    assert {c.key for c in answer.selected_choices.all()} == {first.key}
    assert page.evaluate(OVERFLOW_JS) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "choice-na-ko-390.png"), full_page=True)

    # Ticking the practice as followed clears "does not apply": never both.
    row.locator('input[name="choices"]').check()
    expect(box).not_to_be_checked()
    _wait_for(lambda: _answer(world).choice_na == {}, page)
    assert {c.key for c in _answer(world).selected_choices.all()} == {first.key, second.key}
    page.context.close()


def test_it_lays_anothers_practice_mark_over_the_page_and_keeps_what_is_typed(browser, world):
    item = world["item"]
    first, second, third = item.choices[0], item.choices[1], item.choices[2]
    page = _page(browser, world, "en", 1280)
    page.locator(f'input[name="choices"][value="{first.key}"]').check()
    _wait_for(lambda: _answer(world).version == 1, page)

    # Someone else marks the third practice while this page types its notes from version 1.
    answer_save(
        review=world["review"],
        item=item,
        user=world["dana"],
        state=AnswerState(choices=frozenset({first.key}), choice_na=[ChoiceNA(third.key, "OUT_OF_SCOPE", "theirs")]),
    )
    page.locator(f"#notes-{KEY}").fill("mine, typed")
    page.locator(".choice").nth(1).locator("input[data-choice-na]").check()

    _wait_for(lambda: _answer(world).choice_na.keys() == {second.key, third.key} and _answer(world).notes, page)
    answer = _answer(world)
    assert answer.notes == "mine, typed"
    assert answer.choice_na[third.key] == {"reason": "OUT_OF_SCOPE", "notes": "theirs"}
    assert answer.choice_na[second.key] == {"reason": "NONE", "notes": ""}
    assert answer.risk != AnswerRisk.UNANSWERED
    third_box = page.locator(".choice").nth(2).locator("input[data-choice-na]")
    expect(third_box).to_be_checked()  # their mark laid over the page
    expect(page.locator(".choice").nth(2).locator("[data-na-notes]")).to_have_value("theirs")
    page.screenshot(path=str(ARTIFACTS / "choice-na-en-1280.png"), full_page=True)
    page.context.close()
