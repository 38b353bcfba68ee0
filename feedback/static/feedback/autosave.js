/* Tingjian: keep a draft opinion in this browser (R59) and small receipt helpers.
 * The form works without this file. Drafts stay on the device (localStorage), keyed by
 * consultation, and are removed as soon as a receipt page for that consultation is shown.
 * Only a receipt clears a draft: the pages that say an opinion was not stored (503 during a
 * database outage, 500, CSRF failure; cms/templates/errors/) leave it, so the form opened
 * again is filled in, with the same idempotency token (feedback/tests/test_outage_browser.py). */
(function () {
  "use strict";
  var PREFIX = "tingjian-draft:";
  var SENT = "tingjian-sent:";
  var SKIP = { csrfmiddlewaretoken: true };

  function storage() {
    try {
      var probe = "__tj__";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (!data[el.name]) data[el.name] = [];
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !(el.name in data)) return;
      var value = data[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("details"), function (d) {
      var area = d.querySelector("textarea");
      if (area && area.value) d.open = true;
    });
  }

  function hasContent(data) {
    return Object.keys(data).some(function (k) {
      if (k === "token") return false;
      var v = data[k];
      return Array.isArray(v) ? v.length > 0 : typeof v === "string" && v.trim() !== "";
    });
  }

  function setupForm(form, store) {
    var key = PREFIX + form.getAttribute("data-autosave");
    var hasErrors = document.getElementById("error-summary") || document.getElementById("refused");
    var saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      saved = null;
    }
    // After a server-side error the page already shows what was typed; do not overwrite it.
    if (saved && !hasErrors) restore(form, saved);
    var timer = null;
    function save() {
      timer = null;
      var data = collect(form);
      try {
        if (hasContent(data)) store.setItem(key, JSON.stringify(data));
      } catch (e) {
        /* storage full or blocked: the form still works */
      }
    }
    function schedule() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      save();
      var token = form.elements.token;
      try {
        if (token) window.sessionStorage.setItem(SENT + key, token.value);
      } catch (e) {
        /* ignore */
      }
    });
    // Back from the receipt page (page restored from cache): a new opinion needs a new token,
    // otherwise the server would answer with the first opinion's receipt.
    window.addEventListener("pageshow", function (event) {
      var token = form.elements.token;
      if (!event.persisted || !token || !window.crypto || !window.crypto.randomUUID) return;
      var sent = null;
      try {
        sent = window.sessionStorage.getItem(SENT + key);
      } catch (e) {
        sent = null;
      }
      if (sent && sent === token.value && store.getItem(key) === null) {
        token.value = window.crypto.randomUUID();
      }
    });
    var note = form.querySelector(".tj-autosave-note");
    if (note) note.hidden = false;
  }

  function setupReceipt(box, store) {
    if (store) store.removeItem(PREFIX + box.getAttribute("data-receipt-for"));
    var tools = box.querySelector(".tj-receipt-tools");
    if (!tools) return;
    tools.hidden = false;
    var printButton = tools.querySelector("[data-tj-print]");
    if (printButton) printButton.addEventListener("click", function () { window.print(); });
    var copyButton = tools.querySelector("[data-tj-copy]");
    var status = document.getElementById("copy-status");
    function say(text) {
      // Visible next to the button and read out by the polite live region.
      if (!status) return;
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function selectCode() {
      var code = document.getElementById("receipt-code");
      if (!code || !window.getSelection) return;
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    if (copyButton) {
      copyButton.addEventListener("click", function () {
        var done = function () { say(copyButton.getAttribute("data-tj-copied")); };
        var failed = function () {
          selectCode();
          say(copyButton.getAttribute("data-tj-copy-failed"));
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(copyButton.getAttribute("data-tj-copy")).then(done, failed);
        } else {
          failed();
        }
      });
    }
  }

  // Enter in a one-line field moves on to the next field instead of sending the form (the
  // disabled first submit button stops the sending without JavaScript, too).
  var ONE_LINE = { text: true, email: true, tel: true, number: true, date: true, search: true, url: true };
  function enterMovesOn(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.tagName === "INPUT" && ONE_LINE[el.type]) el.setAttribute("enterkeyhint", "next");
    });
    form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || event.isComposing || el.tagName !== "INPUT") return;
      if (!ONE_LINE[el.type]) return;
      event.preventDefault();
      // The next control that really takes the focus (those in a closed clause box do not).
      var fields = Array.prototype.slice.call(form.elements);
      for (var i = fields.indexOf(el) + 1; i < fields.length; i++) {
        var next = fields[i];
        if (next.disabled || next.type === "hidden" || next.tagName === "FIELDSET") continue;
        next.focus();
        if (document.activeElement === next) break;
      }
    });
  }

  // A link to #clause-N from the consultation page opens that clause's comment box.
  function openTargetClause() {
    var id = window.location.hash.slice(1);
    var target = id ? document.getElementById(id) : null;
    var details = target ? target.closest("details") || target.querySelector("details") : null;
    if (details) details.open = true;
  }

  window.addEventListener("hashchange", openTargetClause);

  document.addEventListener("DOMContentLoaded", function () {
    openTargetClause();
    var store = storage();
    var receipt = document.querySelector("[data-receipt-for]");
    if (receipt) setupReceipt(receipt, store);
    var form = document.querySelector("form[data-autosave]");
    if (form && store) setupForm(form, store);
    var opinionForm = document.querySelector("form.tj-opinion-form");
    if (opinionForm) enterMovesOn(opinionForm);
    var summary = document.getElementById("error-summary");
    if (summary && document.activeElement !== summary) summary.focus();
  });
})();
