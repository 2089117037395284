// Admin → Webhooks in real Chromium against the real binary (started with
// --allow-private-webhooks so it may reach a receiver on 127.0.0.1): add an endpoint and
// see its secret once, test it against a real receiver that checks the signature, see a
// visitor's message in the delivery log, redeliver it, disable, delete.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import crypto from 'node:crypto';
import { setUpServerAndBrowser, openConsole, WAIT_MS } from './harness.mjs';

/** The Standard Webhooks check (as in docs/WEBHOOKS.md). */
function verify(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`).update(body).digest('base64');
  return (headers['webhook-signature'] || '').split(' ').includes(`v1,${expected}`);
}

/** A receiver on 127.0.0.1 recording every request; `secret` is set once known. */
async function startReceiver() {
  const r = { got: [], secret: null };
  r.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      r.got.push({ headers: req.headers, json: JSON.parse(body.toString()), verified: verify(r.secret, req.headers, body) });
      res.end('ok');
    });
  });
  await new Promise((ok) => r.server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${r.server.address().port}/hook`;
  r.waitFor = async (n) => {
    const until = Date.now() + WAIT_MS;
    while (r.got.length < n && Date.now() < until) await new Promise((ok) => setTimeout(ok, 50));
    return r.got;
  };
  return r;
}

test('admins add, test, watch, redeliver, disable and delete a webhook endpoint', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot', '--allow-private-webhooks']);
  const receiver = await startReceiver();
  t.after(() => receiver.server.close());
  const page = await openConsole(browser, server, { watch: { acceptDialogs: true } });
  await page.goto(`${server.url}/console/#/admin/webhooks`);
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  await page.getByText('No webhook endpoints yet.').waitFor();

  // Add: the secret is shown once, with a copy button.
  await page.getByLabel('URL').fill(receiver.url);
  await page.getByLabel('Description').fill('CRM');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secretBox = page.locator('.webhook-secret');
  await secretBox.getByText('shown only this once').waitFor();
  receiver.secret = (await secretBox.locator('code').textContent()).trim();
  assert.match(receiver.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  const row = page.locator('.webhook-row', { hasText: receiver.url });
  await row.getByText('Active').waitFor();
  await row.getByText('message.visitor').waitFor();

  // Test: a signed ping reaches the receiver, the result is shown.
  await row.getByRole('button', { name: 'Test' }).click();
  await row.getByText(/OK: HTTP 200 in \d+ ms/).waitFor();
  const [ping] = await receiver.waitFor(1);
  assert.equal(ping.json.type, 'webhook.test');
  assert.ok(ping.verified, 'the ping verifies with the secret shown');

  // A visitor writes: the message is delivered and shows in the delivery log.
  const wire = await browser.newPage();
  await wire.goto(`${server.url}/healthz`);
  await wire.evaluate(() => new Promise((ok) => {
    const ws = new WebSocket(`ws://${location.host}/ws`, 'deskbell.v1.json');
    ws.onopen = () => ws.send(JSON.stringify({ hello_visitor: { site: 'default' } }));
    ws.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      if (frame.welcome) ws.send(JSON.stringify({ send: { client_id: 'v-1', body: 'Do you ship to Norway?' } }));
      if (frame.ack) ok(frame.ack);
    };
  }));
  const got = await receiver.waitFor(3);
  const message = got.find((g) => g.json.type === 'message.visitor');
  assert.ok(message && message.verified, 'the visitor message arrives signed');
  assert.equal(message.json.data.message.text, 'Do you ship to Norway?');
  await row.getByRole('button', { name: 'Deliveries' }).click();
  const attempt = row.locator('.webhook-attempt', { hasText: 'message.visitor' });
  await attempt.getByText('Delivered').waitFor();

  // Redeliver: the same event (same webhook-id) arrives again.
  await attempt.getByRole('button', { name: 'Redeliver' }).click();
  const again = await receiver.waitFor(4);
  assert.equal(again.length, 4);
  assert.equal(again[3].headers['webhook-id'], message.headers['webhook-id']);

  // Disable, enable, delete.
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByText('Disabled: disabled by an admin').waitFor();
  await row.getByRole('button', { name: 'Enable' }).click();
  await row.getByText('Active').waitFor();
  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('No webhook endpoints yet.').waitFor();
  assert.deepEqual(page.problems, []);
});
