// The error summary (templates/partials/_error_summary.html), as GOV.UK's: focus on it when
// it appears, and each of its links focuses its field with the field's label or legend in
// view. Without this script `autofocus` and plain fragment links do most of it.
// htmx runs this file again with each swapped summary: the listener is added only once.
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && !summary.contains(document.activeElement)) {
      summary.focus();
    }
  }

  function labelFor(field) {
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    if (legend && (field.type === "radio" || field.type === "checkbox")) {
      return legend;
    }
    return (field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]')) || field;
  }

  function onClick(event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    for (var open = field.closest("details"); open; open = open.parentElement.closest("details")) {
      open.open = true;
    }
    labelFor(field).scrollIntoView();
    field.focus({ preventScroll: true });
  }

  if (!window.errorSummaryReady) {
    window.errorSummaryReady = true;
    document.addEventListener("click", onClick);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
