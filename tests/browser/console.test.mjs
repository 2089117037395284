// The agent console in real Chromium against the real binary: first-start setup, login
// errors, a visitor's chat reaching the console and the reply reaching the visitor,
// visitor text never becoming markup, internal notes staying among agents, and a
// screenshot of a realistic inbox (docs/screenshots/console.png).
//
// Visitors (and a second agent) are raw JSON WebSockets opened inside a page on the
// server's origin, so these tests do not depend on the widget.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, createAdmin, createAgent, login, repoRoot, screenshotDir } from './harness.mjs';

const ADMIN = 'Alice';
const PASSWORD = 'correct horse battery';
let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A page on the server's origin holding named JSON WebSockets. */
async function openWire(server) {
  const page = await browser.newPage();
  await page.goto(`${server.url}/healthz`);
  await page.evaluate(() => {
    window.socks = {};
    window.openSock = (name, hello) => new Promise((ok, fail) => {
      const ws = new WebSocket(`ws://${location.host}/ws`, 'deskbell.v1.json');
      const entry = { ws, frames: [] };
      window.socks[name] = entry;
      ws.onmessage = (e) => {
        const frame = JSON.parse(e.data);
        entry.frames.push(frame);
        if (frame.welcome) ok(frame.welcome);
      };
      ws.onopen = () => ws.send(JSON.stringify(hello));
      ws.onclose = (e) => fail(new Error(`socket ${name} closed: ${e.code} ${e.reason}`));
    });
  });
  const wire = {
    page,
    open: (name, hello) => page.evaluate(([n, h]) => window.openSock(n, h), [name, hello]),
    visitor: (name, extra = {}) => wire.open(name, {
      hello_visitor: { site: 'default', page: 'https://shop.example/shoes/trail-runner', referrer: 'https://www.google.com/', language: 'en-GB', utc_offset_min: 60, ...extra },
    }),
    agent: (name, token) => wire.open(name, { hello_agent: { token } }),
    send: (name, frame) => page.evaluate(([n, f]) => window.socks[n].ws.send(JSON.stringify(f)), [name, frame]),
    frames: (name) => page.evaluate((n) => window.socks[n].frames, name),
    /** Waits for a frame of `type` whose fields include `fields`. */
    waitFor: (name, type, fields, timeout = 10000) => page.waitForFunction(([n, t, f]) => window.socks[n].frames.find(
      (fr) => fr[t] && Object.entries(f).every(([k, v]) => JSON.stringify(fr[t][k]) === JSON.stringify(v)),
    ), [name, type, fields], { timeout }).then((h) => h.jsonValue()),
  };
  return wire;
}

/** Opens the console and logs in through the form. */
async function consoleLogin(server, name = ADMIN, password = PASSWORD, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[14]/.test(m.text())) problems.push(m.text()); });
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.topbar').waitFor();
  await page.locator('.presence', { hasText: 'Online' }).waitFor();
  await page.locator('.conn').waitFor({ state: 'hidden' });
  return { page, problems };
}

/** Starts the binary on a given data directory and address (for restarts on one port). */
async function spawnDeskbell(dataDir, listen) {
  const binary = process.env.DESKBELL_BIN || join(repoRoot, 'target/debug/deskbell');
  const child = spawn(binary, ['serve', '--listen', listen, '--data', dataDir, '--no-bot'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  child.stderr.resume();
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`deskbell exited ${code}`)));
  });
  let setupCode = '';
  try { setupCode = readFileSync(join(dataDir, 'setup-code.txt'), 'utf8').trim(); } catch { /* set up already */ }
  // kill() resolves at once for a child that has exited already (else a failed step,
  // followed by the `finally` that kills, would wait forever for an exit long gone).
  const kill = () => new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    child.once('exit', ok);
    child.kill('SIGKILL');
  });
  return { url, setupCode, child, kill };
}

/** Runs fn with a server without the FAQ bot: visitors' chats go straight to the agents
 * here (the bot's part is in bot.test.mjs). */
async function withServer(args, fn) {
  const server = await startServer(['--no-bot', ...args]);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

test('first start: the setup page with the code creates the admin and logs in', async () => {
  await withServer([], async (server) => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console/`);
    // Servers that answer GET /api/setup open the setup page; older ones offer a link.
    const heading = page.getByRole('heading', { name: /Welcome to deskbell|Log in/ });
    await heading.waitFor();
    if ((await heading.textContent()) === 'Log in') await page.getByText('First start? Create the admin account').click();
    await page.getByLabel('Setup code').fill(server.setupCode);
    await page.getByLabel('Your name').fill(ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill('something else');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByText('The two passwords are different.').waitFor();
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.locator('.me-name', { hasText: ADMIN }).waitFor();
    await page.locator('.presence', { hasText: 'Online' }).waitFor();
    // The session is an HttpOnly cookie: invisible to the page's JavaScript.
    assert.equal(await page.evaluate(() => document.cookie), '');
    // The admin area: add an agent, find the embed snippet with this server's address.
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    await page.getByLabel('Name').fill('Ben');
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Add agent' }).click();
    await page.locator('.agent-row', { hasText: 'Ben' }).waitFor();
    await page.getByRole('link', { name: 'Embed on your site' }).click();
    await page.locator('.snippet code', { hasText: `<script src="${server.url}/widget.js" async></script>` }).waitFor();

    // Logging out returns to the login page; the cookie no longer opens the console.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.close();
  });
});

test('login with a wrong password shows an error', async () => {
  await withServer([], async (server) => {
    await createAdmin(server, ADMIN, PASSWORD);
    const page = await browser.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Name').fill(ADMIN);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong name or password.' }).waitFor();
    assert.equal(await page.locator('.topbar').count(), 0);

    // After repeated failures the server throttles; the page says when to try again.
    let wait = 0;
    for (let i = 0; i < 12 && wait < 3; i++) {
      const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: ADMIN, password: 'still wrong' }) });
      if (res.status === 429) {
        wait = Number(res.headers.get('retry-after'));
        if (wait < 3) await new Promise((ok) => setTimeout(ok, wait * 1000));
      }
    }
    assert.ok(wait >= 3, 'the server throttles repeated failures');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: /Too many failed attempts\. Try again in \d+ s\./ }).waitFor();
    assert.ok(await page.getByRole('button', { name: /Try again in \d+ s/ }).isDisabled());
    await page.close();
  });
});

test('a visitor chat reaches the console, the reply reaches the visitor, notes stay internal, markup stays text', async () => {
  await withServer([], async (server) => {
    await createAdmin(server, ADMIN, PASSWORD);
    const { page, problems } = await consoleLogin(server);
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
    const wire = await openWire(server);
    await wire.visitor('v');
    await wire.send('v', { send: { client_id: 'v-1', body: 'Do you ship to Norway?' } });
    const ack = await wire.waitFor('v', 'ack', { client_id: 'v-1' });

    // The conversation shows up live, assigned to the only online agent.
    const row = page.locator('.conv-row', { hasText: 'Do you ship to Norway?' });
    await row.waitFor();
    await row.click();
    await page.locator('.msg-visitor', { hasText: 'Do you ship to Norway?' }).waitFor();
    await page.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();

    // Reply with Enter; the visitor receives it, and the console shows it acknowledged.
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Yes, 3-5 days.');
    await input.press('Enter');
    const reply = await wire.waitFor('v', 'message', { body: 'Yes, 3-5 days.' });
    assert.equal(reply.message.author.kind, 'agent');
    assert.equal(reply.message.author.name, ADMIN);
    await page.locator('.msg-mine:not(.msg-pending)', { hasText: 'Yes, 3-5 days.' }).waitFor();

    // An internal note: shown as a note to the agent, never sent to the visitor.
    await page.getByRole('button', { name: 'Internal note' }).click();
    await input.fill('Wholesale buyer, offer the bulk price');
    await input.press('Enter');
    await page.locator('.msg-note:not(.msg-pending)', { hasText: 'Wholesale buyer' }).waitFor();
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    await input.fill('Anything else?');
    await input.press('Enter');
    const last = await wire.waitFor('v', 'message', { body: 'Anything else?' });
    const seen = await wire.frames('v');
    assert.ok(!JSON.stringify(seen).includes('Wholesale buyer'), 'the visitor must never receive a note');

    // Read state travels both ways: the visitor's read mark shows, the agent's reaches them.
    await wire.send('v', { read: { seq: last.message.seq } });
    await page.locator('.seen').waitFor();
    await wire.waitFor('v', 'read_up_to', { reader: 'agent' });

    // Markup from a visitor is shown as text, in the list and in the conversation.
    const evil = '<img src=x onerror=alert(1)>';
    await wire.send('v', { send: { client_id: 'v-2', body: evil } });
    await page.locator('.msg-visitor .bubble', { hasText: evil }).waitFor();
    assert.equal(await page.locator('.messages img').count(), 0);
    assert.equal(await page.locator('.conv-list img').count(), 0);
    await page.locator('.conv-row .row-preview', { hasText: evil }).waitFor();
    assert.equal(dialogs, 0);

    // The visitor's typing shows; the agent's typing reaches the visitor.
    await wire.send('v', { typing: { on: true } });
    await page.locator('.typing-line', { hasText: 'is typing' }).waitFor();
    await input.fill('Let me check');
    await wire.waitFor('v', 'typing', { on: true });
    assert.ok(ack.ack.seq >= 1);
    assert.deepEqual(problems, []);
    await page.close();
    await wire.page.close();
  });
});

test('queue: claim, transfer, take over, close and reopen', async () => {
  await withServer([], async (server) => {
    const aliceToken = await createAdmin(server, ADMIN, PASSWORD);
    const ben = await createAgent(server, aliceToken, 'Ben');
    const { page, problems } = await consoleLogin(server);
    // Away: new chats wait in the queue instead of being assigned to Alice.
    await page.locator('.presence').click();
    await page.locator('.presence', { hasText: 'Away' }).waitFor();
    const wire = await openWire(server);
    await wire.visitor('v');
    await wire.send('v', { profile: { name: 'Nora' } });
    await wire.send('v', { send: { client_id: 'q-1', body: 'Can I pick up in store?' } });
    await page.getByRole('tab', { name: /Queue/ }).click();
    await page.locator('.conv-row', { hasText: 'Nora' }).click();
    await page.locator('.conv-notice', { hasText: 'waiting' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Reply', exact: true }).isDisabled());
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();
    await page.locator('.msg-system', { hasText: /joined|assigned/i }).first().waitFor();

    // Transfer to Ben (online on his own connection), then take it back.
    await wire.agent('ben', ben.token);
    await page.getByText('Transfer', { exact: true }).click();
    await page.getByRole('button', { name: /^Ben/ }).click();
    await page.locator('.conv-sub', { hasText: 'Assigned to Ben' }).waitFor();
    await wire.waitFor('ben', 'conversation', { agent: ben.id, status: 'assigned' });
    await page.locator('.conv-notice', { hasText: 'Ben is handling this chat' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Take over' }).isDisabled(), 'only online agents take chats over');
    await page.locator('.presence').click();
    await page.locator('.presence', { hasText: 'Online' }).waitFor();
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();

    // Close and reopen.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.locator('.conv-sub', { hasText: 'Closed' }).waitFor();
    assert.ok(await page.locator('.composer').isHidden());
    // A reload keeps the closed conversation on screen, rebuilt from the server.
    await page.reload();
    await page.locator('.conv-sub', { hasText: 'Closed' }).waitFor();
    await page.locator('.msg-visitor', { hasText: 'Can I pick up in store?' }).waitFor();
    await page.getByRole('button', { name: 'Reopen' }).first().click();
    await page.locator('.conv-sub .chip:not(.chip-closed)').waitFor();
    await page.locator('.composer').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
    await wire.page.close();
  });
});

test('canned replies and visitor details (API answers stubbed in the documented shape)', async () => {
  await withServer([], async (server) => {
    await createAdmin(server, ADMIN, PASSWORD);
    const page = await browser.newPage();
    // Until the server serves /api/canned, answer it here with the documented shape.
    await page.route('**/api/canned', (route) => route.fulfill({ json: [
      { id: 1, shortcut: 'hours', text: 'We are open Monday to Friday, 9 to 17.' },
      { id: 2, shortcut: 'shipping', text: 'We ship within 2 working days.' },
    ] }));
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Name').fill(ADMIN);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.presence', { hasText: 'Online' }).waitFor();
    const wire = await openWire(server);
    const welcome = await wire.visitor('v');
    // Visitor details, likewise in the documented shape, with a hostile page URL.
    await page.route(`**/api/visitors/${welcome.id}`, (route) => route.fulfill({ json: {
      id: welcome.id, name: 'Maria', email: 'maria@example.com', page: 'javascript:alert(1)',
      referrer: 'https://www.google.com/', language: 'en-GB', utc_offset_min: 60,
      user_agent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      created_ms: Date.now(), last_seen_ms: Date.now(), attributes: { plan: 'gold', orders: 3 },
      conversations: [{ id: 999, status: 'closed', preview: 'Where is my parcel?', last_at_ms: Date.now() - 86400000 }],
    } }));
    await wire.send('v', { send: { client_id: 'c-1', body: 'When are you open?' } });
    await page.locator('.conv-row', { hasText: 'When are you open?' }).click();
    const panel = page.locator('.visitor-panel');
    await panel.getByText('Chrome 126 on Android 14 (mobile)').waitFor();
    await panel.getByText('javascript:alert(1)').waitFor();
    assert.equal(await panel.locator('a[href^="javascript"]').count(), 0);
    const referrer = panel.getByRole('link', { name: 'www.google.com' });
    assert.equal(await referrer.getAttribute('rel'), 'noopener noreferrer nofollow');
    await panel.getByText('gold').waitFor();
    await panel.getByRole('link', { name: /Where is my parcel/ }).waitFor();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.pressSequentially('Hi! /ho');
    await page.locator('.canned-item.active', { hasText: '/hours' }).waitFor();
    await input.press('Enter');
    assert.equal(await input.inputValue(), 'Hi! We are open Monday to Friday, 9 to 17.');
    await input.press('Enter');
    await wire.waitFor('v', 'message', { body: 'Hi! We are open Monday to Friday, 9 to 17.' });
    await page.close();
    await wire.page.close();
  });
});

test('after a server restart the console reconnects and sends what was written meanwhile', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskbell-console-'));
  let server = await spawnDeskbell(dataDir, '127.0.0.1:0');
  try {
    await createAdmin(server, ADMIN, PASSWORD);
    const { page } = await consoleLogin(server);
    const wire = await openWire(server);
    const welcome = await wire.visitor('v');
    await wire.send('v', { send: { client_id: 'r-1', body: 'Is my order on its way?' } });
    const ack = await wire.waitFor('v', 'ack', { client_id: 'r-1' });
    await page.locator('.conv-row', { hasText: 'Is my order on its way?' }).click();
    await page.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();

    const port = new URL(server.url).port;
    await server.kill();
    await page.locator('.conn', { hasText: /Reconnecting|Connection lost/ }).waitFor();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Yes, it left the warehouse today.');
    await input.press('Enter');
    await page.locator('.msg-pending', { hasText: 'Waiting for connection' }).waitFor();

    server = await spawnDeskbell(dataDir, `127.0.0.1:${port}`);
    await page.locator('.conn').waitFor({ state: 'hidden', timeout: 60000 });
    await page.locator('.msg-mine:not(.msg-pending)', { hasText: 'it left the warehouse' }).waitFor();

    // The visitor comes back and finds the reply exactly once.
    await wire.open('v2', { hello_visitor: { site: 'default', token: welcome.visitor_token } });
    await wire.send('v2', { sync: { conversation: ack.ack.conversation, after_seq: 0 } });
    await wire.waitFor('v2', 'synced', { conversation: ack.ack.conversation });
    const replies = (await wire.frames('v2')).filter((f) => f.message && f.message.body === 'Yes, it left the warehouse today.');
    assert.equal(replies.length, 1);
    await page.close();
    await wire.page.close();
  } finally {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('long conversations page back on scroll; a phone shows inbox, then conversation, then back', async () => {
  await withServer(['--rate-per-sec', '200', '--rate-burst', '200'], async (server) => {
    await createAdmin(server, ADMIN, PASSWORD);
    const wire = await openWire(server);
    await wire.visitor('v');
    for (let i = 1; i <= 60; i++) await wire.send('v', { send: { client_id: `h-${i}`, body: `Line ${i}` } });
    await wire.waitFor('v', 'ack', { client_id: 'h-60' });
    const { page, problems } = await consoleLogin(server, ADMIN, PASSWORD, { width: 390, height: 760 });
    await page.locator('.conv-row', { hasText: 'Line 60' }).click();
    // A phone shows one column: the inbox goes once the conversation opens (the switch
    // follows the click's route change, so wait for it rather than look at once).
    await page.locator('.inbox').waitFor({ state: 'hidden', timeout: 5000 });
    await page.locator('.msg-visitor', { hasText: /^Line 60/ }).waitFor();
    assert.equal(await page.locator('.msg-visitor', { hasText: /^Line 1 ·/ }).count(), 0);
    // Scrolling up loads earlier pages until the start.
    for (let i = 0; i < 5 && !(await page.locator('.thread-start').count()); i++) {
      await page.locator('.messages').evaluate((el) => { el.scrollTop = 0; });
      await page.waitForTimeout(300);
    }
    await page.locator('.msg-visitor .bubble', { hasText: /^Line 1$/ }).waitFor();
    await page.locator('.thread-start').waitFor();
    assert.equal(await page.locator('.msg-visitor').count(), 60);
    await page.getByRole('link', { name: 'Back to the inbox' }).click();
    await page.locator('.inbox').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
    await wire.page.close();
  });
});

test('screenshot of a realistic inbox', async () => {
  await withServer(['--capacity', '3'], async (server) => {
    const aliceToken = await createAdmin(server, ADMIN, PASSWORD);
    const ben = await createAgent(server, aliceToken, 'Ben', 'password123', { capacity: 1 });
    const { page, problems } = await consoleLogin(server);
    const wire = await openWire(server);
    await wire.agent('alice', aliceToken);

    async function chat(key, profile, lines, extra) {
      await wire.visitor(key, extra);
      if (profile) await wire.send(key, { profile });
      const first = lines[0];
      await wire.send(key, { send: { client_id: `${key}-0`, body: first } });
      const ack = await wire.waitFor(key, 'ack', { client_id: `${key}-0` });
      return ack.ack.conversation;
    }
    async function say(sock, conversation, body, note = false) {
      // The visitor's ack comes with the message's commit, the assignment with its own:
      // an agent answers once the chat is assigned (else the reply is refused, not_assigned).
      await wire.waitFor(sock, 'conversation', { id: conversation, status: 'assigned' });
      const client_id = `${sock}-${Math.random().toString(16).slice(2)}`;
      const frame = note ? { note: { conversation, client_id, body } } : { send: { conversation, client_id, body } };
      await wire.send(sock, frame);
      await wire.waitFor(sock, 'ack', { client_id });
    }
    async function visitorSays(key, body) {
      const client_id = `${key}-${Math.random().toString(16).slice(2)}`;
      await wire.send(key, { send: { client_id, body } });
      await wire.waitFor(key, 'ack', { client_id });
    }

    // An older chat, already closed.
    const old = await chat('lena', { name: 'Lena Fischer' }, ['Can I return shoes bought on sale?']);
    await say('alice', old, 'Yes, within 30 days, sale items included.');
    await wire.send('alice', { close: { conversation: old } });

    const maria = await chat('maria', { name: 'Maria Olsen', email: 'maria@example.no' }, ["Hi! Do you ship to Norway? I'd like the trail runners in size 39."],
      { page: 'https://shop.example/shoes/trail-runner', language: 'nb-NO', utc_offset_min: 60 });
    await say('alice', maria, 'Hi Maria! Yes, we ship to Norway with DHL. It usually takes 3–5 working days.');
    await visitorSays('maria', 'Great. Are customs fees included?');
    await say('alice', maria, 'Ordered twice before: offer the 10 % returning-customer code.', true);
    await say('alice', maria, 'They are: customs and VAT are paid at checkout, so nothing extra on delivery.');
    await visitorSays('maria', 'Perfect, ordering now. Thanks a lot!');

    const tom = await chat('tom', { name: 'Tom Becker' }, ["Hello, my order #10482 hasn't arrived yet. Can you check?"]);
    await visitorSays('tom', 'It was supposed to come on Friday.');
    await chat('sofia', { name: 'Sofia Marin' }, ['Is the linen shirt available in XL?']);

    // Ben comes online and gets the next chat; then everybody is full and chats wait.
    await wire.agent('ben', ben.token);
    const gift = await chat('yuki', { name: 'Yuki Tanaka' }, ['Do you sell gift cards?']);
    await wire.waitFor('ben', 'conversation', { id: gift, status: 'assigned', agent: ben.id });
    await say('ben', gift, 'We do! From 20 to 200 euros, sent by email.');
    await chat('v5', null, ['Hi, can I change the delivery address on my order?']);
    await chat('v6', { name: 'Jonas' }, ['Hello? Is anyone there?']);
    assert.ok(tom > 0);

    // The title counts unread messages in Alice's chats and the queue.
    await page.waitForFunction(() => /^\(\d+\) deskbell$/.test(document.title));
    await page.getByRole('tab', { name: /All open/ }).click();
    await page.locator('.conv-row').nth(5).waitFor();
    await page.locator('.conv-row', { hasText: 'Maria Olsen' }).click();
    await page.locator('.msg-visitor', { hasText: 'Perfect, ordering now' }).waitFor();
    // Looking at the newest message marks the chat read.
    await page.locator('.conv-row.selected .badge').waitFor({ state: 'detached' });
    await wire.send('maria', { typing: { on: true } });
    await page.locator('.typing-line', { hasText: 'Maria Olsen is typing' }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('You are welcome, Maria! Use the code WELCOME');
    await page.waitForTimeout(300);
    const dir = screenshotDir();
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'console.png') });

    // The closed chat is in the closed tab.
    await page.getByRole('tab', { name: /Closed/ }).click();
    await page.locator('.conv-row', { hasText: 'Lena Fischer' }).waitFor();
    assert.deepEqual(problems, []);
    await page.close();
    await wire.page.close();
    assert.ok(login);
  });
});
