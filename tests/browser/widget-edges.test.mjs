// Rough edges of the widget found in a walk-through (issue #13), in real Chromium against
// the real binary with the real console: tappable and safe links, the agent's name as
// soon as she claims the chat, her avatar, the unread count in the shop page's title,
// and the sound switched on by the visitor's first message unless they chose otherwise;
// and why a message over the hourly text budget was not sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, api, openConsole, openVisitor, setUpServerAndBrowser, visitorSays, widget,
} from './harness.mjs';

/** A server without the FAQ bot (the visitor talks to the agent directly). */
const setUp = (t) => setUpServerAndBrowser(t, ['--no-bot']);


/** Every link in the widget's bubbles: { href, text, rel, target }. */
const links = (page) => widget(page, '.bubble a').evaluateAll((all) =>
  all.map((a) => ({ href: a.getAttribute('href'), text: a.textContent, rel: a.rel, target: a.target })));

const soundPressed = (page) => widget(page, '.sound').getAttribute('aria-pressed');

test('links are tappable and safe, the agent is named on claiming, unread shows in the page title, sound comes on', async (t) => {
  const { server, token, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  const shopTitle = await visitor.title();

  await widget(visitor, '.launcher').click();
  assert.equal(await soundPressed(visitor), 'false', 'silent before the visitor wrote');
  await visitorSays(visitor, 'Order at www.example.com/o/7, see javascript:alert(1) or <a href="x">y</a>');
  assert.deepEqual(await links(visitor), [{
    href: 'https://www.example.com/o/7', text: 'www.example.com/o/7', rel: 'noopener noreferrer nofollow', target: '_blank',
  }], 'one link, without the comma; no javascript: link and no markup');
  assert.equal(await soundPressed(visitor), 'true', 'the first message switches the sound on');

  // The agent claims the chat: the header names her before she writes anything.
  await agent.locator('.conv-row').first().click();
  await agent.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();
  await widget(visitor, '.sub').getByText(`You are chatting with ${ADMIN}`).waitFor();
  assert.equal(await widget(visitor, '.msg.them:not(.greeting)').count(), 0, 'named before her first message');

  // The visitor closes the chat; the agent answers with a tracking link.
  await widget(visitor, '.close').click();
  const input = agent.getByRole('textbox', { name: 'Message' });
  await input.fill('Tracking: https://track.example/abc?id=9.');
  await input.press('Enter');
  await visitor.waitForFunction((title) => document.title === `(1) ${title}`, shopTitle);
  await widget(visitor, '.launcher').click();
  await visitor.waitForFunction((title) => document.title === title, shopTitle);
  const tracking = widget(visitor, '.msg.them a');
  await tracking.waitFor();
  assert.equal(await tracking.getAttribute('href'), 'https://track.example/abc?id=9');
  // Her avatar, as the console's profile page sets it, stands before her name.
  const me = await api(server, 'GET', '/api/me', undefined, token);
  const avatar = await api(server, 'GET', `/api/agents/${me.body.id}/avatar`);
  assert.equal(avatar.status, 200, avatar.text);
  const drawn = widget(visitor, '.msg.them .who .av');
  await drawn.waitFor();
  assert.equal(await drawn.getAttribute('data-i'), avatar.body.initials);
  assert.equal(await drawn.evaluate((e) => getComputedStyle(e, '::before').content), `"${avatar.body.initials}"`);
  assert.equal(await widget(visitor, '.msg.them .who').last().textContent(), ADMIN, 'the name line reads as her name');

  // Switched off by hand, it stays off after a reload and another message.
  await widget(visitor, '.sound').click();
  assert.equal(await soundPressed(visitor), 'false');
  await visitor.reload();
  await widget(visitor, '.launcher').waitFor();
  await visitor.evaluate(() => window.deskbell.open()); // it may have reopened by itself
  await widget(visitor, '.sub').getByText(`You are chatting with ${ADMIN}`).waitFor();
  await visitorSays(visitor, 'Thanks!');
  assert.equal(await soundPressed(visitor), 'false', 'the choice is remembered');
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(agent.problems, []);
});

test('a visitor over the hourly text budget sees why a message was not sent', async (t) => {
  // 1 KB of text an hour: one long message fits, a second does not.
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot', '--text-kb-per-hour', '1']);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'a'.repeat(600));
  const second = 'b'.repeat(600);
  await visitorSays(visitor, second, { acked: false });
  const failed = widget(visitor, '.msg.me.failed').filter({ hasText: second });
  await failed.waitFor();
  assert.equal(
    await failed.locator('[title]').last().getAttribute('title'),
    'Not sent: you have sent a lot of text this hour; please try again later',
  );
  // Refused for good (not kept for a retry): the widget's outbox is empty.
  assert.equal(await visitor.evaluate(() => localStorage.getItem('deskbell:default:outbox')), '[]');
  assert.deepEqual(visitor.problems, []);
});
