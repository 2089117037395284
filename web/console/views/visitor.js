// @ts-check
// The visitor panel: who they are, where they are, their browser, language, local time,
// attributes the shop synced and their previous conversations (GET /api/visitors/ID).

import { state } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill, safeLink } from '../dom.js';
import { visitorAvatar } from './visitor-avatar.js';
import { visitorLabel, describeUserAgent, languageName, localTimeAt, offsetLabel, shortTime, dayLabel, clock } from '../format.js';
import { t } from '../i18n.js';

const cache = new Map(); // visitor id → { at, data, error, missing, loading }
const REFRESH_MS = 30000;

function load(visitorId, onDone) {
  const entry = cache.get(visitorId);
  if (entry && (entry.loading || Date.now() - entry.at < REFRESH_MS)) return;
  const next = { ...(entry || {}), loading: true, at: Date.now() };
  cache.set(visitorId, next);
  api.get(`/api/visitors/${visitorId}`).then(
    (data) => { cache.set(visitorId, { at: Date.now(), data }); onDone(); },
    (e) => {
      const missing = e instanceof ApiError && e.missing;
      cache.set(visitorId, { at: Date.now(), data: next.data || null, missing, error: missing ? '' : e.message });
      onDone();
    });
}

function row(label, value) {
  if (value === null || value === undefined || value === '') return null;
  return [h('dt', null, label), h('dd', null, value)];
}

function urlText(url) {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return url;
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** "Today, 14:05". */
function when(ms) {
  return t('visitor.when', { day: dayLabel(ms), time: clock(ms) });
}

function attributeValue(v) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The panel for conversation `id`. */
export function createVisitorPanel(id, { onClose }) {
  const body = h('div', { class: 'visitor-body' });
  const el = h('aside', { class: 'visitor-panel', 'aria-label': t('conv.visitorDetails') },
    h('div', { class: 'panel-head' }, h('h2', null, t('visitor.title')), h('button', { class: 'icon-btn panel-close', type: 'button', 'aria-label': t('visitor.closeDetails'), onclick: onClose }, '×')),
    body);
  const clockTimer = setInterval(render, 30000);
  let drawn = '';

  function render() {
    const conv = state.convs.get(id);
    if (!conv) { fill(body, h('p', { class: 'muted' }, t('common.loading'))); return; }
    load(conv.visitor, render);
    const entry = cache.get(conv.visitor) || {};
    // Redraw only when something shown here changed (it is asked after every message).
    const sig = [conv.visitor, conv.visitor_name, conv.site, entry.at, entry.loading, Math.floor(Date.now() / 30000)].join('|');
    if (sig === drawn) return;
    drawn = sig;
    const v = entry.data || {};
    const name = (v.name && v.name.trim()) || visitorLabel(conv);
    const sections = [];
    sections.push(h('div', { class: 'visitor-card' },
      visitorAvatar(conv, name, true),
      h('div', null,
        h('div', { class: 'visitor-name' }, name,
          v.verified ? h('span', { class: 'verified-badge', title: t('visitor.verifiedTitle') }, '✓ ', t('visitor.verified')) : null),
        v.email ? h('div', { class: 'visitor-email' }, v.email) : h('div', { class: 'muted small' }, t('format.visitor', { id: conv.visitor })))));

    const details = [
      row(t('visitor.userId'), v.customer ? v.customer.user_id : null),
      row(t('visitor.page'), v.page ? safeLink(v.page, urlText(v.page)) : null),
      row(t('visitor.referrer'), v.referrer ? safeLink(v.referrer, urlText(v.referrer)) : null),
      row(t('visitor.browser'), v.user_agent ? h('span', { title: v.user_agent }, describeUserAgent(v.user_agent)) : null),
      row(t('visitor.language'), languageName(v.language)),
      row(t('visitor.localTime'), typeof v.utc_offset_min === 'number' ? `${localTimeAt(v.utc_offset_min)} (${offsetLabel(v.utc_offset_min)})` : null),
      row(t('visitor.firstSeen'), v.created_ms ? when(v.created_ms) : null),
      row(t('visitor.lastSeen'), v.last_seen_ms ? when(v.last_seen_ms) : null),
      row(t('visitor.chatStarted'), conv.created_ms ? when(conv.created_ms) : null),
      row(t('visitor.site'), conv.site),
    ].filter(Boolean);
    sections.push(h('dl', { class: 'facts' }, details));

    const attrs = v.attributes && typeof v.attributes === 'object' ? Object.entries(v.attributes) : [];
    if (attrs.length) {
      sections.push(h('h3', null, t('visitor.attributes')), h('dl', { class: 'facts' }, attrs.map(([k, val]) => row(k, attributeValue(val)))));
    }

    const previous = Array.isArray(v.conversations) ? v.conversations.filter((c) => c.id !== id) : [];
    if (previous.length) {
      sections.push(h('h3', null, t('visitor.others')), h('ul', { class: 'history-list' },
        previous.sort((a, b) => b.id - a.id).map((c) => h('li', null,
          h('a', { href: `#/c/${c.id}` },
            h('span', { class: 'history-top' }, h('span', null, `#${c.id}`), h('span', { class: 'muted' }, `${t(`status.${c.status}`)} · ${shortTime(c.last_at_ms)}`)),
            h('span', { class: 'history-preview' }, c.preview || '—'))))));
    } else if (entry.data) {
      sections.push(h('p', { class: 'muted small' }, t('visitor.noOthers')));
    }

    if (entry.missing) sections.push(h('p', { class: 'muted small' }, t('visitor.missing')));
    if (entry.error) sections.push(h('p', { class: 'form-error' }, entry.error));
    if (!entry.data && !entry.missing && !entry.error) sections.push(h('p', { class: 'muted small' }, t('visitor.loading')));
    fill(body, sections);
  }

  render();
  return { el, render, destroy() { clearInterval(clockTimer); } };
}
