// Keyboard shortcuts on the agent's queue and request pages, listed in the "Atajos de teclado"
// dialog (templates/tickets/workbench/_shortcuts.html). Loaded deferred on staff pages; every
// action is also an ordinary link, button or field, so nothing depends on this script.
(function () {
  "use strict";

  // The targets are found by the ids and form actions the pages already have. Their
  // aria-keyshortcuts are set here, because only this script makes the shortcuts work.
  function replyBox() {
    return document.getElementById("texto");
  }
  function noteBox() {
    return document.getElementById("nota-texto");
  }
  // The request page's links along the queue the agent came from (templates/tickets/
  // workbench/detail.html): absent on the queue page, where j/k move between rows instead.
  function requestLink(which) {
    return document.querySelector("[data-request-" + which + "]");
  }
  function queueLink() {
    return document.querySelector(".request-nav a");
  }
  function follow(link) {
    if (!link) {
      return false;
    }
    window.location.assign(link.href);
    return true;
  }
  function sendAndNext(form) {
    var button = form && form.querySelector('button[name="siguiente"]');
    if (!button) {
      return false;
    }
    // A click, not requestSubmit(button): htmx sends the name and value of the button it saw
    // clicked, and a plain form sends the clicked button's too.
    button.click();
    return true;
  }
  function claimForm() {
    return document.querySelector('form[action$="/tomar"]');
  }
  function searchBox() {
    return (
      document.querySelector('#bandeja input[type="search"], #bandeja input[name="q"]') ||
      document.getElementById("tipo")
    );
  }
  function helpDialog() {
    return document.getElementById("atajos");
  }
  function rowLinks() {
    return Array.prototype.slice.call(
      document.querySelectorAll("#bandeja tbody tr a[data-queue-row-link]")
    );
  }

  // Single-key shortcuts can be switched off in the help dialog (WCAG 2.1.4), for speech
  // input and for anyone who presses keys by accident; the choice stays in this browser.
  var SINGLE_KEYS = "helpdesk.singleKeyShortcuts";
  function singleKeysOn() {
    try {
      return window.localStorage.getItem(SINGLE_KEYS) !== "off";
    } catch (error) {
      return true; // storage blocked: the default
    }
  }
  function rememberSingleKeys(on) {
    try {
      window.localStorage.setItem(SINGLE_KEYS, on ? "on" : "off");
    } catch (error) {
      // storage blocked: the choice lasts for this page only
    }
  }
  var singleKeysForThisPage = null;

  function advertise(element, keys) {
    if (element) {
      element.setAttribute("aria-keyshortcuts", keys);
    }
  }

  function setUp() {
    var reply = replyBox();
    advertise(reply, "R");
    advertise(noteBox(), "N");
    var claim = claimForm();
    advertise(claim && claim.querySelector('button[type="submit"]'), "T");
    advertise(reply && reply.form && reply.form.querySelector('button[type="submit"]'),
      "Control+Enter Alt+Enter");
    advertise(reply && reply.form && reply.form.querySelector('button[name="siguiente"]'),
      "Control+Shift+Enter");
    advertise(requestLink("next"), "J ]");
    advertise(requestLink("prev"), "K [");
    advertise(searchBox(), "/");
    var toggle = document.querySelector("[data-shortcuts-toggle]");
    if (toggle) {
      toggle.hidden = false;
    }
    var box = document.getElementById("atajos-activos");
    if (box) {
      box.checked = singleKeysForThisPage === null ? singleKeysOn() : singleKeysForThisPage;
    }
  }

  function submit(form) {
    if (!form) {
      return false;
    }
    // requestSubmit fires the submit event, so htmx (when loaded) sends it in place.
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
    return true;
  }

  function focus(element) {
    if (!element) {
      return false;
    }
    element.focus();
    return true;
  }

  // j/k: the current row is the one holding the focus (or the last one highlighted).
  function currentIndex(links) {
    var marked = document.querySelector("#bandeja tbody tr.is-current");
    for (var i = 0; i < links.length; i += 1) {
      if (links[i] === document.activeElement) {
        return i;
      }
    }
    for (var j = 0; j < links.length; j += 1) {
      if (links[j].closest("tr") === marked) {
        return j;
      }
    }
    return -1;
  }

  function moveRow(step) {
    var links = rowLinks();
    if (!links.length) {
      return false;
    }
    var index = currentIndex(links);
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), links.length - 1);
    links.forEach(function (link, i) {
      link.closest("tr").classList.toggle("is-current", i === next);
    });
    links[next].focus();
    return true;
  }

  function openRow() {
    var links = rowLinks();
    var index = currentIndex(links);
    if (index < 0) {
      return false;
    }
    links[index].click();
    return true;
  }

  function openHelp() {
    var dialog = helpDialog();
    if (!dialog || dialog.open) {
      return false;
    }
    dialog.showModal();
    return true;
  }

  var ACTIONS = {
    r: function () {
      return focus(replyBox());
    },
    n: function () {
      var box = noteBox();
      var folded = box && box.closest("details");
      if (folded) {
        folded.open = true; // the note form is folded under the reply box
      }
      return focus(box);
    },
    "]": function () {
      return follow(requestLink("next"));
    },
    "[": function () {
      return follow(requestLink("prev"));
    },
    u: function () {
      return follow(queueLink());
    },
    t: function () {
      return submit(claimForm());
    },
    j: function () {
      return rowLinks().length ? moveRow(1) : follow(requestLink("next"));
    },
    k: function () {
      return rowLinks().length ? moveRow(-1) : follow(requestLink("prev"));
    },
    o: openRow,
    "/": function () {
      return focus(searchBox());
    },
    "?": openHelp,
  };

  function isField(element) {
    return Boolean(
      element &&
        (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName))
    );
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) {
      return;
    }
    var target = event.target;
    var reply = replyBox();
    if (
      event.key === "Enter" &&
      event.ctrlKey &&
      event.shiftKey &&
      !event.metaKey &&
      reply &&
      target === reply
    ) {
      event.preventDefault();
      sendAndNext(reply.form);
      return;
    }
    if (
      event.key === "Enter" &&
      (event.ctrlKey || event.altKey) &&
      !event.metaKey &&
      !event.shiftKey &&
      reply &&
      target === reply
    ) {
      event.preventDefault();
      submit(reply.form);
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey || isField(target)) {
      return;
    }
    if (!(singleKeysForThisPage === null ? singleKeysOn() : singleKeysForThisPage)) {
      return;
    }
    if (document.querySelector("dialog[open]")) {
      return; // the dialog has the keyboard; Escape closes it
    }
    var action = ACTIONS[event.key];
    // Enter on a row link opens it natively; on the page it opens the highlighted row.
    if (event.key === "Enter" && target === document.body) {
      action = openRow;
    }
    if (action && action()) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts-toggle] button")) {
      openHelp();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "atajos-activos") {
      singleKeysForThisPage = event.target.checked;
      rememberSingleKeys(event.target.checked);
    }
  });

  // Content swapped in by htmx (a form's answer, another page of the queue) has new targets.
  document.addEventListener("htmx:afterSettle", setUp);
  setUp();
})();
