// @ts-check
// The console's service worker (scope /console/): shows the Web Push notifications the
// server sends when a visitor waits or writes while the agent is not looking (payload:
// src/push/rules.rs), and opens or focuses the console at that conversation when one is
// tapped. It caches nothing: the console needs the server anyway.
//
// Checked with the console's DOM types (web/jsconfig.json); the worker's own types are
// named in the JSDoc casts below.

const sw = /** @type {any} */ (self);

sw.addEventListener('install', () => sw.skipWaiting());
sw.addEventListener('activate', (/** @type {any} */ event) => event.waitUntil(sw.clients.claim()));

/** A URL inside the console (anything else falls back to the inbox). */
function consoleUrl(url) {
  const scope = sw.registration.scope;
  try {
    const target = new URL(String(url || ''), scope);
    if (target.href.startsWith(scope)) return target.href;
  } catch { /* not a URL */ }
  return scope;
}

sw.addEventListener('push', (/** @type {any} */ event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { /* not JSON: a plain notice */ }
  const title = String(data.title || 'deskbell').slice(0, 120);
  const options = {
    body: String(data.body || 'A visitor needs you.').slice(0, 240),
    tag: String(data.tag || 'deskbell'),
    renotify: true,
    icon: 'icon-192.png',
    data: { url: consoleUrl(data.url), conversation: Number(data.conversation) || 0 },
  };
  event.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener('notificationclick', (/** @type {any} */ event) => {
  event.notification.close();
  const url = consoleUrl(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => w.url.startsWith(sw.registration.scope));
    if (open) {
      // The console follows its hash route: tell it where to go, then bring it forward.
      open.postMessage({ deskbell: 'open', url });
      return open.focus();
    }
    return sw.clients.openWindow(url);
  })());
});
