// @ts-check
// One webhook endpoint's delivery log (the last attempts, newest first) with
// "Redeliver": GET /api/webhooks/ID/deliveries, POST …/deliveries/N/redeliver.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { dayLabel, clock } from '../format.js';
import { t } from '../i18n.js';

/** Each outcome's chip style (its name: `log.outcome.NAME`). */
const OUTCOMES = { delivered: 'chip-mine', retry: 'chip-wait', gave_up: 'chip-wait', skipped: '' };

function when(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${dayLabel(ms)} ${clock(ms)}`;
}

/** The log of endpoint `id`, loaded now; `reload()` loads it again. */
export function deliveryLog(id) {
  const body = h('div', { class: 'webhook-log' }, h('p', { class: 'muted small' }, t('common.loading')));

  async function redeliver(n, button) {
    button.disabled = true;
    try {
      await api.post(`/api/webhooks/${id}/deliveries/${n}/redeliver`);
      toast(t('log.resent'), 'ok');
      setTimeout(load, 1500);
    } catch (e) {
      toast(e.message, 'error');
    }
    button.disabled = false;
  }

  function row(a) {
    const known = a.outcome in OUTCOMES;
    const label = known ? t(`log.outcome.${a.outcome}`) : a.outcome;
    const cls = known ? OUTCOMES[a.outcome] : '';
    const detail = [a.status ? `HTTP ${a.status}` : null, a.latency_ms ? `${a.latency_ms} ms` : null, a.error]
      .filter(Boolean).join(' · ');
    const again = h('button', { class: 'btn btn-small btn-ghost', type: 'button' }, t('log.redeliver'));
    again.addEventListener('click', () => redeliver(a.n, again));
    return h('div', { class: 'webhook-attempt' },
      h('span', { class: 'muted small' }, when(a.at)),
      h('span', null, h('code', null, a.type), ' ', h('span', { class: 'muted small' }, a.event_id)),
      h('span', { class: `chip ${cls}`.trim() }, a.attempt ? t('log.try', { label, n: a.attempt + 1 }) : label),
      h('span', { class: 'muted small webhook-detail' }, detail),
      again);
  }

  async function load() {
    try {
      const log = await api.get(`/api/webhooks/${id}/deliveries`);
      fill(body, log.length ? log.map(row) : h('p', { class: 'muted small' }, t('log.nothing')));
    } catch (e) {
      fill(body, h('p', { class: 'form-error' }, e.message));
    }
  }
  load();
  return { el: body, reload: load };
}
