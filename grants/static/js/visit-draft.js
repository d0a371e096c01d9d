/* The visit form survives a lost connection.
 *
 * Every change is kept as a draft in the browser (localStorage for the fields, IndexedDB for
 * the photos, which are shrunk first), under a name made of the user and the visit. Sending
 * goes through fetch(): if the network is gone, the visit stays "pending" and is sent by
 * itself when the network returns (the `online` event, a retry every few seconds, or the next
 * time the page is opened). The server records a key once, so a draft sent twice is recorded
 * once. Served from /static: no inline script (CSP).
 */
(function () {
  "use strict";

  var PHOTO_SIDE = 1600;  // pixels: a phone photo becomes ~300 kB instead of 4 MB
  var RETRY_FIRST = 5000, RETRY_MAX = 60000;

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
        var request = work(tx.objectStore("photos"));
        tx.oncomplete = function () { resolve(request && request.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    }).catch(function () { return null; });
  }

  function forget(name) {
    localStorage.removeItem(name);
    document.dispatchEvent(new CustomEvent("grants:drafts"));
    return photoStore("readwrite", function (store) { return store.delete(name); });
  }

  /* A recorded visit's page names the draft to forget (sent from another tab or device). */
  var recorded = document.querySelector("[data-forget-draft]");
  if (recorded) { forget(recorded.dataset.forgetDraft); }

  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var storageKey = "grants:" + form.dataset.draft;
  var statusBox = document.getElementById("draft-status");
  var photoInput = form.querySelector("input[type=file]");
  var sending = false, retryDelay = RETRY_FIRST, retryTimer = null;

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

  function pending() {
    var draft = load();
    return !!(draft && draft.pending);
  }

  /* Keep the fields; `isPending` true or false changes the flag, undefined keeps it (typing
   * in a form waiting for the network must not cancel its sending). */
  function save(isPending) {
    // `url`: where to send it from another page (js/offline.js sends every visit waiting)
    var draft = { fields: fieldsOf(), savedAt: new Date().toISOString(),
                  pending: isPending === undefined ? pending() : !!isPending,
                  url: form.action || window.location.href };
    try { localStorage.setItem(storageKey, JSON.stringify(draft)); } catch (e) { /* full */ }
    document.dispatchEvent(new CustomEvent("grants:drafts"));
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

  /* --- photos: shrunk, kept, put back ------------------------------------------------------ */

  function shrink(file) {
    if (!window.createImageBitmap || !/^image\/(jpeg|png)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg",
                                  { type: "image/jpeg" }) : file);
        }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; });
  }

  function setPhotos(files) {
    if (!window.DataTransfer) { return; }
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    photoInput.files = transfer.files;
  }

  function savePhotos() {
    if (!photoInput || !photoInput.files.length) { return Promise.resolve(); }
    var files = Array.prototype.slice.call(photoInput.files);
    return photoStore("readwrite", function (store) { return store.put(files, storageKey); });
  }

  function restorePhotos() {
    if (!photoInput || photoInput.files.length) { return Promise.resolve(); }
    return photoStore("readonly", function (store) { return store.get(storageKey); })
      .then(function (files) { if (files && files.length) { setPhotos(files); } });
  }

  /* --- sending ----------------------------------------------------------------------------- */

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { if (pending()) { send(); } }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX);
  }

  function send() {
    if (sending) { return; }
    sending = true;
    clearTimeout(retryTimer);
    say("sending");
    fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      sending = false;
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.ok && json) {  // recorded, now or by an earlier sending of the same key
        return response.json().then(function (done) {
          return forget(storageKey).then(function () { window.location.assign(done.url); });
        });
      }
      if (response.redirected) {  // the login page (session expired): sent after logging in
        window.location.assign(response.url);
        return null;
      }
      if (response.status === 413) {  // photos too heavy even after shrinking
        save(false);
        say("toolarge", "danger");
        return null;
      }
      var retried = storageKey + ":retried";
      if (response.status === 400 && !sessionStorage.getItem(retried)) {
        // An expired form token: reload for a fresh one; the pending draft is sent again.
        sessionStorage.setItem(retried, "1");
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
    }).catch(function () {  // no network: keep it and try again
      sending = false;
      say("offline", "warning");
      retryLater();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save(true);
    retryDelay = RETRY_FIRST;
    savePhotos().then(function () {
      if (navigator.onLine === false) { say("offline", "warning"); retryLater(); return; }
      send();
    });
  });
  form.addEventListener("input", function () { save(); });
  form.addEventListener("change", function (event) {
    if (event.target !== photoInput) { save(); return; }
    Promise.all(Array.prototype.slice.call(photoInput.files).map(shrink))
      .then(function (files) { setPhotos(files); return savePhotos(); });
  });
  function sendIfPending() { if (pending() && navigator.onLine !== false) { send(); } }
  window.addEventListener("online", sendIfPending);
  window.addEventListener("pageshow", function (event) {  // back from the page cache
    if (event.persisted) { sendIfPending(); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { sendIfPending(); }
  });

  var discard = document.getElementById("discard-draft");
  if (discard) {
    discard.addEventListener("click", function () {
      if (window.confirm(discard.dataset.confirm)) {
        forget(storageKey).then(function () { window.location.reload(); });
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
        save();
      }, function () {
        gpsStatus.textContent = gpsButton.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  /* --- on opening the page ----------------------------------------------------------------- */

  var draft = load();
  var serverShowsErrors = document.querySelector(".is-invalid, .invalid-feedback, .alert-danger");
  if (serverShowsErrors) {
    restorePhotos();  // the server shows the fields as sent; the photos come back from the draft
  } else if (draft) {
    restore(draft);
    say("restored");
    restorePhotos().then(function () {
      if (draft.pending && navigator.onLine !== false) { send(); }
      else if (draft.pending) { say("offline", "warning"); retryLater(); }
    });
  }
}());
