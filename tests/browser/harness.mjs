// Browser-test harness: starts the real deskbell binary on 127.0.0.1:0 with a temporary
// data directory, launches Debian's Chromium through playwright-core, and offers small
// helpers for the JSON API and for an agent speaking the JSON WebSocket protocol.
//
// For quick work on the browser files: with DESKBELL_LIVE_WEB=1 the pages get the console,
// demo and widget scripts and styles from web/ in the working tree instead of from the
// binary (same status and headers), so changing them needs no rebuild (HTML pages still
// come from the binary: Chromium treats a page it did not load from 127.0.0.1 as public
// and blocks its WebSocket to 127.0.0.1). Final runs go without it.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
const binary = process.env.DESKBELL_BIN || join(repoRoot, 'target/debug/deskbell');

/** Starts deskbell (on 127.0.0.1:0 unless `extraArgs` has a `--listen`); resolves to
 * { url, dataDir, setupCode, stop }. */
export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskbell-browser-'));
  const listen = extraArgs.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const child = spawn(binary, ['serve', ...listen, '--data', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`deskbell did not start:\n${log}`)), 15000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`deskbell exited ${code}:\n${log}`)); });
  });
  const setupCode = readFileSync(join(dataDir, 'setup-code.txt'), 'utf8').trim();
  return {
    url,
    dataDir,
    setupCode,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => child.once('exit', ok));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A loopback port that was free a moment ago (bound, noted, closed), for a server that
 * must know its own address before it starts (`--public-url`). */
export function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/**
 * A real SMTP server: aiosmtpd (Debian's python3-aiosmtpd) running the integration
 * tests' sink, tests/it/harness/smtp_sink.py, on a free loopback port; it writes each
 * message as one JSON file (envelope, headers, decoded text and HTML). Resolves to
 * { url, mails(), waitFor(pick), stop }: `mails()` every message so far, in order;
 * `waitFor(pick)` the first message for which pick(mail) is true, within `timeout` ms.
 */
export async function startMailbox() {
  const python = ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new Error('aiosmtpd is missing: run scripts/install-test-deps.sh');
  const dir = mkdtempSync(join(tmpdir(), 'deskbell-mail-'));
  const port = await freePort();
  const child = spawn(python, [join(here, '../it/harness/smtp_sink.py'), String(port), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('aiosmtpd did not start')), 15000);
    child.stdout.on('data', (d) => { if (String(d).includes('ready')) { clearTimeout(timer); ok(); } });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`aiosmtpd exited ${code}`)); });
  });
  const mails = () => readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(pick, timeout = WAIT_MS) {
      const until = Date.now() + timeout;
      for (;;) {
        const found = mails().find(pick);
        if (found) return found;
        if (Date.now() > until) {
          throw new Error(`no such mail in ${timeout} ms; got: ${JSON.stringify(mails().map((m) => m.text))}`);
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => child.once('exit', ok));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The widget bundle exactly as build.rs writes it (its bundle_lines): each file listed
 * in web/widget/bundle.txt, line by line without indentation, without comment-only lines
 * (`// …`, and `/* … *\/` blocks that start and end a line, over one line or several;
 * a `/*! … *\/` banner is kept), and without a ` // …` comment after code when no quote
 * comes before it (without_trailing_comment). */
export function widgetBundle() {
  const dir = join(repoRoot, 'web/widget');
  const withoutTrailingComment = (line) => {
    for (let i = line.indexOf('// '); i >= 0; i = line.indexOf('// ', i + 1)) {
      const before = line.slice(0, i);
      if (!/[ \t]$/.test(before)) continue;
      return /['"`]/.test(before) ? line : before.trimEnd();
    }
    return line;
  };
  const bundleLines = (file) => {
    const kept = [];
    let inBlock = false;
    const lines = file.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const text of lines.map((line) => line.trim())) {
      if (inBlock) {
        inBlock = !text.endsWith('*/');
      } else if (text.startsWith('/*') && !text.startsWith('/*!')) {
        const end = text.slice(2).indexOf('*/');
        if (end < 0) inBlock = true;
        else if (end + 4 !== text.length) kept.push(text);
      } else if (!text.startsWith('//')) {
        kept.push(withoutTrailingComment(text));
      }
    }
    return kept;
  };
  return readFileSync(join(dir, 'bundle.txt'), 'utf8').split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((name) => bundleLines(readFileSync(join(dir, name), 'utf8')).map((line) => `${line}\n`).join(''))
    .join('');
}

/** DESKBELL_LIVE_WEB: answers requests for the browser files from web/ on disk. */
async function serveWebFromDisk(context) {
  await context.route(/^http:\/\/127\.0\.0\.1:\d+\/(console\/|demo\/|widget\.js)/, async (route) => {
    if (route.request().resourceType() === 'document') return route.fallback();
    const response = await route.fetch();
    const path = new URL(route.request().url()).pathname;
    if (response.status() !== 200) return route.fulfill({ response });
    const body = path === '/widget.js' ? widgetBundle()
      : readFileSync(join(repoRoot, 'web', path.endsWith('/') ? `${path}index.html` : path));
    return route.fulfill({ response, body });
  });
}

/** Launches headless Chromium from Debian (never a downloaded browser). */
export async function launchBrowser() {
  const browser = await launchChromium();
  if (process.env.DESKBELL_LIVE_WEB) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const context = await newContext(options);
      await serveWebFromDisk(context);
      return context;
    };
    browser.newPage = async (options) => {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      page.on('close', () => context.close().catch(() => {}));
      return page;
    };
  }
  return browser;
}

function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** POSTs JSON; resolves to { status, body }. */
export async function api(server, method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json, text };
}

/** Creates the first admin through the setup code; resolves to a session token. */
export async function createAdmin(server, name = 'admin', password = 'correct horse battery') {
  const setup = await api(server, 'POST', '/api/setup', { code: server.setupCode, name, password });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.text}`);
  return login(server, name, password);
}

/** Logs in; resolves to a session token. */
export async function login(server, name, password) {
  const res = await api(server, 'POST', '/api/login', { name, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.text}`);
  return res.body.token;
}

/** Creates an agent as admin; resolves to { id, name, password, token }. */
export async function createAgent(server, adminToken, name, password = 'password123', extra = {}) {
  const res = await api(server, 'POST', '/api/agents', { name, password, ...extra }, adminToken);
  if (res.status !== 201) throw new Error(`agent creation failed: ${res.text}`);
  return { id: res.body.id, name, password, token: await login(server, name, password) };
}

/** Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1 (to refresh the
 * pictures in the README), else a temporary directory so test runs leave the tree clean. */
export function screenshotDir() {
  return process.env.UPDATE_SCREENSHOTS ? join(repoRoot, 'docs/screenshots') : mkdtempSync(join(tmpdir(), 'deskbell-shots-'));
}

// ---- Both real UIs (e2e.test.mjs, bot.test.mjs): a visitor in the widget, an agent in the console.

/** The admin of the two-sided tests, and the desktop window size. */
export const ADMIN = 'Alice';
export const PASSWORD = 'correct horse battery';
export const DESKTOP = { width: 1280, height: 800 };
/** How long any one step may wait for the other side (Playwright's default is 30 s). */
export const WAIT_MS = 10000;

/** A server started with `serverArgs`, its admin ADMIN and a browser; all stopped when the
 * test `t` ends. Resolves to { server, token, browser }. */
export async function setUpServerAndBrowser(t, serverArgs = []) {
  const server = await startServer(serverArgs);
  t.after(() => server.stop());
  const token = await createAdmin(server, ADMIN, PASSWORD);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  return { server, token, browser };
}

/**
 * Records a page's errors and console errors in page.problems and its dialogs' messages
 * in page.dialogs. Dialogs are dismissed, or accepted with `acceptDialogs`. Console
 * errors about statuses matching `expectedStatus` (a 401 before login and the like) are
 * the console's normal path, not problems.
 */
export function watchPage(page, { acceptDialogs = false, expectedStatus = /status of 40[14]/ } = {}) {
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expectedStatus.test(m.text())) page.problems.push(m.text());
  });
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    (acceptDialogs ? d.accept() : d.dismiss()).catch(() => {});
  });
  return page;
}

/** The agent console in its own browser context, logged in through the form as ADMIN
 * (or as `login`: { name, password }). `initScript` runs in the page before the console's
 * own scripts; `watch` is passed to watchPage; `timezoneId` is the browser's time zone. */
export async function openConsole(browser, server, {
  viewport = DESKTOP, initScript, watch, login = { name: ADMIN, password: PASSWORD }, timezoneId,
} = {}) {
  const context = await browser.newContext({ viewport, ...(timezoneId ? { timezoneId } : {}) });
  context.setDefaultTimeout(WAIT_MS);
  if (initScript) await context.addInitScript(initScript);
  const page = watchPage(await context.newPage(), watch);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Name').fill(login.name);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.presence', { hasText: 'Online' }).waitFor();
  await page.locator('.conn').waitFor({ state: 'hidden' });
  return page;
}

/** A visitor on the demo shop in its own browser context (own storage). */
export async function openVisitor(browser, server, { watch } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(WAIT_MS);
  const page = watchPage(await context.newPage(), watch);
  await page.goto(`${server.url}/demo/`);
  return page;
}

/** A locator inside the widget: it lives in an open shadow root, which CSS locators pierce. */
export const widget = (page, selector) => page.locator(`[data-deskbell] ${selector}`);

/** The visitor opens the chat (if needed) and sends `body` with Enter; then waits for
 * its ack unless `acked` is false. */
export async function visitorSays(page, body, { acked = true } = {}) {
  const composer = widget(page, 'textarea');
  if (!(await composer.isVisible())) {
    await widget(page, '.launcher').click();
    await composer.waitFor();
  }
  await composer.fill(body);
  await composer.press('Enter');
  if (acked) await widget(page, '.msg.me:not(.pending) .bubble').getByText(body, { exact: true }).last().waitFor();
}
