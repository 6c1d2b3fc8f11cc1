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
