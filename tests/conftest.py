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
