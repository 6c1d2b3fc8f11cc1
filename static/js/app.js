// Behaviour of the review pages. No inline scripts: everything hangs off data attributes.
(function () {
  "use strict";

  // "None of these" is exclusive of every other choice of its question.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "choices" || !box.checked) return;
    var fieldset = box.closest("fieldset");
    if (!fieldset) return;
    fieldset.querySelectorAll('input[name="choices"]').forEach(function (other) {
      if (other === box) return;
      if (box.hasAttribute("data-none") || other.hasAttribute("data-none")) other.checked = false;
    });
  }, true);

  // A practice is followed or does not apply, never both: ticking one clears the other.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.checked) return;
    var isNa = box.hasAttribute("data-choice-na");
    if (!isNa && box.name !== "choices") return;
    var row = box.closest(".choice");
    var other = row && row.querySelector(isNa ? 'input[name="choices"]' : "input[data-choice-na]");
    if (other) other.checked = false;
  }, true);

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) &&
        !(target instanceof HTMLInputElement && target.type === "checkbox"));
  }

  // Keyboard: ← / → previous and next question, 1-9 tick the n-th choice.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var link = document.querySelector(event.key === "ArrowLeft" ? 'a[rel="prev"]' : 'a[rel="next"]');
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var forms = document.querySelectorAll(".answer-form");
      if (forms.length !== 1) return;
      var boxes = forms[0].querySelectorAll('fieldset.choices:not([disabled]) input[name="choices"]');
      var box = boxes[Number(event.key) - 1];
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  // A request the server refused without a fragment to show (403, 404, 500, network).
  function flash(text) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "message error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    area.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = document.body.dataset;
    var messages = { 403: text.msgForbidden, 404: text.msgNotFound, 503: text.msgReconnecting };
    flash(messages[status] || text.msgFailed + " (" + status + ")");
  });
  document.addEventListener("htmx:sendError", function () {
    flash(document.body.dataset.msgOffline);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var area = document.getElementById("flash");
      if (area && area.querySelector(".message.error")) area.replaceChildren();
    }
  });
})();

// Live workshop: the poller (#live) asks for changes (answers.js lays them over the page);
// facilitator mode moves followers, but never away from edits that are not saved yet.
(function () {
  "use strict";

  function followKey() {
    var live = document.getElementById("live");
    return live ? "follow:" + live.getAttribute("hx-get") : null;
  }
  function following() {
    var key = followKey();
    return key !== null && localStorage.getItem(key) === "1";
  }

  // Follow the facilitator: remembered per review in this browser.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-follow")) return;
    var key = followKey();
    if (key) localStorage.setItem(key, box.checked ? "1" : "0");
  });
  // A comment being written holds the page too: following would take the text away.
  function commentTyped() {
    return Array.prototype.some.call(document.querySelectorAll(".comment-form textarea"), function (box) {
      return box.value.trim() !== "";
    });
  }
  function restoreFollow() {
    document.querySelectorAll("[data-follow]").forEach(function (box) { box.checked = following(); });
  }
  document.addEventListener("DOMContentLoaded", restoreFollow);
  document.addEventListener("htmx:load", restoreFollow);

  // While something here is not saved, the page waits (and says so) instead of following.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "live") return;
    var waiting = following() && (window.reviewAnswers && window.reviewAnswers.unsent() || commentTyped());
    event.detail.parameters.follow = following() && !waiting ? "1" : "0";
    var note = document.getElementById("follow-wait");
    if (!note) return;
    var lead = event.detail.parameters.lead || "";
    var here = event.detail.parameters.page || "";
    note.hidden = !(waiting && lead && here !== "question:" + lead);
    var go = note.querySelector("a");
    if (go && lead) go.href = go.dataset.base.replace("__key__", encodeURIComponent(lead));
  });
  document.addEventListener("click", function (event) {
    var go = event.target instanceof Element ? event.target.closest("#follow-wait a") : null;
    if (go) window.reviewAnswersLeaving = true;  // the person chose to go; their drafts stay in this browser
  });

  // A PDF report rendered in the background: once its page learns it is ready, fetch it (once).
  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      var link = element.matches && element.matches("[data-auto-download]") ? element
        : element.querySelector && element.querySelector("[data-auto-download]");
      if (link && !link.dataset.started) {
        link.dataset.started = "yes";
        window.location.assign(link.href);
      }
    });
  }
})();

// The session bar's clock: the server sends the item's deadline and its own time (epoch ms);
// the browser counts down from the difference, so every screen shows the same time whatever
// its own clock says. A bar swapped in by the live refresh brings fresh values.
(function () {
  "use strict";

  function clock(seconds) {
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return sign + (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }
  function tick() {
    var bar = document.getElementById("session-bar");
    if (!bar || !bar.dataset.deadlineMs || !bar.dataset.nowMs) return;
    if (!bar.dataset.offset) bar.dataset.offset = String(Number(bar.dataset.nowMs) - Date.now());
    var serverNow = Date.now() + Number(bar.dataset.offset);
    var left = Math.round((Number(bar.dataset.deadlineMs) - serverNow) / 1000);
    var timer = bar.querySelector("[data-timer]");
    if (timer) timer.textContent = clock(left);
    bar.classList.toggle("over", left < 0);
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:oobAfterSwap", tick);
  setInterval(tick, 250);
})();
