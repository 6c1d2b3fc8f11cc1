"""reviewapp/cache_guard.py: a failing cache costs a feature, fails fast, and is logged once."""

import logging

import pytest

from reviewapp import cache_guard
from reviewapp.cache_guard import CacheUnavailable, guarded


class Flaky:
    """A cache call that fails while ``down`` and counts how often it was really made."""

    def __init__(self):
        self.down, self.calls = True, 0

    def __call__(self):
        self.calls += 1
        if self.down:
            raise ConnectionError("Connection refused")
        return "value"


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "reviewapp.cache_guard" and r.levelname == "ERROR"]


def test_it_fails_fast_while_backing_off_and_logs_the_outage_once(caplog):
    call = Flaky()

    for _ in range(5):
        with pytest.raises(CacheUnavailable):
            guarded(call)

    assert call.calls == 1  # the other four did not wait on a dead cache
    assert _errors(caplog) == ["The cache does not answer; carrying on without it: Connection refused"]


def test_it_tries_again_after_the_back_off_and_says_when_it_is_back(monkeypatch, caplog):
    monkeypatch.setattr(cache_guard, "BACKOFF_SECONDS", 0.0)
    recovered = []
    monkeypatch.setattr(cache_guard, "_recovered", [lambda: recovered.append(True)])
    call = Flaky()
    for _ in range(3):
        with pytest.raises(CacheUnavailable):
            guarded(call)
    call.down = False

    with caplog.at_level(logging.WARNING, logger="reviewapp.cache_guard"):
        assert guarded(call) == "value"
        assert guarded(call) == "value"

    assert call.calls == 5
    assert len(_errors(caplog)) == 1
    assert [r.getMessage().startswith("The cache answers again") for r in caplog.records].count(True) == 1
    assert recovered == [True]


def test_it_keeps_reading_while_only_stores_fail(monkeypatch, caplog):
    """A full disk: what the file cache holds is still served, and deletes still work."""
    monkeypatch.setattr(cache_guard, "BACKOFF_SECONDS", 0.0)
    store = Flaky()

    for _ in range(3):
        with pytest.raises(CacheUnavailable):
            guarded(store, kind="store")
        assert guarded(lambda: "cached") == "cached"
        assert guarded(lambda: None, kind="delete") is None

    assert store.calls == 3
    assert len(_errors(caplog)) == 1  # reads and deletes working do not end the outage of stores
    assert not [r for r in caplog.records if r.getMessage().startswith("The cache answers again")]
