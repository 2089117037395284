// The chat widget in a real browser, against the real binary: a visitor on the demo shop
// and an agent driving the JSON WebSocket protocol from a second page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { api, createAdmin, launchBrowser, screenshotDir, startServer } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/**
 * A server with an admin (who is also an agent); stopped when the test ends. Without the
 * FAQ bot: these tests follow a visitor's messages straight to the agents (the bot's part
 * is in bot.test.mjs).
 */
async function withServer(t, args = []) {
  const server = await startServer(['--no-bot', ...args]);
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
  page.sockets = 0;
  page.on('websocket', () => { page.sockets += 1; });
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

  // A page view alone opens no connection; opening the chat does.
  await launcher(page).waitFor();
  await page.waitForTimeout(300);
  assert.equal(page.sockets, 0, 'no WebSocket before the visitor opens the chat');
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
  assert.equal(await page.locator('[data-deskbell] .msg.me .tick.read').count(), 1, 'read tick kept');
  assert.deepEqual(page.errors || [], []);
});

/** Lets a test see and cut the widget's sockets, and lose acks in transit. */
function socketTap() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__loseAcks = 0;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
    set onmessage(handler) {
      super.onmessage = (e) => {
        const ack = e.data instanceof ArrayBuffer && new Uint8Array(e.data)[0] === 1;
        if (ack && window.__loseAcks > 0) { window.__loseAcks--; this.close(); return; }
        handler(e);
      };
    }
  };
}

/** Asks the agent's connection to replay the conversation and counts bodies in it. */
async function replayCount(agent, conversation) {
  return agent.page.evaluate((id) => new Promise((ok) => {
    const start = window.got.length;
    window.ws.send(JSON.stringify({ sync: { conversation: id, after_seq: 0 } }));
    const wait = setInterval(() => {
      const fresh = window.got.slice(start);
      if (!fresh.some((f) => f.synced?.conversation === id)) return;
      clearInterval(wait);
      const counts = {};
      fresh.filter((f) => f.message?.conversation === id)
        .forEach((f) => { counts[f.message.body] = (counts[f.message.body] || 0) + 1; });
      ok(counts);
    }, 50);
  }), conversation);
}

test('offline: messages typed without a connection are sent exactly once, in order', async (t) => {
  const { server, token } = await withServer(t);
  const agent = await openAgent(server, token);
  const { context, page } = await openVisitor(server);
  await context.addInitScript(socketTap);
  await page.reload();

  await launcher(page).click();
  await composer(page).fill('one');
  await composer(page).press('Enter');
  const one = await agent.waitFor((got) => got.find((f) => f.message?.body === 'one')?.message);
  const conversation = one.conversation;

  // The network goes away: two messages wait in the outbox, shown as sending.
  await context.setOffline(true);
  await page.waitForFunction(() => window.__sockets.every((s) => s.readyState === WebSocket.CLOSED));
  for (const body of ['two', 'three']) {
    await composer(page).fill(body);
    await composer(page).press('Enter');
  }
  await page.locator('[data-deskbell] .msg.me.pending').nth(1).waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('deskbell:default:outbox')).length), 2);
  await context.setOffline(false);
  await agent.waitFor((got) => got.some((f) => f.message?.body === 'three'));
  await page.locator('[data-deskbell] .msg.me.pending').first().waitFor({ state: 'detached' });

  // An ack lost with its connection: the widget reconnects, and nothing doubles.
  await page.evaluate(() => { window.__loseAcks = 1; });
  await composer(page).fill('four');
  await composer(page).press('Enter');
  await page.waitForFunction(() => window.__loseAcks === 0 && window.__sockets.length >= 3);
  await page.locator('[data-deskbell] .msg.me:not(.pending)').getByText('four').waitFor();

  // Typed offline, page closed before the network came back: sent from the next page.
  await context.setOffline(true);
  await page.waitForFunction(() => window.__sockets.every((s) => s.readyState === WebSocket.CLOSED));
  await composer(page).fill('five');
  await composer(page).press('Enter');
  await agent.send({ send: { conversation, client_id: 'a-missed', body: 'sent while you were away' } });
  await agent.waitFor((got) => got.some((f) => f.ack?.client_id === 'a-missed'));
  await page.close();
  await context.setOffline(false);
  const next = await context.newPage();
  await next.goto(server.url + '/demo/');
  await agent.waitFor((got) => got.some((f) => f.message?.body === 'five'));

  const seqs = [];
  for (const body of ['one', 'two', 'three', 'four', 'five']) {
    const got = await agent.messages(body);
    assert.equal(got.length, 1, `agent received "${body}" once`);
    seqs.push(got[0].seq);
  }
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in the order typed');
  const counts = await replayCount(agent, conversation);
  for (const body of ['one', 'two', 'three', 'four', 'five']) assert.equal(counts[body], 1, `stored "${body}" once`);

  await launcher(next).click();
  await bubbles(next, 'me').getByText('five').waitFor();
  assert.deepEqual(await bubbles(next, 'me').allTextContents(), ['one', 'two', 'three', 'four', 'five']);
  assert.deepEqual(await bubbles(next, 'them').allTextContents(), ['sent while you were away']);
});

test('after an agent closes the conversation, the next message starts a new one', async (t) => {
  const { server, token } = await withServer(t);
  const agent = await openAgent(server, token);
  const { page } = await openVisitor(server);
  await launcher(page).click();
  await composer(page).fill('first question');
  await composer(page).press('Enter');
  const first = await agent.waitFor((got) => got.find((f) => f.message?.body === 'first question')?.message);
  await agent.send({ close: { conversation: first.conversation } });
  await page.locator('[data-deskbell] .sys').getByText('The conversation has ended').waitFor();

  await composer(page).fill('second question');
  await composer(page).press('Enter');
  const second = await agent.waitFor((got) => got.find((f) => f.message?.body === 'second question')?.message);
  assert.ok(second.conversation > first.conversation, 'a new conversation');
  await agent.send({ send: { conversation: second.conversation, client_id: 'a-1', body: 'answer two' } });
  await bubbles(page, 'them').getByText('answer two').waitFor();

  await page.reload();
  await bubbles(page, 'them').getByText('answer two').waitFor();
  assert.deepEqual(await bubbles(page, 'me').allTextContents(), ['second question']);
  assert.equal(await page.evaluate(() => localStorage.getItem('deskbell:default:conv')), String(second.conversation));
});

test('a long conversation loads its newest page first, older ones on request', async (t) => {
  const { server, token } = await withServer(t, ['--rate-per-sec', '500', '--rate-burst', '500']);
  const agent = await openAgent(server, token);
  const { page } = await openVisitor(server);
  await launcher(page).click();
  await composer(page).fill('count for me');
  await composer(page).press('Enter');
  const first = await agent.waitFor((got) => got.find((f) => f.message?.body === 'count for me')?.message);
  for (let i = 1; i <= 70; i++) {
    await agent.send({ send: { conversation: first.conversation, client_id: `n-${i}`, body: `number ${i}` } });
  }
  await bubbles(page, 'them').getByText('number 70', { exact: true }).waitFor();

  await page.reload();
  await bubbles(page, 'them').getByText('number 70', { exact: true }).waitFor();
  const more = page.locator('[data-deskbell] .more');
  await more.waitFor();
  assert.ok((await bubbles(page, 'them').count()) <= 50, 'one page at first');
  await more.click();
  await bubbles(page, 'me').getByText('count for me').waitFor();
  await more.waitFor({ state: 'hidden' });
  const texts = await bubbles(page, 'them').allTextContents();
  assert.deepEqual(texts, Array.from({ length: 70 }, (_, i) => `number ${i + 1}`));
});

test('nobody online: the away message, email capture and the place in the queue', async (t) => {
  const { server, token } = await withServer(t);
  const { page } = await openVisitor(server);
  await launcher(page).click();

  const away = page.locator('[data-deskbell] .away');
  await away.getByText('We are away right now').waitFor();
  await away.getByPlaceholder('Your name (optional)').fill('Maria');
  await away.getByPlaceholder('Your email').fill('maria@example.com');
  await away.getByRole('button', { name: 'Let me know' }).click();
  await away.getByText('We will answer at maria@example.com').waitFor();
  assert.ok(await away.locator('form').isHidden());

  // A message can still be left: it waits in the queue, but nobody serves the queue now,
  // so the widget shows one state, away, and not also a place in the queue.
  await composer(page).fill('Is the blanket in stock?');
  await composer(page).press('Enter');
  await page.locator('[data-deskbell] .msg.me:not(.pending) .tick').waitFor();
  const second = await openVisitor(server);
  await launcher(second.page).click();
  await composer(second.page).fill('Me too');
  await composer(second.page).press('Enter');
  await second.page.locator('[data-deskbell] .msg.me:not(.pending) .tick').waitFor();
  for (const [p, n] of [[page, 1], [second.page, 2]]) {
    await p.locator('[data-deskbell] .away').getByText('We are away right now').waitFor();
    // The place in the queue has arrived (the notice holds it), and stays unshown.
    await p.waitForFunction((text) => document.querySelector('[data-deskbell]').shadowRoot
      .querySelector('.queue').textContent === text, `Waiting: you are number ${n}`);
    assert.ok(await p.locator('[data-deskbell] .queue').isHidden(), 'away, not also waiting');
  }

  // The details reached the server: agents see the name (and the email, where the
  // visitor API exists).
  const agent = await openAgent(server, token);
  const welcome = await agent.waitFor((got) => got.find((f) => f.welcome)?.welcome);
  const mine = welcome.conversations.find((c) => c.preview === 'Is the blanket in stock?');
  assert.equal(mine.visitor_name, 'Maria');
  const visitor = await api(server, 'GET', `/api/visitors/${mine.visitor}`, undefined, token);
  if (visitor.status === 404 && visitor.body?.error === 'not_found' && !visitor.body?.id) {
    t.diagnostic('GET /api/visitors/ID is not on this branch: email checked once it is');
  } else {
    assert.equal(visitor.status, 200, visitor.text);
    assert.equal(visitor.body.email, 'maria@example.com');
  }

  // An agent came online and took the conversation: no more queue or away notice.
  await page.locator('[data-deskbell] .queue').waitFor({ state: 'hidden' });
  await page.locator('[data-deskbell] .sys').getByText('joined').waitFor();
  assert.ok(await away.isHidden());
});

test('snippet attributes: colour, position, language, open on load; no leaks either way', async (t) => {
  const { server } = await withServer(t);
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(server.url + '/healthz');
  await page.setContent(`<!doctype html><html><head>
    <style>* { color: red !important; font-family: serif !important; } .bubble { padding: 0; }
      button { background: red !important; }</style>
    <script>window.before = Object.keys(window);</script></head>
    <body><div class="bubble">host page text</div>
    <script src="${server.url}/widget.js" data-colour="#16a34a" data-position="left"
      data-language="zh" data-open async></script></body></html>`);
  await page.locator('[data-deskbell] .panel').waitFor();
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true', 'data-open opened it');
  assert.equal(await composer(page).getAttribute('placeholder'), '输入消息…');
  assert.equal(await page.locator('[data-deskbell] .title').textContent(), '在线咨询');
  const style = await launcher(page).evaluate((el) => {
    const s = getComputedStyle(el);
    return { bg: s.backgroundColor, left: el.getBoundingClientRect().left };
  });
  assert.equal(style.bg, 'rgb(22, 163, 74)');
  assert.ok(style.left < 100, 'on the left');
  const font = await page.locator('[data-deskbell] .title').evaluate((el) => getComputedStyle(el).fontFamily);
  assert.doesNotMatch(font, /^serif/);
  assert.equal(await page.locator('body > .bubble').evaluate((el) => getComputedStyle(el).paddingTop), '0px');
  const added = await page.evaluate(() => Object.keys(window).filter((k) => k !== 'before' && !window.before.includes(k)));
  assert.deepEqual(added, ['deskbell']);
  assert.equal(await page.evaluate(() => typeof window.deskbell.close), 'function');
  await page.evaluate(() => window.deskbell.close());
  assert.ok(await page.locator('[data-deskbell] .panel').isHidden());
});

test('settings from the console apply without changing the snippet; pre-chat form', async (t) => {
  const { server, token } = await withServer(t);
  const settings = {
    title: 'Ask Fjord & Pine', greeting: 'Hei! Ask us anything.', colour: '#b4532a', position: 'left',
    prechat: true, away_message: 'Back at nine.', utc_offset_min: 60, business_hours: [], allowed_origins: [],
  };
  const put = await api(server, 'PUT', '/api/settings', settings, token);
  assert.equal(put.status, 200, put.text);
  const agent = await openAgent(server, token);
  const { page } = await openVisitor(server);
  await launcher(page).click();
  assert.equal(await page.locator('[data-deskbell] .title').textContent(), 'Ask Fjord & Pine');
  await page.locator('[data-deskbell] .greeting').getByText('Hei! Ask us anything.').waitFor();
  assert.equal(await launcher(page).evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(180, 83, 42)');

  const form = page.locator('[data-deskbell] .prechat');
  await form.getByPlaceholder('Your name').fill('Ola');
  await form.getByPlaceholder('Your email').fill('ola@example.no');
  await form.getByRole('button', { name: 'Start chat' }).click();
  await composer(page).fill('Hello from Ola');
  await composer(page).press('Enter');
  const summary = await agent.waitFor((got) => got.find((f) => f.conversation?.preview === 'Hello from Ola')?.conversation);
  assert.equal(summary.visitor_name, 'Ola');
});

test('phone: the open widget fills the screen (screenshot in docs/screenshots)', async (t) => {
  const { server, token } = await withServer(t);
  const agent = await openAgent(server, token);
  const { page } = await openVisitor(server, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  await launcher(page).click();
  await composer(page).fill('Hi! Does the wool blanket ship to Norway?');
  await composer(page).press('Enter');
  const first = await agent.waitFor((got) => got.find((f) => f.message?.author.kind === 'visitor')?.message);
  await agent.send({ send: { conversation: first.conversation, client_id: 'a-1',
    body: 'Hello! Yes, we ship to Norway in 3–5 days, and shipping is free over €100.' } });
  await agent.send({ read: { conversation: first.conversation, seq: first.seq } });
  await bubbles(page, 'them').getByText('free over €100').waitFor();
  await page.locator('[data-deskbell] .tick.read').waitFor();
  await composer(page).fill('Great, thank you!');
  await composer(page).press('Enter');
  await page.locator('[data-deskbell] .msg.me:not(.pending)').nth(1).waitFor();
  await agent.send({ typing: { conversation: first.conversation, on: true } });
  await page.locator('[data-deskbell] .typing').waitFor();

  const box = await page.locator('[data-deskbell] .panel').boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 844]);
  assert.ok(await launcher(page).isHidden(), 'the launcher hides behind a full-screen panel');
  await composer(page).blur();
  const dir = screenshotDir();
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, 'widget-phone.png') });
});

test('a website the server does not allow gets a notice, not a reconnect storm', async (t) => {
  const { server } = await withServer(t, ['--allowed-origin', 'https://shop.example']);
  const context = await browser.newContext();
  t.after(() => context.close());
  // A message left waiting from an earlier visit: it can never be sent from here.
  await context.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('deskbell:default:outbox',
      JSON.stringify([{ client_id: 'left-over-1', body: 'Still there?', at_ms: Date.now() }]));
  });
  const page = await context.newPage();
  let sockets = 0;
  page.on('websocket', () => { sockets += 1; });
  await page.goto(server.url + '/demo/');
  await launcher(page).click();
  const notice = page.locator('[data-deskbell] .conn');
  await notice.getByText('not available on this website').waitFor();

  // Past the widget's 2 s "connecting" delay, a network change and a tab switch: it keeps
  // its own notice, shows nobody online, and never connects again.
  await page.waitForTimeout(2500);
  await page.evaluate(() => {
    window.dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(3500);
  assert.equal(sockets, 1, 'one refused connection, no retries');
  assert.equal(await notice.textContent(), 'The chat is not available on this website.');
  assert.equal(await notice.isVisible(), true);
  assert.equal(await page.locator('[data-deskbell] .dot.on').count(), 0, 'no green dot');
  assert.equal(await composer(page).isDisabled(), true, 'nothing can be typed');
  // The waiting message is marked as not sent, and is no longer kept for sending.
  await page.locator('[data-deskbell] .msg.me.failed').getByText('Still there?').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('deskbell:default:outbox')), '[]');
});
