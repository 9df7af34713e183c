// Service worker: keeps the offline field app (/field/) on the phone so it opens with no
// signal. Everything else goes to the network, so the phone always runs the server's current
// version when online; the cached copy is only the fallback when the network fails.
const VERSION = "field-1";
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
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            const key = url.pathname === "/field" || url.pathname === "/field/index.html" ? "/field/" : request;
            caches.open(VERSION).then((cache) => cache.put(key, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname.startsWith("/field") && !url.pathname.includes(".") ? "/field/" : request)),
    );
    return;
  }
  if (request.mode === "navigate") {
    // Any page opened with no network (the home screen icon in a basement): field work.
    event.respondWith(fetch(request).catch(() => caches.match("/field/")));
  }
});
