// @ts-check
// The inbox: tabs (queue, mine, all open, closed), newest activity first, with unread
// counts, previews and who has each chat (or "Bot" while the FAQ bot answers it). Closed
// chats are paged from the HTTP API. A label filter narrows every tab (the closed one
// asks the server). The search box above the tabs shows its results in their place
// while it holds a query (search.js).

import { state, unread, inTab, changed } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill } from '../dom.js';
import { visitorLabel, pagePath, shortTime, duration } from '../format.js';
import { visitorAvatar } from './visitor-avatar.js';
import { visitorCard, wantVisitor } from '../visitor-cards.js';
import { TABS } from '../router.js';
import { t } from '../i18n.js';
import { labelsOf, labelChip, setConvLabels } from '../labels.js';
import { mountSearch } from './search.js';
const CLOSED_PAGE = 30;

async function loadClosed() {
  const c = state.closed;
  if (c.loading || !c.more) return;
  c.loading = true;
  c.error = '';
  changed('closed');
  const known = c.ids.map((id) => state.convs.get(id)).filter((x) => x && x.status === 'closed' && x.fromApi);
  const before = known.length ? Math.min(...known.map((x) => x.id)) : null;
  try {
    const label = state.labelFilter ? `&label=${state.labelFilter}` : '';
    const page = await api.get(`/api/conversations?status=closed&limit=${CLOSED_PAGE}${before ? `&before=${before}` : ''}${label}`);
    for (const summary of page) {
      if (Array.isArray(summary.labels)) setConvLabels(summary.id, summary.labels);
      if (summary.rating) state.ratings.set(summary.id, summary.rating);
      const prev = state.convs.get(summary.id);
      if (!prev || prev.status === 'closed') state.convs.set(summary.id, { ...summary, fromApi: true });
      if (!c.ids.includes(summary.id)) c.ids.push(summary.id);
    }
    c.more = page.length === CLOSED_PAGE;
  } catch (e) {
    c.more = false;
    c.error = e instanceof ApiError && e.missing
      ? t('inbox.closedMissing')
      : e.message;
  }
  c.loading = false;
  c.loaded = true;
  changed('closed', 'convs');
}

function concernsMe(conv) {
  return inTab(conv, 'queue') || inTab(conv, 'mine');
}

function rowContent(conv) {
  wantVisitor(conv.visitor);
  const name = visitorLabel(conv);
  const card = visitorCard(conv.visitor);
  const page = card && conv.status !== 'closed' ? pagePath(card.page) : '';
  const { count, approx } = unread(conv);
  const held = state.threads.get(conv.id);
  const typing = held && [...held.typing.values()].some((x) => x.author.kind === 'visitor');
  let chip;
  if (conv.status === 'queued') chip = h('span', { class: 'chip chip-wait' }, t('inbox.waiting', { time: duration(Date.now() - (conv.created_ms || conv.last_at_ms)) }));
  else if (conv.status === 'bot') chip = h('span', { class: 'chip chip-bot', title: t('inbox.botTitle') }, t('inbox.bot'));
  else if (conv.status === 'assigned') {
    const mine = state.me && conv.agent === state.me.id;
    const agent = state.agents.get(conv.agent);
    chip = h('span', { class: `chip ${mine ? 'chip-mine' : ''}` }, mine ? t('inbox.you') : (agent ? agent.name : t('inbox.agentNumbered', { id: conv.agent })));
  } else chip = h('span', { class: 'chip chip-closed' }, t('status.closed'));
  return [
    visitorAvatar(conv, name),
    h('span', { class: 'row-main' },
      h('span', { class: 'row-top' },
        h('span', { class: 'row-name' }, name),
        h('span', { class: 'row-time' }, shortTime(conv.last_at_ms))),
      h('span', { class: 'row-bottom' },
        typing ? h('span', { class: 'row-preview row-typing' }, t('inbox.typing')) : h('span', { class: 'row-preview' }, conv.preview || ' '),
        count > 0 ? h('span', { class: `badge${concernsMe(conv) ? '' : ' badge-quiet'}`, title: t('inbox.unread', { n: count }) }, `${count}${approx ? '+' : ''}`) : null),
      h('span', { class: 'row-meta' }, chip, labelsOf(conv.id).map((l) => labelChip(h, l)), h('span', { class: 'row-id' }, `#${conv.id}`),
        page && card ? h('span', { class: 'row-page', title: card.page, translate: 'no' }, page) : null)),
  ];
}

export function mountInbox() {
  let tab = 'mine';
  let selected = null;
  const tabButtons = new Map();
  const tabBar = h('div', { class: 'tabs', role: 'tablist' });
  for (const name of TABS) {
    const count = h('span', { class: 'tab-count' });
    const link = h('a', { class: 'tab', role: 'tab', href: `#/inbox/${name}` }, h('span', null, t(`inbox.tab.${name}`)), count);
    tabButtons.set(name, { link, count });
    tabBar.append(link);
  }
  const list = h('div', { class: 'conv-list', role: 'list' });
  const footer = h('div', { class: 'list-footer' });
  const filter = h('select', { class: 'label-filter', 'aria-label': t('labels.filter'), onchange: () => {
    state.labelFilter = Number(filter.value) || 0;
    // The closed list is paged by the server: start it again with the filter.
    Object.assign(state.closed, { ids: [], more: true, loading: false, error: '', loaded: false });
    if (tab === 'closed') loadClosed();
    renderList();
  } });
  const filterBar = h('div', { class: 'inbox-filter' }, filter);
  const search = mountSearch((active) => {
    tabBar.hidden = active;
    filterBar.hidden = active || !(state.labels && state.labels.size);
    list.hidden = active;
    footer.hidden = active;
  });
  const el = h('section', { class: 'inbox', 'aria-label': t('inbox.conversations') }, search.el, tabBar, filterBar, list, footer);

  function renderFilter() {
    const labels = [...(state.labels ? state.labels.values() : [])].sort((a, b) => a.name.localeCompare(b.name));
    if (state.labelFilter && !labels.some((l) => l.id === state.labelFilter)) state.labelFilter = 0;
    const next = h('select', null, h('option', { value: '0' }, t('labels.all')), labels.map((l) => h('option', { value: String(l.id) }, l.name)));
    if (next.innerHTML !== filter.innerHTML) fill(filter, [...next.childNodes]);
    filter.value = String(state.labelFilter);
    filterBar.hidden = !labels.length;
  }
  const rows = new Map();

  function conversations() {
    let items;
    if (tab === 'closed') {
      const seen = new Set();
      items = [];
      for (const id of state.closed.ids) {
        const conv = state.convs.get(id);
        if (conv && conv.status === 'closed' && !seen.has(id)) { seen.add(id); items.push(conv); }
      }
    } else {
      items = [...state.convs.values()].filter((c) => inTab(c, tab));
    }
    const wanted = state.labelFilter;
    if (wanted) items = items.filter((c) => (state.convLabels.get(c.id) || []).includes(wanted));
    return items.sort((a, b) => (b.last_at_ms - a.last_at_ms) || (b.id - a.id));
  }

  function renderTabs() {
    for (const [name, { link, count }] of tabButtons) {
      const active = name === tab;
      link.classList.toggle('active', active);
      link.setAttribute('aria-selected', String(active));
      // "All open" is the others added up: no count of its own.
      if (name === 'closed' || name === 'open') { count.hidden = true; continue; }
      const convs = [...state.convs.values()].filter((c) => inTab(c, name));
      const unreadTotal = convs.reduce((n, c) => n + unread(c).count, 0);
      count.hidden = convs.length === 0;
      count.textContent = String(convs.length);
      count.classList.toggle('tab-count-hot', unreadTotal > 0 && name !== 'open');
    }
  }

  function renderList() {
    const items = conversations();
    for (const empty of list.querySelectorAll('.empty')) empty.remove();
    const keep = new Set();
    let cursor = list.firstChild;
    for (const conv of items) {
      keep.add(conv.id);
      let row = rows.get(conv.id);
      if (!row) {
        row = h('a', { class: 'conv-row', role: 'listitem', href: `#/c/${conv.id}` });
        rows.set(conv.id, row);
      }
      fill(row, rowContent(conv));
      row.classList.toggle('selected', conv.id === selected);
      row.classList.toggle('unread', unread(conv).count > 0 && concernsMe(conv));
      if (conv.id === selected) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
      if (row !== cursor) list.insertBefore(row, cursor); else cursor = row.nextSibling;
    }
    for (const [id, row] of rows) if (!keep.has(id)) { row.remove(); rows.delete(id); }
    if (!items.length && !(tab === 'closed' && state.closed.loading)) {
      list.append(h('div', { class: 'empty' }, h('strong', null, t(`inbox.empty.${tab}`)), h('span', null, t(`inbox.emptyHint.${tab}`))));
    }
    renderFooter();
  }

  function renderFooter() {
    fill(footer);
    if (tab !== 'closed') return;
    const c = state.closed;
    if (c.error) footer.append(h('p', { class: 'muted small' }, c.error));
    if (c.loading) footer.append(h('p', { class: 'muted small' }, t('common.loading')));
    else if (c.more) footer.append(h('button', { class: 'btn btn-ghost btn-wide', type: 'button', onclick: loadClosed }, t('inbox.loadOlder')));
  }

  // Times like "5 min" move on by themselves.
  setInterval(() => { if (el.isConnected) renderList(); }, 30000);

  return {
    el,
    setTab(name) {
      tab = name;
      el.dataset.tab = name;
      if (name === 'closed' && !state.closed.loaded) loadClosed();
      renderFilter();
      renderTabs();
      renderList();
    },
    setSelected(id) {
      selected = id;
      renderList();
    },
    update(topics) {
      if (topics.has('labels')) renderFilter();
      if (topics.has('convs') || topics.has('agents') || topics.has('closed') || [...topics].some((topic) => topic.startsWith('thread:'))) {
        renderTabs();
        renderList();
      }
    },
  };
}
