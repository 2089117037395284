// Admin → API keys and Admin → Audit log in real Chromium against the real binary:
// create a key and see it once (copy button), use it from outside, find it gone from
// the page after a reload (listed by its prefix only), revoke it (it stops working at
// once), and read both actions in the audit log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpServerAndBrowser, openConsole, api } from './harness.mjs';

test('admins create a key, see it once, revoke it, and find both in the audit log', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const page = await openConsole(browser, server, { watch: { acceptDialogs: true } });
  await page.goto(`${server.url}/console/#/admin/keys`);
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await page.getByText('No API keys yet.').waitFor();

  // Create: the key is shown once, with a copy button.
  const form = page.locator('form');
  await form.getByLabel('Name').fill('CRM sync');
  await form.getByLabel('Scope').selectOption('read');
  await form.getByLabel('Only this site').fill('shop');
  await form.getByRole('button', { name: 'Create key' }).click();
  const box = page.locator('.key-secret');
  await box.getByText('shown only this once').waitFor();
  const key = (await box.locator('code').textContent()).trim();
  assert.match(key, /^dk_[0-9a-f]{64}$/);
  await box.getByRole('button', { name: 'Copy' }).click();
  await box.getByRole('button', { name: 'Copied' }).waitFor();
  const row = page.locator('.key-row', { hasText: 'CRM sync' });
  await row.getByText('Only site shop').waitFor();
  await row.getByText(key.slice(0, 11)).waitFor();

  // The key works from outside (read, its site only).
  const listed = await api(server, 'GET', '/api/v1/conversations', undefined, key);
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(listed.body, { conversations: [], next_before: null });

  // After a reload the key is nowhere on the page: only its prefix.
  await page.reload();
  await row.getByText(/^Created /).waitFor();
  const html = await page.content();
  assert.ok(!html.includes(key.slice(11)), 'the key is not shown again');
  assert.equal(await page.locator('.key-secret').count(), 0);

  // Revoke: confirmed, marked, and the key stops working at once.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByText(/^Revoked /).waitFor();
  assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0);
  const refused = await api(server, 'GET', '/api/v1/conversations', undefined, key);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error, 'unauthorized');

  // The audit log names both, newest first, by id.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  const entries = page.locator('.audit-row strong');
  await entries.first().waitFor();
  assert.deepEqual(await entries.allTextContents(), ['API key #1 revoked', 'API key #1 created']);
  assert.deepEqual(page.problems, []);
});
