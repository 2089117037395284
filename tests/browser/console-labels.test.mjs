// Labels in the console (issue #15), in real Chromium against the real binary: the admin
// defines one on Admin → Labels, tags a chat from its view, a colleague's inbox shows the
// chip live and filters by it, and × takes it off again for both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgent, openConsole, openVisitor, setUpServerAndBrowser, visitorSays } from './harness.mjs';

test('labels are defined by an admin, added and removed live, and filter the inbox', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const bob = await createAgent(server, token, 'Bob');
  // The duplicate name below is refused with 409, on purpose.
  const alice = await openConsole(browser, server, { watch: { expectedStatus: /status of 40[149]/ } });
  await alice.goto(`${server.url}/console/#/admin/labels`);
  await alice.getByRole('heading', { name: 'Labels', level: 1 }).waitFor();
  const create = alice.locator('form.new-label');
  await create.getByLabel('Name').fill('Broken item');
  await create.getByRole('button', { name: 'Add label' }).click();
  await alice.locator('.label-row .label-chip', { hasText: 'Broken item' }).waitFor();
  await create.getByLabel('Name').fill('broken ITEM');
  await create.getByRole('button', { name: 'Add label' }).click();
  await create.locator('.form-error', { hasText: 'already exists' }).waitFor();
  await create.getByLabel('Name').fill('Wholesale');
  await create.getByRole('button', { name: 'Add label' }).click();
  await alice.locator('.label-row .label-chip', { hasText: 'Wholesale' }).waitFor();

  const colleague = await openConsole(browser, server, { login: { name: 'Bob', password: bob.password } });
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'My teapot arrived broken');
  await alice.goto(`${server.url}/console/#/inbox/open`);
  await alice.locator('.conv-row').first().click();
  await alice.locator('.conv-labels select.label-add').selectOption({ label: 'Broken item' });
  await alice.locator('.conv-labels .label-chip', { hasText: 'Broken item' }).waitFor();

  // Bob sees it live in his inbox, and the filter keeps or hides the chat.
  await colleague.getByRole('tab', { name: /All open/ }).click();
  const row = colleague.locator('.conv-row', { hasText: 'My teapot arrived broken' });
  await row.locator('.label-chip', { hasText: 'Broken item' }).waitFor();
  const filter = colleague.getByLabel('Show conversations with a label');
  await filter.selectOption({ label: 'Wholesale' });
  await row.waitFor({ state: 'detached' });
  await filter.selectOption({ label: 'Broken item' });
  await row.waitFor();

  // × takes it off, for both.
  await alice.getByRole('button', { name: 'Remove the label Broken item' }).click();
  await alice.locator('.conv-labels .label-chip').waitFor({ state: 'detached' });
  await row.waitFor({ state: 'detached' });
  await filter.selectOption({ label: 'All labels' });
  await row.waitFor();
  assert.equal(await row.locator('.label-chip').count(), 0);
  assert.deepEqual(alice.problems, []);
  assert.deepEqual(colleague.problems, []);
});
