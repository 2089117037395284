// @ts-check
// The search box above the inbox (issue #15): full-text search over messages, notes and
// visitors' names, emails and attributes (`GET /api/search`). While it holds a query the
// inbox shows the results instead of its tabs, best first, each with the matching words
// in context. The server sends a snippet as text plus match offsets (UTF-16 units, as
// `slice` counts), never markup: the snippet is built here from text nodes and <mark>
// elements, so nothing a visitor typed can become HTML. A result links to its
// conversation. "/" focuses the box (shortcuts.js); Escape in it clears it.

import { api, ApiError } from '../api.js';
import { h, fill } from '../dom.js';
import { visitorLabel, shortTime } from '../format.js';
import { t } from '../i18n.js';

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

  async function run(query) {
    const mine = ++asked;
    status.textContent = t('common.loading');
    try {
      const found = await api.get(`/api/search?q=${encodeURIComponent(query)}&limit=30`);
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
  return { el: h('div', { class: 'search', role: 'search' }, input, status, results) };
}
