// The widget is downloaded by every visitor of the shop, often on a phone: its bundle
// (the files in web/widget/bundle.txt, concatenated as build.rs does) must stay within
// 20,000 bytes after gzip -9. Runs without a server or a browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { widgetBundle } from './harness.mjs';

const BUDGET_BYTES = 20000;

test('the widget stays within 20,000 bytes gzipped', () => {
  const gzipped = gzipSync(Buffer.from(widgetBundle()), { level: 9 }).length;
  console.log(`widget.js: ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
  assert.ok(gzipped <= BUDGET_BYTES, `widget.js is ${gzipped} bytes gzipped, over the ${BUDGET_BYTES} budget`);
});
