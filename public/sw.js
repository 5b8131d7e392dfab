// Ratchet's service worker: keeps the app shell so the app starts with no network.
// The two tokens below are replaced at build time by `cargo xtask post-build` with the
// build's version and the list of its (content-hashed) files.
const VERSION = "__RATCHET_VERSION__";
const PRECACHE = ["__RATCHET_PRECACHE__"];
const CACHE = `ratchet-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("ratchet-shell-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // The API is never cached: sync must see the server's real answer or a real failure.
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  // Every page of the single-page app is the same shell.
  const key = request.mode === "navigate" ? "/" : request;
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(key).then((hit) => hit || fetch(request)),
    ),
  );
});
