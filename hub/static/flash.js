/* The flash form keeps what is typed on this phone (localStorage) and, when the link drops
   on submit, sends it again with the same idempotency key once the link is back: the hub
   publishes one report however many times it arrives. Without JavaScript the form posts as
   usual. No inline script: the page's Content-Security-Policy allows this file only. */
(function () {
  "use strict";
  var form = document.getElementById("flash-form");
  var state = document.getElementById("flash-state");
  if (!form || !state || !window.fetch || !window.localStorage || !window.URLSearchParams) {
    return;
  }
  var KEY = "slthub-flash-draft";
  var sending = false;

  function show(text) {
    state.textContent = text || "";
    state.hidden = !text;
  }
  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "null");
    } catch (e) {
      return null;
    }
  }
  function save(pending) {
    var draft = { pending: pending, fields: {} };
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") draft.fields[name] = value;
    });
    localStorage.setItem(KEY, JSON.stringify(draft));
  }
  function body() {
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") data.append(name, value);
    });
    return data;
  }
  function send() {
    if (sending) return;
    sending = true;
    show(state.getAttribute("data-sending"));
    fetch(form.action, { method: "POST", body: body(), credentials: "same-origin" })
      .then(function (response) {
        sending = false;
        if (response.redirected && /\/reports\/[0-9a-f-]{36}/.test(response.url)) {
          localStorage.removeItem(KEY);
          window.location.assign(response.url);
          return;
        }
        // Refused (a field to correct, a session to renew): the browser posts the same
        // form, same key, and shows the hub's answer; the draft stays until it is sent.
        save(false);
        form.submit();
      })
      .catch(function () {
        sending = false;
        show(state.getAttribute("data-waiting"));
      });
  }

  var draft = load();
  if (draft && draft.fields) {
    Object.keys(draft.fields).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && name !== "csrf_token") field.value = draft.fields[name];
    });
    if (draft.pending) send();
    else show(state.getAttribute("data-kept"));
  }
  form.addEventListener("input", function () { save(false); });
  form.addEventListener("change", function () { save(false); });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "find") return;
    event.preventDefault();
    save(true);
    if (navigator.onLine === false) show(state.getAttribute("data-waiting"));
    else send();
  });
  function retry() {
    var waiting = load();
    if (waiting && waiting.pending) send();
  }
  window.addEventListener("online", retry);
  window.setInterval(function () {
    if (navigator.onLine !== false) retry();
  }, 20000);
})();
