import pytest

from reviewapp.models import Role

from .factories import add_member, make_lens, make_user, make_workload


@pytest.fixture
def lens(db):
    return make_lens()


@pytest.fixture
def alice(db):
    """Owner of the workload."""
    return make_user("alice")


@pytest.fixture
def bob(db):
    """Contributor."""
    return make_user("bob")


@pytest.fixture
def vera(db):
    """Viewer."""
    return make_user("vera")


@pytest.fixture
def charlie(db):
    """Outsider: no membership."""
    return make_user("charlie")


@pytest.fixture
def workload(alice, bob, vera, lens):
    workload = make_workload(alice, lens=lens)
    add_member(workload, bob, Role.CONTRIBUTOR)
    add_member(workload, vera, Role.VIEWER)
    return workload


@pytest.fixture
def review(workload):
    return workload.reviews.get()


@pytest.fixture
def staff(db):
    """Staff user who is a member of nothing."""
    return make_user("sam", is_staff=True)


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a test client signed in as the user (or anonymous for None), pages in English."""
    from django.conf import settings
    from django.test import Client

    def make(user=None, *, language: str = "en") -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def serverless_lens(db):
    """The Serverless Lens question bank from questions/fixtures/serverless_lens.json."""
    from django.core.management import call_command

    from questions.models import Lens

    call_command("loaddata", "serverless_lens", verbosity=0)
    return Lens.objects.get(slug="serverless")


@pytest.fixture(scope="session")
def serverless_rules(django_db_setup, django_db_blocker):
    """``{question key: (rules, choice keys, none key)}`` of the fixture, read once and rolled back.

    Tests using it need the ``django_db`` mark (pytest-django creates the database only for those).
    """
    from django.core.management import call_command
    from django.db import transaction

    from questions.models import Question

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "serverless_lens", verbosity=0)
        rules = {
            question.key: (
                [(rule.condition, rule.risk) for rule in question.risk_rules.order_by("order")],
                [choice.key for choice in question.choices.order_by("order", "pk")],
                next((choice.key for choice in question.choices.all() if choice.is_none), None),
            )
            for question in Question.objects.filter(pillar__lens__slug="serverless")
        }
        transaction.set_rollback(True)
    return rules


@pytest.fixture(autouse=True)
def _cache_outage_forgotten():
    """A test that takes the cache away must not leave the next test backing off from it."""
    yield
    from reviewapp import cache_guard

    cache_guard.reset()


@pytest.fixture(autouse=True)
def _live_records_forgotten():
    """Each test starts with no review's answers kept by this process (reviewapp/progress.py), nor
    fragments rendered from them (the {% cache %} of templates/reviewapp/_review_parts.html)."""
    from django.core.cache import caches

    from reviewapp.progress import live_records_forget

    live_records_forget()
    caches["template_fragments"].clear()
    yield


@pytest.fixture(autouse=True)
def _review_relations_forgotten():
    """Each test starts with no workload, lens or account kept by this process (reviewapp/review_relations.py)."""
    from reviewapp.review_relations import relations_forget

    relations_forget()
    yield
