/* Our service worker: the field officer's pages without network.
 *
 * Registered by js/offline.js for the follow-up pages (/suivi/; the static server sends the
 * Service-Worker-Allowed header that lets a file of /static/ control them, grants/assets.py).
 *
 * - "prepare" (a message from the worklist's button): asks the server which pages to take
 *   (the worklist, the next days' visits and their forms, the files they need: the server
 *   lists only the officer's regions), fetches them into a new cache, and only when all came
 *   replaces the previous one; a state entry says who prepared it, when, and how many visits.
 * - pages: from the network first; without network (or a network that hangs), from the
 *   cache; a page not taken shows the "not available offline" page. Static files (their
 *   names carry their content's hash): from the cache first.
 * - sending forms (POST) is left to the pages (js/visit-draft.js, js/offline.js).
 * Nothing is cached but what "prepare" takes, and logout wipes it (Clear-Site-Data).
 */
"use strict";

var CACHE_PREFIX = "grants-offline-";
var PARALLEL = 4;  // requests at once: enough on 3G, gentle with the server
var SLOW_NETWORK_MS = 10000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function offlineCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(CACHE_PREFIX) === 0; });
  });
}

function take(cache, urls, required) {
  var queue = urls.slice();
  function next() {
    var url = queue.shift();
    if (!url) { return Promise.resolve(); }
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      // A redirect (a visit recorded meanwhile) or a refusal: that page is not taken.
      if (response.ok && !response.redirected) { return cache.put(url, response); }
      if (required) { throw new Error(url + " " + response.status); }
      return null;
    }).then(next);
  }
  var workers = [];
  for (var i = 0; i < PARALLEL; i += 1) { workers.push(next()); }
  return Promise.all(workers);
}

function prepare(listUrl, stateUrl) {
  var name = CACHE_PREFIX + Date.now();
  return fetch(listUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok || response.redirected) { throw new Error("list " + response.status); }
    return response.json();
  }).then(function (list) {
    return caches.open(name).then(function (cache) {
      return take(cache, list.assets, true).then(function () {
        return take(cache, list.pages, false);
      }).then(function () {
        var state = { user: list.user, preparedAt: list.prepared_at, visits: list.visits.length };
        return cache.put(stateUrl, new Response(JSON.stringify(state), {
          headers: { "Content-Type": "application/json" } })).then(function () { return state; });
      });
    });
  }).then(function (state) {
    return offlineCaches().then(function (names) {
      return Promise.all(names.filter(function (other) { return other !== name; })
        .map(function (other) { return caches.delete(other); }));
    }).then(function () { return state; });
  }, function (error) {
    return caches.delete(name).then(function () { throw error; });  // the old one stays
  });
}

function wipe() {
  return offlineCaches().then(function (names) {
    return Promise.all(names.map(function (name) { return caches.delete(name); }));
  });
}

self.addEventListener("message", function (event) {
  var port = event.ports && event.ports[0];
  function reply(answer) { if (port) { port.postMessage(answer); } }
  var data = event.data || {};
  var work = data.type === "prepare" ? prepare(data.list, data.state)
    : data.type === "wipe" ? wipe() : Promise.reject(new Error("unknown message"));
  event.waitUntil(work.then(function (state) { reply({ ok: true, state: state }); },
                            function (error) { reply({ ok: false, error: String(error) }); }));
});

function cached(request) { return caches.match(request, { ignoreVary: true }); }

/* A page from the network; its cached copy when the network fails, the gateway answers that
 * the server is out of reach (502-504), or nothing comes for SLOW_NETWORK_MS (a 3G link that
 * hangs); the "not available offline" page when there is no copy. */
function page(request) {
  var network = fetch(request);
  return cached(request).then(function (hit) {
    function instead() {
      if (hit) { return hit; }
      var fallback = new URL("hors-ligne", self.registration.scope).href;
      return cached(fallback).then(function (other) { return other || Response.error(); });
    }
    var answer = network.then(function (response) {
      return hit && response.status >= 502 && response.status <= 504 ? hit : response;
    }, instead);
    if (!hit) { return answer; }
    return Promise.race([answer, new Promise(function (resolve) {
      setTimeout(function () { resolve(hit); }, SLOW_NETWORK_MS);
    })]);
  });
}

function staticFile(request) {
  return cached(request).then(function (hit) { return hit || fetch(request); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (url.href.indexOf(self.registration.scope) === 0) { event.respondWith(page(request)); }
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(request));
  }
});
