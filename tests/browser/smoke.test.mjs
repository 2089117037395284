// The binary serves its browser files: the console page loads under its CSP, the demo
// page loads the widget script, which is the bundle the size test measures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, widgetBundle } from './harness.mjs';

test('console and demo pages are served by the binary', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const console = await page.goto(server.url + '/');
    assert.equal(console.status(), 200);
    assert.match(page.url(), /\/console\/$/);
    assert.match(console.headers()['content-security-policy'], /script-src 'self'/);
    const widget = await page.request.get(server.url + '/widget.js');
    assert.equal(widget.status(), 200);
    assert.match(widget.headers()['content-type'], /javascript/);
    // The size test measures the same bytes the binary serves (build.rs's bundle rule).
    assert.equal(await widget.text(), widgetBundle());
    const demo = await page.goto(server.url + '/demo/');
    assert.equal(demo.status(), 200);
  } finally {
    await browser.close();
    await server.stop();
  }
});
