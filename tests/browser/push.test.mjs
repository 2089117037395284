// The console as an installable web app with Web Push, in real Chromium against the real
// binary: the manifest and its icons load, the service worker registers for /console/,
// the console tells the server whether its page is visible, "Notify this device"
// subscribes with the server's VAPID key and posts the subscription (and takes it back,
// also when the agent logs out), and the worker shows a push as a notification that
// leads to its conversation.
//
// Headless Chromium has no push service, so only PushManager.prototype.subscribe is
// stubbed: it makes the keys a browser would (an ECDH P-256 key pair, a 16-byte secret)
// and an endpoint at a made-up https push service.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpServerAndBrowser, openConsole, api } from './harness.mjs';

/** Runs in the console page before its scripts. */
function stubs() {
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  window.subscribeCalls = [];
  PushManager.prototype.subscribe = async function subscribe(options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.subscribeCalls.push({ userVisibleOnly: options.userVisibleOnly, key: b64url(key) });
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const p256dh = b64url(await crypto.subtle.exportKey('raw', pair.publicKey));
    const auth = b64url(crypto.getRandomValues(new Uint8Array(16)));
    const endpoint = `https://push.example/device/${auth}`;
    return {
      endpoint,
      options: { userVisibleOnly: true, applicationServerKey: key.buffer },
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
      unsubscribe: async () => true,
    };
  };
  // What the console sends over its WebSocket.
  window.sentFrames = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function record(data) {
    window.sentFrames.push(String(data));
    return send.call(this, data);
  };
}

test('the console installs as a web app and "Notify this device" subscribes', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const page = await openConsole(browser, server, { initScript: stubs });

  // The manifest, linked from the page, with icons that load.
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifestUrl = new URL(href, `${server.url}/console/`).href;
  const manifest = await page.request.get(manifestUrl);
  assert.equal(manifest.status(), 200);
  assert.match(manifest.headers()['content-type'], /^application\/manifest\+json/);
  const app = await manifest.json();
  assert.equal(app.scope, '/console/');
  assert.equal(app.display, 'standalone');
  for (const icon of app.icons) {
    const res = await page.request.get(new URL(icon.src, manifestUrl).href);
    assert.equal(res.status(), 200, icon.src);
    assert.equal(res.headers()['content-type'], icon.type, icon.src);
    if (icon.type === 'image/png') {
      const png = await res.body();
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
    }
  }
  assert.ok(app.icons.some((i) => i.sizes === '512x512' && i.purpose === 'maskable'));

  // The service worker registers for the console's scope and takes control.
  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return { scope: registration.scope, script: registration.active && registration.active.scriptURL };
  });
  assert.equal(worker.scope, `${server.url}/console/`);
  assert.equal(worker.script, `${server.url}/console/sw.js`);
  const sw = await page.request.get(`${server.url}/console/sw.js`);
  assert.match(sw.headers()['content-type'], /^text\/javascript/);

  // The console reported that its page is visible.
  await page.waitForFunction(() => window.sentFrames.includes('{"visibility":{"visible":true}}'));

  // "Notify this device": subscribes with the server's key, posts the subscription.
  await page.context().grantPermissions(['notifications'], { origin: server.url });
  const key = (await api(server, 'GET', '/api/push/key', undefined, token)).body.public_key;
  const button = page.getByRole('button', { name: /Notify this device/ });
  await button.click();
  await page.getByRole('button', { name: /stop notifying this device/ }).waitFor();
  const calls = await page.evaluate(() => window.subscribeCalls);
  assert.deepEqual(calls, [{ userVisibleOnly: true, key }]);
  const devices = (await api(server, 'GET', '/api/push/subscriptions', undefined, token)).body;
  assert.equal(devices.length, 1);
  assert.equal(devices[0].service, 'push.example');
  assert.match(devices[0].label, /Chrome/);

  // The service worker shows a push as a notification that leads to the conversation
  // (the push is handed to it through the DevTools protocol, as a push service would).
  const cdp = await page.context().newCDPSession(page);
  const registered = new Promise((ok) => cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const mine = registrations.find((r) => r.scopeURL === `${server.url}/console/` && !r.isDeleted);
    if (mine) ok(mine.registrationId);
  }));
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registered;
  const payload = { title: 'Maria is waiting', body: 'Do you ship to Norway?', conversation: 12, url: '/console/#/c/12', tag: 'deskbell-c12', event: 'evt_1' };
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId, data: JSON.stringify(payload) });
  const notification = () => page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const [n] = await registration.getNotifications();
    return n ? { title: n.title, body: n.body, tag: n.tag, url: n.data.url } : null;
  });
  // Up to 15 s: a cold first run of Chromium once took more than 5 s to show it.
  let shown = null;
  for (let tries = 0; !shown && tries < 300; tries++) {
    shown = await notification();
    if (!shown) await page.waitForTimeout(50);
  }
  assert.deepEqual(shown, { title: payload.title, body: payload.body, tag: payload.tag, url: `${server.url}/console/#/c/12` });

  // And "stop notifying this device" takes it back.
  await page.getByRole('button', { name: /stop notifying this device/ }).click();
  await button.waitFor();
  assert.deepEqual((await api(server, 'GET', '/api/push/subscriptions', undefined, token)).body, []);

  // Logging out stops notifying this device for the agent who leaves.
  await button.click();
  await page.getByRole('button', { name: /stop notifying this device/ }).waitFor();
  assert.equal((await api(server, 'GET', '/api/push/subscriptions', undefined, token)).body.length, 1);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  assert.deepEqual((await api(server, 'GET', '/api/push/subscriptions', undefined, token)).body, []);
  assert.deepEqual(page.problems, []);
});
