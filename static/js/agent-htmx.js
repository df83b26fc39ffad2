// htmx settings and small helpers for the staff pages; loaded deferred, after htmx, on /staff
// pages only. Every form and link these enhance works the same without JavaScript.
(function () {
  "use strict";
  var htmx = window.htmx;
  if (!htmx) {
    return;
  }

  // A form sent back with its errors is a 422 (bad input) or a 409 (a refused move, or a reply
  // that crossed a colleague's): swap it in like a 200, so the agent sees why and keeps the
  // draft. htmx 2 swaps no 4xx by default (pinned: htmx 4 changes this default).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409|422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];
  // Staff pages hold personal data: keep no copy of them in localStorage for the back button;
  // reload them from the server instead.
  htmx.config.historyCacheSize = 0;
  htmx.config.refreshOnHistoryMiss = true;
  // The request page's properties post as they change (hx-trigger="change"): their
  // "Guardar" button, for pages without JavaScript, is hidden (static/css/agent-request.css).
  document.documentElement.classList.add("js-properties");

  // "Someone else is replying": the reply box reports itself every 20 s while it has the focus
  // and some text (typing reports too: see templates/tickets/agent/_presence.html).
  var HEARTBEAT_MS = 20000;
  var heartbeat = null;

  function beat(box) {
    if (box.isConnected && box === document.activeElement && box.value.trim()) {
      htmx.trigger(box, "presencia");
    }
  }

  document.addEventListener("focusin", function (event) {
    var box = event.target;
    if (box.id !== "texto") {
      return;
    }
    beat(box); // a draft brought back after a refusal, or a canned answer being edited
    window.clearInterval(heartbeat);
    heartbeat = window.setInterval(function () {
      beat(box);
    }, HEARTBEAT_MS);
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.id === "texto") {
      window.clearInterval(heartbeat);
      heartbeat = null;
    }
  });

  // The same warning again: leave the live region alone, or screen readers repeat it on every
  // heartbeat.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.target;
    if (!region || region.id !== "presencia" || !event.detail.shouldSwap) {
      return;
    }
    var parsed = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
    var incoming = parsed.getElementById("presencia");
    if (incoming && incoming.textContent.trim() === region.textContent.trim()) {
      event.detail.shouldSwap = false;
    }
  });

  // After a form or a queue link swaps content in place, htmx puts the focus back on an element
  // with the same id. When there is none (a button that is gone), move it to the message the
  // new content shows, or to the content, instead of leaving keyboard users at the page's top.
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail.target;
    if (!swapped || (swapped.id !== "main" && swapped.id !== "bandeja")) {
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) {
      return;
    }
    var main = document.getElementById("main");
    if (!main) {
      return;
    }
    var message = main.querySelector('.alert[role="alert"], .alert[role="status"]');
    var spot = message || document.getElementById(swapped.id) || main;
    if (!spot.hasAttribute("tabindex")) {
      spot.setAttribute("tabindex", "-1");
    }
    spot.focus();
  });
})();
