/* The visit form survives a lost connection.
 *
 * Every change is kept as a draft in the browser (localStorage for the fields, IndexedDB for
 * the photos), with the form's one-time key. Sending goes through fetch(): if the network is
 * gone, the visit stays "pending" and is sent by itself when the network returns (the
 * `online` event, or the next time the page is opened). The server records a key once, so a
 * draft sent twice is recorded once. Served from /static: no inline script (CSP).
 */
(function () {
  "use strict";

  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var storageKey = "grants:" + form.dataset.draft;
  var statusBox = document.getElementById("draft-status");
  var sending = false;

  function say(kind, style) {
    statusBox.textContent = statusBox.dataset[kind];
    statusBox.className = "alert alert-" + (style || "info");
  }

  /* --- the fields, in localStorage ------------------------------------------------------- */

  function fieldsOf() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrf_token") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (!values[el.name]) { values[el.name] = []; }
        if (el.checked) { values[el.name].push(el.value); }
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey)); } catch (e) { return null; }
  }

  function save(pending) {
    var draft = { fields: fieldsOf(), pending: !!pending, savedAt: new Date().toISOString() };
    try { localStorage.setItem(storageKey, JSON.stringify(draft)); } catch (e) { /* full */ }
    return draft;
  }

  function restore(draft) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in draft.fields) || el.type === "file" ||
          el.name === "csrf_token") { return; }
      var value = draft.fields[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = value.indexOf(el.value) !== -1;
      } else {
        el.value = value;  // the key too: a resent draft keeps its first key
      }
    });
  }

  /* --- the photos, in IndexedDB (files cannot go to localStorage) ------------------------- */

  function database() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open("grants-drafts", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos"); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function photoStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("photos", mode);
        var result = work(tx.objectStore("photos"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    }).catch(function () { return null; });
  }

  var photoInput = form.querySelector("input[type=file]");

  function savePhotos() {
    if (!photoInput) { return Promise.resolve(); }
    var files = Array.prototype.slice.call(photoInput.files);
    return photoStore("readwrite", function (store) { store.put(files, storageKey); });
  }

  function restorePhotos() {
    if (!photoInput) { return Promise.resolve(); }
    return photoStore("readonly", function (store) { return store.get(storageKey); })
      .then(function (files) {
        if (!files || !files.length || photoInput.files.length || !window.DataTransfer) { return; }
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        photoInput.files = transfer.files;
      });
  }

  function forget() {
    localStorage.removeItem(storageKey);
    return photoStore("readwrite", function (store) { store.delete(storageKey); });
  }

  /* --- sending ----------------------------------------------------------------------------- */

  function send() {
    if (sending) { return; }
    sending = true;
    say("sending");
    fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      sending = false;
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.ok && json) {  // recorded, now or by an earlier sending of the same key
        return response.json().then(function (done) {
          return forget().then(function () { window.location.assign(done.url); });
        });
      }
      if (response.redirected) {  // the login page (session expired): send after logging in
        save(true);
        window.location.assign(response.url);
        return null;
      }
      var retried = storageKey + ":retried";
      if (response.status === 400 && !sessionStorage.getItem(retried)) {
        // An expired form token: reload for a fresh one; the pending draft is sent again.
        sessionStorage.setItem(retried, "1");
        save(true);
        window.location.reload();
        return null;
      }
      sessionStorage.removeItem(retried);
      // The server answered but refused: show its page with the messages at the fields;
      // the draft stays, no longer pending.
      save(false);
      return response.text().then(function (html) {
        document.open(); document.write(html); document.close();
      });
    }).catch(function () {  // no network: keep it and wait
      sending = false;
      save(true);
      say("offline", "warning");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save(true);
    savePhotos().then(function () {
      if (navigator.onLine === false) { say("offline", "warning"); return; }
      send();
    });
  });
  form.addEventListener("input", function () { save(false); });
  form.addEventListener("change", function (event) {
    save(false);
    if (event.target === photoInput) { savePhotos(); }
  });
  window.addEventListener("online", function () {
    var draft = load();
    if (draft && draft.pending) { send(); }
  });

  var discard = document.getElementById("discard-draft");
  if (discard) {
    discard.addEventListener("click", function () {
      if (window.confirm(discard.dataset.confirm)) {
        forget().then(function () { window.location.reload(); });
      }
    });
  }

  /* --- the position ------------------------------------------------------------------------ */

  var gpsButton = document.getElementById("gps-button");
  var gpsStatus = document.getElementById("gps-status");
  if (gpsButton) {
    gpsButton.addEventListener("click", function () {
      if (!navigator.geolocation) { gpsStatus.textContent = gpsButton.dataset.denied; return; }
      gpsStatus.textContent = gpsButton.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.gps_accuracy.value = Math.round(position.coords.accuracy);
        gpsStatus.textContent = gpsButton.dataset.found.replace(
          "{m}", Math.round(position.coords.accuracy));
        save(false);
      }, function () {
        gpsStatus.textContent = gpsButton.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  /* --- on opening the page ----------------------------------------------------------------- */

  var draft = load();
  var serverShowsErrors = document.querySelector(".is-invalid, .invalid-feedback, .alert-danger");
  if (draft && !serverShowsErrors) {
    restore(draft);
    restorePhotos();
    say("restored");
    if (draft.pending && navigator.onLine !== false) { send(); }
    else if (draft.pending) { say("offline", "warning"); }
  }
}());
