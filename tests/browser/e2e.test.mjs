// Both real UIs against the real binary: a visitor using the widget on the demo shop
// (browser context A) and an agent using the console (browser context B). Nothing here
// speaks the protocol by hand; every message is typed into one UI and read in the other.
//
// Each test starts its own server and browser and stops them when it ends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, api, openConsole, openVisitor, setUpServerAndBrowser, visitorSays, widget,
} from './harness.mjs';

/** A server (without the FAQ bot: the visitor talks to the agent directly; the bot's part
 * is in bot.test.mjs) with an admin and a browser; both stopped when the test ends. */
const setUp = (t) => setUpServerAndBrowser(t, ['--no-bot']);

const bubbles = (page, who) => widget(page, `.msg.${who}:not(.greeting) .bubble`);


/** The agent types `body` into the open conversation and sends it with Enter. */
async function agentSays(page, body) {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(body);
  await input.press('Enter');
  await page.locator('.msg-mine:not(.msg-pending)', { hasText: body }).waitFor();
}

const QUESTION = 'Does the wool blanket ship to Norway?';
const ANSWER = 'Yes, in 3-5 working days.';

/**
 * Scenario 1: the visitor asks, the agent sees the chat arrive, opens it and answers;
 * the visitor sees the answer under the agent's name and a read tick on the question.
 * Resolves to the conversation's row in the console.
 */
async function exchange(visitor, agent) {
  await visitorSays(visitor, QUESTION, { acked: false });
  await widget(visitor, '.msg.me:not(.pending) .tick').getByText('✓', { exact: true }).waitFor();

  const row = agent.locator('.conv-row', { hasText: QUESTION });
  await row.waitFor();
  // Nobody has looked at it yet: sent, not read.
  assert.equal(await widget(visitor, '.msg.me .tick.read').count(), 0, 'no read tick before the agent opens the chat');
  await row.click();
  await agent.locator('.msg-visitor .bubble', { hasText: QUESTION }).waitFor();
  await agent.locator('.conv-sub', { hasText: `Assigned to you` }).waitFor();

  // Viewing the conversation marks it read for the visitor.
  const tick = widget(visitor, '.msg.me .tick.read');
  await tick.waitFor();
  assert.equal(await tick.textContent(), '✓✓');
  assert.equal(await tick.getAttribute('aria-label'), 'Read');

  await agentSays(agent, ANSWER);
  await bubbles(visitor, 'them').getByText(ANSWER, { exact: true }).waitFor();
  assert.equal(await widget(visitor, '.msg.them:not(.greeting) .who').first().textContent(), ADMIN);
  await widget(visitor, '.sub').getByText(`You are chatting with ${ADMIN}`).waitFor();
  return row;
}

test('a visitor on the demo shop and an agent in the console chat with each other', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);

  await exchange(visitor, agent);
  assert.deepEqual(await bubbles(visitor, 'me').allTextContents(), [QUESTION]);
  assert.deepEqual(await bubbles(visitor, 'them').allTextContents(), [ANSWER]);
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(agent.problems, []);
});

test('outside business hours the visitor sees the away message and leaves an email the agent sees', async (t) => {
  const { server, token, browser } = await setUp(t);
  const agent = await openConsole(browser, server);

  // The admin opens the shop on one weekday only, and not today (shop time is UTC here).
  const today = new Date().getUTCDay();
  const openDay = (today + 3) % 7; // three days away: never today, even across midnight
  const names = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const awayText = 'The workshop is closed today. Leave your email and we write back.';
  await agent.getByRole('link', { name: 'Admin' }).click();
  await agent.getByRole('link', { name: 'Widget' }).click();
  await agent.getByRole('heading', { name: 'Widget' }).waitFor();
  await agent.getByRole('button', { name: 'Save' }).waitFor();
  await agent.getByLabel('Shop time zone').selectOption('UTC');
  await agent.getByLabel('Always open').uncheck();
  for (let day = 0; day < 7; day++) {
    await agent.getByLabel(`Open on ${names[day]}`).setChecked(day === openDay);
  }
  await agent.getByLabel(`${names[openDay]} opens`).fill('09:00');
  await agent.getByLabel(`${names[openDay]} closes`).fill('17:00');
  // The default away message (the "Texts per language" fieldset has one per language).
  await agent.locator('fieldset', { hasText: 'Opening hours' }).getByLabel('Away message').fill(awayText);
  await agent.getByRole('button', { name: 'Save' }).click();
  await agent.getByText('Widget settings saved').waitFor();

  // What the console saved is what the server now holds.
  const saved = await api(server, 'GET', '/api/settings', undefined, token);
  assert.equal(saved.status, 200, saved.text);
  assert.deepEqual(saved.body.business_hours, [{ day: openDay, open: '09:00', close: '17:00' }]);
  assert.equal(saved.body.time_zone, 'UTC');
  const pub = await api(server, 'GET', '/api/widget?site=default');
  assert.equal(pub.body.open_now, false);
  assert.equal(pub.body.agents_online, true, 'an agent is online, yet the shop is closed');

  // The visitor sees the away message and an email field.
  const visitor = await openVisitor(browser, server);
  await widget(visitor, '.launcher').click();
  const away = widget(visitor, '.away');
  await away.getByText(awayText).waitFor();
  const email = away.getByPlaceholder('Your email');
  await email.waitFor();
  await email.fill('maria@example.com');
  await away.getByRole('button', { name: 'Let me know' }).click();
  await away.getByText('We will answer at maria@example.com').waitFor();
  await visitorSays(visitor, 'Is the blanket back in stock?', { acked: false });
  await widget(visitor, '.msg.me:not(.pending)').getByText('Is the blanket back in stock?').waitFor();

  // The agent finds the conversation and the email in the visitor panel.
  await agent.getByRole('link', { name: 'Inbox' }).click();
  await agent.getByRole('tab', { name: /All open/ }).click();
  const row = agent.locator('.conv-row', { hasText: 'Is the blanket back in stock?' });
  const asked = agent.waitForRequest(/\/api\/visitors\/\d+$/);
  await row.click();
  const panel = agent.locator('.visitor-panel');
  await panel.locator('.visitor-email', { hasText: 'maria@example.com' }).waitFor();

  // And the API says the same for the visitor the panel asked about.
  const visitorPath = new URL((await asked).url()).pathname;
  const details = await api(server, 'GET', visitorPath, undefined, token);
  assert.equal(details.status, 200, details.text);
  assert.equal(details.body.email, 'maria@example.com');
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(agent.problems, []);
});

test('reloading either side keeps the history, each message once', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  await exchange(visitor, agent);

  // The visitor reloads: the chat is open again with both messages, once each.
  await visitor.reload();
  await widget(visitor, '.launcher[aria-expanded=true]').waitFor();
  await bubbles(visitor, 'them').getByText(ANSWER, { exact: true }).waitFor();
  await widget(visitor, '.msg.me .tick.read').waitFor();
  // A message after the reload is sent only once the history is synced: when it is
  // acknowledged, everything replayed has arrived.
  await visitorSays(visitor, 'Thanks!', { acked: false });
  await widget(visitor, '.msg.me:not(.pending)').getByText('Thanks!').waitFor();
  assert.deepEqual(await bubbles(visitor, 'me').allTextContents(), [QUESTION, 'Thanks!']);
  assert.deepEqual(await bubbles(visitor, 'them').allTextContents(), [ANSWER]);
  await agent.locator('.msg-visitor .bubble', { hasText: 'Thanks!' }).waitFor();

  // The agent reloads: the same conversation, its messages once each.
  await agent.reload();
  await agent.locator('.presence', { hasText: 'Online' }).waitFor();
  await agent.locator('.thread-start').waitFor();
  await agent.locator('.msg-visitor .bubble', { hasText: 'Thanks!' }).waitFor();
  assert.deepEqual(await agent.locator('.msg-visitor .bubble').allTextContents(), [QUESTION, 'Thanks!']);
  assert.deepEqual(await agent.locator('.msg-agent .bubble').allTextContents(), [ANSWER]);
  assert.equal(await agent.locator('.conv-row').count(), 1, 'one conversation in the inbox');
  await agent.locator('.conv-row.selected', { hasText: 'Thanks!' }).waitFor();
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(agent.problems, []);
});

test('markup typed into the widget shows as text in the console', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  const evil = '<img src=x onerror=alert(1)>';

  await visitorSays(visitor, evil, { acked: false });
  await bubbles(visitor, 'me').getByText(evil, { exact: true }).waitFor();
  const row = agent.locator('.conv-row', { hasText: evil });
  await row.waitFor();
  await row.locator('.row-preview', { hasText: evil }).waitFor();
  await row.click();
  const bubble = agent.locator('.msg-visitor .bubble');
  await bubble.first().waitFor();
  assert.deepEqual(await bubble.allTextContents(), [evil]);
  assert.equal(await agent.locator('img').count(), 0, 'no img element anywhere in the console');
  assert.equal(await widget(visitor, 'img').count(), 0, 'no img element in the widget');
  // Give a broken image's onerror the time it would need to fire.
  await agent.waitForTimeout(200);
  assert.deepEqual(agent.dialogs, []);
  assert.deepEqual(visitor.dialogs, []);
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(agent.problems, []);
});
