// The rating question (issue #15), in real Chromium against the real binary: after the
// agent closes the chat, the widget asks "How did we do?"; the visitor picks 4 with a
// comment, the widget thanks them and asks no more, and the agent's console shows it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, openConsole, openVisitor, setUpServerAndBrowser, visitorSays, widget } from './harness.mjs';

test('a visitor rates a closed chat once and the agent sees it', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  await visitorSays(visitor, 'Is the blue teapot in stock?');
  await agent.locator('.conv-row', { hasText: 'Is the blue teapot in stock?' }).click();
  await agent.locator('.head-close').click();
  await agent.locator('.conv-sub', { hasText: /Closed/ }).waitFor();

  const question = widget(visitor, '.rate');
  await question.getByText('How did we do?').waitFor();
  await question.locator('input').fill('Quick and kind');
  await question.getByRole('button', { name: '4', exact: true }).click();
  await widget(visitor, '.rate').getByText('Thanks!').waitFor();
  await agent.locator('.chip-rating', { hasText: '★ 4/5 · Quick and kind' }).waitFor();

  // Stored once: the list of closed chats has it, and a reload asks no more.
  const closed = await api(server, 'GET', '/api/conversations?status=closed', undefined, token);
  assert.equal(closed.body[0].rating.score, 4);
  assert.equal(closed.body[0].rating.comment, 'Quick and kind');
  await visitor.reload();
  await widget(visitor, '.sys').filter({ hasText: 'The conversation has ended' }).last().waitFor({ state: 'attached' });
  assert.equal(await widget(visitor, '.rate').count(), 0);
  assert.deepEqual(agent.problems, []);
  assert.deepEqual(visitor.problems, []);
});
