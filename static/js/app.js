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

  // A reason is only sent while "does not apply" is ticked.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-na")) return;
    var form = box.closest("form");
    var reason = form && form.querySelector("[data-reason]");
    if (!reason) return;
    reason.disabled = !box.checked;
    if (!box.checked) reason.value = "";
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
    var messages = { 403: text.msgForbidden, 404: text.msgNotFound };
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

// Live workshop: the poller (#live) asks for changes; never overwrite what the person is doing.
(function () {
  "use strict";
  var skipVersion = {};

  function followKey() {
    var live = document.getElementById("live");
    return live ? "follow:" + live.getAttribute("hx-get") : null;
  }

  // Follow the facilitator: remembered per review in this browser.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-follow")) return;
    var key = followKey();
    if (key) localStorage.setItem(key, box.checked ? "1" : "0");
  });
  function restoreFollow() {
    var key = followKey();
    document.querySelectorAll("[data-follow]").forEach(function (box) {
      box.checked = key !== null && localStorage.getItem(key) === "1";
    });
  }
  document.addEventListener("DOMContentLoaded", restoreFollow);
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "live") return;
    var key = followKey();
    event.detail.parameters.follow = key && localStorage.getItem(key) === "1" ? "1" : "0";
  });

  function busy(key) {
    var form = document.querySelector('#question-' + CSS.escape(key) + ' form.answer-form');
    return form !== null && form.classList.contains("htmx-request");
  }

  // Whether the response being swapped is the poller's (someone else's change) or a save's own.
  var fromPoll = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    fromPoll = event.detail.elt && event.detail.elt.id === "live";
  });

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var id = target && target.id || "";
    var match = /^(answer|notes|version)-(.+)$/.exec(id);
    if (!match) return;
    var kind = match[1], key = match[2];
    if (kind === "notes" && (document.activeElement === target || (fromPoll && busy(key)))) {
      event.detail.shouldSwap = false;  // someone is typing here: keep their text
      skipVersion[key] = true;          // and keep the version their text started from
    } else if (kind === "answer" && fromPoll && busy(key)) {
      event.detail.shouldSwap = false;  // their own save is on its way
      skipVersion[key] = true;
    } else if (kind === "version" && skipVersion[key]) {
      event.detail.shouldSwap = false;
      delete skipVersion[key];
    }
  });
})();
