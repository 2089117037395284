// The chat widget in a real browser, against the real binary: a visitor on the demo shop
// and an agent driving the JSON WebSocket protocol from a second page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { api, createAdmin, launchBrowser, repoRoot, startServer } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A server with an admin (who is also an agent); stopped by the returned function. */
async function withServer(t, args = []) {
  const server = await startServer(args);
  t.after(() => server.stop());
  const token = await createAdmin(server);
  return { server, token };
}

/**
 * An agent speaking JSON over /ws from a page on the server's origin. It syncs every
 * conversation it hears of, so it sees their messages; `got` holds every frame received.
 */
async function openAgent(server, token) {
  const page = await browser.newPage();
  await page.goto(server.url + '/healthz');
  await page.evaluate((token) => new Promise((ok, fail) => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws', 'deskbell.v1.json');
    const synced = new Set();
    window.got = [];
    window.ws = ws;
    window.follow = (id) => {
      if (synced.has(id)) return;
      synced.add(id);
      ws.send(JSON.stringify({ sync: { conversation: id, after_seq: 0 } }));
    };
    ws.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      window.got.push(frame);
      if (frame.welcome) { frame.welcome.conversations.forEach((c) => window.follow(c.id)); ok(); }
      if (frame.conversation) window.follow(frame.conversation.id);
    };
    ws.onopen = () => ws.send(JSON.stringify({ hello_agent: { token } }));
    ws.onerror = () => fail(new Error('agent socket failed'));
  }), token);
  const agent = {
    page,
    send: (frame) => page.evaluate((f) => window.ws.send(JSON.stringify(f)), frame),
    /** Waits until fn(window.got, arg) is truthy in the page; resolves to its value. */
    waitFor: async (fn, arg, timeout = 10000) => {
      const handle = await page.waitForFunction(
        ([src, a]) => new Function('got', 'arg', `return (${src})(got, arg)`)(window.got, a),
        [fn.toString(), arg], { timeout, polling: 50 });
      return handle.jsonValue();
    },
    /** The visitor messages with this body the agent received. */
    messages: (body) => page.evaluate((b) => window.got.filter((f) => f.message && f.message.body === b)
      .map((f) => f.message), body),
    close: () => page.close(),
  };
  return agent;
}

/** A visitor's page on the demo shop (own browser context: own storage). */
async function openVisitor(server, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('pageerror', (e) => { page.errors = (page.errors || []).concat(e.message); });
  await page.goto(server.url + (options.path || '/demo/'));
  return { context, page };
}

const launcher = (page) => page.locator('[data-deskbell] .launcher');
const composer = (page) => page.locator('[data-deskbell] textarea');
const bubbles = (page, who) => page.locator(`[data-deskbell] .msg.${who}:not(.greeting) .bubble`);

test('visitor and agent chat: send, reply, typing, read ticks, history after reload', async (t) => {
  const { server, token } = await withServer(t);
  const agent = await openAgent(server, token);
  const { page } = await openVisitor(server);

  await launcher(page).click();
  await assert.doesNotReject(composer(page).waitFor());
  await composer(page).fill('Do you ship to Norway?');
  await composer(page).press('Enter');

  const first = await agent.waitFor((got, body) => got.find((f) => f.message?.body === body)?.message,
    'Do you ship to Norway?');
  const conversation = first.conversation;
  await page.locator('[data-deskbell] .msg.me .tick').first().getByText('✓').waitFor();

  await agent.send({ typing: { conversation, on: true } });
  await page.locator('[data-deskbell] .typing').getByText('admin is typing').waitFor();
  await agent.send({ send: { conversation, client_id: 'a-1', body: 'Yes! <b>3-5 days</b>' } });
  await bubbles(page, 'them').getByText('Yes! <b>3-5 days</b>').waitFor();
  assert.ok(await page.locator('[data-deskbell] .typing').isHidden(), 'typing line gone with the message');
  assert.match(await page.locator('[data-deskbell] .sub').textContent(), /chatting with admin/);

  await agent.send({ read: { conversation, seq: first.seq } });
  await page.locator('[data-deskbell] .msg.me .tick.read').waitFor();

  // Visitor typing reaches the agent; the visitor's reads reach the agent too.
  await composer(page).fill('Gre');
  await composer(page).press('t');
  await agent.waitFor((got) => got.some((f) => f.typing?.author.kind === 'visitor' && f.typing.on));
  await agent.waitFor((got) => got.some((f) => f.read_up_to?.reader === 'visitor'));
  await composer(page).press('Shift+Enter');
  await composer(page).type('Thanks');
  await composer(page).press('Enter');
  await agent.waitFor((got) => got.some((f) => f.message?.body === 'Gret\nThanks'));

  // Keyboard: Escape closes and gives focus back to the launcher.
  await composer(page).press('Escape');
  assert.ok(await page.locator('[data-deskbell] .panel').isHidden());
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.deskbell !== undefined), true);
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');

  // Unread badge while closed, cleared on opening.
  await agent.send({ send: { conversation, client_id: 'a-2', body: 'Anything else?' } });
  await page.locator('[data-deskbell] .badge').getByText('1').waitFor();
  await launcher(page).click();
  assert.ok(await page.locator('[data-deskbell] .badge').isHidden());

  // After a reload the panel is open again (it was open in this tab) with the history.
  await page.reload();
  await page.locator('[data-deskbell] .launcher[aria-expanded=true]').waitFor();
  await bubbles(page, 'them').getByText('Anything else?').waitFor();
  const mine = await bubbles(page, 'me').allTextContents();
  assert.deepEqual(mine, ['Do you ship to Norway?', 'Gret\nThanks']);
  assert.equal(await bubbles(page, 'them').count(), 2);
  assert.deepEqual(page.errors || [], []);
});
