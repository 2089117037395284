// Admin → AI responder in real Chromium against the real binary: off by default, set
// up for a local Ollama (the private-address opt-in), the key write-only (the page and
// the API only say it is set, after a reload too), kept when the field is left empty,
// and a refused setting shown as the server's message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpServerAndBrowser, openConsole, api } from './harness.mjs';

test('admins set up the AI responder and never see its key again', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const page = await openConsole(browser, server, { watch: { expectedStatus: /status of 40[014]/ } });
  await page.goto(`${server.url}/console/#/admin/responder`);
  await page.getByRole('heading', { name: 'AI responder' }).waitFor();
  const form = page.locator('form');
  assert.equal(await form.locator('select[name="mode"]').inputValue(), 'never');

  // A local model needs the opt-in: refused without it, with the server's reason.
  await form.locator('select[name="mode"]').selectOption('when_unsure');
  await form.locator('input[name="url"]').fill('http://127.0.0.1:11434/v1');
  await form.locator('input[name="key"]').fill('sk-local-secret');
  await form.locator('input[name="model"]').fill('qwen2.5:7b');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.locator('.form-error', { hasText: 'loopback' }).waitFor();
  await form.getByLabel('Allow addresses on this machine or the local network').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Responder settings saved.').waitFor();

  await page.reload();
  await page.getByRole('heading', { name: 'AI responder' }).waitFor();
  const key = page.locator('form').locator('input[name="key"]');
  await page.locator('input[name="key"][placeholder^="set"]').waitFor();
  assert.equal(await key.inputValue(), '', 'the key is never filled in');
  assert.ok(!(await page.content()).includes('sk-local-secret'));
  assert.equal(await page.locator('form').locator('input[name="model"]').inputValue(), 'qwen2.5:7b');

  // Saved again with the key left empty: kept.
  await page.locator('form').getByLabel('Time limit (seconds)').fill('5');
  await page.locator('form').getByRole('button', { name: 'Save' }).click();
  await page.getByText('Responder settings saved.').last().waitFor();
  const shown = await api(server, 'GET', '/api/responder', undefined, token);
  assert.equal(shown.status, 200, shown.text);
  assert.equal(shown.body.key_set, true);
  assert.equal(shown.body.timeout_ms, 5000);
  assert.ok(!shown.text.includes('sk-local-secret'));
  assert.deepEqual(page.problems, []);
});
