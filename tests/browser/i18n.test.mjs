// The console's dictionaries (web/console/i18n*.js), checked without a browser: English
// and Simplified Chinese have the same keys and the same {placeholders} in every text
// (and every plural form), no Chinese text is left in English, and every key the
// console's files ask for with t('…') or t(`prefix.${…}`) exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

import { EN } from '../../web/console/i18n-en.js';
import { EN_ADMIN } from '../../web/console/i18n-en-admin.js';
import { ZH_CN } from '../../web/console/i18n-zh-CN.js';
import { ZH_CN_ADMIN } from '../../web/console/i18n-zh-CN-admin.js';

const en = { ...EN, ...EN_ADMIN };
const zh = { ...ZH_CN, ...ZH_CN_ADMIN };
const consoleDir = fileURLToPath(new URL('../../web/console/', import.meta.url));

/** The {placeholders} of a text, a plural form object or example data, sorted. */
function placeholders(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

test('English and Chinese have the same keys and placeholders', () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(zh[key]), placeholders(en[key]), key);
    if (typeof en[key] === 'object' && !Array.isArray(en[key])) {
      assert.ok('other' in en[key], `${key}: plural forms need "other"`);
      for (const form of Object.values(en[key])) assert.deepEqual(placeholders(form), placeholders(en[key]), key);
    }
  }
  // The main and admin halves do not overlap (one would silently win).
  for (const key of Object.keys(EN_ADMIN)) assert.ok(!(key in EN), `${key} is in both halves`);
});

test('every Chinese text is in Chinese', () => {
  // "Webhook" is what Chinese admin consoles call them too.
  const same = new Set(['deliveries.sink.webhook', 'admin.page.webhooks']);
  for (const [key, value] of Object.entries(zh)) {
    if (same.has(key)) continue;
    assert.notDeepEqual(value, en[key], `${key} is not translated`);
    // Chinese characters, or nothing but placeholders and punctuation ("#{id}“{title}”").
    const text = JSON.stringify(value).replace(/\{\w+\}/g, '');
    assert.ok(/[\u4e00-\u9fff]/.test(text) || !/[A-Za-z]/.test(text), `${key}: ${text}`);
  }
});

function consoleFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return consoleFiles(path);
    return entry.name.endsWith('.js') && !entry.name.startsWith('i18n-') ? [path] : [];
  });
}

test('every key the console asks for exists', () => {
  const keys = Object.keys(en);
  let asked = 0;
  for (const file of consoleFiles(consoleDir)) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bt\(\s*'([^']+)'/g)) {
      asked++;
      assert.ok(m[1] in en, `${file}: t('${m[1]}') has no text`);
    }
    for (const m of source.matchAll(/\bt\(\s*`([\w.]+)\.\$\{/g)) {
      asked++;
      assert.ok(keys.some((k) => k.startsWith(`${m[1]}.`)), `${file}: no key starts with ${m[1]}.`);
    }
  }
  assert.ok(asked > 300, `only ${asked} uses of t() found`);
});

test('no file that translates hides t() behind a variable of its own', () => {
  for (const file of consoleFiles(consoleDir)) {
    const source = readFileSync(file, 'utf8');
    if (!/import \{[^}]*\bt\b[^}]*\} from '\.\.?\/i18n\.js'/.test(source)) continue;
    const shadow = /\b(?:const|let|var) t\b|\bfor \((?:const|let) t\b|\(t\) =>|\bt =>|function \w*\(t[,)]/.exec(source);
    assert.equal(shadow, null, `${file}: "${shadow && shadow[0]}" hides the translation function`);
  }
});
