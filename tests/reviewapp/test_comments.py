"""Comments on a question: Markdown, mentions, edited and deleted by their author, live, in the session's minutes."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reviewapp.comments import comment_add, comment_delete, comment_edit
from reviewapp.models import Comment, Review
from reviewapp.sessions.minutes import session_minutes
from reviewapp.sessions.planning import AgendaEntry, session_plan
from reviewapp.sessions.running import session_end, session_start

from .test_live import _save, next_params, poll


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def question_url(review, key="p1_q1"):
    return reverse("reviewapp:review_question", args=[review.pk, key])


def add_url(review, key="p1_q1"):
    return reverse("reviewapp:comment_add", args=[review.pk, key])


def test_it_keeps_a_comment_with_the_members_it_mentions(review, bob, charlie):
    comment = comment_add(review=review, question_key="p1_q1", user=bob, body=" Ask @alice and @vera, not @charlie. ")

    assert comment.body == "Ask @alice and @vera, not @charlie."
    assert sorted(comment.mentions.values_list("username", flat=True)) == ["alice", "vera"]
    assert comment.session is None
    assert Review.objects.get(pk=review.pk).revision == comment.review_revision == 1


def test_it_refuses_viewers_empty_text_and_unknown_questions(review, vera, bob):
    with pytest.raises(PermissionDenied):
        comment_add(review=review, question_key="p1_q1", user=vera, body="hi")
    with pytest.raises(ValidationError):
        comment_add(review=review, question_key="p1_q1", user=bob, body="   ")
    with pytest.raises(ValidationError):
        comment_add(review=review, question_key="nope", user=bob, body="hi")
    assert not Comment.objects.exists()


def test_it_lets_only_the_author_edit_and_delete(review, alice, bob):
    comment = comment_add(review=review, question_key="p1_q1", user=bob, body="first @alice")
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, user=alice, body="not mine")
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, user=alice)

    comment_edit(comment=comment, user=bob, body="second")
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at is not None, comment.mentions.count()) == ("second", True, 0)
    comment_delete(comment=comment, user=bob)
    comment.refresh_from_db()
    assert comment.body == "" and comment.deleted_at is not None


def test_it_attributes_comments_to_the_running_session_and_its_minutes(review, alice, bob):
    session = session_plan(
        review=review,
        user=alice,
        title="S",
        planned_start=timezone.now(),
        facilitator=alice,
        agenda=[AgendaEntry("pillar:p1", 5)],
        expected=[],
    )
    session = session_start(session=session, user=alice)
    comment_add(review=review, question_key="p1_q1", user=bob, body="During, @alice")
    session = session_end(session=session, user=alice)
    comment_add(review=review, question_key="p1_q1", user=bob, body="After")

    minutes = session_minutes(session)

    assert [(c.author, c.text, c.question, c.mentions) for c in minutes.comments] == [
        ("bob", "During, @alice", "P1 1", ["alice"])
    ]


def test_it_shows_the_thread_with_markdown_and_the_authors_controls(review, client_for, bob, alice):
    client_for(bob).post(add_url(review), {"body": "Use **alarms** <script>alert(1)</script> @alice"})

    as_bob, as_alice = client_for(bob).get(question_url(review)), client_for(alice).get(question_url(review))

    assertContains(as_bob, "<strong>alarms</strong>", html=False)
    assertNotContains(as_bob, "<script>alert(1)", html=False)
    assertContains(as_bob, "Mentions: @alice")
    comment = Comment.objects.get()
    assertContains(as_bob, reverse("reviewapp:comment_edit", args=[review.pk, comment.pk]))
    assertNotContains(as_alice, reverse("reviewapp:comment_edit", args=[review.pk, comment.pk]))


def test_it_gives_back_a_refused_comment_with_its_text(review, client_for, bob):
    response = client_for(bob).post(add_url(review), {"body": "x" * 5001})

    assert response.status_code == 200
    assertContains(response, "x" * 5001)
    assert not Comment.objects.exists()


def test_it_edits_and_deletes_through_the_pages(review, client_for, bob, alice):
    client_for(bob).post(add_url(review), {"body": "draft"})
    comment = Comment.objects.get()
    edit = reverse("reviewapp:comment_edit", args=[review.pk, comment.pk])
    delete = reverse("reviewapp:comment_delete", args=[review.pk, comment.pk])

    assert client_for(alice).get(edit).status_code == 403
    assert client_for(alice).post(edit, {"body": "hijack"}).status_code == 403
    assertContains(client_for(bob).get(edit), "draft")
    client_for(bob).post(edit, {"body": "final"})
    assert Comment.objects.get().body == "final"
    assert client_for(alice).post(delete).status_code == 403
    client_for(bob).post(delete)
    assertNotContains(client_for(bob).get(question_url(review)), "final")


@pytest.mark.parametrize("persona", ["vera", "charlie"])
def test_it_refuses_viewers_and_outsiders(review, client_for, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(add_url(review), {"body": "hello"})

    assert response.status_code == (403 if persona == "vera" else 404)
    assert not Comment.objects.exists()


def test_it_sends_a_new_comment_to_open_pages_without_touching_the_form(review, client_for, alice, bob):
    as_alice = client_for(alice)
    params = next_params(poll(as_alice, review, page="question:p1_q1"))

    client_for(bob).post(add_url(review), {"body": "Live one"})
    response = poll(as_alice, review, **params)

    body = response.content.decode()
    assert 'id="comments-p1_q1" class="comment-thread" hx-swap-oob="true"' in body and "Live one" in body
    assert 'name="body"' not in body  # the form someone types in is never sent
    assert poll(as_alice, review, **next_params(response)).status_code == 204


def test_a_comment_made_among_answer_saves_is_sent_and_answers_alone_ask_nothing_about_comments(
    review, client_for, alice, bob
):
    as_alice, as_bob = client_for(alice), client_for(bob)
    params = next_params(poll(as_alice, review, page="question:p1_q1"))
    _save(as_bob, review, "p1_q1", notes="one")
    as_bob.post(add_url(review), {"body": "Among the saves"})
    _save(as_bob, review, "p1_q1", version=1, notes="two")

    response = poll(as_alice, review, **params)

    assert "Among the saves" in response.content.decode()
    _save(as_bob, review, "p1_q2", notes="three")
    _save(as_bob, review, "p1_q1", version=2, notes="four")
    params = next_params(response)
    body = poll(as_alice, review, **params).content.decode()
    assert "four" in body and 'id="comments-p1_q1"' not in body  # only answers changed: no thread sent
