// @ts-check
// The search box above the inbox (issue #15): full-text search over messages, notes and
// visitors' names, emails and attributes (`GET /api/search`). While it holds a query the
// inbox shows the results instead of its tabs, best first, each with the matching words
// in context. The server sends a snippet as text plus match offsets (UTF-16 units, as
// `slice` counts), never markup: the snippet is built here from text nodes and <mark>
// elements, so nothing a visitor typed can become HTML. A result links to its
// conversation. "/" focuses the box (shortcuts.js); Escape in it clears it. Filters
// under the box (status, agent, label, site, days) narrow the results as the API's do.

import { api, ApiError } from '../api.js';
import { h, fill } from '../dom.js';
import { visitorLabel, shortTime } from '../format.js';
import { t } from '../i18n.js';
import { state } from '../state.js';

/** Waiting after the last key before searching. */
const DEBOUNCE_MS = 250;

/** The snippet's text with its marked ranges as <mark> elements.
 * @param {{ text: string, marks: number[][] }} snippet */
export function markedText(snippet) {
  const text = String(snippet.text || '');
  const parts = [];
  let at = 0;
  for (const [start, end] of snippet.marks || []) {
    if (!(start >= at && end > start && end <= text.length)) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(h('mark', null, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/** Where a snippet came from, shown before it. */
function sourceLabel(snippet) {
  switch (snippet.source) {
    case 'note': return t('search.fromNote');
    case 'visitor_name': return t('search.fromName');
    case 'visitor_email': return t('search.fromEmail');
    case 'visitor_attribute': return t('search.fromAttribute', { key: snippet.key || '' });
    default: return snippet.author_kind === 'agent' ? t('search.fromAgent') : '';
  }
}

function resultRow(result) {
  const conv = result.conversation;
  const snippet = result.snippet || { text: '', marks: [] };
  const label = visitorLabel({ visitor: conv.visitor, visitor_name: result.visitor_name });
  const at = snippet.at ? Date.parse(snippet.at) : Date.parse(conv.updated_at);
  const source = sourceLabel(snippet);
  return h('a', { class: 'conv-row search-row', role: 'listitem', href: `#/c/${conv.id}` },
    h('span', { class: 'row-main' },
      h('span', { class: 'row-top' },
        h('span', { class: 'row-name' }, label),
        h('span', { class: 'row-time' }, Number.isFinite(at) ? shortTime(at) : '')),
      h('span', { class: 'search-snippet' },
        source ? h('span', { class: 'search-source' }, source) : null,
        markedText(snippet)),
      h('span', { class: 'row-meta' },
        h('span', { class: 'chip chip-closed' }, t(`status.${conv.status}`)),
        h('span', { class: 'row-id' }, `#${conv.id}`))));
}

const STATUSES = ['bot', 'queued', 'assigned', 'closed'];

/** `YYYY-MM-DD` as the browser's local midnight, RFC 3339; `next` the day after. Pure. */
export function dayStart(day, next = false) {
  const at = new Date(`${day}T00:00:00`);
  if (Number.isNaN(at.getTime())) return '';
  if (next) at.setDate(at.getDate() + 1);
  return at.toISOString();
}

/** The filter controls and the query string they make (`&status=…&…`). */
function searchFilters(onChange) {
  const pick = (name, first) => h('select', { class: 'search-filter', 'aria-label': t(`search.filter.${name}`), onchange: onChange },
    h('option', { value: '' }, t(first)));
  const status = pick('status', 'search.filter.anyStatus');
  status.append(...STATUSES.map((s) => h('option', { value: s }, t(`status.${s}`))));
  const agent = pick('agent', 'search.filter.anyAgent');
  const label = pick('label', 'labels.all');
  const site = h('input', { class: 'search-filter', type: 'text', maxlength: 64, 'aria-label': t('search.filter.site'), placeholder: t('search.filter.site'), oninput: onChange });
  const from = h('input', { class: 'search-filter', type: 'date', 'aria-label': t('search.filter.from'), onchange: onChange });
  const until = h('input', { class: 'search-filter', type: 'date', 'aria-label': t('search.filter.until'), onchange: onChange });
  /** Refills a select's choices (after the first), keeping what is chosen. */
  const choices = (select, items) => {
    const chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    select.append(...items.map(([value, text]) => h('option', { value: String(value) }, text)));
    select.value = items.some(([value]) => String(value) === chosen) ? chosen : '';
  };
  return {
    el: h('div', { class: 'search-filters' }, status, agent, label, site, from, until),
    refresh() {
      const byName = (a, b) => a[1].localeCompare(b[1]);
      choices(agent, [...(state.agents ? state.agents.values() : [])].map((a) => [a.id, a.name]).sort(byName));
      choices(label, [...(state.labels ? state.labels.values() : [])].map((l) => [l.id, l.name]).sort(byName));
    },
    query() {
      const q = new URLSearchParams();
      if (status.value) q.set('status', status.value);
      if (agent.value) q.set('agent', agent.value);
      if (label.value) q.set('label', label.value);
      if (site.value.trim()) q.set('site', site.value.trim());
      if (from.value && dayStart(from.value)) q.set('from', dayStart(from.value));
      if (until.value && dayStart(until.value, true)) q.set('until', dayStart(until.value, true));
      const text = q.toString();
      return text ? `&${text}` : '';
    },
  };
}

/** The search box and its results; `onActive(true)` while a query is shown.
 * @param {(active: boolean) => void} onActive */
export function mountSearch(onActive) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    class: 'search-input', type: 'search', maxlength: 200, autocomplete: 'off',
    placeholder: t('search.placeholder'), 'aria-label': t('search.label'),
  }));
  const results = h('div', { class: 'conv-list search-results', role: 'list', 'aria-label': t('search.results'), hidden: true });
  const status = h('p', { class: 'muted small search-status', role: 'status' });
  let timer = 0;
  let asked = 0;
  const filters = searchFilters(() => changed());
  filters.el.hidden = true;

  async function run(query) {
    const mine = ++asked;
    status.textContent = t('common.loading');
    try {
      const found = await api.get(`/api/search?q=${encodeURIComponent(query)}&limit=30${filters.query()}`);
      if (mine !== asked) return;
      fill(results, found.results.map(resultRow));
      status.textContent = found.results.length
        ? (found.complete ? '' : t('search.indexing'))
        : t('search.none');
    } catch (e) {
      if (mine !== asked) return;
      fill(results);
      status.textContent = e instanceof ApiError && e.status === 429 ? t('search.slowDown') : e.message;
    }
  }

  function changed() {
    clearTimeout(timer);
    const query = input.value.trim();
    const active = query.length > 0;
    results.hidden = !active;
    status.hidden = !active;
    if (active && filters.el.hidden) filters.refresh();
    filters.el.hidden = !active;
    onActive(active);
    if (!active) { asked++; fill(results); status.textContent = ''; return; }
    timer = window.setTimeout(() => run(query), DEBOUNCE_MS);
  }

  input.addEventListener('input', changed);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value) {
      e.preventDefault(); // the box used it: it stays focused, cleared
      input.value = '';
      changed();
    }
  });
  status.hidden = true;
  return { el: h('div', { class: 'search', role: 'search' }, input, filters.el, status, results) };
}
