// Files in the agent console, in real Chromium against the real binary: a visitor's
// photo shows as a thumbnail that opens full size; the agent attaches a PDF with the
// paperclip (upload progress, then Send) and drops a text file on the composer, and the
// visitor receives both; a big image is shrunk to 2048 px unless sent at original size;
// a file of a refused type says why and is never sent.
//
// The visitor is a raw JSON WebSocket plus fetch() in a page on the server's origin, so
// this test does not depend on the widget.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setUpServerAndBrowser, openConsole, repoRoot, WAIT_MS } from './harness.mjs';

const PHOTO = readFileSync(join(repoRoot, 'tests/fixtures/attachments/screenshot.png'));

/** A visitor: a page holding a JSON WebSocket and its frames, able to upload. */
async function openVisitorWire(browser, server) {
  const page = await browser.newPage();
  await page.goto(`${server.url}/healthz`);
  await page.evaluate(() => new Promise((ok) => {
    const ws = new WebSocket(`ws://${location.host}/ws`, 'deskbell.v1.json');
    window.frames_ = [];
    window.ws = ws;
    ws.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      window.frames_.push(frame);
      if (frame.welcome) { window.token = frame.welcome.visitor_token; ok(); }
    };
    ws.onopen = () => ws.send(JSON.stringify({ hello_visitor: { site: 'default' } }));
  }));
  return {
    page,
    /** Uploads bytes (an array of numbers) as the visitor; resolves to the answer. */
    upload: (name, type, bytes) => page.evaluate(async ([n, ty, b]) => {
      const res = await fetch(`/api/uploads?name=${encodeURIComponent(n)}`, {
        method: 'POST', credentials: 'omit', headers: { 'x-visitor-token': window.token, 'content-type': ty }, body: new Uint8Array(b),
      });
      return res.json();
    }, [name, type, [...bytes]]),
    send: (frame) => page.evaluate((f) => window.ws.send(JSON.stringify(f)), frame),
    /** Waits for a message frame with files; resolves to it. */
    filesMessage: (count) => page.waitForFunction((c) => {
      const found = window.frames_.filter((f) => f.message && f.message.event && f.message.event.attachments);
      return found.length >= c ? found[c - 1].message : null;
    }, count, { timeout: WAIT_MS }).then((h) => h.jsonValue()),
  };
}

test('photos and files go both ways in the console', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const page = await openConsole(browser, server);
  const visitor = await openVisitorWire(browser, server);

  const uploaded = await visitor.upload('broken-box.png', 'image/png', PHOTO);
  assert.equal(uploaded.content_type, 'image/png');
  await visitor.send({ send_files: { client_id: 'v-1', body: 'It arrived like this', uploads: [uploaded.upload] } });
  const row = page.locator('.conv-row', { hasText: 'It arrived like this' });
  await row.click();
  const thumb = page.locator('.msg-visitor .att-thumb img');
  await thumb.waitFor();
  await page.waitForFunction(() => document.querySelector('.msg-visitor .att-thumb img')?.naturalWidth > 0);
  await page.locator('.msg-visitor .att-thumb').click();
  await page.locator('.att-viewer img').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.att-viewer').waitFor({ state: 'detached' });

  // The paperclip: a PDF uploads (progress, then its size), Send sends it with a caption.
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  await page.locator('.composer .file-picker').setInputFiles({ name: 'price list.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.locator('.file-chip.file-done', { hasText: 'price list.pdf' }).waitFor();
  await page.getByRole('textbox', { name: 'Message' }).fill('Our prices');
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = await visitor.filesMessage(1);
  assert.equal(reply.body, 'Our prices');
  assert.equal(reply.event.attachments.files[0].name, 'price list.pdf');
  // The console shows the sent file as a card that downloads.
  const card = page.locator('.msg-mine a.att-card', { hasText: 'price list.pdf' });
  await card.waitFor();
  assert.match(await card.getAttribute('href'), /^\/api\/files\/[0-9a-f]{32}$/);
  assert.match(await card.textContent(), /PDF · \d+ bytes/);

  // Drag and drop: a text file dropped on the composer is sent without a caption.
  await page.locator('.composer').evaluate((el) => {
    const data = new DataTransfer();
    data.items.add(new File(['order 1234\n'], 'order.txt', { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.locator('.file-chip.file-done', { hasText: 'order.txt' }).waitFor();
  await page.getByRole('button', { name: 'Send' }).click();
  const dropped = await visitor.filesMessage(2);
  assert.equal(dropped.event.attachments.files[0].content_type, 'text/plain; charset=utf-8');

  // A big photo is shrunk to 2048 px before it is uploaded, unless sent at original size.
  const wide = Buffer.from((await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 3000;
    canvas.height = 60;
    const context = canvas.getContext('2d');
    context.fillStyle = '#3a7';
    context.fillRect(0, 0, 3000, 60);
    return canvas.toDataURL('image/png');
  })).split(',')[1], 'base64');
  const widthOf = (id) => visitor.page.evaluate(async (i) => {
    const bytes = new Uint8Array(await (await fetch(`/api/files/${i}`)).arrayBuffer());
    return new DataView(bytes.buffer).getUint32(16);
  }, id);
  await page.locator('.composer .file-picker').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: wide });
  await page.locator('.file-chip.file-done', { hasText: 'wide.png' }).waitFor();
  await page.getByRole('button', { name: 'Send' }).click();
  const shrunk = await visitor.filesMessage(3);
  assert.equal(await widthOf(shrunk.event.attachments.files[0].id), 2048);
  await page.locator('.composer .file-picker').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: wide });
  await page.getByLabel('Send photos at original size').check();
  await page.locator('.file-chip.file-done', { hasText: 'wide.png' }).waitFor();
  await page.getByRole('button', { name: 'Send' }).click();
  const full = await visitor.filesMessage(4);
  assert.equal(await widthOf(full.event.attachments.files[0].id), 3000);

  // A program is refused with a clear reason and cannot be sent.
  await page.locator('.composer .file-picker').setInputFiles({ name: 'setup.exe', mimeType: 'image/png', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00') });
  await page.locator('.file-chip.file-failed', { hasText: 'This type of file is not accepted' }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Send' }).isDisabled());
  await page.getByRole('button', { name: 'Remove setup.exe' }).click();
  await page.locator('.file-chip').waitFor({ state: 'detached' });
  // The refused upload's 415 is logged by Chromium; nothing else may be.
  assert.deepEqual(page.problems.filter((p) => !/status of 415/.test(p)), []);
});
