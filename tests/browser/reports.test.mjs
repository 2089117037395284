// Admin → Reports in real Chromium against the real binary: the figures of a visitor's
// conversation as text and as SVG charts with their own labels, the period picker
// (a custom period before the conversation holds nothing), and a table's CSV download
// with the session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setUpServerAndBrowser, openConsole, openVisitor, visitorSays } from './harness.mjs';

/** The text of the summary row named `figure`. */
async function figure(page, name) {
  return page.locator('#report-summary tr', { hasText: name }).locator('td').nth(1).innerText();
}

test('admins see the period as charts and tables and download a table as CSV', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'Is the blue teapot back in stock?');
  const page = await openConsole(browser, server, { watch: { acceptDialogs: true } });
  await page.goto(`${server.url}/console/#/admin/reports`);
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
  await page.locator('#report-summary').waitFor();

  assert.equal(await figure(page, 'Conversations'), '1');
  assert.equal(await figure(page, 'Resolved by the bot alone'), '0 % (0 of 1)');
  assert.equal(await figure(page, 'Ratings'), 'No ratings yet.');
  // Charts are images with a label that says what they show, and their numbers are
  // in a table too.
  const perDay = page.getByRole('img', { name: /Conversations per day: 1 in all/ });
  await perDay.waitFor();
  assert.equal(await perDay.locator('rect').count(), 1, 'one bar part: the day with the conversation');
  await page.getByRole('img', { name: /Visitor messages by weekday and hour; busiest: .+ \(1\)/ }).waitFor();
  const rows = page.locator('#report-days tbody tr');
  assert.equal(await rows.count(), 30, 'the last 30 days by default');
  const today = await rows.last().locator('td').allTextContents();
  // With an agent: the admin, online in the console, was given the conversation.
  assert.deepEqual(today.slice(1), ['0', '0', '1']);

  // The days table as CSV, downloaded with the session.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#report-days').getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  assert.match(file.suggestedFilename(), /^deskbell-days-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = (await readFile(await file.path(), 'utf8')).trim().split('\n');
  assert.equal(csv[0], 'day,conversations,bot_only,handed_off,agent');
  assert.equal(csv.length, 31);
  assert.match(csv[30], /^\d{4}-\d{2}-\d{2},1,0,0,1$/);

  // A custom period before today holds nothing.
  await page.getByLabel('Period', { exact: true }).selectOption('custom');
  await page.getByLabel('First day').fill('2020-01-01');
  await page.getByLabel('Last day').fill('2020-01-31');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#report-days tbody tr').nth(30).waitFor({ state: 'attached' });
  assert.equal(await figure(page, 'Conversations'), '0');
  // Seven days.
  await page.getByLabel('Period', { exact: true }).selectOption('7');
  await page.waitForFunction(() => document.querySelectorAll('#report-days tbody tr').length === 7);
  assert.equal(await figure(page, 'Conversations'), '1');
  assert.deepEqual(page.problems, []);
});
