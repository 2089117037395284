// @ts-check
// Formatting helpers: names, times, user agents, byte lengths, in the console's language
// (i18n.js). Pure functions.

import { t, language } from './i18n.js';
import { visitorCard } from './visitor-cards.js';

/** The visitor's name, else their friendly generated one ("Amber Otter", in the
 * console's language), else "Visitor #id" until that is fetched. */
export function visitorLabel(conv) {
  const name = conv && conv.visitor_name && conv.visitor_name.trim();
  if (name) return name;
  const card = conv ? visitorCard(conv.visitor) : null;
  if (card) return language().startsWith('zh') ? card.alias.zh : card.alias.en;
  return t('format.visitor', { id: conv ? conv.visitor : '?' });
}

/** The page a visitor is on, short: its path (and query) on the shop, '' when unknown. */
export function pagePath(page) {
  if (!page) return '';
  try {
    const url = new URL(page);
    const path = `${url.pathname}${url.search}`;
    return path === '/' ? url.host : path;
  } catch {
    return String(page);
  }
}

/** One or two letters for an avatar. */
export function initials(name) {
  const words = String(name || '').replace(/#\d+$/, '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : words[0].slice(0, 2);
  return letters.toUpperCase();
}

/** A stable avatar colour class for an id. */
export function avatarClass(id) {
  return `av-${Number(id) % 8}`;
}

const two = (n) => String(n).padStart(2, '0');

/** "14:05" in the agent's local time. */
export function clock(ms) {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "Today", "Yesterday", "Monday 3 March". */
export function dayLabel(ms, now = Date.now()) {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return t('format.today');
  const yesterday = new Date(now - 86400000);
  if (sameDay(d, yesterday)) return t('format.yesterday');
  return d.toLocaleDateString(language(), { weekday: 'long', day: 'numeric', month: 'long' });
}

/** Short time for lists: "now", "5 min", "14:05", "Mon", "3 Mar". */
export function shortTime(ms, now = Date.now()) {
  if (!ms) return '';
  const diff = now - ms;
  if (diff < 60000) return t('format.now');
  if (diff < 3600000) return t('format.minutes', { n: Math.floor(diff / 60000) });
  const d = new Date(ms);
  if (sameDay(d, new Date(now))) return clock(ms);
  if (diff < 6 * 86400000) return d.toLocaleDateString(language(), { weekday: 'short' });
  return d.toLocaleDateString(language(), { day: 'numeric', month: 'short' });
}

/** "4 min", "2 h", "3 days". */
export function duration(ms) {
  const min = Math.max(0, Math.floor(ms / 60000));
  if (min < 1) return t('format.underMinute');
  if (min < 60) return t('format.minutes', { n: min });
  const hours = Math.floor(min / 60);
  if (hours < 48) return t('format.hours', { n: hours });
  return t('format.days', { n: Math.floor(hours / 24) });
}

/** "UTC+1", "UTC-3:30" for minutes east of UTC. */
export function offsetLabel(min) {
  if (min === null || min === undefined || Number.isNaN(Number(min))) return '';
  const sign = min < 0 ? '-' : '+';
  const abs = Math.abs(min);
  const rest = abs % 60;
  return `UTC${sign}${Math.floor(abs / 60)}${rest ? `:${two(rest)}` : ''}`;
}

/** The visitor's local wall-clock time, from their offset east of UTC. */
export function localTimeAt(offsetMin, now = Date.now()) {
  const d = new Date(now + offsetMin * 60000);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** A rough "Chrome 120 on Android" from a user agent string. */
export function describeUserAgent(ua) {
  if (!ua) return '';
  const pick = (re) => { const m = ua.match(re); return m ? m[1] : null; };
  let browser = t('format.unknownBrowser');
  let v;
  if ((v = pick(/Edg(?:e|A|iOS)?\/(\d+)/))) browser = `Edge ${v}`;
  else if ((v = pick(/(?:OPR|Opera)\/(\d+)/))) browser = `Opera ${v}`;
  else if ((v = pick(/SamsungBrowser\/(\d+)/))) browser = `Samsung Internet ${v}`;
  else if ((v = pick(/(?:Firefox|FxiOS)\/(\d+)/))) browser = `Firefox ${v}`;
  else if ((v = pick(/(?:Chrome|CriOS|Chromium)\/(\d+)/))) browser = `Chrome ${v}`;
  else if (/Safari\//.test(ua) && (v = pick(/Version\/(\d+(?:\.\d+)?)/))) browser = `Safari ${v}`;
  let os = '';
  if (/iPhone|iPod/.test(ua)) os = 'iPhone';
  else if (/iPad/.test(ua)) os = 'iPad';
  else if ((v = pick(/Android (\d+(?:\.\d+)?)/))) os = `Android ${v}`;
  else if (/Android/.test(ua)) os = 'Android';
  else if (/Windows/.test(ua)) os = 'Windows';
  else if (/Mac OS X|Macintosh/.test(ua)) os = 'macOS';
  else if (/CrOS/.test(ua)) os = 'ChromeOS';
  else if (/Linux/.test(ua)) os = 'Linux';
  const mobile = /Mobi|iPhone|Android/.test(ua) && os !== 'iPhone';
  return os ? t(mobile ? 'format.browserOnMobile' : 'format.browserOn', { browser, os }) : browser;
}

/** A language tag as a readable name: "en-GB" → "British English (en-GB)". */
export function languageName(tag) {
  if (!tag) return '';
  try {
    const names = new Intl.DisplayNames(language(), { type: 'language' });
    const name = names.of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

const encoder = new TextEncoder();
/** UTF-8 length in bytes (the server's body limit is in bytes). */
export function byteLength(text) {
  return encoder.encode(text).length;
}

/** A random client message id ("a-" + 16 hex digits); works without a secure context. */
export function clientId(prefix = 'a') {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
