// @ts-check
// The console's languages: a dictionary per language (i18n-en.js, i18n-zh-CN.js, and the
// admin pages' in i18n-en-admin.js, i18n-zh-CN-admin.js; both languages complete, with
// the same keys and placeholders: tests/browser/i18n.test.mjs), `t(key, args)`
// with {placeholders} and plural forms, and the language in use. The agent chooses it on
// their profile (`console_language` on their account, PATCH /api/me); without a choice,
// and before login, it is the browser's: Chinese (any zh) → zh-CN, anything else → en.
// The last language used is remembered in localStorage, so the login page after a
// logout speaks it too.
//
// A dictionary value is a string, or for counts an object of plural forms
// ({ one, other }, chosen by Intl.PluralRules with args.n), or (for example data such as
// the FAQ starting points) any JSON value, read with `tv`.

import { EN as EN_MAIN } from './i18n-en.js';
import { EN_ADMIN } from './i18n-en-admin.js';
import { ZH_CN as ZH_CN_MAIN } from './i18n-zh-CN.js';
import { ZH_CN_ADMIN } from './i18n-zh-CN-admin.js';

/** Every text of each language, by key. */
export const EN = { ...EN_MAIN, ...EN_ADMIN };
const ZH_CN = { ...ZH_CN_MAIN, ...ZH_CN_ADMIN };

/** @type {Record<string, Record<string, any>>} */
export const DICTIONARIES = { en: EN, 'zh-CN': ZH_CN };

/** The console's languages: [code, name in that language]. */
export const LANGUAGES = [['en', 'English'], ['zh-CN', '简体中文']];

const KEY = 'deskbell.lang';

/** The browser's language as a console language: zh-CN for any Chinese, else en. */
export function browserLanguage() {
  const tags = [...(navigator.languages || []), navigator.language || 'en'];
  return /^zh\b/i.test(tags[0] || '') ? 'zh-CN' : 'en';
}

function remembered() {
  try {
    const saved = localStorage.getItem(KEY);
    return saved && DICTIONARIES[saved] ? saved : null;
  } catch {
    return null;
  }
}

let lang = remembered() || browserLanguage();
document.documentElement.lang = lang;

/** The language in use: 'en' or 'zh-CN'. */
export function language() {
  return lang;
}

/**
 * Uses the agent's choice (`console_language` from /api/me; null: the browser's).
 * Returns true when that changed the language (what is on screen was drawn in another).
 * @param {string | null | undefined} choice
 */
export function useLanguage(choice) {
  const next = choice && DICTIONARIES[choice] ? choice : browserLanguage();
  try { localStorage.setItem(KEY, next); } catch { /* private mode: not remembered */ }
  if (next === lang) return false;
  lang = next;
  document.documentElement.lang = lang;
  return true;
}

/** The raw dictionary value of `key` (English when this language lacks it). */
export function tv(key) {
  const own = DICTIONARIES[lang][key];
  return own !== undefined ? own : EN[key];
}

/**
 * The text of `key` with {placeholders} filled from `args`; a value of plural forms
 * picks by `args.n`. An unknown key shows as itself (the test catches those).
 * @param {string} key
 * @param {Record<string, any>} [args]
 * @returns {string}
 */
export function t(key, args) {
  let text = tv(key);
  if (text === undefined) return key;
  if (typeof text === 'object' && text !== null) {
    const form = new Intl.PluralRules(lang).select(Number(args && args.n) || 0);
    text = text[form] !== undefined ? text[form] : text.other;
  }
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (args && args[name] !== undefined ? String(args[name]) : whole));
}

/** Joins names as a sentence list: "A, B and C" / "A、B和C". */
export function listOf(names) {
  try {
    const Lists = /** @type {any} */ (Intl).ListFormat; // es2021: not in the checked lib
    return new Lists(lang, { type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}

/** Codes whose server message says what exactly was wrong: kept after the translation. */
const DETAILED = new Set([4000, 4002, 4030, 4040, 4090, 4290, 5030]);

/**
 * An error from the server (HTTP API or WebSocket) for the agent: in English the
 * server's own message; in other languages the translation of its stable code
 * (docs/PROTOCOL.md, "Error codes"), with the server's detail where it names the
 * field or the reason.
 * @param {number | undefined} code
 * @param {string | undefined} message
 */
export function errorText(code, message) {
  const own = code ? DICTIONARIES[lang][`error.${code}`] : undefined;
  if (lang === 'en' || own === undefined) return message || t('error.unknown');
  return DETAILED.has(Number(code)) && message ? t('error.withDetail', { text: own, detail: message }) : own;
}
