/* Lentera's service worker (served at /sw.js, which prepends VERSION and SHELL).
   Static files: cache first (their URLs carry a content hash). Pages: network first, a copy
   kept in the signed-in user's own cache ("lentera-user-<partition>", the partition comes
   from the X-Lentera-User response header), served from there only while that same user is
   the one last seen online. Signing out clears everything (Clear-Site-Data + offline.js). */
"use strict";
var STATIC = "lentera-static-" + VERSION, META = "lentera-meta";

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("lentera-static-") === 0 && k !== STATIC;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function who() {
  return caches.open(META).then(function (c) { return c.match("/__user"); })
    .then(function (r) { return r ? r.text() : ""; });
}

function remember(user) {
  return caches.open(META).then(function (c) { return c.put("/__user", new Response(user)); });
}

function offlinePage() {
  return new Response('<!doctype html><html lang="id"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · Lentera</title><link rel="stylesheet" href="' + SHELL[0] + '">' +
    '<main id="main"><h1>Tidak ada sambungan</h1><p>Halaman ini belum pernah dibuka atau ' +
    'diunduh di ponsel ini. Buka lagi saat ada sinyal.</p><p><a href="/">Kembali</a></p></main>',
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(request) {
  return fetch(request).then(function (response) {
    var user = response.headers.get("X-Lentera-User");
    if (user && response.ok && !response.redirected) {
      var copy = response.clone();
      remember(user).then(function () {
        return caches.open("lentera-user-" + user);
      }).then(function (c) { return c.put(request.url, copy); });
    } else if (!user && response.ok) {
      remember("");  // a signed-out page: nobody's personal pages may be shown now
    }
    return response;
  }, function () {
    return who().then(function (user) {
      if (!user) return offlinePage();
      return caches.open("lentera-user-" + user).then(function (c) {
        return c.match(request.url, { ignoreVary: true });
      }).then(function (hit) { return hit || offlinePage(); });
    });
  });
}

function media(request) {
  return who().then(function (user) {
    return user ? caches.open("lentera-user-" + user)
      .then(function (c) { return c.match(request.url, { ignoreVary: true }); }) : null;
  }).then(function (hit) { return hit || fetch(request); });
}

self.addEventListener("fetch", function (e) {
  var r = e.request, url = new URL(r.url);
  if (r.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(r, { ignoreVary: true }).then(function (hit) {
      return hit || fetch(r);
    }));
  } else if (/^\/courses\/[^/]+\/media\//.test(url.pathname)) {
    e.respondWith(media(r));
  } else if (r.mode === "navigate" && !r.headers.get("HX-Request")) {
    e.respondWith(page(r));
  }
});

/* Background Sync: wake an open page to send the queue (it holds the user's CSRF token). */
self.addEventListener("sync", function (e) {
  if (e.tag !== "lentera-sync") return;
  e.waitUntil(self.clients.matchAll({ type: "window" }).then(function (all) {
    all.forEach(function (c) { c.postMessage("sync"); });
  }));
});
