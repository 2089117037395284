// @ts-check
// Admin → Deliveries: the outbox that sends email, push notifications and webhooks.
// Shows what waits and every delivery given up (with why), and tries one again.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';

const SINKS = { webhook: 'Webhook', email: 'Email', push: 'Push' };

/** @param {string} iso */
function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function deliveriesPage() {
  const summary = h('p', { class: 'muted' }, 'Loading…');
  const list = h('div', { class: 'agents-table deliveries-table' });

  async function retry(/** @type {any} */ f, /** @type {HTMLButtonElement} */ button) {
    button.disabled = true;
    try {
      await api.post(`/api/outbox/failures/${f.id}/retry`, {});
      toast('Trying again now.', 'ok');
      await load();
    } catch (err) {
      toast(err.message, 'error');
      button.disabled = false;
    }
  }

  function row(/** @type {any} */ f) {
    const button = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, 'Try again');
    button.addEventListener('click', () => retry(f, /** @type {HTMLButtonElement} */ (button)));
    const about = f.conversation ? h('a', { href: `#/c/${f.conversation}` }, `chat #${f.conversation}`) : null;
    return h('div', { class: 'agent-row delivery-row' },
      h('div', null, h('strong', null, SINKS[f.sink] || f.sink), ' ', h('span', { class: 'muted' }, f.event_type)),
      h('div', { class: 'small' }, about, about ? ' · ' : '', `${f.attempts} attempts, given up ${when(f.failed_at)}`),
      h('div', { class: 'small form-error' }, f.status ? `HTTP ${f.status}: ` : '', f.error || 'no reason given'),
      h('div', { class: 'agent-actions' }, button));
  }

  async function load() {
    try {
      const o = await api.get('/api/outbox');
      summary.textContent = `${o.pending + o.events_waiting} waiting or being sent · ${o.failed} given up in the last week`
        + (o.refused ? ` · ${o.refused} events not recorded because the outbox was full (see the log)` : '');
      fill(list, o.failures.length
        ? o.failures.map(row)
        : h('p', { class: 'muted', style: 'padding: 14px' }, 'Nothing has failed. Deliveries that fail are retried for about a day; those that still fail show up here.'));
    } catch (err) {
      summary.textContent = '';
      fill(list, h('p', { class: 'form-error', style: 'padding: 14px' }, err.message));
    }
  }

  load();
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, 'Deliveries'),
      h('p', { class: 'muted' }, 'Emails, push notifications and webhooks leave through one queue that survives restarts. A failed delivery is retried 11 times over about 24 hours, then given up and listed here for a week.'),
      summary,
      list),
    update() {},
  };
}
