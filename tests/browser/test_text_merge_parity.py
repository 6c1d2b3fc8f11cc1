"""The page merges notes by the server's rules: static/js/answers.js ``mergeText`` gives what
reviewapp/merging.py ``merge_text`` gives (the same text, or a conflict), so the text a person
sees after their save comes back is the text the server would have made, never a fuzzy guess."""

import random
from pathlib import Path

import pytest

from reviewapp.merging import MergeConflict, merge_text

pytestmark = pytest.mark.browser
STATIC = Path(__file__).resolve().parents[2] / "static" / "js"


def _python(base: str, mine: str, theirs: str) -> str | None:
    try:
        return merge_text(base=base, mine=mine, theirs=theirs)
    except MergeConflict:
        return None


def _edit(rng: random.Random, text: str, who: str, number: int) -> str:
    """A participant's edit as people make them: a word typed somewhere, a word removed or changed."""
    words = text.split(" ")
    at = rng.randrange(len(words) + 1)
    roll = rng.random()
    if roll < 0.5 or len(words) < 2:
        words.insert(at, f"[{who}.{number}]")
    elif roll < 0.75:
        del words[min(at, len(words) - 1)]
    else:
        words[min(at, len(words) - 1)] += f"{who}{number}"
    return " ".join(words)


def _cases(seed: int, count: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    cases = [
        ("Alarms on errors.", "Alarms on errors. Traces too.", "Dashboards. Alarms on errors."),  # apart: merged
        ("one two three", "one 2 three", "one two 3"),  # neighbouring words: merged
        ("typist07.1 rest", "typist07.5 rest", "typist10.1 rest"),  # the same word: conflict
        ("A [u1.", "A [u1.5] ", "B [u2.3] "),  # my word's place is gone from theirs: conflict
        ("첫째 줄\n\n둘째 줄", "첫째 줄 고침\n\n둘째 줄", "첫째 줄\n\n둘째 줄 고침"),
    ]
    for number in range(count):
        base = " ".join(f"w{rng.randrange(30)}" for _ in range(rng.randrange(1, 12)))
        mine = _edit(rng, base, "u1", number)
        theirs = _edit(rng, base, "u2", number)
        if rng.random() < 0.3:
            theirs = _edit(rng, theirs, "u3", number)
        cases.append((base, mine, theirs))
    return cases


def test_the_page_merges_notes_exactly_as_the_server_does(page):
    page.add_script_tag(path=str(STATIC / "vendor" / "diff_match_patch.js"))
    page.add_script_tag(path=str(STATIC / "answers.js"))
    cases = _cases(seed=20261201, count=400)
    in_page = page.evaluate(
        "cases => cases.map(([base, mine, theirs]) => window.reviewAnswers.mergeText(base, mine, theirs))", cases
    )
    expected = [_python(*case) for case in cases]
    assert expected[0] == "Dashboards. Alarms on errors. Traces too."
    assert expected[1] == "one 2 3"
    assert expected[2] is None and expected[3] is None
    assert sum(result is None for result in expected) > 20  # the random cases include conflicts...
    assert sum(result is not None for result in expected) > 200  # ...and many clean merges
    mismatches = [(case, js, py) for case, js, py in zip(cases, in_page, expected, strict=True) if js != py]
    assert mismatches == []
