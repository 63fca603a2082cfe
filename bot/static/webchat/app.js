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
  var notice = $("notice"), fileInput = $("file"), langBtn = $("lang-switch"), inputLabel = $("input-label");
  var recordBtn = $("record"), recordingEl = $("recording"), recordCancel = $("record-cancel");

  var lastId = 0;
  var seen = new Set();
  var pending = new Map();   // client id -> {frame, text}; resent after a reconnect until acknowledged
  var bubbles = new Map();   // client id -> own bubble element
  var ws = null, isReady = false, backoff = 500, lastBot = null, lastBotEl = null;

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
    applyMode();
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
    keepQuestionVisible();
  }

  function hideNotice() {
    if (notice.hidden) { return; }
    notice.hidden = true;
    notice.textContent = "";
    keepQuestionVisible();
  }

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

  // The current question (the newest bot message) stays in view: all of it when it fits, else from
  // its first line, so the person reads it and scrolls on to its buttons. Whatever shrinks the log
  // (a notice, the on-screen keyboard, a longer text box) keeps it in view too.
  var following = true;
  function keepQuestionVisible() {
    if (!following) { return; }
    var q = lastBotEl && lastBotEl.isConnected ? lastBotEl : null;
    var after = q ? q.nextElementSibling : null;
    if (!q || after) {  // the person's own answer (or nothing) is last: show the end
      log.scrollTop = log.scrollHeight;
      return;
    }
    var top = q.offsetTop - log.offsetTop - 12;
    var fits = q.offsetHeight + 24 <= log.clientHeight;
    log.scrollTop = fits ? log.scrollHeight : top;
  }
  function scrollDown() { following = true; keepQuestionVisible(); }
  log.addEventListener("scroll", function () {
    // Scrolled up to read earlier messages: new messages do not pull the log back until sent again.
    following = log.scrollHeight - log.scrollTop - log.clientHeight < 80 || (lastBotEl &&
      Math.abs(lastBotEl.offsetTop - log.offsetTop - 12 - log.scrollTop) < 4);
  }, { passive: true });
  if (window.ResizeObserver) { new ResizeObserver(keepQuestionVisible).observe(log); }

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
      var label = a.kind === "voice" ? S.voice_label : (a.url ? S.download : S.file_label);
      var node;
      if (a.url) {
        node = el("a", "file", fmt(label, { name: name }));
        node.href = a.url;
        node.setAttribute("download", "");
      } else {
        node = el("span", "file", fmt(label, { name: name }));
      }
      m.insertBefore(node, m.querySelector("time"));
    });
  }

  // A lone first button above rows of other choices is the message's main action ("Send" above the
  // edit buttons of a summary): it is drawn filled, the others outlined.
  function mainAction(rows) {
    var count = rows.reduce(function (n, r) { return n + r.length; }, 0);
    return rows.length > 1 && rows[0].length === 1 && rows[1].length > 1 && count >= 4;
  }

  function addButtons(m, rows) {
    if (!rows || !rows.length) { return; }
    var box = el("div", "buttons");
    var primary = mainAction(rows);
    rows.forEach(function (row, i) {
      var r = el("div", "row");
      row.forEach(function (b) {
        var btn = el("button", primary && i === 0 ? "primary" : null, b.label);
        btn.type = "button";
        btn.addEventListener("click", function () { press(b); });
        r.appendChild(btn);
      });
      box.appendChild(r);
    });
    m.insertBefore(box, m.querySelector("time"));
  }

  // A question that asks where: "Send my location" is one of its own choices (no separate panel).
  function canLocate() { return !!(navigator.geolocation && window.isSecureContext); }

  function addLocationChoice(m) {
    var box = m.querySelector(".buttons");
    if (!box) {
      box = el("div", "buttons");
      m.insertBefore(box, m.querySelector("time"));
    }
    var r = el("div", "row location");
    var btn = el("button", "with-icon");
    btn.type = "button";
    var icon = el("img");
    icon.src = "/static/webchat/location.svg";
    icon.alt = "";
    icon.width = 20;
    icon.height = 20;
    btn.appendChild(icon);
    btn.appendChild(el("span", null, S.location_button));
    btn.addEventListener("click", locate);
    r.appendChild(btn);
    box.prepend(r);
    var hint = el("span", "hint location-hint", S.location_hint);
    m.insertBefore(hint, m.querySelector("time"));
  }

  function dropLocationChoice(m) {
    m.querySelectorAll(".row.location, .location-hint").forEach(function (n) { n.remove(); });
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
      if (!lastBot || f.id > lastBot.id) {
        if (lastBotEl) { dropLocationChoice(lastBotEl); }
        lastBot = f;
        lastBotEl = m;
        if (f.request_location && canLocate()) { addLocationChoice(m); }
      }
    }
    place(m, f.id);
    scrollDown();
  }

  // The composer follows the current question: for a phone number it becomes a phone field
  // (the phone's number keypad, the browser's saved number), labelled as such.
  var mode = "text";
  function applyMode() {
    var phone = mode === "phone";
    form.dataset.mode = mode;
    input.inputMode = phone ? "tel" : "text";
    input.setAttribute("autocomplete", phone ? "tel" : "off");
    input.placeholder = phone ? (S.phone_placeholder || "") : (S.input_placeholder || input.placeholder);
    inputLabel.textContent = phone ? S.phone_label : S.input_label;
  }

  function updateMode() {
    var next = lastBot && lastBot.request_contact ? "phone" : "text";
    if (next !== mode) { mode = next; applyMode(); }
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
    if (recorder) { stopRecording(true); return; }
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
      updateMode();
    } else if (f.type === "ready") {
      isReady = true;
      backoff = 500;
      setStatus("online");
      pending.forEach(function (p) { ws.send(JSON.stringify(p.frame)); });
      if (f.empty && !pending.size) {
        // A first visit opens the conversation; the person did not type anything, so no bubble.
        send({ type: "start", id: uuid() }, { text: null });
      }
      updateMode();
    } else if (f.type === "ack") {
      pending.delete(f.client_id);
      var m = bubbles.get(f.client_id);
      if (m) { m.classList.remove("pending"); }
    } else if (f.type === "error") {
      showNotice(f.text);
      if (f.client_id) { failed(f.client_id); }
    }
  }

  // --- location ----------------------------------------------------------------------------
  function locate() {
    if (!canLocate()) { showNotice(S.location_unavailable); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude, lon = pos.coords.longitude;
      send({ type: "location", id: uuid(), latitude: lat, longitude: lon },
           { text: fmt(S.location_shown, { lat: lat.toFixed(5), lon: lon.toFixed(5) }) });
    }, function () { showNotice(S.location_denied); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // --- upload ------------------------------------------------------------------------------
  function upload(file, isVoice) {
    if (file.size > MAX_UPLOAD_MB * 1024 * 1024) { showNotice(fmt(S.upload_too_big, { limit: MAX_UPLOAD_MB })); return; }
    var id = uuid();
    var m = bubble("me", "");
    addAttachments(m, [{ kind: isVoice || /^audio\//.test(file.type) ? "voice" : "document", file_name: file.name }]);
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

  // --- voice messages (MediaRecorder, where the browser has it) -------------------------------
  // Only containers the server takes (MP4/M4A from Chrome and Safari, Ogg from Firefox): a browser
  // that records neither gets no microphone button, and the file picker still takes audio files.
  var VOICE_TYPES = [["audio/mp4", ".m4a"], ["audio/ogg;codecs=opus", ".ogg"], ["audio/ogg", ".ogg"]];
  var MAX_RECORDING_S = 180;
  var recorder = null, recordStart = 0, recordTimer = null, recordKeep = false;

  function voiceType() {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
        !window.isSecureContext || !MediaRecorder.isTypeSupported) { return null; }
    for (var i = 0; i < VOICE_TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(VOICE_TYPES[i][0])) { return VOICE_TYPES[i]; }
    }
    return null;
  }

  function clock(s) { return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2); }

  function recordingUi(on) {
    recordingEl.hidden = !on;
    recordCancel.hidden = !on;
    input.hidden = on;
    fileInput.disabled = on;
    $("attach").hidden = on;
    recordBtn.hidden = on || !voiceType();
    $("send").setAttribute("aria-label", on ? S.record_send : S.send);
    $("send").title = on ? S.record_send : S.send;
  }

  function tick() {
    var s = Math.round((Date.now() - recordStart) / 1000);
    $("recording-text").textContent = fmt(S.recording, { time: clock(s) });
    if (s >= MAX_RECORDING_S) { stopRecording(true); }
  }

  function startRecording() {
    var type = voiceType();
    if (!type || recorder) { return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream, { mimeType: type[0] });
      recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) { chunks.push(e.data); } });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        var seconds = Math.max(1, Math.round((Date.now() - recordStart) / 1000));
        recorder = null;
        clearInterval(recordTimer);
        recordingUi(false);
        if (!recordKeep || !chunks.length) { return; }
        var blob = new Blob(chunks, { type: type[0].split(";")[0] });
        var file = new File([blob], "voice-" + seconds + "s" + type[1], { type: blob.type });
        upload(file, true);
      });
      recordStart = Date.now();
      recordKeep = false;
      recorder.start();
      recordingUi(true);
      tick();
      recordTimer = setInterval(tick, 500);
    }, function () { showNotice(S.record_denied); });
  }

  function stopRecording(keep) {
    if (!recorder) { return; }
    recordKeep = keep;
    recorder.stop();
  }

  // --- language and demo personas ----------------------------------------------------------
  function switchLanguage() {
    var next = lang === "vi" ? "en" : "vi";
    lang = next;
    document.cookie = "loalang_lang=" + next + "; path=/; max-age=31536000; samesite=lax";
    // The bubble shows the button the person pressed, not a command they never typed.
    send({ type: "command", id: uuid(), text: "/language " + next, label: NAMES[next] }, { text: NAMES[next] });
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
          var o = el("option", null, p.label + " · " + p.name);
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
        keepQuestionVisible();
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
  recordBtn.addEventListener("click", startRecording);
  recordCancel.addEventListener("click", function () { stopRecording(false); });
  recordBtn.hidden = !voiceType();
  langBtn.addEventListener("click", switchLanguage);

  loadStrings(lang).then(function () {
    applyStrings();
    if (body.dataset.demo === "1") { demoBar(); }
    connect();
  }, connect);

  window.loalangChat = { lastId: function () { return lastId; }, pending: function () { return pending.size; } };
}());
