// @ts-check
// Admin → Deliveries: the outbox that sends email, push notifications and webhooks.
// Shows what waits and every delivery given up (with why), and tries one again.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { t, language } from '../i18n.js';

/** @param {string} iso */
function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(language());
}

/** A sink's name ("Webhook", "Email", "Push"), or its code when unknown. */
function sinkName(sink) {
  return ['webhook', 'email', 'push'].includes(sink) ? t(`deliveries.sink.${sink}`) : sink;
}

export function deliveriesPage() {
  const summary = h('p', { class: 'muted' }, t('common.loading'));
  const list = h('div', { class: 'agents-table deliveries-table' });

  async function retry(/** @type {any} */ f, /** @type {HTMLButtonElement} */ button) {
    button.disabled = true;
    try {
      await api.post(`/api/outbox/failures/${f.id}/retry`, {});
      toast(t('deliveries.retrying'), 'ok');
      await load();
    } catch (err) {
      toast(err.message, 'error');
      button.disabled = false;
    }
  }

  function row(/** @type {any} */ f) {
    const button = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, t('auth.tryAgain'));
    button.addEventListener('click', () => retry(f, /** @type {HTMLButtonElement} */ (button)));
    const about = f.conversation ? h('a', { href: `#/c/${f.conversation}` }, t('deliveries.chat', { id: f.conversation })) : null;
    return h('div', { class: 'agent-row delivery-row' },
      h('div', null, h('strong', null, sinkName(f.sink)), ' ', h('span', { class: 'muted' }, f.event_type)),
      h('div', { class: 'small' }, about, about ? ' · ' : '', t('deliveries.gaveUp', { n: f.attempts, when: when(f.failed_at) })),
      h('div', { class: 'small form-error' }, f.status ? `HTTP ${f.status}: ` : '', f.error || t('deliveries.noReason')),
      h('div', { class: 'agent-actions' }, button));
  }

  async function load() {
    try {
      const o = await api.get('/api/outbox');
      summary.textContent = t('deliveries.summary', { waiting: o.pending + o.events_waiting, n: o.failed })
        + (o.refused ? ` · ${t('deliveries.refused', { n: o.refused })}` : '');
      fill(list, o.failures.length
        ? o.failures.map(row)
        : h('p', { class: 'muted deliveries-note' }, t('deliveries.none')));
    } catch (err) {
      summary.textContent = '';
      fill(list, h('p', { class: 'form-error deliveries-note' }, err.message));
    }
  }

  load();
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.deliveries')),
      h('p', { class: 'muted' }, t('deliveries.intro')),
      summary,
      list),
    update() {},
  };
}
