// @ts-check
// Admin area: agents, widget settings, canned replies, labels, the FAQ bot, webhooks, the
// outbox's deliveries, API keys, the audit log, the export, the reports, the snippet to embed, verified
// customers' identity secrets, and the AI responder behind the bot.

import { h, fill } from '../dom.js';
import { agentsPage } from './admin-agents.js';
import { settingsPage } from './admin-settings.js';
import { cannedPage } from './admin-canned.js';
import { labelsPage } from './admin-labels.js';
import { faqPage } from './admin-faq.js';
import { webhooksPage } from './admin-webhooks.js';
import { deliveriesPage } from './admin-deliveries.js';
import { embedPage } from './admin-embed.js';
import { identityPage } from './admin-identity.js';
import { responderPage } from './admin-responder.js';
import { keysPage } from './admin-keys.js';
import { auditPage } from './admin-audit.js';
import { exportPage } from './admin-export.js';
import { reportsPage } from './admin-reports.js';
import { t } from '../i18n.js';
import { ADMIN_PAGES } from '../router.js';


export function mountAdmin() {
  const nav = h('nav', { class: 'subnav', 'aria-label': t('topbar.admin') });
  const content = h('div', { class: 'admin-content' });
  const el = h('div', { class: 'admin' }, nav, content);
  let page = null;
  let current = null;
  return {
    el,
    show(name) {
      fill(nav, ADMIN_PAGES.map((key) => h('a', { href: `#/admin/${key}`, class: key === name ? 'active' : '' }, t(`admin.page.${key}`))));
      if (current === name) return;
      current = name;
      page = { agents: agentsPage, widget: settingsPage, canned: cannedPage, labels: labelsPage, faq: faqPage, webhooks: webhooksPage, deliveries: deliveriesPage, keys: keysPage, audit: auditPage, export: exportPage, reports: reportsPage, embed: embedPage, identity: identityPage, responder: responderPage }[name]();
      fill(content, page.el);
    },
    update(topics) { if (page) page.update(topics); },
  };
}
