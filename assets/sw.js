// Service worker: keeps the offline field app (/field/) on the phone so it opens with no
// signal. Everything else goes to the network, so the phone always runs the server's current
// version when online; the cached copy is only the fallback when the network fails.
const VERSION = "field-1";
// On a weak signal a request can hang for minutes before the browser gives up: a page not
// answered within this time comes from the phone (a late answer still refreshes the copy).
const NETWORK_TIMEOUT_MS = 4000;
// After such a wait, the app's script and styles come from the phone at once for a while,
// instead of each waiting out its own timeout.
const SLOW_FOR_MS = 60000;
let slowUntil = 0;
const SHELL = [
  "/field/",
  "/field/field.js",
  "/field/field.css",
  "/manifest.webmanifest",
  "/icon-192.png",
  "/icon-512.png",
  "/favicon.ico",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function withinTimeout(response) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      slowUntil = Date.now() + SLOW_FOR_MS;
      reject(new Error("timeout"));
    }, NETWORK_TIMEOUT_MS);
    response.then(
      (r) => { clearTimeout(timer); resolve(r); },
      (e) => { clearTimeout(timer); reject(e); },
    );
  });
}

// The phone's copy, or when it has none, whatever the network gives in the end.
function fromPhone(key, response) {
  return caches.match(key).then((copy) => copy || response);
}

function isShell(url) {
  return SHELL.includes(url.pathname) || url.pathname === "/field" || url.pathname === "/field/index.html";
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/_event")) return;
  if (isShell(url)) {
    // Network first, so a deploy reaches the phone at its next online start; refresh the copy.
    const response = fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        const key = url.pathname === "/field" || url.pathname === "/field/index.html" ? "/field/" : request;
        caches.open(VERSION).then((cache) => cache.put(key, copy));
      }
      return response;
    });
    response.catch(() => {}); // a failure is answered from the phone below
    const key = url.pathname.startsWith("/field") && !url.pathname.includes(".") ? "/field/" : request;
    const slow = request.mode !== "navigate" && Date.now() < slowUntil;
    event.respondWith(slow ? fromPhone(key, response) : withinTimeout(response).catch(() => fromPhone(key, response)));
    return;
  }
  if (request.mode === "navigate") {
    // Any page opened with no network (the home screen icon in a basement): field work.
    const response = fetch(request);
    event.respondWith(withinTimeout(response).catch(() => fromPhone("/field/", response)));
  }
});
