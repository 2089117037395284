// The visitor's emails in the real widget, against the real binary and a real SMTP server
// (aiosmtpd): a visitor leaves an address, confirms it from the email, leaves; an agent's
// reply arrives by email with a resume link; that link, opened in a fresh browser with no
// storage, reopens the same conversation in the widget, whose "Email me this
// conversation" then mails the transcript.
//
// The reply email waits --email-reply-delay-secs (5 minutes by default); the server here
// waits 1 s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, DESKTOP, WAIT_MS, createAdmin, freePort, launchBrowser, openConsole, startMailbox,
  startServer, watchPage, widget,
} from './harness.mjs';

const EMAIL = 'maria@example.com';
const QUESTION = 'Is the wool blanket back in stock?';
const ANSWER = 'Yes, since Monday: 12 left.';

/** The first link in `text` that starts with `prefix`. */
function link(text, prefix) {
  const start = text.indexOf(prefix);
  assert.ok(start >= 0, `no ${prefix} in ${text}`);
  return text.slice(start).split(/[\s>]/)[0];
}

const subject = (mail) => (mail.headers.find(([k]) => k.toLowerCase() === 'subject') || [])[1] || '';
const to = (address) => (mail) => mail.rcpt_tos.includes(address);

/** A visitor in a context of its own (own storage), at `url`; page.asked lists the
 * widget's requests to /api/visitor/. Besides the usual 401 and 404 (see watchPage), the
 * server's refusals of email requests (429) are what some steps expect, not problems. */
async function visitorAt(browser, url) {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(WAIT_MS);
  const page = watchPage(await context.newPage(), { expectedStatus: /status of (40[14]|429)/ });
  page.asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/visitor/')) page.asked.push(r.url()); });
  await page.goto(url);
  return page;
}

/** A server with email (and --public-url, which its links need) to a fresh mailbox, its
 * admin and a browser, all stopped when the test `t` ends. */
async function withEmail(t) {
  const mailbox = await startMailbox();
  t.after(() => mailbox.stop());
  const port = await freePort();
  const server = await startServer([
    '--no-bot', '--listen', `127.0.0.1:${port}`, '--public-url', `http://127.0.0.1:${port}`,
    '--smtp-url', mailbox.url, '--smtp-from', 'Wool Shop <chat@shop.example>',
    '--email-reply-delay-secs', '1',
  ]);
  t.after(() => server.stop());
  await createAdmin(server, ADMIN, 'correct horse battery');
  const browser = await launchBrowser();
  t.after(() => browser.close());
  return { mailbox, server, browser };
}

/** Nobody is online: the visitor at `url` writes QUESTION, then leaves EMAIL in the away
 * form. Resolves to the visitor's page. */
async function visitorLeavesEmail(browser, url) {
  const visitor = await visitorAt(browser, url);
  await widget(visitor, '.launcher').click();
  await widget(visitor, 'textarea').fill(QUESTION);
  await widget(visitor, 'textarea').press('Enter');
  await widget(visitor, '.msg.me:not(.pending)').getByText(QUESTION).waitFor();
  assert.equal(await widget(visitor, 'button.mail').isVisible(), false,
    'no transcript button before an address is known');
  const away = widget(visitor, '.away');
  await away.getByPlaceholder('Your email').fill(EMAIL);
  await away.getByRole('button', { name: 'Let me know' }).click();
  await away.getByText(`We will answer at ${EMAIL}`).waitFor();
  return visitor;
}

test('a reply email\'s link reopens the conversation in a fresh browser, which can mail the transcript', async (t) => {
  const { mailbox, server, browser } = await withEmail(t);
  const shop = `${server.url}/demo/`;

  // Nobody is online: the visitor writes, and leaves an address in the away form.
  const visitor = await visitorLeavesEmail(browser, shop);

  // The address gets its confirmation; asking for the transcript before confirming asks
  // for another one, which the per-address limit refuses: the widget shows the server's word.
  const confirmation = await mailbox.waitFor(to(EMAIL));
  assert.match(subject(confirmation), /confirm your email address/);
  const button = visitor.getByRole('button', { name: 'Email me this conversation' });
  await button.click();
  await widget(visitor, '.mailed.bad').getByText(/^Not sent: too many emails for now/).waitFor();

  // The visitor confirms in the browser: the link shows a button, whose POST confirms.
  const confirmPage = await visitor.context().newPage();
  await confirmPage.goto(link(confirmation.text, `${server.url}/email/confirm?token=`));
  await confirmPage.getByRole('button', { name: 'Confirm your email address' }).click();
  await confirmPage.getByText('Thanks, your address is confirmed.').waitFor();
  assert.deepEqual(visitor.problems, []);
  await visitor.context().close(); // the visitor leaves

  // An agent logs in, takes the conversation and answers.
  const agent = await openConsole(browser, server);
  await agent.getByRole('tab', { name: /All open/ }).click();
  await agent.locator('.conv-row', { hasText: QUESTION }).click();
  const input = agent.getByRole('textbox', { name: 'Message' });
  await input.fill(ANSWER);
  await input.press('Enter');
  await agent.locator('.msg-mine:not(.msg-pending)', { hasText: ANSWER }).waitFor();

  // The visitor did not come back: a second later the reply is emailed, with a link to
  // the shop page the visitor was on.
  const reply = await mailbox.waitFor((m) => to(EMAIL)(m) && m.text.includes('#deskbell-resume='));
  assert.match(subject(reply), /You have a reply/);
  assert.ok(reply.text.includes(ANSWER), reply.text);
  const resume = link(reply.text, `${shop}#deskbell-resume=`);

  // Opened in a fresh browser (no storage at all), the link reopens that conversation.
  const back = await visitorAt(browser, resume);
  await widget(back, '.panel').waitFor();
  await widget(back, '.msg.them .bubble').getByText(ANSWER, { exact: true }).waitFor();
  await widget(back, '.msg.me .bubble').getByText(QUESTION, { exact: true }).waitFor();
  assert.equal(back.url(), shop, 'the resume token is removed from the address bar');
  assert.equal(await back.evaluate(() => location.hash), '');

  // The server knows the visitor's (confirmed) address: the transcript goes out at once.
  const before = mailbox.mails().length;
  await back.getByRole('button', { name: 'Email me this conversation' }).click();
  await widget(back, '.mailed:not(.bad)').getByText('Sent. Check your inbox.').waitFor();
  const transcript = await mailbox.waitFor((m, i) => i >= before && to(EMAIL)(m));
  assert.match(subject(transcript), /Your conversation with us/);
  assert.ok(transcript.text.includes(QUESTION) && transcript.text.includes(ANSWER), transcript.text);
  assert.ok(!transcript.text.includes('#deskbell-resume='), 'a transcript carries no resume link');
  assert.deepEqual(back.problems, []);
  assert.deepEqual(agent.problems, []);
});

test('the transcript button says when the address must be confirmed first', async (t) => {
  const { mailbox, server, browser } = await withEmail(t);
  const visitor = await visitorLeavesEmail(browser, `${server.url}/demo/`);
  await mailbox.waitFor(to(EMAIL)); // the confirmation
  // A day later the per-address limit would let another confirmation go: that answer.
  await visitor.route('**/api/visitor/transcript', (route) => route.fulfill({
    status: 202, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' },
    body: JSON.stringify({ status: 'confirmation_sent' }),
  }));
  await visitor.getByRole('button', { name: 'Email me this conversation' }).click();
  await widget(visitor, '.mailed:not(.bad)')
    .getByText('We sent a link to confirm your address first. Open it, then ask again.').waitFor();
  assert.deepEqual(visitor.problems, []);
});

test('a shop that sends no email offers no transcript and asks for no confirmation', async (t) => {
  const server = await startServer(['--no-bot']); // no --smtp-url
  t.after(() => server.stop());
  await createAdmin(server, ADMIN, 'correct horse battery');
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const visitor = await visitorLeavesEmail(browser, `${server.url}/demo/`);
  await widget(visitor, 'textarea').fill('Anyone there?');
  await widget(visitor, 'textarea').press('Enter');
  await widget(visitor, '.msg.me:not(.pending)').getByText('Anyone there?').waitFor();
  assert.equal(await widget(visitor, 'button.mail').isVisible(), false);
  assert.deepEqual(visitor.asked, [], 'nothing asked of a server that would refuse it');
  assert.deepEqual(visitor.problems, []);
});
