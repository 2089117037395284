// The console's keyboard shortcuts (issue #15's console polish), in real Chromium against
// the real binary: "?" lists them, j / k move through the inbox, c claims, r focuses the
// reply box (where letters are text, not shortcuts), x closes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openConsole, openVisitor, setUpServerAndBrowser, visitorSays } from './harness.mjs';

test('agents work the inbox from the keyboard; letters typed into a reply stay text', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  // Away: the chats wait in the queue to be claimed.
  await agent.locator('.presence').click();
  await agent.locator('.presence', { hasText: 'Away' }).waitFor();
  for (const question of ['First question', 'Second question']) {
    const visitor = await openVisitor(browser, server);
    await visitorSays(visitor, question);
  }
  await agent.getByRole('tab', { name: /Queue/ }).click();
  await agent.locator('.conv-row').nth(1).waitFor();
  const rows = await agent.locator('.conv-row').evaluateAll((all) => all.map((a) => a.getAttribute('href')));

  await agent.keyboard.press('?');
  const help = agent.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Claim the open conversation').waitFor();
  await agent.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  // Opening a conversation focuses its reply box (once drawn): Escape leaves it for the
  // next key.
  const opened = async (hash) => {
    await agent.waitForFunction((h) => location.hash === h
      && document.activeElement?.classList.contains('composer-input'), hash);
    await agent.keyboard.press('Escape');
  };
  await agent.keyboard.press('j');
  await opened(rows[0]);
  await agent.keyboard.press('j');
  await opened(rows[1]);
  await agent.keyboard.press('k');
  await opened(rows[0]);

  await agent.keyboard.press('c');
  await agent.locator('.conv-sub', { hasText: 'Assigned to you' }).waitFor();
  await agent.keyboard.press('Escape'); // the claim may focus the reply box: leave it
  assert.equal(await agent.evaluate(() => document.activeElement?.tagName), 'BODY');
  await agent.keyboard.press('r');
  await agent.keyboard.type('just kidding, x marks the spot');
  assert.equal(await agent.locator('.composer-input').inputValue(), 'just kidding, x marks the spot');
  assert.equal(await agent.evaluate(() => location.hash), rows[0], 'j and k typed into the reply moved nothing');
  await agent.locator('.composer-input').fill('');

  await agent.keyboard.press('Escape');
  await agent.keyboard.press('x');
  await agent.locator('.conv-sub', { hasText: /Closed/ }).waitFor();
  assert.deepEqual(agent.problems, []);
});
