// @ts-check
// Admin → Audit log: who changed what (keys, agents, settings, webhooks, verified
// customers' identity settings, visitors' details), newest first,
// a page at a time (docs/API.md, "Audit log"). Entries hold ids only.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { t, language } from '../i18n.js';

/** What an entry's target says, in words. */
function describe(entry) {
  const target = entry.target || {};
  const fields = (target.fields || []).join(', ');
  let action = entry.action === 'webhook.changed' ? (target.disabled ? 'webhook.disabled' : 'webhook.enabled') : entry.action;
  if (action === 'identity.changed') action = target.rotated ? 'identity.rotated' : 'identity.rule';
  const require = t(target.require ? 'audit.requireOn' : 'audit.requireOff');
  return t(`audit.action.${action}`, { ...target, fields, require });
}

export function auditPage() {
  const list = h('div', { class: 'audit-list' });
  const more = h('button', { class: 'btn btn-ghost', type: 'button', hidden: true }, t('audit.more'));
  let before = 0;

  function row(entry) {
    const who = entry.actor.kind === 'key' ? t('audit.byKey', { id: entry.actor.id }) : t('audit.byAgent', { id: entry.actor.id });
    return h('div', { class: 'canned-row audit-row' },
      h('div', { class: 'canned-text' },
        h('strong', null, describe(entry)),
        h('p', { class: 'small muted' }, `${new Date(entry.at).toLocaleString(language())} · ${who}`)));
  }

  async function load() {
    more.disabled = true;
    try {
      const page = await api.get(`/api/audit?limit=50${before ? `&before=${before}` : ''}`);
      if (!before) fill(list, page.entries.length ? null : h('p', { class: 'muted' }, t('audit.empty')));
      list.append(...page.entries.map(row));
      before = page.next_before || 0;
      more.hidden = !page.next_before;
    } catch (e) {
      toast(e.message, 'error');
    }
    more.disabled = false;
  }

  more.addEventListener('click', load);
  fill(list, h('p', { class: 'muted' }, t('common.loading')));
  load();

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.audit')),
      h('p', { class: 'muted' }, t('audit.intro')),
      list, more),
    update() {},
  };
}
