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
