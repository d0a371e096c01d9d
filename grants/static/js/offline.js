/* The field officer's day without network, on the follow-up pages (the bar of
 * templates/visits/_macros.html, offline_bar()).
 *
 * - Registers our service worker (js/offline-worker.js) for the follow-up pages.
 * - "Prepare offline" asks the worker to take the worklist and the next days' visits (the
 *   server lists them: the officer's regions only) and shows "ready offline" with the time.
 * - Counts the visits filled offline and waiting to be sent (drafts kept by visit-draft.js in
 *   localStorage, photos in IndexedDB), and sends them, one after the other, as soon as the
 *   network is there, with a fresh form token; the server records each key once.
 * - At logout: asks first if visits still wait, then wipes the cache and the drafts (the
 *   logout answer's Clear-Site-Data header does it too, for pages without this script).
 * Served from /static: no inline script (CSP).
 */
(function () {
  "use strict";

  var bar = document.getElementById("offline-bar");
  if (!bar) { return; }
  var text = bar.dataset;
  var CACHE_PREFIX = "grants-offline-";
  var draftPrefix = "grants:u" + text.user + ":visit-";
  var stateBox = document.getElementById("offline-state");
  var pendingBox = document.getElementById("offline-pending");
  var refusedList = document.getElementById("offline-refused");
  var prepareButton = document.getElementById("offline-prepare");
  var openForm = document.getElementById("visit-form");  // visit-draft.js sends this one
  var openDraft = openForm ? "grants:" + openForm.dataset.draft : null;
  var sending = false, retryTimer = null, needsLogin = false;
  var supported = "serviceWorker" in navigator && "caches" in window;

  /* --- the state: "ready offline · updated on …" ------------------------------------------ */

  function stateUrl() { return new URL("hors-ligne/etat", new URL(text.scope, location.href)).href; }

  function offlineCaches() {
    if (!supported) { return Promise.resolve([]); }
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(CACHE_PREFIX) === 0; });
    });
  }

  function wipeCaches() {
    return offlineCaches().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    });
  }

  function when(iso) {
    var lang = document.documentElement.lang || undefined;
    return new Date(iso).toLocaleString(lang, { day: "2-digit", month: "2-digit",
                                                year: "numeric", hour: "2-digit",
                                                minute: "2-digit" });
  }

  function showState() {
    if (!supported) { stateBox.textContent = text.unsupported; return Promise.resolve(); }
    return caches.match(stateUrl()).then(function (hit) {
      return hit ? hit.json() : null;
    }).then(function (state) {
      if (state && String(state.user) !== String(text.user)) {  // another officer's pages
        return wipeCaches().then(function () { state = null; });
      }
      if (!state) {
        stateBox.textContent = text.notReady;
        stateBox.className = "small";
        return null;
      }
      stateBox.textContent = text.ready.replace("{when}", when(state.preparedAt)) + " · " +
        text.readyVisits.replace("{n}", state.visits);
      stateBox.className = "small fw-semibold text-success offline-ready";
      return null;
    }).catch(function () { stateBox.textContent = text.notReady; });
  }

  /* --- the worker ---------------------------------------------------------------------------- */

  // Registered from the follow-up pages only (its scope): elsewhere `ready` would never come.
  var registration = supported && text.countOnly !== "1"
    ? navigator.serviceWorker.register(text.worker, { scope: text.scope })
        .then(function () { return navigator.serviceWorker.ready; })
    : Promise.reject(new Error("unsupported"));
  registration.catch(function () { /* offline with an older worker, or unsupported */ });

  function askWorker(message) {
    return registration.then(function (ready) {
      return new Promise(function (resolve, reject) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          if (event.data && event.data.ok) { resolve(event.data); } else { reject(event.data); }
        };
        ready.active.postMessage(message, [channel.port2]);
      });
    });
  }

  if (prepareButton) {
    prepareButton.addEventListener("click", function () {
      if (!supported) { stateBox.textContent = text.unsupported; return; }
      prepareButton.disabled = true;
      stateBox.textContent = text.preparing;
      stateBox.className = "small";
      askWorker({ type: "prepare", list: text.list, state: stateUrl() })
        .then(showState, function () {
          stateBox.textContent = text.failed;
          stateBox.className = "small text-danger";
        }).then(function () { prepareButton.disabled = false; });
    });
  }

  /* --- the visits waiting to be sent -------------------------------------------------------- */

  function drafts() {
    var found = [];
    for (var i = 0; i < localStorage.length; i += 1) {
      var name = localStorage.key(i);
      if (name && name.indexOf(draftPrefix) === 0) {
        try { found.push({ name: name, draft: JSON.parse(localStorage.getItem(name)) }); }
        catch (e) { /* not ours */ }
      }
    }
    return found.filter(function (item) { return item.draft && item.draft.fields; });
  }

  function waiting() { return drafts().filter(function (item) { return item.draft.pending; }); }

  function showPending() {
    var count = waiting().length;
    pendingBox.textContent = count === 0 ? text.pendingNone
      : count === 1 ? text.pendingOne : text.pendingMany.replace("{n}", count);
    if (needsLogin && count) { pendingBox.textContent += " · " + text.login; }
    pendingBox.className = "badge " + (count ? "text-bg-warning" : "text-bg-secondary");
    pendingBox.dataset.count = count;
    bar.classList.toggle("offline-bar-waiting", count > 0);  // stays in view while visits wait
    var refused = drafts().filter(function (item) { return item.draft.refused; });
    refusedList.textContent = "";
    refusedList.classList.toggle("d-none", refused.length === 0);
    if (refused.length) {
      refusedList.appendChild(document.createTextNode(text.refused));
      refused.forEach(function (item) {
        var line = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.draft.url;
        link.textContent = item.name.slice(draftPrefix.length);
        line.appendChild(link);
        refusedList.appendChild(line);
      });
    }
  }

  function photoDatabase() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open("grants-drafts", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos"); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function photos(name, remove) {
    return photoDatabase().then(function (db) {
      return new Promise(function (resolve) {
        var tx = db.transaction("photos", remove ? "readwrite" : "readonly");
        var store = tx.objectStore("photos");
        var request = remove ? store.delete(name) : store.get(name);
        tx.oncomplete = function () { db.close(); resolve(remove ? null : request.result); };
        tx.onerror = function () { db.close(); resolve(null); };
      });
    }).catch(function () { return null; });
  }

  function forgetSent(item, visitUrl) {
    localStorage.removeItem(item.name);
    // The pages of a visit now recorded leave the phone: it cannot be filled twice offline.
    return Promise.all([photos(item.name, true), offlineCaches().then(function (names) {
      return Promise.all(names.map(function (name) {
        return caches.open(name).then(function (cache) {
          return Promise.all([cache.delete(item.draft.url), cache.delete(visitUrl)]);
        });
      }));
    })]);
  }

  function freshToken() {
    return fetch(text.token, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || !response.ok) {  // the login page: the session has ended
          needsLogin = response.redirected;
          throw new Error("no token");
        }
        needsLogin = false;
        return response.json();
      }).then(function (answer) { return answer.csrf_token; });
  }

  function sendOne(item, token) {
    var body = new FormData();
    Object.keys(item.draft.fields).forEach(function (field) {
      var value = item.draft.fields[field];
      if (Array.isArray(value)) {
        value.forEach(function (one) { body.append(field, one); });
      } else {
        body.append(field, value);
      }
    });
    body.set("csrf_token", token);
    return photos(item.name, false).then(function (files) {
      (files || []).forEach(function (file) { body.append("photos", file, file.name); });
      return fetch(item.draft.url, { method: "POST", body: body, credentials: "same-origin",
                                     headers: { "X-Requested-With": "fetch" } });
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.ok && json) {  // recorded, now or by an earlier sending of the same key
        return response.json().then(function (done) {
          return forgetSent(item, new URL(done.url, location.href).href);
        });
      }
      if (response.status === 422) {  // refused at a field: to correct in its form
        item.draft.pending = false;
        item.draft.refused = true;
        localStorage.setItem(item.name, JSON.stringify(item.draft));
        return null;
      }
      throw new Error("not sent: " + response.status);  // tried again later
    });
  }

  function sendWaiting() {
    clearTimeout(retryTimer);
    var queue = waiting().filter(function (item) {
      return item.name !== openDraft && item.draft.url;
    });
    if (sending || !queue.length || navigator.onLine === false) { return; }
    sending = true;
    pendingBox.textContent = text.sending;
    freshToken().then(function (token) {
      return queue.reduce(function (chain, item) {  // one after the other
        return chain.then(function () { return sendOne(item, token); });
      }, Promise.resolve());
    }).then(function () {
      sending = false;
      showPending();
    }, function () {
      sending = false;
      showPending();
      if (!needsLogin) { retryTimer = setTimeout(sendWaiting, 15000); }
    });
  }

  /* --- logout: nothing of the day stays on the phone ---------------------------------------- */

  function wipeEverything() {
    drafts().forEach(function (item) { localStorage.removeItem(item.name); });
    var jobs = [wipeCaches()];
    if (window.indexedDB && indexedDB.deleteDatabase) {
      jobs.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase("grants-drafts");
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    jobs.push(registration.then(function (ready) { return ready.unregister(); }));
    return Promise.all(jobs.map(function (job) { return job.catch(function () {}); }));
  }

  Array.prototype.forEach.call(document.querySelectorAll("form"), function (logoutForm) {
    if (new URL(logoutForm.action, location.href).pathname !== text.logout) { return; }
    logoutForm.addEventListener("submit", function (event) {
      if (logoutForm.dataset.wiped) { return; }
      event.preventDefault();
      if (waiting().length && !window.confirm(text.logoutConfirm)) { return; }
      wipeEverything().then(function () {
        logoutForm.dataset.wiped = "1";
        logoutForm.submit();
      });
    });
  });

  /* --- on opening the page ------------------------------------------------------------------- */

  document.addEventListener("grants:drafts", showPending);
  window.addEventListener("storage", showPending);  // another tab
  window.addEventListener("online", sendWaiting);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { sendWaiting(); }
  });
  showState();
  showPending();
  sendWaiting();
}());
