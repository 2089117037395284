// Verified customers (issue #14) in real Chromium against the real binary: an admin makes
// the site's identity secret in the console, the shop page calls deskbell.identify() with
// a hash computed as a shop's server would (node:crypto), the agent's visitor panel shows
// "Verified customer", the user id and the attributes; a second browser identifying as
// the same customer sees the same conversation; deskbell.logout() starts a fresh,
// anonymous visitor who sees nothing of the customer's chat.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { api, openConsole, openVisitor, setUpServerAndBrowser, visitorSays, widget } from './harness.mjs';

/** Calls deskbell.identify on the shop page once the widget script has loaded. */
async function identify(page, user) {
  await page.waitForFunction(() => window.deskbell && typeof window.deskbell.identify === 'function');
  await page.evaluate((u) => window.deskbell.identify(u), user);
}

test('an identified customer shows as verified with attributes, on every device, until logout', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  await agent.getByRole('link', { name: 'Admin' }).click();
  await agent.getByRole('link', { name: 'Verified customers' }).click();
  await agent.getByRole('button', { name: 'Make a secret' }).click();
  await agent.getByText('A new secret for “default” is ready').waitFor();
  await agent.locator('.identity-site[data-site="default"]').waitFor();
  const sites = await api(server, 'GET', '/api/identity', undefined, token);
  const secret = sites.body.sites[0].secret;
  assert.match(secret, /^[0-9a-f]{64}$/);

  const user = {
    id: 'cust-1042', name: 'Fang Wang', email: 'fang@example.com',
    attributes: { vip: 'gold', orders: 12 },
    hash: createHmac('sha256', secret).update('cust-1042').digest('hex'),
  };
  const phone = await openVisitor(browser, server);
  await identify(phone, user);
  await visitorSays(phone, 'Where is my parcel?');

  await agent.getByRole('link', { name: 'Inbox' }).click();
  await agent.getByRole('tab', { name: /All open/ }).click();
  await agent.locator('.conv-row', { hasText: 'Where is my parcel?' }).click();
  const panel = agent.locator('.visitor-panel');
  await panel.locator('.verified-badge', { hasText: 'Verified customer' }).waitFor();
  await panel.locator('.visitor-name', { hasText: 'Fang Wang' }).waitFor();
  for (const [key, value] of [['User ID', 'cust-1042'], ['vip', 'gold'], ['orders', '12']]) {
    await panel.locator('dt', { hasText: key }).waitFor();
    await panel.locator('dd', { hasText: value }).first().waitFor();
  }

  // Another browser, the same customer: the same conversation.
  const laptop = await openVisitor(browser, server);
  await identify(laptop, user);
  await widget(laptop, '.launcher').click();
  await widget(laptop, '.msg.me .bubble').getByText('Where is my parcel?').waitFor();

  // Logout on the phone: a fresh anonymous visitor who sees nothing of it.
  await phone.evaluate(() => window.deskbell.logout());
  await widget(phone, '.msg.me .bubble').getByText('Where is my parcel?').waitFor({ state: 'detached' });
  await visitorSays(phone, 'Just browsing');
  const rows = await Promise.all([1, 2, 3].map((id) => api(server, 'GET', `/api/visitors/${id}`, undefined, token)));
  const found = rows.filter((r) => r.status === 200).map((r) => r.body);
  const verified = found.filter((v) => v.verified);
  assert.equal(verified.length, 1, 'one customer, one visitor');
  const anonymous = found.find((v) => !v.verified && v.conversations.length);
  assert.ok(anonymous, 'the visitor after logout is a new, anonymous one');
  assert.equal(anonymous.conversations[0].preview, 'Just browsing');
  assert.deepEqual(anonymous.attributes, {});
  assert.deepEqual(phone.problems, []);
  assert.deepEqual(laptop.problems, []);
  assert.deepEqual(agent.problems, []);
});
