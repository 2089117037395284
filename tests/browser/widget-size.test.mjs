// The widget is downloaded by every visitor of the shop, often on a phone: its bundle
// (the files in web/widget/bundle.txt, concatenated as build.rs does) must stay within
// 20,000 bytes after gzip -9. Runs without a server or a browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './harness.mjs';

const BUDGET_BYTES = 20000;

/** The bundle exactly as build.rs writes it: each listed file followed by a newline. */
function widgetBundle() {
  const dir = join(repoRoot, 'web/widget');
  return readFileSync(join(dir, 'bundle.txt'), 'utf8').split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((name) => `${readFileSync(join(dir, name), 'utf8')}\n`)
    .join('');
}

test('the widget stays within 20,000 bytes gzipped', () => {
  const gzipped = gzipSync(Buffer.from(widgetBundle()), { level: 9 }).length;
  console.log(`widget.js: ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
  assert.ok(gzipped <= BUDGET_BYTES, `widget.js is ${gzipped} bytes gzipped, over the ${BUDGET_BYTES} budget`);
});
