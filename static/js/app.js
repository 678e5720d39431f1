/* Lentera's own script: a quiz countdown. Pages work without it; it only refines. */
(function () {
  "use strict";
  function start(root) {
    root.querySelectorAll("[data-deadline]").forEach(function (el) {
      if (el.dataset.ticking) return;
      el.dataset.ticking = "1";
      var end = Date.parse(el.dataset.deadline);
      var out = el.querySelector("[data-left]");
      (function tick() {
        if (!document.body.contains(el)) return;
        var s = Math.max(0, Math.round((end - Date.now()) / 1000));
        out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
        if (s > 0) setTimeout(tick, 1000);
      })();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (e) { start(e.detail.elt); });
})();
/* One-time password links: copy and share buttons, shown only where the browser can do it. */
(function () {
  "use strict";
  function wire(root) {
    root.querySelectorAll("[data-link-actions]").forEach(function (box) {
      var copy = box.querySelector("[data-copy]"), share = box.querySelector("[data-share]");
      if (navigator.clipboard && copy) { copy.hidden = false; box.hidden = false; }
      if (navigator.share && share) { share.hidden = false; box.hidden = false; }
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy],[data-share]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copy || button.dataset.share);
    if (button.dataset.copy) {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.dataset.done;
      });
    } else {
      navigator.share({ title: button.dataset.title, url: input.value }).catch(function () {});
    }
  });
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (e) { wire(e.detail.elt); });
})();
