/* The coding screen, enhanced: keyboard shortcuts, and form posts sent with fetch() so the page
   does not reload. Without this file every button is a plain form POST followed by a redirect.
   htmx is not vendored (no copy was available offline); these few lines do the same job. */
(function () {
  "use strict";
  var ROOT = "[data-tj-coding]";

  function root() { return document.querySelector(ROOT); }

  function swap(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector(ROOT);
    var current = root();
    if (!fresh || !current) { window.location.assign(url); return; }
    current.replaceWith(fresh);
    // Messages (errors, "applied to the group") live outside the swapped part.
    var msgs = doc.querySelector(".messages");
    var old = document.querySelector(".messages");
    if (old && msgs) { old.replaceWith(msgs); }
    if (url && url !== window.location.href) { window.history.pushState({}, "", url); }
    var heading = document.getElementById("tj-opinion-heading");
    if (heading) { heading.setAttribute("tabindex", "-1"); }
  }

  function load(url, options) {
    var busy = root();
    if (busy) { busy.setAttribute("aria-busy", "true"); }
    return fetch(url, Object.assign({ credentials: "same-origin", redirect: "follow" }, options))
      .then(function (response) {
        if (!response.ok && response.status !== 400) { throw new Error(String(response.status)); }
        return response.text().then(function (html) { swap(html, response.url); });
      })
      .catch(function () { window.location.assign(url); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-tj-fetch]") || !root()) { return; }
    event.preventDefault();
    load(form.action, { method: "POST", body: new FormData(form) });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".tj-coding-nav a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    load(link.href, { method: "GET" });
  });

  window.addEventListener("popstate", function () { load(window.location.href, { method: "GET" }); });

  document.addEventListener("keydown", function (event) {
    if (!root() || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var hit = root().querySelector('[data-tj-key="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
    if (!hit) { return; }
    event.preventDefault();
    if (hit.tagName === "A") { hit.click(); } else if (hit.form) { hit.form.requestSubmit(hit); }
  });
})();
