// @ts-check
// Admin area: agents, widget settings, canned replies, the FAQ bot, webhooks, the
// outbox's deliveries, and the snippet to embed.

import { h, fill, toast } from '../dom.js';
import { api } from '../api.js';
import { agentsPage } from './admin-agents.js';
import { settingsPage } from './admin-settings.js';
import { cannedPage } from './admin-canned.js';
import { faqPage } from './admin-faq.js';
import { webhooksPage } from './admin-webhooks.js';
import { deliveriesPage } from './admin-deliveries.js';
import { copyText } from './forms.js';
import { t } from '../i18n.js';

/** The admin pages in menu order (their names: `admin.page.KEY`). */
const PAGES = ['agents', 'widget', 'canned', 'faq', 'webhooks', 'deliveries', 'embed'];

function embedPage() {
  const line = (origin) => `<script src="${origin}/widget.js" async></script>`;
  let snippet = line(location.origin);
  const code = h('code', null, snippet);
  // The server's --public-url, when set, is the address visitors reach: it wins.
  api.get('/api/widget').then((w) => {
    if (w && w.public_url) { snippet = line(w.public_url); code.textContent = snippet; }
  }).catch(() => {});
  const copy = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => copyText(snippet, copy).catch(() => toast(t('admin.copyFailed'), 'error')) }, t('common.copy'));
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.embed.title')),
      h('p', { class: 'muted' }, t('admin.embed.intro')),
      h('div', { class: 'snippet' }, h('pre', null, code), copy),
      h('ol', { class: 'steps' },
        h('li', null, t('admin.embed.step1')),
        h('li', null, t('admin.embed.step2')),
        h('li', null, t('admin.embed.step3'))),
      h('p', { class: 'muted small' }, t('admin.embed.address')),
      h('p', null, h('a', { href: '/demo/', target: '_blank', rel: 'noopener' }, t('admin.embed.demo')))),
    update() {},
  };
}

export function mountAdmin() {
  const nav = h('nav', { class: 'subnav', 'aria-label': t('topbar.admin') });
  const content = h('div', { class: 'admin-content' });
  const el = h('div', { class: 'admin' }, nav, content);
  let page = null;
  let current = null;
  return {
    el,
    show(name) {
      fill(nav, PAGES.map((key) => h('a', { href: `#/admin/${key}`, class: key === name ? 'active' : '' }, t(`admin.page.${key}`))));
      if (current === name) return;
      current = name;
      page = { agents: agentsPage, widget: settingsPage, canned: cannedPage, faq: faqPage, webhooks: webhooksPage, deliveries: deliveriesPage, embed: embedPage }[name]();
      fill(content, page.el);
    },
    update(topics) { if (page) page.update(topics); },
  };
}
