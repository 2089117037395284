// FAQ answers per language in real Chromium against the real binary (bot on): the admin
// writes an entry's Chinese answer in the console's FAQ editor, the list and the API show
// it, a visitor who asks in Chinese gets it in the widget, and an oversized one is refused
// before it is sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, openConsole, openVisitor, setUpServerAndBrowser, widget } from './harness.mjs';

const QUESTIONS = ['What are your opening hours?', 'When is the shop open?', '你们几点开门？', '周六营业吗？'];
const ANSWER = 'Tuesday to Saturday, 10:00 to 18:00.';
const ANSWER_ZH = '周二至周六，10:00 至 18:00 营业。';

test('admin: the FAQ editor adds a Chinese answer, which Chinese visitors get', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t);
  const agent = await openConsole(browser, server, { watch: { acceptDialogs: true } });
  await agent.goto(`${server.url}/console/#/admin/faq`);
  const form = agent.locator('.faq-drafts .faq-editor').first();
  await form.getByLabel('Questions').fill(QUESTIONS.join('\n'));
  await form.getByLabel('Answer').fill(ANSWER);
  // Too long first: the editor says so and sends nothing.
  await form.getByLabel('In Chinese').fill('长'.repeat(2001));
  await form.getByRole('button', { name: 'Save entry' }).click();
  await form.locator('.form-error', { hasText: 'The answer in Chinese is longer than 2000 characters (2001).' }).waitFor();
  assert.deepEqual((await api(server, 'GET', '/api/faq', undefined, token)).body.entries, []);
  await form.getByLabel('In Chinese').fill(ANSWER_ZH);
  await form.getByRole('button', { name: 'Save entry' }).click();

  const row = agent.locator('.faq-row', { hasText: QUESTIONS[0] });
  await row.locator('.faq-answer-local', { hasText: `Chinese: ${ANSWER_ZH}` }).waitFor();
  const listed = (await api(server, 'GET', '/api/faq', undefined, token)).body.entries;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].answer, ANSWER);
  assert.deepEqual(listed[0].answers, { zh: ANSWER_ZH });
  // Editing shows it again, and keeps it.
  await row.getByRole('button', { name: 'Edit' }).click();
  const editor = agent.locator('.faq-list .faq-editor');
  assert.equal(await editor.getByLabel('In Chinese').inputValue(), ANSWER_ZH);
  assert.equal(await editor.getByLabel('In English').inputValue(), '');
  await editor.getByRole('button', { name: 'Save changes' }).click();
  await agent.locator('.faq-row .faq-answer-local', { hasText: ANSWER_ZH }).waitFor();

  // A visitor asks in Chinese: the Chinese answer.
  const tried = await api(server, 'POST', '/api/faq/try', { text: '你们周六几点开门？' }, token);
  assert.equal(tried.body.decision.action, 'answer', JSON.stringify(tried.body));
  const visitor = await openVisitor(browser, server);
  await widget(visitor, '.launcher').click();
  const composer = widget(visitor, 'textarea');
  await composer.fill('你们周六几点开门？');
  await composer.press('Enter');
  await widget(visitor, '.msg.bot').filter({ hasText: ANSWER_ZH }).waitFor();
  assert.deepEqual(agent.problems, []);
  assert.deepEqual(visitor.problems, []);
});
