// @ts-check
// Web Push on this device: registers the service worker (sw.js, which also makes the
// console installable), "Notify this device" (subscribe with the server's VAPID key and
// POST the subscription, docs/API.md "Web Push") and "stop notifying this device".
// The server pushes only while no console tab of the agent is visible.

import { api } from './api.js';
import { describeUserAgent } from './format.js';

/** localStorage: the server's id of this device's subscription, while it is on. */
const KEY = 'deskbell.push';

export function pushSupported() {
  return 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
}

/** Registers the worker and follows its "open this conversation" messages. */
export function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => { /* no push here */ });
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || data.deskbell !== 'open') return;
    try {
      const url = new URL(String(data.url), location.href);
      if (url.origin === location.origin && url.pathname === location.pathname) location.hash = url.hash;
    } catch { /* not a URL */ }
  });
  forgetIfGone();
}

/** 'on' | 'off' | 'blocked' | 'unsupported'. */
export function pushState() {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return localStorage.getItem(KEY) ? 'on' : 'off';
}

/** The browser dropped the subscription (cleared site data, expired): show it as off. */
async function forgetIfGone() {
  if (!pushSupported() || !localStorage.getItem(KEY)) return;
  try {
    const registration = await navigator.serviceWorker.ready;
    if (!(await registration.pushManager.getSubscription())) localStorage.removeItem(KEY);
  } catch { /* keep what we know */ }
}

/** Base64url (the server's key) → bytes. */
function bytesOf(b64url) {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Whether an existing subscription was made with `key` (bytes). */
function sameKey(subscription, key) {
  const own = subscription.options && subscription.options.applicationServerKey;
  if (!own) return false;
  const a = new Uint8Array(own);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

/** Turns push on for this device (from a click: it may ask for permission), or off. */
export async function togglePush() {
  if (!pushSupported()) return 'unsupported';
  if (localStorage.getItem(KEY)) {
    await stopPush();
    return pushState();
  }
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') return 'blocked';
  const { public_key: publicKey } = await api.get('/api/push/key');
  const key = bytesOf(publicKey);
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  // One made for another server key (a new data directory) would be refused: renew it.
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const device = await api.post('/api/push/subscriptions', { ...subscription.toJSON(), label: describeUserAgent(navigator.userAgent) });
  localStorage.setItem(KEY, String(device.id));
  return 'on';
}

/** Logging out: this device stops notifying the agent who leaves (best effort). */
export async function stopPushOnLogout() {
  if (!pushSupported() || !localStorage.getItem(KEY)) return;
  try { await stopPush(); } catch { /* the session ends anyway */ }
}

/** Stops notifying this device: on the server first, then in the browser. */
async function stopPush() {
  const id = localStorage.getItem(KEY);
  if (id) {
    try {
      await api.del(`/api/push/subscriptions/${encodeURIComponent(id)}`);
    } catch (e) {
      if (!(e && e.status === 404)) throw e;
    }
  }
  localStorage.removeItem(KEY);
  try {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) await subscription.unsubscribe();
  } catch { /* the server no longer pushes to it anyway */ }
}
