// Answers on the review pages: autosave, drafts, retries, merges and conflicts.
//
// The invariant: every tick, reason and character a person enters ends up in the saved
// answer, in its history, or on their own screen as an unsent draft or an unresolved
// conflict that says so. Never silently replaced, never silently dropped.
//
// How: the page never swaps an answer's form controls. The server sends each answer as data
// (#answer-data-KEY); this script lays it over the controls only while the person has
// nothing unsent there, and otherwise lets the server merge their next save with it. Saves
// go one at a time per question, each with an idempotency key that its retries reuse; what
// is not confirmed yet is kept in localStorage until it is. Every listener is delegated from
// the document, so nothing is bound to an element that a fragment could replace.
(function () {
  "use strict";

  var TYPING_DELAY = 700;
  var states = {};
  // What happened on this page, for people who audit it (the randomised browser test reads it).
  var stats = { saves: 0, merged: 0, conflicts: 0, resolved: 0, retries: 0, replaced: 0 };
  var dmp = new window.diff_match_patch();
  var online = true;

  function messages() {
    var el = document.getElementById("save-messages");
    return el ? el.dataset : {};
  }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_m, name) { return values[name] !== undefined ? values[name] : ""; });
  }
  function norm(text) { return String(text || "").replace(/\r\n?/g, "\n"); }
  function timeout() { return window.WA_SAVE_TIMEOUT || 10000; }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  // ---- the fields of one question's form -------------------------------------------------
  // An audit trail of what this page did with each answer, kept only when asked for (window.WA_TRACE).
  var trace = [];
  function note(what, st, extra) {
    if (!window.WA_TRACE) return;
    trace.push([Date.now(), what, st.key, st.base, norm((st.form.querySelector("textarea") || {}).value), extra || ""]);
  }

  function fieldsOf(form) {
    var choices = [];
    form.querySelectorAll('input[name="choices"]').forEach(function (box) { if (box.checked) choices.push(box.value); });
    choices.sort();
    var na = form.querySelector("[data-na]");
    var reason = form.querySelector("[data-reason]");
    var notes = form.querySelector('textarea[name="notes"]');
    var applicable = !(na && na.checked);
    var choiceNa = {};
    form.querySelectorAll("input[data-choice-na]").forEach(function (box) {
      if (!box.checked) return;
      var row = box.closest(".choice");
      var why = row.querySelector("[data-na-reason]"), text = row.querySelector("[data-na-notes]");
      choiceNa[box.value] = { reason: (why && why.value) || "NONE", notes: norm(text ? text.value : "") };
    });
    return {
      choices: choices,
      applicable: applicable,
      reason: applicable ? "" : (reason ? reason.value : ""),
      notes: norm(notes ? notes.value : ""),
      choice_na: choiceNa,
    };
  }
  // A practice that does not apply, as one comparable value (null: it applies).
  function naEntry(f, key) {
    var e = (f.choice_na || {})[key];
    return e ? e.reason + "\u0000" + norm(e.notes) : null;
  }
  function naKeys(f) { return Object.keys(f.choice_na || {}).sort(); }
  function sameNa(a, b) {
    var keys = naKeys(a);
    return keys.join("\u0000") === naKeys(b).join("\u0000") &&
      keys.every(function (k) { return naEntry(a, k) === naEntry(b, k); });
  }
  function same(a, b) {
    return a.applicable === b.applicable && a.reason === b.reason && norm(a.notes) === norm(b.notes) &&
      a.choices.length === b.choices.length && a.choices.every(function (c, i) { return c === b.choices[i]; }) &&
      sameNa(a, b);
  }
  // Where a caret at ``at`` in the old text is in the new one. Text inserted right at the caret
  // goes after it, so typing on carries on where the person was (diff_xIndex would put the caret
  // after anything added there, and the next keystrokes would land away from the first ones).
  function caretIn(diffs, at) {
    var before = 0, after = 0;
    for (var i = 0; i < diffs.length; i++) {
      var op = diffs[i][0], size = diffs[i][1].length;
      if (op === 0) {
        if (before + size >= at) return after + (at - before);
        before += size;
        after += size;
      } else if (op === -1) {
        if (before + size >= at) return after;  // the caret was in text someone removed: at its place
        before += size;
      } else {
        if (before === at) return after;
        after += size;
      }
    }
    return after;
  }
  // ``caret``: where the selection goes in the new text, when the merge placed it; else it is
  // carried over by a diff of the old text and the new.
  function setText(area, text, caret) {
    if (norm(area.value) === text) return;
    var focused = document.activeElement === area;
    var start = area.selectionStart, end = area.selectionEnd, diffs = focused && !caret ? dmp.diff_main(norm(area.value), text) : null;
    area.value = text;
    if (focused) area.setSelectionRange.apply(area, caret || [caretIn(diffs, start), caretIn(diffs, end)]);
  }
  function setFields(form, f, caret) {
    form.querySelectorAll('input[name="choices"]').forEach(function (box) { box.checked = f.choices.indexOf(box.value) !== -1; });
    var na = form.querySelector("[data-na]");
    if (na) na.checked = !f.applicable;
    var reason = form.querySelector("[data-reason]");
    if (reason) reason.value = f.applicable ? "" : f.reason;
    var notes = form.querySelector('textarea[name="notes"]');
    if (notes) setText(notes, f.notes, caret);
    form.querySelectorAll("input[data-choice-na]").forEach(function (box) {
      var e = (f.choice_na || {})[box.value];
      box.checked = !!e;
      if (!e) return;  // a practice that applies keeps whatever its hidden reason and note hold
      var row = box.closest(".choice");
      var why = row.querySelector("[data-na-reason]"), text = row.querySelector("[data-na-notes]");
      if (why && why.value !== e.reason) why.value = e.reason;
      if (text && norm(text.value) !== norm(e.notes)) text.value = e.notes;
    });
    applicability(form);
  }
  // "Does not apply": the choices are kept as ticked but cannot be changed; the reason only then.
  function applicability(form) {
    var na = form.querySelector("[data-na]");
    if (!na || na.disabled) return;
    var choices = form.querySelector("fieldset.choices");
    if (choices) choices.disabled = na.checked;
    var reason = form.querySelector("[data-reason]");
    if (reason) reason.disabled = !na.checked;
  }

  // ---- what the server has --------------------------------------------------------------
  function serverData(key) {
    var el = document.getElementById("answer-data-" + key);
    if (!el) return null;
    var d = JSON.parse(el.dataset.answer);
    d.choices = d.choices.slice().sort();
    d.notes = norm(d.notes);
    d.choice_na = d.choice_na || {};
    return d;
  }
  function fieldsFrom(d) {
    return { choices: d.choices, applicable: d.applicable, reason: d.reason, notes: d.notes, choice_na: d.choice_na || {} };
  }

  // ---- per-question state ---------------------------------------------------------------
  function state(form) {
    var key = form.dataset.question;
    var st = states[key];
    if (st && st.form === form) return st;
    var d = serverData(key);
    st = states[key] = {
      key: key, form: form, base: d ? d.version : 0, synced: d ? fieldsFrom(d) : fieldsOf(form),
      inflight: null, timer: null, again: false, conflict: false, stuck: "",
    };
    return st;
  }
  function dirty(st) { return !same(fieldsOf(st.form), st.synced); }
  function unsent(st) { return !!(st.inflight || st.timer || st.conflict || dirty(st)); }
  function answerForm(target) {
    var form = target instanceof Element ? target.closest("form.answer-form[data-autosave]") : null;
    return form && form.contains(target) ? form : null;
  }

  // ---- drafts: kept in this browser until the server confirms them -------------------------
  function draftKey(key) {
    var page = document.getElementById("save-messages");
    return page ? "wa-draft:" + page.dataset.user + ":" + page.dataset.review + ":" + key : null;
  }
  // A draft keeps the save that was on its way when it was written (``pending``): whether that
  // one landed is unknown, so restoring the draft first sends it again under its own key (the
  // server applies a key once), then what was typed after it, as after any save.
  function storeDraft(st, pending) {
    var name = draftKey(st.key);
    if (!name) return;
    pending = pending || st.inflight;
    if (!pending && !st.conflict && !dirty(st)) { localStorage.removeItem(name); return; }
    var article = st.form.closest("article");
    try {
      localStorage.setItem(name, JSON.stringify({
        base: st.base, synced: st.synced, fields: fieldsOf(st.form), at: Date.now(),
        pending: pending ? { fields: pending.fields, base: pending.base, idem: pending.idem, keep: pending.keep } : null,
        label: article ? article.dataset.label : st.key, url: st.form.dataset.url,
      }));
    } catch (e) { /* storage full or off: the page still asks before leaving */ }
  }
  function clearDraft(key) {
    var name = draftKey(key);
    if (states[key]) note("clear draft", states[key]);
    if (name) localStorage.removeItem(name);
  }
  function readDraft(key) {
    var name = draftKey(key);
    try { return name ? JSON.parse(localStorage.getItem(name) || "null") : null; } catch (e) { return null; }
  }

  // ---- what each question shows about its save ---------------------------------------------
  function show(st, kind, extra) {
    var el = document.getElementById("save-state-" + st.key);
    if (!el) return;
    var m = messages();
    var text = {
      saving: m.saving, unsent: m.unsent, retrying: m.retrying, conflict: m.conflict,
      signedout: m.signedout, refused: m.refused, failed: m.failed,
      saved: fill(m.saved, extra || {}),
    }[kind] || "";
    el.textContent = text;
    el.className = "save-state " + kind;
    st.form.classList.toggle("unsent", kind !== "saved" && kind !== "");
    var stale = st.form.querySelector(".preview-stale");
    if (stale) stale.hidden = !dirty(st);
  }
  function showSynced(st) {
    var d = serverData(st.key);
    show(st, d && d.version === st.base && st.base > 0 ? "saved" : "", d ? { version: d.version, who: d.by } : {});
  }
  function updatePreview(st) {
    var data = document.getElementById("answer-data-" + st.key);
    var preview = document.getElementById("preview-" + st.key);
    var template = data && data.querySelector("template");
    if (preview && template && !dirty(st)) preview.replaceChildren(template.content.cloneNode(true));
  }
  // The bar at the top: lost (no answer at all), reconnecting (the server answers 503 while its
  // database comes back), back. Saves keep retrying with the same idempotency key meanwhile.
  var lostAs = "";
  function connection(up, why) {
    why = up ? "" : (why || "offline");
    if (up === online && why === lostAs) return;
    online = up;
    lostAs = why;
    var el = document.getElementById("connection");
    var m = messages();
    if (!el) return;
    el.hidden = false;
    el.className = "connection " + (up ? "back" : "lost " + why);
    el.textContent = up ? (m.online || "") : (m[why] || m.offline || "");
    if (up) setTimeout(function () { if (online) el.hidden = true; }, 4000);
  }

  // ---- sending --------------------------------------------------------------------------
  function edited(st, delay) {
    storeDraft(st);
    if (!st.inflight && !st.conflict) show(st, "unsent");
    schedule(st, delay);
  }
  function schedule(st, delay) {
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { st.timer = null; send(st); }, delay);
  }
  function send(st, keep) {
    if (st.inflight) { st.again = true; return; }  // one save at a time: this one follows
    var fields = fieldsOf(st.form);
    if (keep === undefined && !st.conflict && same(fields, st.synced)) {  // nothing to send (typed, then undone)
      clearDraft(st.key);
      if (!st.stuck) showSynced(st);
      return;
    }
    st.stuck = "";
    st.inflight = { fields: fields, base: st.base, idem: newKey(), keep: keep || "", attempt: 0 };
    storeDraft(st);
    note("send", st, st.inflight.idem);
    post(st);
  }
  function payload(st, req) {
    var data = new URLSearchParams();
    data.append("question", st.key);
    data.append("version", String(req.base));
    req.fields.choices.forEach(function (c) { data.append("choices", c); });
    if (!req.fields.applicable) { data.append("not_applicable", "on"); data.append("reason", req.fields.reason); }
    data.append("notes", req.fields.notes);
    naKeys(req.fields).forEach(function (k) {
      var e = req.fields.choice_na[k];
      data.append("choice_na", k);
      data.append("na_reason-" + k, e.reason);
      data.append("na_notes-" + k, e.notes);
    });
    data.append("idem", req.idem);
    if (req.keep) data.append("keep", req.keep);
    data.append("shown_on", st.form.dataset.shownOn || "");
    return data;
  }
  function post(st) {
    var req = st.inflight;
    var data = payload(st, req);
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, timeout());
    show(st, req.attempt ? "retrying" : "saving");
    fetch(st.form.action, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual", signal: controller.signal,
      headers: { "HX-Request": "true", "X-CSRFToken": csrf(), "HX-Current-URL": location.href },
    }).then(function (response) {
      return response.text().then(function (text) { clearTimeout(timer); answered(st, req, response, text); });
    }).catch(function () {
      clearTimeout(timer);
      failed(st, req, true);
    });
  }
  function failed(st, req, network) {
    if (st.inflight !== req) return;
    req.attempt += 1;
    stats.retries += 1;
    if (network) connection(false);
    show(st, "retrying");
    var delay = Math.min(500 * Math.pow(2, req.attempt), 15000);
    req.retry = setTimeout(function () { if (st.inflight === req) post(st); }, delay);
  }
  function swapInto(response, text, fallback, style) {
    var target = response.headers.get("HX-Retarget") || fallback;
    if (!document.querySelector(target)) return;
    window.htmx.swap(target, text, { swapStyle: response.headers.get("HX-Reswap") || style, swapDelay: 0, settleDelay: 0 });
  }
  function answered(st, req, response, text) {
    if (st.inflight !== req) return;  // given up for "Keep theirs"
    var status = response.status;
    note("answered " + status, st, req.idem);
    if (response.type === "opaqueredirect") {  // the session ended: keep everything here
      st.inflight = null;
      st.stuck = "signedout";
      show(st, "signedout");
      return;
    }
    if (status === 503) connection(false, "reconnecting");
    if (status >= 500 || status === 429 || status === 408) { failed(st, req, false); return; }
    connection(true);
    st.inflight = null;
    if (status === 200) {
      swapInto(response, text, "#status-" + st.key, "outerHTML");
      stats.saves += 1;
      if (st.conflict) stats.resolved += 1;
      saved(st, req);
    } else if (status === 409) {
      swapInto(response, text, "#conflict-" + st.key, "innerHTML");
      if (!st.conflict) stats.conflicts += 1;
      st.conflict = true;
      storeDraft(st);
      show(st, "conflict");
    } else if (status === 400) {
      swapInto(response, text, "#status-" + st.key, "outerHTML");
      st.stuck = "refused";
      show(st, "refused");
    } else {
      st.stuck = "failed";
      show(st, "failed");
    }
    if (st.again) { st.again = false; schedule(st, 0); }
  }

  // The server's three-way text merge (reviewapp/merging.py), with its rules: edits in
  // different places are laid together; edits that overlap, touch or fall in one word conflict
  // (null). Never a fuzzy patch: an edit whose place is gone from the server's text is a
  // conflict for the server to show, not characters dropped somewhere near.
  function textEdits(base, other) {
    var diffs = dmp.diff_main(base, other);
    dmp.diff_cleanupSemantic(diffs);
    var edits = [], position = 0, current = null;
    diffs.forEach(function (d) {
      var op = d[0], text = d[1];
      if (op === 0) {
        if (current) edits.push(current);
        current = null;
        position += text.length;
      } else if (op === -1) {
        current = [current ? current[0] : position, position + text.length, current ? current[2] : ""];
        position += text.length;
      } else {
        current = current ? [current[0], current[1], current[2] + text] : [position, position, text];
      }
    });
    if (current) edits.push(current);
    return edits;
  }
  function wordSpan(base, edit) {
    var start = edit[0], end = edit[1];
    function inside(at) { return at > 0 && at < base.length && !/\s/.test(base[at - 1]) && !/\s/.test(base[at]); }
    if (inside(start)) while (start > 0 && !/\s/.test(base[start - 1])) start -= 1;
    if (inside(end)) while (end < base.length && !/\s/.test(base[end])) end += 1;
    return [start, end];
  }
  function mergeText(base, mine, theirs) {
    if (mine === theirs || theirs === base) return mine;
    if (mine === base) return theirs;
    var my = textEdits(base, mine), their = textEdits(base, theirs);
    var sameEdit = function (a, b) { return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]; };
    var clash = my.some(function (edit) {
      var span = wordSpan(base, edit);
      return their.some(function (other) {
        var theirSpan = wordSpan(base, other);
        return !sameEdit(edit, other) && span[0] <= theirSpan[1] && theirSpan[0] <= span[1];
      });
    });
    if (clash) return null;
    var all = my.concat(their.filter(function (other) { return !my.some(function (edit) { return sameEdit(edit, other); }); }));
    all.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1]; });
    return all.reduce(function (text, edit) { return text.slice(0, edit[0]) + edit[2] + text.slice(edit[1]); }, base);
  }
  // The same merge, with the person's selection marked in their text so that it stays by
  // the characters it was next to (null: no selection to keep, or the marks would clash).
  var CARET = "\uE000", CARET_END = "\uE001";
  function mergeWithCaret(base, mine, theirs, area) {
    if (!area || document.activeElement !== area || /[\uE000\uE001]/.test(base + mine + theirs)) return null;
    var value = norm(area.value);
    if (value !== mine) return null;
    var start = area.selectionStart, end = area.selectionEnd;
    var marked = mergeText(base, value.slice(0, start) + CARET + value.slice(start, end) + CARET_END + value.slice(end), theirs);
    if (marked === null) return null;
    var at = marked.indexOf(CARET), until = marked.indexOf(CARET_END);
    if (at < 0 || until < at) return null;
    return { text: marked.replace(CARET, "").replace(CARET_END, ""), caret: [at, until - 1] };
  }

  // The server's answer laid over what the person has now: what they changed since the
  // save was sent stays theirs and goes with the next save.
  function rebase(sent, local, server, area) {
    if (same(local, sent)) return { fields: server, ok: true };
    var added = local.choices.filter(function (c) { return sent.choices.indexOf(c) === -1; });
    var removed = sent.choices.filter(function (c) { return local.choices.indexOf(c) === -1; });
    var choices = server.choices.filter(function (c) { return removed.indexOf(c) === -1; });
    added.forEach(function (c) { if (choices.indexOf(c) === -1) choices.push(c); });
    choices.sort();
    var keepApplicability = local.applicable === sent.applicable && local.reason === sent.reason;
    // Practice by practice, as the server merges them: one changed here since the save was sent stays as it is here.
    var choiceNa = {};
    naKeys(server).concat(naKeys(local)).forEach(function (k) {
      var changed = naEntry(local, k) !== naEntry(sent, k);
      var e = (changed ? local : server).choice_na[k];
      if (e) choiceNa[k] = e;
    });
    var placed = mergeWithCaret(sent.notes, local.notes, server.notes, area);
    var notes = placed ? placed.text : mergeText(sent.notes, local.notes, server.notes);
    return {
      ok: notes !== null,
      caret: placed ? placed.caret : null,
      fields: {
        choices: choices,
        applicable: keepApplicability ? server.applicable : local.applicable,
        reason: keepApplicability ? server.reason : local.reason,
        notes: notes,
        choice_na: choiceNa,
      },
    };
  }
  // The answer this save produced, when the answer has moved past it since (someone saved after
  // it, or the save was a retry of one that landed earlier): what to rebase onto, so that the
  // next save starts from it and never re-applies what this one already brought in.
  function savedAs(key) {
    var status = document.getElementById("status-" + key);
    var raw = status && status.dataset.savedAnswer;
    if (!raw) return null;
    var d = JSON.parse(raw);
    d.choices = d.choices.slice().sort();
    d.notes = norm(d.notes);
    d.choice_na = d.choice_na || {};
    return d;
  }
  function saved(st, req) {
    var behind = savedAs(st.key);
    var d = behind || serverData(st.key);
    if (!d) return;
    var server = fieldsFrom(d);
    if (!same(server, req.fields)) stats.merged += 1;
    var next = rebase(req.fields, fieldsOf(st.form), server, st.form.querySelector('textarea[name="notes"]'));
    note("saved v" + d.version + (next.ok ? "" : " (rebase failed)"), st, d.notes);
    if (next.ok) {
      setFields(st.form, next.fields, next.caret);
      st.base = d.version;
      st.synced = server;
    }  // else: their edits and ours could not be laid together here; the next save merges or asks
    closeConflict(st);
    if (!dirty(st)) {
      clearDraft(st.key);
      updatePreview(st);
      show(st, "saved", { version: d.version, who: d.by });
    } else {
      storeDraft(st);
      show(st, "unsent");
      if (!st.timer) schedule(st, TYPING_DELAY);
    }
    if (behind) reconcile(st);  // then on to the answer as it is now, as for anyone else's change
  }
  function closeConflict(st) {
    st.conflict = false;
    var area = document.getElementById("conflict-" + st.key);
    if (area) area.replaceChildren();
  }

  // Someone else's change arrived (live refresh, a restore, "Keep theirs").
  function reconcile(st) {
    var d = serverData(st.key);
    if (!d || d.version <= st.base) return;
    if (st.inflight || st.timer) return;        // our save is on its way: the server merges it with theirs
    if (st.conflict || dirty(st)) {             // never replace what is unsent: merge it now, or refresh the conflict
      if (!st.stuck) schedule(st, 0);
      return;
    }
    note("reconcile v" + d.version, st, d.notes);
    setFields(st.form, fieldsFrom(d));
    st.base = d.version;
    st.synced = fieldsFrom(d);
    stats.replaced += 1;
    updatePreview(st);
    show(st, "saved", { version: d.version, who: d.by });
  }
  // A page that may not change the answer (a viewer's, the presentation view) shows the newest one.
  function mirror(form) {
    var d = serverData(form.dataset.question);
    if (!d || form.dataset.shown === String(d.version)) return;
    form.dataset.shown = String(d.version);
    setFields(form, fieldsFrom(d));
    var data = document.getElementById("answer-data-" + form.dataset.question);
    var preview = document.getElementById("preview-" + form.dataset.question);
    var template = data && data.querySelector("template");
    if (preview && template) preview.replaceChildren(template.content.cloneNode(true));
  }
  function reconcileAll() {
    document.querySelectorAll("form.answer-form").forEach(function (form) {
      if (form.hasAttribute("data-autosave")) reconcile(state(form));
      else mirror(form);
    });
  }

  // ---- events, all delegated --------------------------------------------------------------
  document.addEventListener("input", function (event) {
    var form = answerForm(event.target);
    if (form) edited(state(form), event.target.tagName === "TEXTAREA" || event.target.type === "text" ? TYPING_DELAY : 0);
  });
  document.addEventListener("change", function (event) {
    var form = answerForm(event.target);
    if (!form) return;
    if (event.target.hasAttribute("data-na")) applicability(form);
    edited(state(form), 0);
  });
  // Never let the browser post the whole form while the script runs (Enter in a field, say).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form.answer-form[data-autosave]")) {
      event.preventDefault();
      send(state(form));
      return;
    }
    var resolve = form.getAttribute("data-resolve");
    var panel = form.closest("[data-conflict]");
    if (!resolve || !panel) return;
    var target = document.querySelector('form.answer-form[data-question="' + CSS.escape(panel.dataset.conflict) + '"]');
    if (!target) return;
    event.preventDefault();
    var st = state(target), d = serverData(st.key);
    if (!d || st.inflight) return;
    st.base = d.version;  // mine (or both) on top of the newest theirs, which the panel shows
    st.synced = fieldsFrom(d);
    send(st, resolve === "both" ? "both" : "");
  });
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[data-resolve="theirs"]') : null;
    if (link) {
      var panel = link.closest("[data-conflict]");
      var form = panel && document.querySelector('form.answer-form[data-question="' + CSS.escape(panel.dataset.conflict) + '"]');
      if (!form) return;
      event.preventDefault();
      var st = state(form), d = serverData(st.key);
      if (!d) return;
      clearTimeout(st.timer);
      st.timer = null;
      if (st.inflight) clearTimeout(st.inflight.retry);
      st.inflight = null;
      st.again = false;
      st.stuck = "";
      closeConflict(st);
      stats.resolved += 1;
      setFields(form, fieldsFrom(d));
      st.base = d.version;
      st.synced = fieldsFrom(d);
      clearDraft(st.key);
      updatePreview(st);
      show(st, "saved", { version: d.version, who: d.by });
      return;
    }
    var offer = event.target instanceof Element ? event.target.closest("[data-draft-action]") : null;
    if (offer) draftAction(offer);
  });

  // An older fragment arriving after a newer one (a slow refresh overtaken by a save) never wins.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !/^(answer-data|status)-/.test(target.id || "")) return;
    var fragment = event.detail.fragment;
    var incoming = fragment && (fragment.firstElementChild || fragment);
    var theirs = incoming && incoming.getAttribute && Number(incoming.getAttribute("data-version"));
    var ours = Number(target.getAttribute("data-version"));
    if (theirs < ours) event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) connection(true);
    reconcileAll();
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 503) connection(false, "reconnecting");
  });
  document.addEventListener("htmx:sendError", function () { connection(false); });
  document.addEventListener("htmx:timeout", function () { connection(false); });
  window.addEventListener("online", function () {
    Object.keys(states).forEach(function (key) {
      var st = states[key];
      if (st.inflight && st.inflight.retry) { clearTimeout(st.inflight.retry); post(st); }
    });
  });
  // Leaving with something unsent (the person said yes to "leave this page?"): send it on its
  // way anyway. If it lands, the draft kept here matches the answer and is dropped on return;
  // if not (a conflict, say), the draft is offered back when the question is opened again.
  window.addEventListener("pagehide", function () {
    Object.keys(states).forEach(function (key) {
      var st = states[key];
      if (!unsent(st) || st.conflict) return;
      var req = st.inflight || { fields: fieldsOf(st.form), base: st.base, idem: newKey(), keep: "" };
      storeDraft(st, req);
      note("leaving", st, req.idem);
      try {
        fetch(st.form.action, {
          method: "POST", body: payload(st, req), credentials: "same-origin", keepalive: true, redirect: "manual",
          headers: { "HX-Request": "true", "X-CSRFToken": csrf() },
        }).catch(function () {});
      } catch (e) { /* the draft stays */ }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (anyUnsent() && !window.reviewAnswersLeaving) { event.preventDefault(); event.returnValue = ""; }
  });

  function anyUnsent() {
    return Object.keys(states).some(function (key) { return unsent(states[key]); });
  }
  window.reviewAnswers = { unsent: anyUnsent, stats: stats, trace: trace, mergeText: mergeText };

  // ---- drafts offered back after a reload, a crash or a closed tab ---------------------------
  // A page that finds a draft left by an earlier one holds it (":held", oldest first) until the
  // person restores or discards it: what they type meanwhile is a draft of its own and never
  // overwrites a held one.
  function heldKey(key) { var name = draftKey(key); return name ? name + ":held" : null; }
  function readHeld(key) {
    var name = heldKey(key);
    try { return name ? JSON.parse(localStorage.getItem(name) || "[]") : []; } catch (e) { return []; }
  }
  function writeHeld(key, held) {
    var name = heldKey(key);
    if (!name) return;
    try {
      if (held.length) localStorage.setItem(name, JSON.stringify(held));
      else localStorage.removeItem(name);
    } catch (e) { /* storage full: the offer on screen still holds them */ }
  }
  function offerDraft(st) {
    var held = readHeld(st.key);
    var left = readDraft(st.key);
    if (left) { held.push(left); clearDraft(st.key); }
    held = held.filter(function (draft) { return !same(draft.fields, st.synced); });  // the server has those
    writeHeld(st.key, held);
    renderOffer(st, held);
  }
  function renderOffer(st, held) {
    var box = document.getElementById("draft-" + st.key);
    if (!box) return;
    if (!held.length) { box.hidden = true; box.replaceChildren(); return; }
    var m = messages();
    var when = new Date(held[0].at).toLocaleString(document.documentElement.lang || undefined);
    var p = document.createElement("p");
    p.textContent = fill(m.draft, { when: when }) + (held.length > 1 ? " (1/" + held.length + ")" : "") + " ";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "primary";
    restore.dataset.draftAction = "restore";
    restore.textContent = m.restore;
    var discard = document.createElement("button");
    discard.type = "button";
    discard.dataset.draftAction = "discard";
    discard.textContent = m.discard;
    p.append(restore, " ", discard);
    box.replaceChildren(p);
    box.hidden = false;
  }
  function draftAction(button) {
    var box = button.closest(".draft-offer");
    var key = box && box.id.replace(/^draft-/, "");
    var form = key && document.querySelector('form.answer-form[data-question="' + CSS.escape(key) + '"]');
    if (!form) return;
    var st = state(form);
    if (unsent(st)) { show(st, st.conflict ? "conflict" : "unsent"); return; }  // one thing at a time
    var held = readHeld(key);
    var draft = button.dataset.draftAction === "restore" ? held.shift() : null;
    if (!draft) held = [];
    writeHeld(key, held);
    renderOffer(st, held);
    if (!draft) return;
    note("restore", st, JSON.stringify(draft));
    setFields(form, draft.fields);
    st.base = draft.base;      // sent with the version it started from: it merges or conflicts as usual
    st.synced = draft.synced;
    if (!draft.pending) { edited(st, 0); return; }
    st.inflight = {
      fields: draft.pending.fields, base: draft.pending.base, idem: draft.pending.idem,
      keep: draft.pending.keep || "", attempt: 0,
    };
    storeDraft(st);
    post(st);
  }
  // Drafts of questions that are not on this page: listed with links.
  function listOtherDrafts() {
    var list = document.getElementById("drafts");
    var page = document.getElementById("save-messages");
    if (!list || !page) return;
    var prefix = "wa-draft:" + page.dataset.user + ":" + page.dataset.review + ":";
    var links = [], seen = {};
    for (var i = 0; i < localStorage.length; i++) {
      var name = localStorage.key(i);
      if (!name || name.indexOf(prefix) !== 0) continue;
      var key = name.slice(prefix.length).replace(/:held$/, "");
      if (document.getElementById("draft-" + key) || seen[key]) continue;
      seen[key] = true;
      var draft = readDraft(key) || readHeld(key)[0];
      if (!draft || !draft.url) continue;
      var a = document.createElement("a");
      a.href = draft.url;
      a.textContent = draft.label || key;
      links.push(a);
    }
    if (!links.length) return;
    var p = document.createElement("p");
    p.textContent = messages().drafts + " ";
    links.forEach(function (a, index) { if (index) p.append(", "); p.append(a); });
    list.replaceChildren(p);
    list.hidden = false;
  }

  function start() {
    document.querySelectorAll("form.answer-form[data-autosave]").forEach(function (form) {
      form.setAttribute("autocomplete", "off");
      var st = state(form);
      applicability(form);
      offerDraft(st);
    });
    listOtherDrafts();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
