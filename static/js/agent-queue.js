// The queue's bulk bar (templates/tickets/queue/_bulk.html): without this script the bulk form
// sits under the table and works as is; with it, the form becomes a bar stuck to the bottom of
// the window that shows only while rows are ticked, says how many, and the table's header gets
// a box that ticks every row of the page. htmx replaces #bandeja, so everything is looked up
// again on each change rather than kept.
(function () {
  "use strict";

  function rowBoxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll('tbody input[name="folio"]'));
  }

  function refresh() {
    var form = document.getElementById("lote");
    var bar = document.getElementById("lote-acciones");
    if (!form || !bar) {
      return;
    }
    var boxes = rowBoxes(form);
    var ticked = boxes.filter(function (box) {
      return box.checked;
    }).length;
    // A refused form stays open, its errors in view, even with nothing ticked.
    var refused = bar.querySelector('[aria-invalid="true"], .field-error') !== null;
    bar.classList.add("js-bulk");
    bar.classList.toggle("has-selection", ticked > 0 || refused);
    var count = bar.querySelector(".bulk-count");
    if (count) {
      count.hidden = false;
    }
    var number = document.getElementById("lote-n");
    if (number) {
      number.textContent = String(ticked);
    }
    var all = document.getElementById("sel-todas");
    if (all) {
      all.hidden = false;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest("#lote")) {
      return;
    }
    if (target.id === "sel-todas") {
      rowBoxes(document.getElementById("lote")).forEach(function (box) {
        box.checked = target.checked;
      });
    }
    refresh();
  });
  document.addEventListener("htmx:afterSettle", refresh);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
