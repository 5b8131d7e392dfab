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

// Reminders: the server's daily push (`worker/src/organisation/reminders.rs`) carries what
// to say; each shows as one notification, replacing the last, that opens My work.
self.addEventListener("push", (event) => {
  let reminder = {};
  try {
    reminder = event.data ? event.data.json() : {};
  } catch {
    // Not a reminder of ours: a push must still show something.
  }
  const title = reminder.title || "Ratchet";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: reminder.body || "Something in your work is new.",
      // One per organisation (its name is in the title), each day's replacing the last.
      tag: `ratchet-reminder-${title}`,
      renotify: true,
      icon: "/icons/icon-192.png",
      timestamp: reminder.sent_ms,
      data: { url: reminder.url || "/my-work" },
    }),
  );
});

// Opens the reminder's page in a window of the app if one is open (from the cached shell,
// so offline too), else in a new one. Named, so a test can run exactly what a click runs.
async function openReminder(notification) {
  notification.close();
  const asked = new URL(notification.data?.url || "/my-work", self.location.origin);
  // Only the app's own pages.
  const url = asked.origin === self.location.origin ? asked.href : new URL("/my-work", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window" });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!open) return self.clients.openWindow(url);
  // Focus first, while the click's permission lasts (a browser may refuse it regardless).
  await open.focus().catch(() => {});
  await open.navigate(url);
}

self.addEventListener("notificationclick", (event) => event.waitUntil(openReminder(event.notification)));
