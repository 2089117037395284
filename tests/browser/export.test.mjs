// Admin → Export in real Chromium against the real binary: the admin downloads every
// conversation as JSON lines with the session (no key), and the optional filters (a
// start day, a site) narrow what the file holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setUpServerAndBrowser, openConsole, openVisitor, visitorSays } from './harness.mjs';

/** Clicks the download link and returns the saved file's lines, parsed. */
async function download(page) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the export' }).click(),
  ]);
  assert.equal(file.suggestedFilename(), 'deskbell-export.jsonl');
  const text = await readFile(await file.path(), 'utf8');
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

test('admins download every conversation as JSON lines, narrowed by day and site', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'Is the blue teapot back in stock?');
  const page = await openConsole(browser, server, { watch: { acceptDialogs: true } });
  await page.goto(`${server.url}/console/#/admin/export`);
  await page.getByRole('heading', { name: 'Export conversations' }).waitFor();

  const all = await download(page);
  assert.equal(all.length, 1);
  assert.equal(all[0].site, 'default');
  // The visitor's question, then the system line of the admin taking the conversation.
  assert.equal(all[0].messages[0].body, 'Is the blue teapot back in stock?');
  assert.equal(all[0].messages[0].author, 'visitor');

  // A start day in the future leaves nothing; today keeps the conversation.
  const tomorrow = new Date(Date.now() + 86_400_000);
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  await page.getByLabel('Only conversations started on or after').fill(day(tomorrow));
  assert.deepEqual(await download(page), []);
  await page.getByLabel('Only conversations started on or after').fill(day(new Date()));
  assert.equal((await download(page)).length, 1);

  // Another site's export is empty.
  await page.getByLabel('Only this site').fill('other-shop');
  assert.deepEqual(await download(page), []);
  assert.deepEqual(page.problems, []);
});
