// Languages in both real UIs against the real binary: an agent switches the console to
// Simplified Chinese on her profile and every main view speaks it (no English words left
// on screen); the shop's greeting and title per visitor language, set in the Chinese
// console, reach a Chinese visitor while an English one gets the default; and a Chinese
// visitor's widget names the agent who joined before she has written anything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, DESKTOP, WAIT_MS, api, openConsole, setUpServerAndBrowser, watchPage, widget,
} from './harness.mjs';

const setUp = (t) => setUpServerAndBrowser(t, ['--no-bot']);

/** A visitor on the demo shop whose browser speaks `locale` (the widget follows it). */
async function openVisitorIn(browser, server, locale) {
  const context = await browser.newContext({ viewport: DESKTOP, locale });
  context.setDefaultTimeout(WAIT_MS);
  const page = watchPage(await context.newPage());
  await page.goto(`${server.url}/demo/`);
  await widget(page, '.launcher').waitFor();
  return page;
}

async function visitorSays(page, body) {
  await widget(page, '.launcher').click();
  const composer = widget(page, 'textarea');
  await composer.fill(body);
  await composer.press('Enter');
}

/** Words made of three or more Latin letters that are allowed on a Chinese screen:
 * names, product and protocol names, the browser and OS the visitor panel shows (and the
 * raw user agent as its title), the site's id. */
const ALLOWED = new Set(['deskbell', 'Alice', 'Bob', 'Webhook', 'Webhooks', 'Standard', 'webhook', 'timestamp',
  'signature', 'JSON', 'POST', 'https', 'http', 'Enter', 'Shift', 'UTC', 'SMTP', 'iPhone', 'Chrome', 'HeadlessChrome',
  'Linux', 'English', 'demo', 'shop', 'example', 'body', 'script', 'src', 'widget', 'async', 'public', 'url', 'CRM',
  'crm', 'com', 'hooks', 'you', 'rrggbb', 'data', 'language', 'the', 'bot', 'default', 'Mozilla', 'AppleWebKit',
  'KHTML', 'like', 'Gecko', 'Safari', 'API', 'REST', 'docs', 'Authorization', 'Bearer', 'CSV']);

/** Latin words in the page (every text, shown or hidden, and placeholders, titles and
 * labels) outside ALLOWED; code (the snippet, webhook event names), what is marked
 * translate="no" (time-zone names, page addresses) and the bilingual <noscript> are
 * left out. */
async function englishLeft(page) {
  const text = await page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[placeholder], [title], [aria-label]')]
      .flatMap((el) => ['placeholder', 'title', 'aria-label'].map((a) => el.getAttribute(a) || ''));
    const texts = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      if (!node.parentElement?.closest('code, pre, noscript, [translate="no"]')) texts.push(node.textContent);
    }
    return [...texts, ...attrs].join('\n');
  });
  const words = text.replace(/https?:\/\/\S+|\S+@\S+|<[^>]*>|--[\w-]+|#[0-9a-f]{6}/gi, ' ').match(/[A-Za-z]{3,}/g) || [];
  return [...new Set(words.filter((w) => !ALLOWED.has(w)))];
}

test('the console in Simplified Chinese: chosen on the profile, every main view translated', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  assert.equal(await agent.evaluate(() => document.documentElement.lang), 'en', 'an English browser: English');

  await agent.goto(`${server.url}/console/#/profile`);
  await agent.getByLabel('Console language').selectOption('zh-CN');
  await Promise.all([
    agent.waitForEvent('load'),
    agent.locator('form', { has: agent.getByLabel('Console language') }).getByRole('button', { name: 'Save' }).click(),
  ]);
  await agent.locator('.presence', { hasText: '在线' }).waitFor();
  assert.equal(await agent.evaluate(() => document.documentElement.lang), 'zh-CN');
  const me = await agent.evaluate(() => fetch('/api/me').then((r) => r.json()));
  assert.equal(me.console_language, 'zh-CN', 'stored on the account');

  // A Chinese visitor writes: the chat reaches the Chinese console.
  const visitor = await openVisitorIn(browser, server, 'zh-CN');
  await visitorSays(visitor, '你好，请问这款茶叶可以寄到上海吗？');
  await agent.goto(`${server.url}/console/#/inbox/mine`);
  const row = agent.locator('.conv-row', { hasText: '上海' });
  await row.waitFor();
  await row.locator('.chip', { hasText: '我' }).waitFor();
  await row.click();
  await agent.locator('.conv-sub', { hasText: '已分配给您' }).waitFor();
  await agent.locator('.msg-system', { hasText: `${ADMIN} 已加入会话` }).waitFor();
  await agent.locator('.composer-hint', { hasText: 'Enter 发送' }).waitFor();
  await agent.locator('.visitor-panel dt', { hasText: '浏览器' }).waitFor();
  assert.deepEqual(await englishLeft(agent), [], 'conversation view');

  const views = [
    ['#/inbox/queue', '没有访客在排队'],
    ['#/inbox/closed', '暂无已关闭的会话'],
    ['#/admin/agents', '添加客服'],
    ['#/admin/widget', '多语言文字'],
    ['#/admin/canned', '新建快捷回复'],
    ['#/admin/faq', '机器人已关闭'],
    ['#/admin/webhooks', '新建接收地址'],
    ['#/admin/deliveries', '没有失败的投递'],
    ['#/admin/keys', '新建 API 密钥'],
    ['#/admin/audit', '管理员（和管理权限的 API 密钥）所做的更改'],
    ['#/admin/export', '导出对话'],
    ['#/admin/reports', '机器人答不上来的问题'],
    ['#/admin/embed', '在网站上嵌入在线客服'],
    ['#/profile', '控制台语言'],
  ];
  for (const [hash, shows] of views) {
    await agent.goto(`${server.url}/console/${hash}`);
    await agent.getByText(shows).first().waitFor();
    await agent.locator('.conn').waitFor({ state: 'hidden' });
    assert.deepEqual(await englishLeft(agent), [], hash);
  }

  // Closing shows the Chinese system line and a relative time in Chinese in the list.
  await agent.goto(`${server.url}/console/#/inbox/mine`);
  await row.click();
  await agent.getByRole('button', { name: '结束会话' }).click();
  await agent.locator('.msg-system', { hasText: `${ADMIN} 结束了会话` }).waitFor();
  await agent.goto(`${server.url}/console/#/inbox/closed`);
  await agent.locator('.conv-row .row-time', { hasText: '刚刚' }).waitFor();

  // A server error reads in Chinese too (a taken name: 409 with the server's detail).
  await agent.goto(`${server.url}/console/#/admin/agents`);
  const form = agent.locator('form', { hasText: '添加客服' }).last();
  await form.getByLabel('名称').fill(ADMIN);
  await form.getByLabel('密码').fill('long enough password');
  await form.getByRole('button', { name: '添加客服' }).click();
  await form.locator('.form-error', { hasText: '该名称已被使用' }).waitFor();

  // After logging out, the login page keeps the agent's language.
  await agent.getByRole('button', { name: '退出登录' }).click();
  await agent.getByRole('button', { name: '登录' }).waitFor();
  assert.deepEqual(agent.problems.filter((p) => !/status of 409/.test(p)), [], 'only the refused name');
  assert.deepEqual(visitor.problems, []);
});

test('a Chinese browser gets the Chinese console before anyone chooses', async (t) => {
  const { server, browser } = await setUp(t);
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const page = watchPage(await context.newPage());
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('名称').fill(ADMIN);
  await page.getByLabel('密码').fill('wrong password!');
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('.form-error', { hasText: '名称或密码错误' }).waitFor();
  assert.deepEqual(await englishLeft(page), []);
});

test('greeting and title per language: set in the console, shown by the visitor’s language', async (t) => {
  const { server, browser, token } = await setUp(t);
  const agent = await openConsole(browser, server);
  // Chosen through the API this time: the console speaks it from its next load.
  const saved = await api(server, 'PATCH', '/api/me', { console_language: 'zh-CN' }, token);
  assert.equal(saved.status, 200);
  await agent.goto(`${server.url}/console/#/admin/widget`);
  await agent.reload();
  await agent.getByLabel('标题').first().fill('Bea’s Tea');
  await agent.getByLabel('欢迎语').first().fill('Hi! Ask us about our teas.');
  const zh = agent.locator('.language-texts[data-lang=zh]');
  await zh.getByLabel('标题').fill('小贝茶铺');
  await zh.getByLabel('欢迎语').fill('您好！想了解哪款茶叶？');
  await agent.getByRole('button', { name: '保存' }).click();
  await agent.getByText('聊天窗口设置已保存').waitFor();
  const settings = await api(server, 'GET', '/api/settings', undefined, token);
  assert.equal(settings.body.texts.zh.greeting, '您好！想了解哪款茶叶？');
  assert.equal(settings.body.texts.en.greeting, '', 'English left to the default');

  const chinese = await openVisitorIn(browser, server, 'zh-CN');
  await widget(chinese, '.launcher').click();
  await widget(chinese, '.greeting .bubble').getByText('您好！想了解哪款茶叶？').waitFor();
  await widget(chinese, '.title').getByText('小贝茶铺').waitFor();

  const english = await openVisitorIn(browser, server, 'en-GB');
  await widget(english, '.launcher').click();
  await widget(english, '.greeting .bubble').getByText('Hi! Ask us about our teas.').waitFor();
  await widget(english, '.title').getByText('Bea’s Tea').waitFor();
  assert.deepEqual([...agent.problems, ...chinese.problems, ...english.problems], []);
});

test('a Chinese visitor sees the name of the agent who joined before she writes', async (t) => {
  const { server, browser } = await setUp(t);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitorIn(browser, server, 'zh-CN');
  await visitorSays(visitor, '在吗？');
  await agent.locator('.conv-row', { hasText: '在吗' }).waitFor();
  await widget(visitor, '.sys').getByText(`${ADMIN} 已加入对话`).waitFor();
  await widget(visitor, '.subtext').getByText(`${ADMIN} 正在为您服务`).waitFor();
  assert.equal(await widget(visitor, '.msg.them:not(.greeting)').count(), 0, 'the agent has not written yet');
  assert.deepEqual([...agent.problems, ...visitor.problems], []);
});
