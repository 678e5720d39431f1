/* Lentera offline: the service worker, the queue of work done without signal and its sync,
   course downloads, quiz autosave, and the one handler for failed htmx requests.
   Pages work without it; it only keeps work from being lost. Texts come from the page
   (#offline-text data-*), translated on the server. */
(function () {
  "use strict";
  var root = document.getElementById("page");
  if (!root) return;
  var user = root.dataset.user, T = (document.getElementById("offline-text") || root).dataset;
  var CACHE = "lentera-user-" + user, DB = "lentera-" + user;

  function $(sel, el) { return (el || document).querySelector(sel); }
  function csrf() {
    try { return JSON.parse(root.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function say(text) {
    var box = $("#net-status");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }
  function fill(text, n) { return (text || "").replace("%d", n); }

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "sync") sync(); });
  }

  /* ---- the queue: one IndexedDB store per user, one Idempotency-Key per item ---- */
  function db() {
    return new Promise(function (ok, fail) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("queue", { keyPath: "key" }); };
      req.onsuccess = function () { ok(req.result); };
      req.onerror = function () { fail(req.error); };
    });
  }
  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (ok, fail) {
        var tx = d.transaction("queue", mode), out = work(tx.objectStore("queue"));
        tx.oncomplete = function () { d.close(); ok(out && out.result); };
        tx.onerror = function () { d.close(); fail(tx.error); };
      });
    });
  }
  function all() {
    return store("readonly", function (s) { return s.getAll(); })
      .then(function (items) { return items.filter(function (i) { return i.kind; }); });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function drop(key) { return store("readwrite", function (s) { s.delete(key); }); }
  function newKey() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function enqueue(form) {
    if (!user) return Promise.resolve();
    var answers = {}, at = new Date().toISOString();
    form.querySelectorAll("input[name^=q]").forEach(function (el) {
      var id = el.name.slice(1);
      if (el.type === "text") answers[id] = el.value;
      else if (el.checked) (answers[id] = answers[id] || []).push(Number(el.value));
      else answers[id] = answers[id] || [];
    });
    return all().then(function (items) {
      var url = form.getAttribute("action");
      // One item per lesson or quiz: a second tap while offline queues nothing new.
      if (items.some(function (i) { return i.url === url && i.state === "pending"; })) return;
      return put({ key: newKey(), kind: form.dataset.queue, url: url, title: form.dataset.title,
                   api: form.dataset.api || url, at: at, state: "pending",
                   body: form.dataset.queue === "quiz" ? { answers: answers, answered_at: at }
                     : { completed_at: at } });
    }).then(later).then(show);
  }
  function later() {  // Background Sync, where the browser has it: wake a page to send
    if (!("SyncManager" in window) || !navigator.serviceWorker) return;
    return navigator.serviceWorker.ready.then(function (r) { return r.sync.register("lentera-sync"); })
      .catch(function () {});
  }

  /* The API never reads the session cookie: the signed-in page gets a short-lived bearer
     token (POST /offline/token, session + CSRF), kept in this user's IndexedDB. */
  function token(renew) {
    return store("readonly", function (s) { return s.get("__token"); }).then(function (t) {
      if (t && !renew && Date.parse(t.expires_at) > Date.now() + 60000) return t.token;
      return fetch(root.dataset.token, { method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrf() } }).then(function (r) {
        if (!r.ok) throw r;
        return r.json();
      }).then(function (j) {
        return put({ key: "__token", token: j.token, expires_at: j.expires_at })
          .then(function () { return j.token; });
      });
    });
  }
  function send(item, renew) {
    return token(renew).then(function (secret) {
      return fetch(item.api, { method: "POST", body: JSON.stringify(item.body),
        headers: { "Authorization": "Bearer " + secret, "Idempotency-Key": item.key,
                   "Content-Type": "application/json" } });
    }).then(function (r) { return r.status === 401 && !renew ? send(item, true) : r; });
  }

  /* ---- sync: Web Locks keep two tabs from sending at once; the key makes replays harmless ---- */
  var syncing = null;
  function sendAll() {
    return all().then(function (items) {
      var chain = Promise.resolve(), stop = false;
      items.filter(function (i) { return i.state === "pending"; }).forEach(function (item) {
        chain = chain.then(function () {
          if (stop) return;
          return send(item).then(function (r) {
              if (r.ok) return drop(item.key);
              if (r.status >= 500 || r.status === 429 || r.status === 401) { stop = true; return; }
              return r.json().catch(function () { return {}; }).then(function (j) {
                item.state = "refused";
                // A 404 is the API's generic "not found": say what it means for this item.
                item.reason = r.status === 404 ? T.refused404 : (j.error && j.error.message) ||
                  (r.status === 409 ? T.refused409 : T.refusedOther);
                return put(item);
              });
            }, function () { stop = true; });
        });
      });
      return chain;
    });
  }
  function sync() {
    if (!user || !navigator.onLine) return show();
    if (!syncing) {
      var run = navigator.locks ? navigator.locks.request("lentera-sync-" + user, sendAll) : sendAll();
      syncing = run.catch(function () {}).then(function () { syncing = null; return show(); });
    }
    return syncing;
  }

  function show() {
    var box = $("#sync-status");
    if (!box || !user) return Promise.resolve([]);
    return all().then(function (items) {
      var pending = items.filter(function (i) { return i.state === "pending"; });
      var refused = items.filter(function (i) { return i.state === "refused"; });
      box.hidden = !items.length;
      $("[data-sync-count]", box).textContent = fill(T.pending, pending.length);
      $("[data-sync-count]", box).hidden = !pending.length;  // refused items alone: no "0 …"
      $("[data-sync-now]", box).hidden = !pending.length;
      var list = $("[data-sync-refused]", box);
      list.textContent = "";
      refused.forEach(function (i) {
        var li = document.createElement("li"), b = document.createElement("button");
        li.textContent = (i.title || i.url) + ": " + i.reason + " ";
        b.type = "button"; b.className = "small"; b.textContent = T.dismiss;
        b.onclick = function () { drop(i.key).then(show); };
        li.appendChild(b); list.appendChild(li);
      });
      markDone(pending);
      return items;
    }).catch(function () { return []; });
  }

  function markDone(pending) {
    var start = $("form[data-offline-quiz]");
    if (start && pending.some(function (i) { return i.url === start.dataset.offlineQuiz; })) {
      var note = document.createElement("p");
      note.className = "done-badge"; note.setAttribute("role", "status");
      note.textContent = T.quizQueued;
      start.replaceWith(note);
    }
    var form = $("form[data-queue=complete]");
    if (!form || !pending.some(function (i) { return i.url === form.getAttribute("action"); })) return;
    var done = document.createElement("p");
    done.className = "done-badge";
    done.setAttribute("role", "status");
    done.textContent = T.doneLocal;
    var next = document.createElement("a");
    next.className = "btn primary block"; next.href = form.dataset.next; next.textContent = T.next;
    form.replaceWith(done, next);
  }

  /* ---- an untimed quiz without signal: its questions from the download, answers queued ---- */
  function offlineQuiz(start) {
    var slug = location.pathname.split("/")[2];
    return caches.open(CACHE).then(function (c) { return c.match(meta(slug)); })
      .then(function (r) { return r ? r.json() : null; }).then(function (have) {
        var quiz = have && have.quizzes && have.quizzes[location.pathname];
        if (!quiz) { say(start.dataset.offlineMessage); return; }
        var form = document.createElement("form"), note = document.createElement("p");
        form.className = "quiz"; form.dataset.queue = "quiz";
        form.dataset.title = start.dataset.title;
        form.setAttribute("action", start.dataset.offlineQuiz);
        note.className = "note"; note.textContent = T.quizOffline; form.appendChild(note);
        quiz.questions.forEach(function (q) {
          var set = document.createElement("fieldset"), p = document.createElement("div");
          set.className = "question"; p.className = "prompt"; p.innerHTML = q.prompt_html;
          set.appendChild(p);
          if (q.kind === "short") {
            var input = document.createElement("input");
            input.type = "text"; input.name = "q" + q.id; input.maxLength = 500;
            input.setAttribute("aria-label", p.textContent.trim());
            set.appendChild(input);
          }
          q.options.forEach(function (o) {
            var label = document.createElement("label"), box = document.createElement("input");
            var text = document.createElement("span");
            label.className = "choice";
            box.type = q.kind === "multiple" ? "checkbox" : "radio";
            box.name = "q" + q.id; box.value = o.id; text.innerHTML = " " + o.html;
            label.appendChild(box); label.appendChild(text); set.appendChild(label);
          });
          form.appendChild(set);
        });
        var send = document.createElement("button");
        send.type = "submit"; send.className = "btn primary block"; send.textContent = T.quizSave;
        form.appendChild(send);
        form.addEventListener("submit", function (e) {
          e.preventDefault();
          enqueue(form).then(function () {
            var done = document.createElement("p");
            done.className = "done-badge"; done.setAttribute("role", "status");
            done.textContent = T.quizQueued;
            form.replaceWith(done);
          });
        });
        start.replaceWith(form);
      });
  }
  document.addEventListener("submit", function (e) {
    var start = e.target;
    if (!start.dataset.offlineQuiz || navigator.onLine) return;
    e.preventDefault(); e.stopPropagation();
    offlineQuiz(start);
  }, true);

  /* ---- one handler for every failed htmx request: say so, keep what the user did ---- */
  document.addEventListener("htmx:sendError", function (e) {
    var elt = e.detail.elt, form = elt.closest && elt.closest("form");
    if (form && form.dataset.offlineQuiz) { offlineQuiz(form); return; }
    if (form && form.dataset.queue) {
      enqueue(form).then(function () { say(""); });
      return;
    }
    var cfg = e.detail.requestConfig || {};
    if (cfg.verb === "get" && cfg.boosted) {  // a link: let the service worker answer
      location.href = cfg.path;
      return;
    }
    say((form && form.dataset.offlineMessage) || T.offline);
  });
  document.addEventListener("htmx:responseError", function (e) {
    var x = e.detail.xhr;
    say(fill(x.status >= 500 ? T.server : T.refused, x.status));
  });
  document.addEventListener("htmx:beforeRequest", function () { say(""); });

  /* ---- quiz answers: on the device always, on the server when online ---- */
  function answers(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (k === "csrf_token") return;
      (out[k] = out[k] || []).push(v);
    });
    return out;
  }
  function autosave(form) {
    var key = "lentera:" + user + ":attempt:" + form.dataset.attempt, timer = null;
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept) form.querySelectorAll("input").forEach(function (el) {
        var v = kept[el.name];
        if (!v) return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = v.indexOf(el.value) >= 0;
        else if (el.type === "text") el.value = v[0];
      });
    } catch (e) { /* storage may be full or blocked: the server copy remains */ }
    function save() {
      try { localStorage.setItem(key, JSON.stringify(answers(form))); } catch (e) { /* see above */ }
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(form.dataset.autosave, { method: "POST", body: new FormData(form),
          credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
          .then(function (r) { status(form, r.ok ? T.savedServer : T.savedDevice); },
                function () { status(form, T.savedDevice); });
      }, 600);
    }
    form.addEventListener("change", save);
    form.addEventListener("input", save);
    form.addEventListener("htmx:afterRequest", function (e) {
      if (e.detail.successful) localStorage.removeItem(key);
    });
  }
  function status(form, text) { var s = $("[data-autosave-status]", form); if (s) s.textContent = text; }

  /* ---- downloading a course: every lesson page and image into this user's cache ---- */
  function meta(slug) { return "/__offline/" + slug; }
  function downloads(box) {
    var slug = box.dataset.offlineCourse, bar = $("[data-dl-progress]", box);
    var state = $("[data-dl-state]", box), start = $("[data-dl-start]", box);
    var update = $("[data-dl-update]", box), remove = $("[data-dl-remove]", box);
    if (!user || !window.caches) return;
    box.hidden = false;
    function refresh() {
      return caches.open(CACHE).then(function (c) { return c.match(meta(slug)); })
        .then(function (r) { return r ? r.json() : null; }).then(function (have) {
          start.hidden = !!have; remove.hidden = !have;
          state.textContent = have ? T.available : "";
          if (have && navigator.onLine) {
            fetch(box.dataset.package, { credentials: "same-origin" })
              .then(function (r) { return r.json(); })
              .then(function (pkg) { update.hidden = pkg.version === have.version; })
              .catch(function () {});
          }
          return have;
        });
    }
    function download() {
      start.disabled = update.disabled = true;
      bar.hidden = false; bar.value = 0;
      state.textContent = T.downloading;
      var cache, pkg;
      return caches.open(CACHE).then(function (c) { cache = c; return fetch(box.dataset.package, { credentials: "same-origin" }); })
        .then(function (r) { if (!r.ok) throw r; return r.json(); })
        .then(function (p) {
          pkg = p;
          var urls = p.lessons.map(function (l) { return [l.url, l.bytes, { "X-Lentera-Prefetch": "1" }]; })
            .concat(p.media.map(function (m) { return [m.url, m.bytes, {}]; }));
          var done = 0, i = 0;
          function next() {
            if (i >= urls.length) return null;
            var u = urls[i++];
            return fetch(u[0], { credentials: "same-origin", headers: u[2] }).then(function (r) {
              if (!r.ok) throw r;
              return cache.put(u[0], r);
            }).then(function () {
              done += u[1];
              bar.value = Math.min(100, Math.round(100 * done / p.total_bytes));
              return next();
            });
          }
          return Promise.all([next(), next()]);
        })
        .then(function () {
          bar.value = 100;
          var quizzes = {};
          pkg.lessons.forEach(function (l) {
            if (l.quiz && !l.quiz.time_limit_minutes) quizzes[new URL(l.url).pathname] = l.quiz;
          });
          return cache.put(meta(slug), new Response(JSON.stringify({
            version: pkg.version, quizzes: quizzes, urls: pkg.lessons.map(function (l) { return l.url; })
              .concat(pkg.media.map(function (m) { return m.url; })) })));
        })
        .then(refresh, function () { state.textContent = T.downloadFailed; })
        .then(function () { start.disabled = update.disabled = false; bar.hidden = true; update.hidden = true; });
    }
    start.onclick = update.onclick = download;
    remove.onclick = function () {
      caches.open(CACHE).then(function (c) {
        return c.match(meta(slug)).then(function (r) { return r ? r.json() : { urls: [] }; })
          .then(function (have) {
            return Promise.all(have.urls.map(function (u) { return c.delete(u); }))
              .then(function () { return c.delete(meta(slug)); });
          });
      }).then(refresh);
    };
    refresh();
  }

  /* ---- signing out on a shared phone: sync first, or warn; then forget this learner ---- */
  function forget() {
    var revoke = store("readonly", function (s) { return s.get("__token"); }).then(function (t) {
      return t && fetch(root.dataset.api + "/auth/token", { method: "DELETE",
        headers: { "Authorization": "Bearer " + t.token } });
    }).catch(function () {});
    var work = [revoke.then(function () {
      return new Promise(function (ok) {
        var req = indexedDB.deleteDatabase(DB); req.onsuccess = req.onerror = req.onblocked = ok;
      });
    })];
    if (window.caches) work.push(caches.delete(CACHE));
    try {
      Object.keys(localStorage).forEach(function (k) {
        if (k.indexOf("lentera:" + user + ":") === 0) localStorage.removeItem(k);
      });
    } catch (e) { /* nothing stored */ }
    return Promise.all(work);
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("form[data-signout]") || form.dataset.ready) return;
    e.preventDefault();
    // Offline the server never hears of it: the session would stay signed in for the next
    // person on this phone while the page looked signed out. Say so and keep everything.
    if (!navigator.onLine) { say(T.signoutOffline); return; }
    sync().then(function (items) {
      var left = (items || []).filter(function (i) { return i.state === "pending"; }).length;
      if (left && !window.confirm(fill(T.signoutWarn, left))) return;
      return forget().then(function () { form.dataset.ready = "1"; form.submit(); });
    });
  }, true);

  function init(el) {
    el.querySelectorAll("form[data-autosave]").forEach(autosave);
    el.querySelectorAll("[data-offline-course]").forEach(downloads);
    if (!navigator.onLine) {
      var start = $("form[data-offline-message]", el);
      if (start) say(start.dataset.offlineMessage);
    }
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("#net-status")) say("");
    if (e.target.closest("[data-sync-now]")) sync();
  });
  window.addEventListener("online", sync);
  document.addEventListener("htmx:load", function (e) { if (e.detail.elt !== document.body) init(e.detail.elt); });
  init(document);
  sync();
})();
