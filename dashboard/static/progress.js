// Live progress of a running scan: polls the JSON endpoint named by data-progress-url and
// fills the [data-field] elements; when the scan ends, shows the links to its results.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var INTERVAL_MS = 2000;
  var MAX_ERRORS = 30; // about a minute of failures, then stop asking
  var errors = 0;

  function show(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el && value !== undefined && value !== null) el.textContent = String(value);
  }

  function update(p) {
    show("status", p.status_label);
    show("stage", p.stage_label);
    show("pages", p.pages);
    show("queued", p.queued);
    show("findings", p.findings);
    show("pages_per_s", p.pages_per_s);
    if (p.finished) {
      box.setAttribute("data-state", "finished");
      box.setAttribute("data-status", p.status);
      var links = box.querySelector(".done-links");
      if (links) links.hidden = false;
      var button = document.getElementById("scan-now");
      if (button) button.disabled = false;
      return true;
    }
    return false;
  }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (p) {
        errors = 0;
        if (!update(p)) setTimeout(tick, INTERVAL_MS);
      })
      .catch(function () {
        errors += 1;
        if (errors < MAX_ERRORS) setTimeout(tick, INTERVAL_MS);
      });
  }

  if (box.getAttribute("data-state") !== "finished") tick();
})();
