"""A seeded, randomised audit of "nothing a participant types is ever lost", in real browsers.

Several Chromium contexts, each a participant signed in to one review, tick and untick
practices, mark questions as not applying and type into the notes of a few questions, with
random network delays, dropped requests and answers lost on the way back. Every edit is
logged. At the end each page is given time to send what it holds (conflicts are resolved
with "Keep mine" or "Keep both", never "Keep theirs", which would be the person's own choice to
drop their text), and the log is audited against the database:

- every typed token is in the saved notes or in the answer's history (else: lost);
- no token is twice in the saved notes (else: duplicated: a save applied twice);
- every participant's last tick, untick and "does not apply" per question, and their last
  "does not apply" mark or unmark of each practice, is in a change they made (else: lost).

``run_audit(...)`` drives the browsers (call it from a thread of its own: it runs an asyncio
loop); ``audit(...)`` checks the log with the ORM. The test suite runs a short one
(tests/browser/test_typing_audit.py); ``make bench`` a long one (main() below).
"""

import asyncio
import os
import random
import re
import shutil
import time
from dataclasses import dataclass, field

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Log:
    """What the participants did, and what their pages counted."""

    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # (user, question, token)
    ticks: dict[tuple[str, str, str], tuple[bool, float]] = field(default_factory=dict)  # -> (ticked, when)
    applies: dict[tuple[str, str], tuple[bool, float]] = field(default_factory=dict)  # -> (applies, when)
    # (user, question, practice) -> (marked as not applying, when)
    practice_na: dict[tuple[str, str, str], tuple[bool, float]] = field(default_factory=dict)
    edits: int = 0
    faults: dict[str, int] = field(default_factory=lambda: {"delayed": 0, "dropped": 0, "answer lost": 0})
    pages: dict[str, dict] = field(default_factory=dict)  # user -> the page's own counts
    unsettled: list[str] = field(default_factory=list)  # pages that still held something at the end
    hiccups: int = 0  # actions that raced a navigation or a refresh (retried by the next round)
    left: dict[str, str] = field(default_factory=dict)  # user -> what their browser still held at the end
    trail: list[tuple] = field(default_factory=list)  # (user, page's trace entry), when AUDIT_TRACE is set
    drafts: int = 0  # drafts offered back and sent when their question was opened again
    actions: list[tuple] = field(default_factory=list)  # (user, seconds, what, question): what each participant did


@dataclass
class Result:
    edits: int
    tokens: int
    merges: int
    conflicts: int
    resolved: int
    retries: int
    lost: list[str]
    duplicated: list[str]
    held: list[str]
    unsettled: list[str]
    hiccups: int
    drafts: int
    faults: dict[str, int]
    practice_marks: int = 0  # practices whose last "does not apply" mark by someone is audited

    def summary(self) -> str:
        return (
            f"{self.edits} edits ({self.tokens} typed, {self.practice_marks} practices marked or unmarked as not "
            f"applying), {self.merges} merged, {self.conflicts} conflicts "
            f"({self.resolved} resolved), {self.retries} retries, faults {self.faults}, {self.hiccups} raced actions, {self.drafts} drafts restored; "
            f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, still only in a browser {len(self.held)}, "
            f"unsettled {len(self.unsettled)}"
        )


async def _sign_in(browser, base_url: str, username: str, password: str):
    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    if os.environ.get("AUDIT_TRACE"):
        await context.add_init_script("window.WA_TRACE = true;")
    page = await context.new_page()
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    # Ten people signing in at once hash ten passwords on a busy machine: sign-in gets a minute.
    page.set_default_timeout(60_000)
    await page.goto(base_url + "/accounts/login/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base_url + "/")
    page.set_default_timeout(15_000)
    return context, page


def _faulty_network(rng: random.Random, log: Log, dropping: list[bool]):
    """A route handler for saves: delays, dropped requests and answers lost on the way back."""

    async def handle(route):
        if not dropping[0]:
            await route.continue_()
            return
        roll = rng.random()
        if roll < 0.04:
            log.faults["dropped"] += 1
            await route.abort()
        elif roll < 0.07:
            log.faults["answer lost"] += 1
            try:
                await route.fetch()  # it lands on the server...
            finally:
                await route.abort()  # ...but the page never hears of it
        else:
            log.faults["delayed"] += 1
            await asyncio.sleep(rng.uniform(0, 0.6))
            await route.continue_()

    return handle


async def _resolve_conflicts(page, rng: random.Random) -> None:
    panels = page.locator("section.conflict")
    for index in range(await panels.count()):
        panel = panels.nth(index)
        both = panel.get_by_role("button", name="Keep both")
        button = both if await both.count() and rng.random() < 0.5 else panel.get_by_role("button", name="Keep mine")
        try:
            await button.click(timeout=2_000)
        except Exception:  # noqa: BLE001 - the panel was refreshed under the click: the next round sees it again
            pass


async def _goto(page, url: str, log: Log, user: str) -> None:
    """Open a page, first adding up what the page being left counted."""
    try:
        counts = await page.evaluate("window.reviewAnswers ? window.reviewAnswers.stats : {}")
        for entry in await page.evaluate("window.reviewAnswers ? window.reviewAnswers.trace : []"):
            log.trail.append((user, *entry))
    except Exception:  # noqa: BLE001 - no page yet, or one going away
        counts = {}
    total = log.pages.setdefault(user, {})
    for name, value in counts.items():
        total[name] = total.get(name, 0) + int(value)
    await page.goto(url)


async def _participant(browser, base_url, user, password, review_id, keys, choices, rng, deadline, log, stop):
    context, page = await _sign_in(browser, base_url, user, password)
    dropping = [True]
    await page.route("**/answers/", _faulty_network(rng, log, dropping))
    key = rng.choice(keys)
    await _goto(page, f"{base_url}/reviews/{review_id}/questions/{key}/", log, user)
    counter = 0
    while time.monotonic() < deadline:
        roll = rng.random()
        try:
            if roll < 0.08:
                key = rng.choice(keys)
                log.actions.append((user, round(time.time() % 100000, 2), "open", key))
                await _goto(page, f"{base_url}/reviews/{review_id}/questions/{key}/", log, user)
            elif roll < 0.45:
                choice = rng.choice(choices[key])
                box = page.locator(f'#question-{key} input[name=choices][value="{choice}"]')
                if await box.is_enabled():
                    await box.click()
                    ticked = await box.is_checked()
                    log.ticks[(user, key, choice)] = (ticked, time.time())
                    if ticked and (user, key, choice) in log.practice_na:  # the page unmarks a practice it ticks
                        log.practice_na[(user, key, choice)] = (False, time.time())
                    log.edits += 1
            elif roll < 0.5:
                choice = rng.choice(choices[key])
                mark = page.locator(f'#question-{key} input[data-choice-na][value="{choice}"]')
                if await mark.is_enabled():
                    await mark.click()
                    marked = await mark.is_checked()
                    if marked and rng.random() < 0.5:
                        await page.locator(f'#question-{key} select[name="na_reason-{choice}"]').select_option(
                            rng.choice(["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER"])
                        )
                    log.practice_na[(user, key, choice)] = (marked, time.time())
                    if marked and (user, key, choice) in log.ticks:  # and unticks a practice it marks
                        log.ticks[(user, key, choice)] = (False, time.time())
                    log.edits += 1
            elif roll < 0.55:
                na = page.locator(f"#question-{key} [data-na]")
                await na.click()
                applies = not await na.is_checked()
                if not applies:
                    await page.locator(f"#question-{key} [data-reason]").select_option(
                        rng.choice(["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER"])
                    )
                log.applies[(user, key)] = (applies, time.time())
                log.edits += 1
            else:
                counter += 1
                token = f"[{user}.{counter}]"
                area = page.locator(f"#notes-{key}")
                length = len(await area.input_value())
                await area.focus()
                at = rng.choice([length, 0, rng.randint(0, length)])
                await area.evaluate(
                    "(a, at) => { const t = a.value; let i = Math.min(at, t.length);"
                    " while (i > 0 && i < t.length && !/[\\s\\]]/.test(t[i - 1])) i--;"
                    " a.setSelectionRange(i, i); }",
                    at,
                )
                log.actions.append((user, round(time.time() % 100000, 2), f"typing {token}", key))
                await area.press_sequentially(f" {token} ", delay=rng.randint(5, 40))
                log.tokens.append((user, key, token))
                log.actions.append((user, round(time.time() % 100000, 2), f"typed {token}", key, page.url[-20:]))
                log.edits += 1
            if rng.random() < 0.3:
                await _resolve_conflicts(page, rng)
            await asyncio.sleep(rng.uniform(0.1, 1.2))
        except Exception as error:  # noqa: BLE001 - a navigation or a refresh raced an action: count it, go on
            log.actions.append((user, round(time.time() % 100000, 2), f"raced {type(error).__name__}", key))
            log.hiccups += 1
            await asyncio.sleep(0.5)
    stop.append(user)
    dropping[0] = False  # the network heals; everything held must now go out
    for _round in range(40):
        await _resolve_conflicts(page, rng)
        if not await page.evaluate("window.reviewAnswers ? window.reviewAnswers.unsent() : false"):
            break
        await asyncio.sleep(0.75)
    else:
        log.unsettled.append(f"{user}: still unsent after settling")
    # Drafts kept in this browser from pages left with something unsent: a person opens those
    # questions again and sends them, as the page offers.
    drafts = await page.evaluate(
        "[...new Set(Object.keys(localStorage).filter(k => k.startsWith('wa-draft:'))"
        ".flatMap(k => [].concat(JSON.parse(localStorage[k])).map(d => d.url)))]"
    )
    for url in drafts:
        if not url:
            continue
        await _goto(page, base_url + url, log, user)
        offer = page.locator(".draft-offer:not([hidden])").get_by_role("button", name="Restore and send them")
        for _round in range(80):
            await _resolve_conflicts(page, rng)
            if await page.evaluate("window.reviewAnswers.unsent()"):
                await asyncio.sleep(0.75)
            elif await offer.count():
                log.drafts += 1
                await offer.first.click()
                await asyncio.sleep(0.3)
            else:
                break
        else:
            log.unsettled.append(f"{user}: a restored draft still unsent after settling")
    log.left[user] = await page.evaluate(
        "JSON.stringify([Object.fromEntries(Object.entries(localStorage)),"
        " [...document.querySelectorAll('textarea')].map(t => t.value)])"
    )
    await _goto(page, "about:blank", log, user)
    await context.close()


async def _drive(base_url, people, review_id, keys, choices, seconds, seed, log):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + seconds
        stop: list[str] = []
        await asyncio.gather(
            *(
                _participant(
                    browser,
                    base_url,
                    user,
                    password,
                    review_id,
                    keys,
                    choices,
                    random.Random(f"{seed}:{user}"),
                    deadline,
                    log,
                    stop,
                )
                for user, password in people
            )
        )
        await browser.close()


def run_audit(*, base_url, people, review_id, keys, choices, seconds: float, seed: int) -> Log:
    """Drive the participants; ``people`` is [(username, password)], ``choices`` {question: [choice keys]}."""
    log = Log()
    asyncio.run(_drive(base_url, people, review_id, keys, choices, seconds, seed, log))
    return log


def audit(log: Log, review_id: int) -> Result:
    """The log against the database: what was typed, ticked and marked, and where it is now."""
    from reviewapp.answer_state import answer_state as answer_state_of
    from reviewapp.models import Answer, AnswerChange

    answers = {a.question.key: a for a in Answer.objects.filter(review_id=review_id).select_related("question")}
    answer_state = lambda answer: answer_state_of(answer).as_json()  # noqa: E731
    history: dict[str, list[AnswerChange]] = {}
    for change in AnswerChange.objects.filter(answer__review_id=review_id).select_related(
        "answer__question", "changed_by"
    ):
        history.setdefault(change.answer.question.key, []).append(change)
    lost, duplicated, held = [], [], []
    for _user, key, token in log.tokens:
        saved = answers[key].notes
        # "Keep both" writes two people's texts one after the other, each under a line naming
        # its author: a token may be in both. Within one text it may be there once only.
        if any(text.count(token) > 1 for text in re.split(r"^—[^\n]*:$", saved, flags=re.M)):
            duplicated.append(token)
        if token not in saved and not any(token in c.after.get("notes", "") for c in history.get(key, [])):
            holders = [user for user, left in log.left.items() if token in left]
            if holders:  # on the person's screen or in their browser's drafts: not lost, not sent either
                held.append(f"{token} on {key} (in the browser of {', '.join(holders)})")
            else:
                lost.append(f"{token} on {key}")

    def kept(key: str, user: str, since: float, holds) -> bool:
        """In the saved answer now, or in a change the person made, or in any change made after they acted."""
        changes = history.get(key, [])
        return holds(answer_state(answers[key])) or any(
            holds(c.after)
            and ((c.changed_by and c.changed_by.username == user) or c.changed_at.timestamp() >= since - 1)
            for c in changes
        )

    for (user, key, choice), (ticked, since) in log.ticks.items():
        if not kept(key, user, since, lambda state, c=choice, t=ticked: (c in state.get("choices", [])) == t):
            lost.append(f"{user}'s {'tick' if ticked else 'untick'} of {choice}")
    for (user, key, choice), (marked, since) in log.practice_na.items():
        if not kept(key, user, since, lambda state, c=choice, m=marked: (c in state.get("choice_na", {})) == m):
            lost.append(f"{user}'s 'does not apply' = {marked} on practice {choice}")
    for (user, key), (applies, since) in log.applies.items():
        if not kept(key, user, since, lambda state, a=applies: state.get("applicable", True) == a):
            lost.append(f"{user}'s 'does not apply' = {not applies} on {key}")
    total = lambda name: sum(int(stats.get(name, 0)) for stats in log.pages.values())  # noqa: E731
    return Result(
        edits=log.edits,
        tokens=len(log.tokens),
        merges=total("merged"),
        conflicts=total("conflicts"),
        resolved=total("resolved"),
        retries=total("retries"),
        lost=lost,
        duplicated=duplicated,
        held=held,
        unsettled=log.unsettled,
        hiccups=log.hiccups,
        drafts=log.drafts,
        faults=log.faults,
        practice_marks=len(log.practice_na),
    )


def explain(log: Log, result: Result, review_id: int, limit: int = 3) -> str:
    """For the first lost or duplicated tokens: the question's saved notes, every change that
    touched the token, and (with AUDIT_TRACE) what each page did with that question."""
    from reviewapp.models import Answer, AnswerChange

    lines = []
    for item in (result.lost + result.duplicated)[:limit]:
        token = re.match(r"(\[[^\]]+\])", item)
        if not token:
            continue
        token = token.group(1)
        key = next((k for _u, k, t in log.tokens if t == token), None)
        lines.append(f"=== {item} (question {key})")
        if key is None:
            continue
        lines.append(f"saved: {Answer.objects.get(review_id=review_id, question__key=key).notes!r}")
        changes = AnswerChange.objects.filter(answer__review_id=review_id, answer__question__key=key)
        for c in changes.select_related("changed_by").order_by("version"):
            before, after = c.before.get("notes", ""), c.after.get("notes", "")
            if token in before or token in after:
                who = c.changed_by.username if c.changed_by else "-"
                lines.append(
                    f"  v{c.version} {who} {c.idempotency_key[:8]} {before.count(token)}->{after.count(token)}"
                )
                lines.append(f"     before {before!r}\n     after  {after!r}")
        sends = [
            extra
            for _u, _at, what, question, _b, box, extra in log.trail
            if what == "send" and question == key and token in box
        ]
        for idem in sends:
            change = changes.filter(idempotency_key=idem).first()
            lines.append(
                f"  save {idem[:8]} carried it: "
                + (
                    f"stored as v{change.version}, token kept: {token in change.after.get('notes', '')}"
                    if change
                    else "no change stored under its key"
                )
            )
        owner = token[1:].split(".")[0]
        for user, at, what, question, base, box, extra in log.trail:
            if question == key and (token in box or token in str(extra) or user == owner):
                lines.append(f"  page {user} {at % 100000} {what} base={base} box={box!r} {str(extra)[:160]}")
        lines += [f"  did {entry}" for entry in log.actions if entry[0] == owner][-40:]
    return "\n".join(lines)


def main() -> None:
    """``make bench``: ten participants for two minutes against gunicorn and PostgreSQL."""
    import os
    import sys
    import threading

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from bench import server

    seconds = float(os.environ.get("AUDIT_SECONDS", 120))
    contexts = int(os.environ.get("AUDIT_CONTEXTS", 10))
    seed = int(os.environ.get("AUDIT_SEED", 2026))
    server.django_setup()
    server.prepare_database()
    review_id, names = server.create_workshop(contexts, "Typing audit", prefix="typist")
    questions = server.question_keys()
    keys = ["ops_q1", "sec_q1", "rel_q1"]
    choices = {key: [c for c in questions[key] if not c.endswith("_no")] for key in keys}
    port = server.free_port()
    gunicorn = server.start_gunicorn(port, server.server_env(None))
    try:
        result: list[Log] = []
        people = [(name, server.PASSWORD) for name in names[:contexts]]
        thread = threading.Thread(
            target=lambda: result.append(
                run_audit(
                    base_url=f"http://{server.HOST}:{port}",
                    people=people,
                    review_id=review_id,
                    keys=keys,
                    choices=choices,
                    seconds=seconds,
                    seed=seed,
                )
            )
        )
        thread.start()
        thread.join()
    finally:
        server.stop(gunicorn)
    outcome = audit(result[0], review_id)
    print(outcome.summary())
    with open(server.REPORT, "a") as report:
        report.write(
            f"\n## Typing audit in browsers ({contexts} Chromium contexts, {seconds:.0f} s, seed {seed})\n\n"
            "| edits | typed tokens | merged | conflicts | resolved | retries | lost | duplicated |\n"
            "|---|---|---|---|---|---|---|---|\n"
            f"| {outcome.edits} | {outcome.tokens} | {outcome.merges} | {outcome.conflicts} | {outcome.resolved} "
            f"| {outcome.retries} | {len(outcome.lost)} | {len(outcome.duplicated)} |\n\n"
            f"Network faults injected on saves: {outcome.faults}.\n"
        )
    if outcome.lost or outcome.duplicated:
        print(explain(result[0], outcome, review_id, limit=int(os.environ.get("AUDIT_EXPLAIN", 3))))
        raise SystemExit(f"lost: {outcome.lost[:20]} duplicated: {outcome.duplicated[:20]}")


if __name__ == "__main__":
    main()
