"""Question bank administration (questions/admin/): drafts are edited, published versions are read-only.

Personas: root (superuser), eddie (staff in "Bank editors"), sam (other staff, from conftest),
alice (not staff, from conftest).
"""

import html
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from questions.admin import rule_tester_context
from questions.models import Choice, Lens, Pillar, Question, Risk, RiskRule
from questions.rules import risk_distribution
from questions.versions import lens_draft_create
from reviewapp.forms import ReviewCreateForm, WorkloadCreateForm
from reviewapp.models import Answer, AnswerRisk, Review

from ..factories import make_lens, make_user, make_workload

# --- Helpers ----------------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """What a browser would submit from one <form>: inputs, checked boxes, selected options, textareas.

    Skips the empty ``__prefix__`` inline templates and inputs that belong to another form
    (the rule tester's checkboxes carry ``form="rule-tester"``).
    """

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None
        self._selected, self._first, self._text = [], None, []

    def _wanted(self, attrs: dict) -> bool:
        name = attrs.get("name")
        return self.inside and bool(name) and "__prefix__" not in name and "form" not in attrs

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif tag == "input" and self._wanted(a):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.data.append((a["name"], a.get("value") or ""))
        elif tag == "select" and self._wanted(a):
            self._select, self._selected, self._first = a["name"], [], None
        elif tag == "option" and self._select is not None:
            self._first = a.get("value", "") if self._first is None else self._first
            if "selected" in a:
                self._selected.append(a.get("value", ""))
        elif tag == "textarea" and self._wanted(a):
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.data.extend((self._select, value) for value in self._selected or [self._first or ""])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_data(response, form_id: str) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data.pop("csrfmiddlewaretoken", None)
    return data


def _prefix(data: dict, inline: str, field: str, value: str) -> str:
    """``choices-2`` for the inline form whose ``field`` holds ``value`` (read from the rendered form)."""
    names = [n for n, v in data.items() if n.startswith(f"{inline}-") and n.endswith(f"-{field}") and v == [value]]
    assert len(names) == 1, f"no single {inline} form with {field}={value}: {names}"
    return names[0].removesuffix(f"-{field}")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _errors(response) -> list[str]:
    """Every error message on an admin form page, field and non-field, inline and formset."""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', _text(response), re.S)
    return [item for block in lists for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _rows(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _question_rows(question: Question) -> dict:
    """The question, its choices and rules as stored, and how many history records they have."""
    fresh = Question.objects.get(pk=question.pk)
    return {
        "question": _rows(fresh),
        "choices": [_rows(c) for c in Choice.objects.filter(question=question).order_by("pk")],
        "rules": [_rows(r) for r in RiskRule.objects.filter(question=question).order_by("pk")],
        "history": (
            Question.history.filter(id=question.pk).count(),
            Choice.history.filter(question_id=question.pk).count(),
            RiskRule.history.filter(question_id=question.pk).count(),
        ),
    }


def _lens_rows(lens: Lens) -> dict:
    return {
        "lens": _rows(Lens.objects.get(pk=lens.pk)),
        "pillars": [_rows(p) for p in Pillar.objects.filter(lens=lens).order_by("pk")],
        "questions": {q.key: _question_rows(q) for q in Question.objects.filter(pillar__lens=lens)},
    }


def _post_from_model(question: Question, **changes) -> dict:
    """The change form's POST built from the stored rows (a read-only page renders no inputs to read)."""
    data = {
        "pillar": question.pillar_id,
        "order": question.order,
        "key": question.key,
        "label": question.label,
        "title_ko": question.title_ko,
        "title_en": question.title_en,
        "description_ko": question.description_ko,
        "description_en": question.description_en,
    }
    choices = list(question.choices.order_by("order", "pk"))
    rules = list(question.risk_rules.order_by("order", "pk"))
    for prefix, rows in (("choices", choices), ("risk_rules", rules)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    for i, c in enumerate(choices):
        data.update(
            {
                f"choices-{i}-{name}": getattr(c, name)
                for name in (
                    "id",
                    "question_id",
                    "order",
                    "key",
                    "tier",
                    "title_ko",
                    "title_en",
                    "description_ko",
                    "description_en",
                    "helpful_resource_ko",
                    "helpful_resource_en",
                    "helpful_resource_url",
                    "improvement_plan_ko",
                    "improvement_plan_en",
                    "improvement_plan_url",
                )
            }
        )
        data[f"choices-{i}-question"] = data.pop(f"choices-{i}-question_id")
        if c.is_none:
            data[f"choices-{i}-is_none"] = "on"
    for i, r in enumerate(rules):
        data.update(
            {
                f"risk_rules-{i}-id": r.pk,
                f"risk_rules-{i}-question": question.pk,
                f"risk_rules-{i}-order": r.order,
                f"risk_rules-{i}-condition": r.condition,
                f"risk_rules-{i}-risk": r.risk,
            }
        )
    data.update(changes)
    return {name: "" if value is None else value for name, value in data.items()}


def _change_url(obj) -> str:
    return reverse(f"admin:questions_{obj._meta.model_name}_change", args=[obj.pk])


def _question(lens: Lens, key: str) -> Question:
    return Question.objects.get(pillar__lens=lens, key=key)


# --- Personas and lenses ----------------------------------------------------------------------------------


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def eddie(db):
    """Staff member of the "Bank editors" group (created by questions/migrations/0003_bank_groups.py)."""
    user = make_user("eddie", is_staff=True)
    user.groups.add(Group.objects.get(name="Bank editors"))
    return user


@pytest.fixture(params=["root", "eddie"])
def bank_user(request, root, eddie):
    """Each of the two kinds of user who may change the bank."""
    return {"root": root, "eddie": eddie}[request.param]


@pytest.fixture
def draft(lens, root):
    return lens_draft_create(lens=lens, user=root)


@pytest.fixture
def draft_question(draft):
    return _question(draft, "p1_q1")


# --- Editing a draft question: the question is validated as a whole --------------------------------------


def test_it_saves_a_valid_edit_of_a_draft_question(client_for, bank_user, draft_question):
    client = client_for(bank_user)
    url = _change_url(draft_question)
    data = form_data(client.get(url), "question_form")
    data["title_en"] = ["How do you know it works?"]
    data[f"{_prefix(data, 'risk_rules', 'order', '2')}-risk"] = ["HIGH_RISK"]

    response = client.post(url, data)

    assertRedirects(response, reverse("admin:questions_question_changelist"), fetch_redirect_response=False)
    draft_question.refresh_from_db()
    assert (draft_question.title_en, draft_question.title_ko) == ("How do you know it works?", "질문 1.1?")
    assert draft_question.risk_rules.get(order=2).risk == "HIGH_RISK"


def _set(field_of, value):
    """A change to the rendered form: ``field_of(data)`` names the field to set."""

    def change(data):
        data[field_of(data)] = [value]

    return change


def _rule(order: str, field: str):
    return lambda data: f"{_prefix(data, 'risk_rules', 'order', order)}-{field}"


def _choice(key: str, field: str):
    return lambda data: f"{_prefix(data, 'choices', 'key', key)}-{field}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            _set(_rule("2", "condition"), "p1_q1_a1 || p1_q1_zz"),
            "Risk rules: rule 2: unknown choice 'p1_q1_zz'",
            id="rule-names-unknown-choice",
        ),
        pytest.param(
            _set(_rule("2", "condition"), "p1_q1_a1 &&"),
            "Risk rules: rule 2: syntax error in 'p1_q1_a1 &&': the condition ends too early",
            id="syntax-error",
        ),
        pytest.param(
            _set(_rule("3", "DELETE"), "on"),
            "Risk rules: rule 2: the last rule must be 'default'",
            id="missing-default-deleted",
        ),
        pytest.param(
            _set(_rule("3", "condition"), "p1_q1_a2"),
            "Risk rules: rule 3: the last rule must be 'default'",
            id="missing-default-replaced",
        ),
        pytest.param(
            _set(_choice("p1_q1_a3", "is_none"), "on"),
            "Only one choice can be “None of these”; these are: p1_q1_a3, p1_q1_no.",
            id="two-none-choices",
        ),
        # Django's own formset check on the (question, key) constraint answers before question_problems can.
        pytest.param(
            _set(_choice("p1_q1_a2", "key"), "p1_q1_a1"),
            "Please correct the duplicate data for key.",
            id="duplicate-choice-id",
        ),
        pytest.param(
            lambda data: data.update(title_ko=[""], title_en=[" "]),
            "The title is empty in every language: write it in at least one.",
            id="empty-titles",
        ),
        pytest.param(
            lambda data: (
                _set(_choice("p1_q1_a2", "title_en"), "")(data),
                _set(_choice("p1_q1_a2", "title_ko"), "")(data),
            ),
            "Choice “p1_q1_a2”: the title is empty in every language.",
            id="empty-choice-titles",
        ),
    ],
)
def test_it_refuses_an_invalid_question_and_shows_why(client_for, eddie, draft_question, change, message):
    client = client_for(eddie)
    url = _change_url(draft_question)
    data = form_data(client.get(url), "question_form")
    change(data)
    before = _question_rows(draft_question)

    response = client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 200
    assert message in _errors(response)
    assert "Please correct the error" in _text(response)
    assert _question_rows(draft_question) == before
    # The page comes back with what was typed, nothing lost.
    assert form_data(response, "question_form") == data


def test_it_saves_two_rules_swapped(client_for, eddie, draft_question):
    client = client_for(eddie)
    url = _change_url(draft_question)
    data = form_data(client.get(url), "question_form")
    first, second = _prefix(data, "risk_rules", "order", "1"), _prefix(data, "risk_rules", "order", "2")
    data[f"{first}-order"], data[f"{second}-order"] = ["2"], ["1"]

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(draft_question.risk_rules.order_by("order").values_list("condition", flat=True)) == [
        "p1_q1_a1",
        "p1_q1_a1 && p1_q1_a2 && p1_q1_a3",
        "default",
    ]


# --- A published version is read-only ---------------------------------------------------------------------


def test_it_shows_a_published_question_read_only(client_for, bank_user, lens):
    question = _question(lens, "p1_q1")
    client = client_for(bank_user)
    before = _question_rows(question)

    page = client.get(_change_url(question))
    response = client.post(_change_url(question), _post_from_model(question, title_en="Changed"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert form_data(page, "question_form").keys() <= {
        "choices-TOTAL_FORMS",
        "choices-INITIAL_FORMS",
        "choices-MIN_NUM_FORMS",
        "choices-MAX_NUM_FORMS",
        "risk_rules-TOTAL_FORMS",
        "risk_rules-INITIAL_FORMS",
        "risk_rules-MIN_NUM_FORMS",
        "risk_rules-MAX_NUM_FORMS",
        *(f"{inline}-{i}-{f}" for inline in ("choices", "risk_rules") for i in range(4) for f in ("id", "question")),
    }
    assert "Question 1.1?" in _text(page)
    assert response.status_code == 403
    assert _question_rows(question) == before


@pytest.mark.parametrize("status", [Lens.Status.PUBLISHED, Lens.Status.RETIRED])
def test_it_shows_a_published_or_retired_lens_read_only(client_for, bank_user, lens, status):
    Lens.objects.filter(pk=lens.pk).update(status=status)
    client = client_for(bank_user)
    before = _lens_rows(lens)

    page = client.get(_change_url(lens))
    response = client.post(
        _change_url(lens),
        {
            "slug": "mini",
            "version": "9",
            "name_ko": "바뀜",
            "name_en": "Changed",
            "pillars-TOTAL_FORMS": 0,
            "pillars-INITIAL_FORMS": 0,
        },
    )
    publish = client.post(reverse("admin:questions_lens_publish", args=[lens.pk]), {"version": "9"})

    text = _text(page)
    assert page.status_code == 200
    assert 'name="_save"' not in text
    assert "This version is published or retired and cannot change" in text
    assert "Publish this draft" not in text
    assert reverse("admin:questions_lens_bank_history", args=[lens.pk]) in text
    assert (response.status_code, publish.status_code) == (403, 403)
    assert _lens_rows(lens) == before


def test_it_offers_saving_and_publishing_on_a_draft(client_for, bank_user, draft):
    page = client_for(bank_user).get(_change_url(draft))

    text = _text(page)
    assert 'name="_save"' in text
    assert "This version is published or retired" not in text
    assert reverse("admin:questions_lens_publish", args=[draft.pk]) in text


def test_it_refuses_adding_a_choice_to_a_published_question(client_for, eddie, lens):
    question = _question(lens, "p1_q1")
    before = _question_rows(question)

    client_for(eddie).post(
        reverse("admin:questions_choice_add"),
        {
            "question": question.pk,
            "key": "p1_q1_a4",
            "order": 4,
            "title_ko": "새 모범 사례",
            "title_en": "New practice",
        },
    )

    assert _question_rows(question) == before


def test_it_refuses_adding_a_pillar_to_a_published_lens(client_for, eddie, lens):
    before = _lens_rows(lens)

    client_for(eddie).post(
        reverse("admin:questions_pillar_add"),
        {
            "lens": lens.pk,
            "key": "p9",
            "short_label": "P9",
            "name_ko": "기둥 9",
            "name_en": "Pillar 9",
            "order": 9,
        },
    )

    assert _lens_rows(lens) == before


def test_it_adds_a_new_lens_as_a_draft(client_for, eddie):
    client_for(eddie).post(
        reverse("admin:questions_lens_add"),
        {
            "slug": "fresh",
            "version": "1",
            "name_ko": "새 렌즈",
            "name_en": "Fresh lens",
            "pillars-TOTAL_FORMS": 0,
            "pillars-INITIAL_FORMS": 0,
        },
    )

    lens = Lens.objects.get(slug="fresh")
    assert lens.status == Lens.Status.DRAFT
    assert lens not in WorkloadCreateForm().fields["lenses"].queryset


# --- Drafts, retiring and publishing through the admin -----------------------------------------------------


def _action(client, action: str, *lenses):
    return client.post(
        reverse("admin:questions_lens_changelist"),
        {"action": action, "_selected_action": [lens.pk for lens in lenses]},
        follow=True,
    )


def test_it_creates_a_draft_with_the_action(client_for, bank_user, lens):
    response = _action(client_for(bank_user), "make_draft", lens)

    draft = Lens.objects.get(slug="mini", status=Lens.Status.DRAFT)
    assert _messages(response) == ["Draft created: mini lens (1-draft, Draft)"]
    assert (draft.version, draft.based_on, draft.created_by) == ("1-draft", lens, bank_user)
    assert Question.objects.filter(pillar__lens=draft).count() == 4


def test_it_refuses_a_second_draft_with_the_action(client_for, bank_user, lens, draft):
    response = _action(client_for(bank_user), "make_draft", lens)

    assert _messages(response) == [
        "mini lens (1, Published): A draft of this lens exists already (1-draft): edit or delete it first."
    ]
    assert list(Lens.objects.filter(status=Lens.Status.DRAFT)) == [draft]


def test_it_retires_with_the_action(client_for, bank_user, lens, draft):
    response = _action(client_for(bank_user), "retire", lens, draft)

    assert sorted(_messages(response)) == [
        "Retired: mini lens (1, Retired)",
        "mini lens (1-draft, Draft): Only a published version can be retired.",
    ]
    assert Lens.objects.get(pk=lens.pk).status == Lens.Status.RETIRED
    assert Lens.objects.get(pk=draft.pk).status == Lens.Status.DRAFT


def _publish_url(lens) -> str:
    return reverse("admin:questions_lens_publish", args=[lens.pk])


def test_it_publishes_a_draft_from_its_page(client_for, bank_user, lens, draft):
    client = client_for(bank_user)
    page = client.get(_publish_url(draft))

    response = client.post(
        _publish_url(draft),
        {"version": "2", "release_notes_en": "Clearer *titles*.", "release_notes_ko": "제목 정리."},
        follow=True,
    )

    assert "Publishing makes this draft a read-only version" in _text(page)
    assert page.context["form"]["version"].value() == "1"  # the version it was based on, to be changed
    assertRedirects(response, _change_url(draft))
    assert _messages(response) == ["Published: mini lens (2, Published)"]
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.release_notes_en, draft.release_notes_ko) == (
        Lens.Status.PUBLISHED,
        "2",
        "Clearer *titles*.",
        "제목 정리.",
    )
    assert draft.published_at is not None
    assert Lens.objects.get(pk=lens.pk).status == Lens.Status.PUBLISHED


def test_it_refuses_to_publish_under_an_existing_version(client_for, eddie, draft):
    before = _lens_rows(draft)

    response = client_for(eddie).post(_publish_url(draft), {"version": "1"})

    assert response.status_code == 200
    assert "The draft cannot be published yet:" in _text(response)
    assert "<li>Version 1 of this lens exists already.</li>" in _text(response)
    assert _lens_rows(draft) == before


def test_it_lists_the_problems_that_stop_publishing(client_for, eddie, draft):
    RiskRule.objects.filter(question__pillar__lens=draft, question__key="p2_q1", order=2).update(condition="p2_q1_zz")
    before = _lens_rows(draft)
    client = client_for(eddie)

    page = client.get(_publish_url(draft))
    response = client.post(_publish_url(draft), {"version": "2"})

    problem = "<li>P2 1 (p2_q1): Risk rules: rule 2: unknown choice 'p2_q1_zz'</li>"
    assert problem in _text(page)
    assert response.status_code == 200
    assert problem in _text(response)
    assert _lens_rows(draft) == before


# --- Who may do what ----------------------------------------------------------------------------------------


def test_it_lets_other_staff_read_the_bank_only(client_for, staff, lens, draft, draft_question):
    client = client_for(staff)
    lists = [client.get(reverse(f"admin:questions_{m}_changelist")) for m in ("lens", "pillar", "question", "choice")]
    lens_page = client.get(_change_url(draft))
    question_page = client.get(_change_url(draft_question))
    before = {"draft": _lens_rows(draft), "lens": _lens_rows(lens)}

    post = client.post(_change_url(draft_question), _post_from_model(draft_question, title_en="Changed"))
    action = _action(client, "make_draft", lens)
    retire = _action(client, "retire", lens)
    publish = [client.get(_publish_url(draft)), client.post(_publish_url(draft), {"version": "2"})]
    adds = [client.get(reverse(f"admin:questions_{m}_add")) for m in ("lens", "pillar", "question", "choice")]

    assert [r.status_code for r in lists] == [200, 200, 200, 200]
    assert 'name="action"' not in lists[0].content.decode()
    assert (lens_page.status_code, question_page.status_code) == (200, 200)
    for page in (lens_page, question_page):
        assert 'name="_save"' not in page.content.decode()
    assert "Publish this draft" not in _text(lens_page)
    assert "Question 1.1?" in _text(question_page)
    assert post.status_code == 403
    assert (action.status_code, retire.status_code) == (200, 200)
    assert [r.status_code for r in publish] == [403, 403]
    assert [r.status_code for r in adds] == [403, 403, 403, 403]
    assert {"draft": _lens_rows(draft), "lens": _lens_rows(lens)} == before
    assert Lens.objects.count() == 2


def test_it_offers_the_actions_to_bank_users(client_for, bank_user, lens):
    page = client_for(bank_user).get(reverse("admin:questions_lens_changelist"))

    assert '<option value="make_draft">' in page.content.decode()
    assert '<option value="retire">' in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        lambda lens, q: reverse("admin:questions_lens_changelist"),
        lambda lens, q: _change_url(lens),
        lambda lens, q: _change_url(q),
        lambda lens, q: reverse("admin:questions_lens_publish", args=[lens.pk]),
        lambda lens, q: reverse("admin:questions_lens_bank_history", args=[lens.pk]),
    ],
    ids=["lens-list", "lens", "question", "publish", "history"],
)
def test_it_sends_users_who_are_not_staff_to_the_admin_login(client_for, alice, draft, draft_question, url):
    target = url(draft, draft_question)

    response = client_for(alice).get(target)

    assertRedirects(response, f"{reverse('admin:login')}?next={target}", fetch_redirect_response=False)


def test_it_offers_no_retired_lens_for_new_reviews(client_for, eddie, alice, lens):
    other = make_lens(slug="other")
    _action(client_for(eddie), "retire", lens)
    workload = make_workload(alice, name="Empty")
    client = client_for(alice)

    create_page = client.get(reverse("reviewapp:workload_create"))
    detail_page = client.get(reverse("reviewapp:workload_detail", args=[workload.pk]))
    refused = client.post(reverse("reviewapp:review_add", args=[workload.pk]), {"lens": lens.pk})

    assert list(create_page.context["form"].fields["lenses"].queryset) == [other]
    assert list(detail_page.context["review_form"].fields["lens"].queryset) == [other]
    assert list(ReviewCreateForm(workload=workload).fields["lens"].queryset) == [other]
    assert "mini lens" not in _text(create_page) and "other lens" in _text(create_page)
    assertRedirects(refused, reverse("reviewapp:workload_detail", args=[workload.pk]), fetch_redirect_response=False)
    assert not Review.objects.filter(workload=workload).exists()


def test_it_keeps_a_review_on_a_retired_lens_working(client_for, eddie, alice, lens, review):
    _action(client_for(eddie), "retire", lens)
    client = client_for(alice)

    page = client.get(reverse("reviewapp:review_detail", args=[review.pk]))
    saved = client.post(
        reverse("reviewapp:answer_save", args=[review.pk]), {"question": "p1_q1", "choices": ["p1_q1_a1"]}
    )

    assert page.status_code == 200
    assert "Question 1.1?" in _text(page)
    assert saved.status_code == 302
    answer = Answer.objects.get(review=review, question__key="p1_q1")
    assert (answer.risk, answer.version, answer.question.pillar.lens_id) == (AnswerRisk.MEDIUM, 1, lens.pk)
    assert list(answer.selected_choices.values_list("key", flat=True)) == ["p1_q1_a1"]
    review.refresh_from_db()
    assert review.lens.status == Lens.Status.RETIRED


# --- History ----------------------------------------------------------------------------------------------


def _history_rows(response) -> list[str]:
    text = _text(response)
    body = text[text.index("<tbody>") : text.index("</tbody>")]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _edit_title(client, question, title: str):
    url = _change_url(question)
    data = form_data(client.get(url), "question_form")
    data["title_en"] = [title]
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def test_it_records_who_changed_what(client_for, eddie, draft, draft_question):
    client = client_for(eddie)
    _edit_title(client, draft_question, "How do you test it?")

    response = client.get(reverse("admin:questions_lens_bank_history", args=[draft.pk]))

    rows = _history_rows(response)
    changed = [row for row in rows if "(Changed)" in row]
    assert len(changed) == 1
    assert "<td>eddie</td>" in changed[0]
    assert "question: P1 1 How do you test it?" in changed[0]
    assert "<b>title_en</b>: Question 1.1? → How do you test it?" in changed[0]
    # The draft's creation is listed too, with no user (it was made by lens_draft_create, not a request).
    assert any("lens: mini lens (1-draft, Draft) (Created)" in row and "<td>—</td>" in row for row in rows)


def test_it_records_only_the_fields_that_changed(client_for, eddie, draft, draft_question):
    client = client_for(eddie)
    _edit_title(client, draft_question, "How do you test it?")

    response = client.get(reverse("admin:questions_lens_bank_history", args=[draft.pk]))

    changed = next(row for row in _history_rows(response) if "(Changed)" in row)
    assert re.findall(r"<b>(.*?)</b>", changed) == ["title_en"]


# --- The rule tester --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticks", "result"),
    [
        (["p1_q1_a1", "p1_q1_a2"], "Rule 2 fires (p1_q1_a1): Medium risk"),
        (["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"], "Rule 1 fires (p1_q1_a1 && p1_q1_a2 && p1_q1_a3): No risk"),
        (["p1_q1_no"], "Rule 3 fires (default): High risk"),
        (["p1_q1_a2", "not_a_choice"], "Rule 3 fires (default): High risk"),
    ],
)
def test_it_says_which_rule_fires(client_for, bank_user, draft_question, ticks, result):
    query = "&".join(f"tick={key}" for key in ticks)

    response = client_for(bank_user).get(f"{_change_url(draft_question)}?{query}&test=1")

    assert response.status_code == 200
    assert f"<strong>{result}</strong>" in _text(response)
    assert response.context["tester"]["ticked"] == [key for key in ticks if key != "not_a_choice"]


def test_it_tests_nothing_without_ticks(client_for, eddie, draft_question):
    response = client_for(eddie).get(f"{_change_url(draft_question)}?test=1")

    assert response.context["tester"]["result"] is None
    assert " fires (" not in _text(response)


def _distribution(response) -> tuple[int, dict[str, int]]:
    text = _text(response)
    total = int(re.search(r"Of all (\d+) valid choice combinations:", text).group(1))
    block = re.search(r"valid choice combinations:</p>\s*<ul>(.*?)</ul>", text, re.S).group(1)
    return total, {risk: int(n) for risk, n in re.findall(r"<li>([^<:]+): (\d+)</li>", block)}


def _expected_distribution(question: Question) -> dict[str, int]:
    choices = list(question.choices.order_by("order", "pk"))
    rules = [(r.condition, r.risk) for r in question.risk_rules.order_by("order", "pk")]
    none = next((c.key for c in choices if c.is_none), None)
    counts = risk_distribution(rules, [c.key for c in choices], none_key=none)
    return {str(Risk(risk).label): n for risk, n in counts.items()}  # the page shows the risks' names


def test_it_counts_how_all_combinations_spread_over_the_risks(client_for, eddie, draft_question):
    response = client_for(eddie).get(_change_url(draft_question))

    expected = _expected_distribution(draft_question)
    assert _distribution(response) == (sum(expected.values()), expected)
    assert expected == {"High risk": 4, "Medium risk": 3, "No risk": 1}


def test_it_counts_the_combinations_of_every_serverless_question(client_for, staff, serverless_lens):
    client = client_for(staff)
    for question in Question.objects.filter(pillar__lens=serverless_lens):
        expected = _expected_distribution(question)
        response = client.get(_change_url(question))
        assert _distribution(response) == (sum(expected.values()), expected), question.key


def test_it_explains_rules_that_lack_a_default(draft_question):
    RiskRule.objects.filter(question=draft_question, order=3).delete()
    question = Question.objects.get(pk=draft_question.pk)

    tester = rule_tester_context(question, QueryDict("tick=p1_q1_a2&test=1"))["tester"]

    assert tester["result"] is None
    assert tester["error"] == "no rule matched: the rules lack a final 'default'"
