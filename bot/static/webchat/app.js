/* Loa Làng web chat client.
 * Every message is rendered with textContent (never innerHTML): an HTML payload shows as text.
 * Protocol: see bot/channels/webchat.py. Unacknowledged messages are resent after a reconnect with
 * the same id, and the server processes each id once. */
(function () {
  "use strict";

  var body = document.body;
  var lang = body.dataset.lang || "vi";
  var embedQ = body.dataset.embed === "1" ? "?embed=1" : "";
  var S = {};
  var MAX_TEXT = 4000;
  var MAX_UPLOAD_MB = 10;
  var NAMES = { vi: "Tiếng Việt", en: "English" };

  function $(id) { return document.getElementById(id); }
  var log = $("log"), input = $("input"), form = $("composer"), statusEl = $("status");
  var notice = $("notice"), panel = $("panel"), panelText = $("panel-text"), panelBody = $("panel-body");
  var fileInput = $("file"), langBtn = $("lang-switch");

  var lastId = 0;
  var seen = new Set();
  var pending = new Map();   // client id -> {frame, text}; resent after a reconnect until acknowledged
  var bubbles = new Map();   // client id -> own bubble element
  var ws = null, isReady = false, backoff = 500, lastBot = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fmt(s, params) {
    return String(s || "").replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m;
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // --- strings -----------------------------------------------------------------------------
  function loadStrings(l) {
    return fetch("/webchat/i18n.json?lang=" + encodeURIComponent(l), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        S = d.strings || {};
        MAX_TEXT = d.max_text || MAX_TEXT;
        MAX_UPLOAD_MB = d.max_upload_mb || MAX_UPLOAD_MB;
      });
  }

  function applyStrings() {
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = S[e.dataset.i18n] || e.textContent; });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (e) {
      var v = S[e.dataset.i18nAria];
      if (v) { e.setAttribute("aria-label", v); if (e.title) { e.title = v; } }
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { e.placeholder = S[e.dataset.i18nPlaceholder] || e.placeholder; });
    document.querySelectorAll("[data-i18n-title]").forEach(function (e) { e.title = S[e.dataset.i18nTitle] || e.title; });
    if (S.title) { document.title = S.title; }
    document.documentElement.lang = lang;
    var other = lang === "vi" ? "en" : "vi";
    langBtn.textContent = NAMES[other];
    langBtn.lang = other;
    langBtn.dataset.lang = other;
    setStatus(statusEl.dataset.state);
  }

  function setStatus(state) {
    statusEl.dataset.state = state;
    var key = { connecting: "status_connecting", online: "status_online", offline: "status_offline" }[state];
    if (key && S[key]) { statusEl.textContent = S[key]; }
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function hideNotice() { notice.hidden = true; notice.textContent = ""; }

  // --- rendering ---------------------------------------------------------------------------
  function timeOf(iso) {
    var d = iso ? new Date(iso) : new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function place(node, id) {
    if (id) {
      for (var k = log.lastElementChild; k; k = k.previousElementSibling) {
        var kid = Number(k.dataset.id || 0);
        if (kid && kid < id) { k.after(node); return; }
      }
      log.prepend(node);
    } else {
      log.appendChild(node);
    }
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function bubble(from, text, at) {
    var m = el("div", "msg " + from);
    m.appendChild(el("span", "sr-only", (from === "me" ? S.you : S.bot) + ": "));
    m.appendChild(el("span", "text", text));
    var t = el("time", "time", timeOf(at));
    if (at) { t.dateTime = at; }
    m.appendChild(t);
    return m;
  }

  function addAttachments(m, list) {
    (list || []).forEach(function (a) {
      var name = a.file_name || a.kind || "";
      var node;
      if (a.url) {
        node = el("a", "file", fmt(S.download, { name: name }));
        node.href = a.url;
        node.setAttribute("download", "");
      } else {
        node = el("span", "file", fmt(S.file_label, { name: name }));
      }
      m.insertBefore(node, m.querySelector("time"));
    });
  }

  function addButtons(m, rows) {
    if (!rows || !rows.length) { return; }
    var box = el("div", "buttons");
    rows.forEach(function (row) {
      var r = el("div", "row");
      row.forEach(function (b) {
        var btn = el("button", null, b.label);
        btn.type = "button";
        btn.addEventListener("click", function () { press(b); });
        r.appendChild(btn);
      });
      box.appendChild(r);
    });
    m.insertBefore(box, m.querySelector("time"));
  }

  function render(f) {
    if (seen.has(f.id)) { return; }
    seen.add(f.id);
    if (f.id > lastId) { lastId = f.id; }
    if (f.from === "me" && f.client_id && bubbles.has(f.client_id)) {
      var own = bubbles.get(f.client_id);
      own.dataset.id = f.id;
      own.classList.remove("pending");
      bubbles.delete(f.client_id);
      return;
    }
    var m = bubble(f.from, f.text, f.at);
    m.dataset.id = f.id;
    addAttachments(m, f.attachments);
    if (f.from === "bot") {
      addButtons(m, f.buttons);
      if (!lastBot || f.id > lastBot.id) { lastBot = f; }
    }
    place(m, f.id);
    scrollDown();
  }

  var panelFor = 0;
  function updatePanel() {
    if (!lastBot || panelFor === lastBot.id) { return; }
    panelFor = lastBot.id;
    if (lastBot.request_contact) { phonePanel(); return; }
    if (panelBody.querySelector("input")) { clearPanel(); }  // the phone question is over
    if (lastBot.request_location) { locationPanel(); }
  }

  // --- sending -----------------------------------------------------------------------------
  function send(frame, shown) {
    frame.lang = lang;
    pending.set(frame.id, { frame: frame, text: shown.restore || "" });
    if (shown.text !== null) {
      var m = bubble("me", shown.text);
      m.classList.add("pending");
      m.dataset.clientId = frame.id;
      bubbles.set(frame.id, m);
      log.appendChild(m);
      scrollDown();
    }
    hideNotice();
    if (ws && isReady && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(frame)); }
  }

  function sendText() {
    var text = input.value;
    if (!text.trim()) { return; }
    if (text.length > MAX_TEXT) {
      showNotice(fmt(S.too_long, { count: text.length, limit: MAX_TEXT }));
      return;
    }
    input.value = "";
    grow();
    send({ type: "text", id: uuid(), text: text }, { text: text, restore: text });
  }

  function press(b) {
    send({ type: "button", id: uuid(), data: b.data, label: b.label }, { text: b.label });
  }

  function failed(clientId) {
    var p = pending.get(clientId);
    pending.delete(clientId);
    var m = bubbles.get(clientId);
    if (m) { m.remove(); bubbles.delete(clientId); }
    if (p && p.text && !input.value) { input.value = p.text; grow(); }
  }

  // --- connection --------------------------------------------------------------------------
  function connect() {
    setStatus("connecting");
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws" + embedQ);
    isReady = false;
    ws.addEventListener("open", function () {
      ws.send(JSON.stringify({ type: "hello", after: lastId, lang: lang }));
    });
    ws.addEventListener("message", function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(f);
    });
    ws.addEventListener("close", function () {
      isReady = false;
      setStatus("offline");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    });
  }

  function onFrame(f) {
    if (f.type === "message") {
      render(f);
      if (isReady) { updatePanel(); }
    } else if (f.type === "ready") {
      isReady = true;
      backoff = 500;
      setStatus("online");
      pending.forEach(function (p) { ws.send(JSON.stringify(p.frame)); });
      if (f.empty && !pending.size) {
        send({ type: "command", id: uuid(), text: "/start" }, { text: null });
      }
      updatePanel();
    } else if (f.type === "ack") {
      pending.delete(f.client_id);
      var m = bubbles.get(f.client_id);
      if (m) { m.classList.remove("pending"); }
    } else if (f.type === "error") {
      showNotice(f.text);
      if (f.client_id) { failed(f.client_id); }
    }
  }

  // --- location and phone ------------------------------------------------------------------
  function clearPanel() { panel.hidden = true; panelText.textContent = ""; panelBody.textContent = ""; }

  function panelButton(label, cls, onClick) {
    var b = el("button", cls, label);
    b.type = "button";
    b.addEventListener("click", onClick);
    panelBody.appendChild(b);
    return b;
  }

  function locationPanel() {
    clearPanel();
    panelText.textContent = S.location_why;
    var ok = panelButton(S.location_continue, null, function () { clearPanel(); locate(); });
    panelButton(S.location_cancel, "secondary", function () { clearPanel(); input.focus(); });
    panel.hidden = false;
    ok.focus();
  }

  function locate() {
    if (!navigator.geolocation || !window.isSecureContext) { showNotice(S.location_unavailable); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      send({ type: "location", id: uuid(), latitude: pos.coords.latitude, longitude: pos.coords.longitude },
           { text: S.location_sent });
    }, function () { showNotice(S.location_denied); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function phonePanel() {
    if (!panel.hidden && panelBody.querySelector("input")) { return; }
    clearPanel();
    var label = el("label", null, S.phone_label);
    label.htmlFor = "phone";
    panelText.appendChild(label);
    var phone = el("input");
    phone.type = "tel";
    phone.id = "phone";
    phone.autocomplete = "tel";
    phone.inputMode = "tel";
    panelBody.appendChild(phone);
    panelButton(S.phone_send, null, function () {
      var v = phone.value.trim();
      if (!v) { phone.focus(); return; }
      clearPanel();
      send({ type: "contact", id: uuid(), phone: v }, { text: v, restore: "" });
    });
    panel.hidden = false;
  }

  // --- upload ------------------------------------------------------------------------------
  function upload(file) {
    if (file.size > MAX_UPLOAD_MB * 1024 * 1024) { showNotice(fmt(S.upload_too_big, { limit: MAX_UPLOAD_MB })); return; }
    var id = uuid();
    var m = bubble("me", fmt(S.file_label, { name: file.name }));
    m.classList.add("pending");
    bubbles.set(id, m);
    log.appendChild(m);
    scrollDown();
    hideNotice();
    var fd = new FormData();
    fd.append("id", id);
    fd.append("lang", lang);
    fd.append("file", file, file.name);
    fetch("/upload" + embedQ, { method: "POST", body: fd, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (d) {
          if (!r.ok) { showNotice(d.text || S.upload_failed); m.remove(); bubbles.delete(id); return; }
          m.classList.remove("pending");
        });
      })
      .catch(function () { showNotice(S.upload_failed); m.remove(); bubbles.delete(id); });
  }

  // --- language and demo personas ----------------------------------------------------------
  function switchLanguage() {
    var next = lang === "vi" ? "en" : "vi";
    lang = next;
    document.cookie = "loalang_lang=" + next + "; path=/; max-age=31536000; samesite=lax";
    send({ type: "command", id: uuid(), text: "/language " + next }, { text: "/language " + next });
    loadStrings(next).then(applyStrings);
  }

  function demoBar() {
    fetch("/webchat/demo/personas", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        var sel = $("persona");
        var current = false;
        d.personas.forEach(function (p) {
          var o = el("option", null, p.label + " — " + p.name);
          o.value = p.key;
          if (p.current) { o.selected = true; current = true; }
          sel.appendChild(o);
        });
        var fresh = el("option", null, S.persona_new);
        fresh.value = "new";
        if (!current) { fresh.selected = true; }
        sel.appendChild(fresh);
        sel.addEventListener("change", function () {
          fetch("/webchat/demo/persona", { method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify({ persona: sel.value }) })
            .then(function (r) { if (r.ok) { location.reload(); } });
        });
        $("demo-bar").hidden = false;
      });
  }

  // --- wiring ------------------------------------------------------------------------------
  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); sendText(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
  });
  input.addEventListener("input", grow);
  $("attach").addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files[0]) { upload(fileInput.files[0]); }
    fileInput.value = "";
  });
  $("locate").addEventListener("click", locationPanel);
  langBtn.addEventListener("click", switchLanguage);

  loadStrings(lang).then(function () {
    applyStrings();
    if (body.dataset.demo === "1") { demoBar(); }
    connect();
  }, connect);

  window.loalangChat = { lastId: function () { return lastId; }, pending: function () { return pending.size; } };
}());
