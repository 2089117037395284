// The console's rough edges from issue #13, in real Chromium against the real binary:
// the shop's time zone picker (named IANA zones, the browser's by default, old fixed
// offsets shown as such), the embed snippet's address, tappable links that never become
// markup, friendly visitor names, and the agent's own profile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, openConsole, openVisitor, setUpServerAndBrowser, widget } from './harness.mjs';

/** Opens Admin → `page` in the console. */
async function adminPage(agent, link, heading) {
  await agent.getByRole('link', { name: 'Admin' }).click();
  await agent.getByRole('link', { name: link }).click();
  await agent.getByRole('heading', { name: heading }).waitFor();
}

test('the shop time zone starts at the browser\'s, is saved by name, and an old fixed offset says so', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server, { timezoneId: 'America/New_York' });
  await adminPage(agent, 'Widget', 'Widget');
  const picker = agent.getByLabel('Shop time zone');
  await agent.getByRole('button', { name: 'Save' }).waitFor();
  assert.equal(await picker.inputValue(), 'America/New_York', 'the browser\'s zone');
  await agent.getByLabel('Always open').uncheck();
  await agent.getByRole('button', { name: 'Save' }).click();
  await agent.getByText('Widget settings saved').waitFor();
  const saved = await api(server, 'GET', '/api/settings', undefined, token);
  assert.equal(saved.body.time_zone, 'America/New_York');

  // Settings from before named zones: a fixed offset, shown as one, kept when saved.
  const old = { ...saved.body, time_zone: '', utc_offset_min: 60 };
  assert.equal((await api(server, 'PUT', '/api/settings', old, token)).status, 200);
  await agent.reload();
  await agent.getByRole('button', { name: 'Save' }).waitFor();
  assert.equal(await picker.inputValue(), '');
  await agent.getByText('UTC+1, fixed (no daylight saving)').waitFor({ state: 'attached' });
  await agent.getByText('choose your city').waitFor();
  await agent.getByRole('button', { name: 'Save' }).click();
  await agent.getByText('Widget settings saved').waitFor();
  const kept = await api(server, 'GET', '/api/settings', undefined, token);
  assert.deepEqual([kept.body.time_zone, kept.body.utc_offset_min], ['', 60]);
  await picker.selectOption('Europe/London');
  await agent.getByText(/Now UTC\+[01]\./).waitFor();
  assert.deepEqual(agent.problems, []);
});

test('the embed snippet warns about a loopback address and uses --public-url when the server has one', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  await adminPage(agent, 'Embed on your site', 'Embed the chat on your site');
  const code = agent.locator('.snippet code');
  await code.getByText(`<script src="${server.url}/widget.js" async></script>`).waitFor();
  const warning = agent.locator('.snippet-warning');
  await warning.getByText('an address only this computer reaches').waitFor();
  assert.match(await warning.textContent(), /--public-url/);

  // A server with a public address (its answer stubbed: this one listens on 127.0.0.1).
  await agent.route('**/api/widget*', (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ site: 'default', public_url: 'https://chat.shop.example' }),
  }));
  await adminPage(agent, 'Widget', 'Widget');
  await adminPage(agent, 'Embed on your site', 'Embed the chat on your site');
  await code.getByText('<script src="https://chat.shop.example/widget.js" async></script>').waitFor();
  assert.equal(await warning.isHidden(), true, 'https on a public name: nothing to warn about');
  assert.deepEqual(agent.problems, []);
});

/** The visitor opens the chat on the demo shop and sends `body`; resolves to their id. */
async function visitorSays(page, body) {
  await widget(page, '.launcher').click();
  const composer = widget(page, 'textarea');
  await composer.fill(body);
  await composer.press('Enter');
  await widget(page, '.msg.me:not(.pending)').getByText(body).waitFor();
}

test('each visitor gets a friendly name and colour of their own and the inbox row shows their page', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  await visitorSays(await openVisitor(browser, server), 'First question');
  await visitorSays(await openVisitor(browser, server), 'Second question');

  const rows = agent.locator('.conv-row');
  await rows.nth(1).waitFor();
  const open = await api(server, 'GET', '/api/visitors?ids=1,2', undefined, token);
  assert.equal(open.status, 200, open.text);
  const [one, two] = open.body;
  assert.notEqual(one.alias.en, two.alias.en, 'two visitors, two names');
  for (const [card, question] of [[one, 'First question'], [two, 'Second question']]) {
    const row = agent.locator('.conv-row', { hasText: question });
    await row.locator('.row-name', { hasText: card.alias.en }).waitFor();
    const initials = card.alias.en.split(' ').map((w) => w[0]).join('');
    assert.equal(await row.locator('.avatar').textContent(), initials);
    // Rows are redrawn as news arrives: ask the row on the page now, until it shows it.
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(card.alias.colour.slice(i, i + 2), 16));
    await agent.waitForFunction(([text, rgb]) => {
      const shown = [...document.querySelectorAll('.conv-row')].find((el) => el.textContent.includes(text));
      const avatar = shown && shown.querySelector('.avatar');
      return Boolean(avatar) && getComputedStyle(avatar).backgroundColor === rgb;
    }, [question, `rgb(${r}, ${g}, ${b})`]);
    await row.locator('.row-page', { hasText: '/demo/' }).waitFor();
  }

  // The Chinese console calls them by their Chinese names.
  assert.equal((await api(server, 'PATCH', '/api/me', { console_language: 'zh-CN' }, token)).status, 200);
  await agent.reload();
  await agent.locator('.conv-row .row-name', { hasText: one.alias.zh }).waitFor();
  await agent.locator('.conv-row .row-name', { hasText: two.alias.zh }).waitFor();
  assert.deepEqual(agent.problems, []);
});

test('an agent renames themselves, picks an avatar visitors can fetch and changes their password', async (t) => {
  const { server, token, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const other = await api(server, 'POST', '/api/login', { name: 'Alice', password: 'correct horse battery' });
  assert.equal(other.status, 200, other.text);
  const otherSession = other.body.token;
  const agent = await openConsole(browser, server);
  await agent.goto(`${server.url}/console/#/profile`);
  await agent.getByRole('heading', { name: 'Avatar' }).waitFor();

  const name = agent.locator('input[name=name]');
  await name.fill('Alice Liddell');
  await name.press('Enter');
  await agent.getByText('Name saved.').waitFor();

  await agent.locator('input[name=initials]').fill('al');
  await agent.getByLabel('Colour #047857').check();
  assert.equal(await agent.locator('.profile-avatar').textContent(), 'AL');
  await agent.locator('input[name=initials]').press('Enter');
  await agent.getByText('Avatar saved.').waitFor();
  await agent.locator('.me-name .me-avatar', { hasText: 'AL' }).waitFor();
  await agent.locator('.me-name', { hasText: 'Alice Liddell' }).waitFor();
  const me = await api(server, 'GET', '/api/me', undefined, token);
  const card = await api(server, 'GET', `/api/agents/${me.body.id}/avatar`);
  assert.deepEqual(card.body, { id: me.body.id, initials: 'AL', colour: '#047857' });

  // A wrong current password is refused, the right one changes it and signs out the
  // other session while this one stays.
  await agent.locator('input[name=current_password]').fill('not my password');
  await agent.locator('input[name=password]').fill('a brand new password');
  await agent.locator('input[name=password]').press('Enter');
  await agent.getByText('the current password is wrong').waitFor();
  await agent.locator('input[name=current_password]').fill('correct horse battery');
  await agent.locator('input[name=password]').press('Enter');
  await agent.getByText('Password changed.').waitFor();
  assert.equal((await api(server, 'GET', '/api/me', undefined, otherSession)).status, 401);
  await agent.reload();
  await agent.getByRole('heading', { name: 'Avatar' }).waitFor();
  assert.equal(await agent.locator('input[name=initials]').inputValue(), 'AL', 'still signed in here');
  assert.deepEqual(agent.problems.filter((p) => !/status of 403/.test(p)), []);
});

test('web addresses in messages are links to http(s) only, and text never becomes markup', async (t) => {
  const { server, browser } = await setUpServerAndBrowser(t, ['--no-bot']);
  const agent = await openConsole(browser, server);
  const visitor = await openVisitor(browser, server);
  const lines = [
    'Tracking: www.parcel.example/track?id=42.',
    '(see https://shop.example/wiki/Tea_(drink)) and HTTPS://SHOP.EXAMPLE/A',
    'javascript:alert(document.domain) [x](javascript:alert(1)) <a href="javascript:alert(2)">y</a>',
    'data:text/html,<script>alert(3)</script> https://shop.example/"onmouseover="alert(4) www. https://',
  ];
  await visitorSays(visitor, lines.join('\n'));
  await agent.locator('.conv-row', { hasText: 'Tracking' }).click();
  const bubble = agent.locator('.msg-visitor .bubble');
  await bubble.waitFor();

  const links = await bubble.locator('a').evaluateAll((as) => as.map((a) => ({
    href: a.getAttribute('href'), text: a.textContent, target: a.getAttribute('target'), rel: a.getAttribute('rel'),
  })));
  const tab = { target: '_blank', rel: 'noopener noreferrer nofollow' };
  assert.deepEqual(links, [
    { href: 'https://www.parcel.example/track?id=42', text: 'www.parcel.example/track?id=42', ...tab },
    { href: 'https://shop.example/wiki/Tea_(drink)', text: 'https://shop.example/wiki/Tea_(drink)', ...tab },
    { href: 'https://shop.example/A', text: 'HTTPS://SHOP.EXAMPLE/A', ...tab },
    { href: 'https://shop.example/', text: 'https://shop.example/', ...tab },
  ]);
  // The rest is text, exactly as written: no element but the links above.
  assert.equal(await bubble.evaluate((el) => el.textContent), lines.join('\n'));
  assert.equal(await bubble.locator('*:not(a)').count(), 0);
  assert.equal(await agent.evaluate(() => document.querySelectorAll('script:not([src]), [onmouseover]').length), 0);
  assert.deepEqual(agent.dialogs || [], []);
  assert.deepEqual(agent.problems, []);
});
