// @ts-check
// Admin area: agents, widget settings, canned replies, the FAQ bot, the outbox's
// deliveries, and the snippet to embed.

import { h, fill, toast } from '../dom.js';
import { api } from '../api.js';
import { agentsPage } from './admin-agents.js';
import { settingsPage } from './admin-settings.js';
import { cannedPage } from './admin-canned.js';
import { faqPage } from './admin-faq.js';
import { deliveriesPage } from './admin-deliveries.js';

const PAGES = [
  ['agents', 'Agents'],
  ['widget', 'Widget'],
  ['canned', 'Canned replies'],
  ['faq', 'FAQ bot'],
  ['deliveries', 'Deliveries'],
  ['embed', 'Embed on your site'],
];

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context; fall back to a selected textarea.
    const area = h('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

function embedPage() {
  const line = (origin) => `<script src="${origin}/widget.js" async></script>`;
  let snippet = line(location.origin);
  const code = h('code', null, snippet);
  // The server's --public-url, when set, is the address visitors reach: it wins.
  api.get('/api/widget').then((w) => {
    if (w && w.public_url) { snippet = line(w.public_url); code.textContent = snippet; }
  }).catch(() => {});
  const copy = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => copyText(snippet, copy).catch(() => toast('Could not copy. Select the text and copy it by hand.', 'error')) }, 'Copy');
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, 'Embed the chat on your site'),
      h('p', { class: 'muted' }, 'Paste this line into your shop’s pages, just before the closing </body> tag. Most shop systems have a place for “custom code” or “footer scripts”.'),
      h('div', { class: 'snippet' }, h('pre', null, code), copy),
      h('ol', { class: 'steps' },
        h('li', null, 'Paste the snippet on every page where visitors should be able to chat.'),
        h('li', null, 'Under Widget, set the title, colour and greeting, and list your shop’s address under “Allowed websites”.'),
        h('li', null, 'Open your shop in a private window and say hello: the chat shows up here in the inbox.')),
      h('p', { class: 'muted small' }, 'This address is deskbell’s public address (--public-url) or, without it, the one your browser uses to reach deskbell. If visitors reach it under another name (behind a proxy), start deskbell with --public-url set to that address.'),
      h('p', null, h('a', { href: '/demo/', target: '_blank', rel: 'noopener' }, 'Try it on the demo shop'))),
    update() {},
  };
}

export function mountAdmin() {
  const nav = h('nav', { class: 'subnav', 'aria-label': 'Admin' });
  const content = h('div', { class: 'admin-content' });
  const el = h('div', { class: 'admin' }, nav, content);
  let page = null;
  let current = null;
  return {
    el,
    show(name) {
      fill(nav, PAGES.map(([key, label]) => h('a', { href: `#/admin/${key}`, class: key === name ? 'active' : '' }, label)));
      if (current === name) return;
      current = name;
      page = { agents: agentsPage, widget: settingsPage, canned: cannedPage, faq: faqPage, deliveries: deliveriesPage, embed: embedPage }[name]();
      fill(content, page.el);
    },
    update(topics) { if (page) page.update(topics); },
  };
}
