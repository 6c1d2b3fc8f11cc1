"""The lens bank: loaded in a fixed number of queries, kept in memory only for versions that never change."""

from questions.models import Lens
from reviewapp import bank as bank_module
from reviewapp.bank import load_bank

from ..factories import make_lens


def test_it_loads_a_lens_in_four_queries_whatever_its_size(db, settings, django_assert_num_queries):
    settings.BANK_CACHE = False
    big = make_lens(slug="big", pillars=4, questions_per_pillar=5)

    with django_assert_num_queries(4):
        bank = load_bank(big)

    assert len(bank.questions) == 20
    assert [c.key for c in bank.by_key["p2_q3"].choices] == ["p2_q3_a1", "p2_q3_a2", "p2_q3_a3", "p2_q3_no"]


def test_it_keeps_a_published_lens_in_memory(db, settings, django_assert_num_queries, monkeypatch):
    settings.BANK_CACHE = True
    monkeypatch.setattr(bank_module, "_BANKS", {})
    lens = make_lens(slug="kept")
    first = load_bank(lens)

    with django_assert_num_queries(0):
        again = load_bank(lens)

    assert again is first


def test_it_always_reads_a_draft(db, settings, django_assert_num_queries, monkeypatch):
    settings.BANK_CACHE = True
    monkeypatch.setattr(bank_module, "_BANKS", {})
    draft = make_lens(slug="draft")
    Lens.objects.filter(pk=draft.pk).update(status=Lens.Status.DRAFT)
    draft.refresh_from_db()
    load_bank(draft)

    with django_assert_num_queries(4):
        load_bank(draft)
