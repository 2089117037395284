// The console's search box (issue #15), in real Chromium against the real binary: "/"
// focuses it (and "?" lists it), a query shows ranked results with the matching words
// in <mark> elements built from text (a visitor's markup stays text), clicking a result
// opens its conversation, the filters narrow them, Escape clears the box and the inbox
// comes back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openConsole, openVisitor, setUpServerAndBrowser, visitorSays } from './harness.mjs';

test('agents find a conversation by its words and open it', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'My <b>teapot</b> arrived broken <img src=x onerror=alert(1)>');
  const other = await openVisitor(browser, server);
  await visitorSays(other, '我的茶壶坏了');
  await agent.locator('.conv-row').nth(1).waitFor();

  await agent.keyboard.press('?');
  const help = agent.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Search conversations').waitFor();
  await agent.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  await agent.keyboard.press('/');
  assert.equal(await agent.evaluate(() => document.activeElement?.classList.contains('search-input')), true);
  await agent.keyboard.type('broken tea');
  const result = agent.locator('.search-row');
  await result.first().waitFor();
  assert.equal(await result.count(), 1);
  const marks = await result.locator('mark').allTextContents();
  assert.deepEqual(marks, ['teapot', 'broken']);
  const snippet = await result.locator('.search-snippet').textContent();
  assert.match(snippet ?? '', /<b>teapot<\/b> arrived broken <img/, 'markup stays text');
  assert.equal(await result.locator('b, img').count(), 0, 'no element from the visitor');
  assert.equal(await agent.locator('.tabs').isHidden(), true, 'results replace the inbox');

  // The filters under the box narrow the results as the API's do.
  const status = agent.getByLabel('Status', { exact: true });
  await status.selectOption('closed');
  await agent.locator('.search-status', { hasText: 'Nothing found' }).waitFor();
  await status.selectOption('');
  await result.first().waitFor();
  const yesterday = new Date(Date.now() - 86_400_000);
  const day = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
  await agent.getByLabel('Until day').fill(day);
  await agent.locator('.search-status', { hasText: 'Nothing found' }).waitFor();
  await agent.getByLabel('Until day').fill('');
  await agent.getByLabel('Site', { exact: true }).fill('another-shop');
  await agent.locator('.search-status', { hasText: 'Nothing found' }).waitFor();
  await agent.getByLabel('Site', { exact: true }).fill('');
  await result.first().waitFor();
  assert.equal(await result.count(), 1);

  await agent.locator('.search-input').fill('茶壶');
  await agent.locator('.search-row mark', { hasText: '茶壶' }).waitFor();
  const href = await result.first().getAttribute('href');
  await result.first().click();
  await agent.waitForFunction((h) => location.hash === h, href);
  await agent.locator('.msg', { hasText: '我的茶壶坏了' }).first().waitFor();

  await agent.locator('.search-input').focus();
  await agent.keyboard.press('Escape');
  assert.equal(await agent.locator('.search-input').inputValue(), '');
  await agent.locator('.tabs').waitFor();
  assert.deepEqual(agent.problems, []);
});
