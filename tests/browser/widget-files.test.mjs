// Photos and files from the widget (issue #13), in real Chromium against the real binary:
// the paperclip's tray, a big photo shrunk to 2048 px in the browser unless "Send
// original" is ticked, a pasted screenshot, a PDF shown as a card, the agent's file coming
// back, and a refusal shown in the tray.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConsole, openVisitor, repoRoot, setUpServerAndBrowser, visitorSays, widget } from './harness.mjs';

const setUp = (t, args = []) => setUpServerAndBrowser(t, ['--no-bot', ...args]);
const SCREENSHOT = readFileSync(join(repoRoot, 'tests/fixtures/attachments/screenshot.png'));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/** Puts files into the widget's hidden file input, as the paperclip's picker does. */
const pick = (page, files) => widget(page, 'input.pick').setInputFiles(files);

/** Makes a `width`×`height` JPEG in the page and picks it (a phone photo stand-in). */
async function pickPhoto(page, width, height) {
  await page.evaluate(([w, h]) => new Promise((ok) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    g.fillStyle = '#3a7';
    g.fillRect(0, 0, w, h);
    canvas.toBlob((blob) => {
      const input = document.querySelector('[data-deskbell]').shadowRoot.querySelector('input.pick');
      const files = new DataTransfer();
      files.items.add(new File([blob], 'photo.jpg', { type: 'image/jpeg' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change'));
      ok();
    }, 'image/jpeg', 0.9);
  }), [width, height]);
}

/** The natural width of the newest thumbnail in the widget, once it has loaded. */
async function newestImageWidth(page) {
  const img = widget(page, '.msg.me a.file img').last();
  await img.waitFor();
  return img.evaluate((e) => (e.complete && e.naturalWidth ? e.naturalWidth
    : new Promise((ok) => { e.onload = () => ok(e.naturalWidth); })));
}

test('photos are shrunk unless sent as originals; a pasted screenshot and a PDF arrive; the agent sees them', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'Here is what arrived');

  await pickPhoto(visitor, 3000, 1500);
  const tray = widget(visitor, '.tray');
  await tray.getByText('photo.jpg').waitFor();
  await tray.getByRole('button', { name: 'Send' }).click();
  await tray.waitFor({ state: 'hidden' });
  assert.equal(await newestImageWidth(visitor), 2048, 'shrunk in the browser');
  const src = await widget(visitor, '.msg.me a.file img').last().getAttribute('src');
  assert.match(src, /^http:\/\/127\.0\.0\.1:\d+\/api\/files\/[0-9a-f]{32}$/);

  await pickPhoto(visitor, 3000, 1500);
  await tray.getByText('Send original').click();
  await tray.getByRole('button', { name: 'Send' }).click();
  await widget(visitor, '.msg.me a.file img').nth(1).waitFor();
  assert.equal(await newestImageWidth(visitor), 3000, 'the original, as chosen');

  // A screenshot pasted into the message box, and a PDF picked: a card with name and size.
  await widget(visitor, 'textarea').evaluate((area, bytes) => {
    const files = new DataTransfer();
    files.items.add(new File([new Uint8Array(bytes)], 'screen.png', { type: 'image/png' }));
    area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true }));
  }, [...SCREENSHOT]);
  await tray.getByText('screen.png').waitFor();
  await pick(visitor, { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF });
  await tray.getByText('receipt.pdf').waitFor();
  await tray.getByRole('button', { name: 'Send' }).click();
  // The card links to the file once the ack brought its download id.
  const card = widget(visitor, '.msg.me a.file[href]').filter({ hasText: 'receipt.pdf' });
  await card.waitFor();
  assert.match(await card.textContent(), /^receipt\.pdf\d+ B · PDF$/);
  assert.match(await card.getAttribute('href'), /\/api\/files\/[0-9a-f]{32}$/);

  // The agent sees the photos in the console.
  await agent.locator('.conv-row').first().click();
  await agent.locator(`img[src$="${src.slice(src.indexOf('/api/files/'))}"]`).waitFor();
  assert.deepEqual(visitor.problems, []);
});

test('a file over the size limit is refused in the tray, which keeps it for another try', async (t) => {
  const { server, browser } = await setUp(t, ['--max-upload-mb', '1']);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'A big one');
  await pick(visitor, { name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([PDF, Buffer.alloc(1_200_000)]) });
  const tray = widget(visitor, '.tray');
  await tray.getByRole('button', { name: 'Send' }).click();
  await tray.locator('.tray-state', { hasText: /^Not sent: / }).waitFor();
  assert.ok(await tray.isVisible(), 'the tray keeps the file');
  assert.equal(await widget(visitor, '.msg.me a.file').count(), 0);
});
