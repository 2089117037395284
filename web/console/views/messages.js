// @ts-check
// The message list of one conversation: visitor, agent, bot and system messages and
// internal notes, each styled apart (the bot's part: bot-messages.js); pending and failed
// sends; day separators; the visitor's read mark. Everything people wrote goes in as text
// nodes.

import { state, thread, orderedMessages } from '../state.js';
import { h, icon } from '../dom.js';
import { linkify } from '../links.js';
import { clock, dayLabel, visitorLabel } from '../format.js';
import { loadOlder, retryMessage, discardMessage } from '../live.js';
import { agentsOnly, botMessageEl, botSignature, isBotPart } from './bot-messages.js';
import { t, language } from '../i18n.js';
import { filesEl, filesOf } from './attachments.js';

/** Text with web addresses made clickable; never parsed as markup (links.js). */
const richText = linkify;

/** An agent's name for a system line: from the agents we know, the name the line
 * carries (a join or transfer names who now answers), or their number. */
function agentCalled(id, carried = '') {
  const agent = state.agents.get(id);
  return agent ? agent.name : carried || t('conv.agentNumbered', { id });
}

/** A system line in the console's language: the server's English text, or its event in
 * the words of the dictionary (the bot's events are bot-messages.js's). */
function systemText(m) {
  const e = m.event;
  if (language() === 'en' || !e) return m.body;
  if (e === 'queued') return t('system.queued');
  if (e.assigned) return t('system.assigned', { name: agentCalled(e.assigned.agent, m.author.name) });
  if (e.transferred) return t('system.transferred', { from: agentCalled(e.transferred.from), to: agentCalled(e.transferred.to, m.author.name) });
  if (e.closed) return e.closed.by ? t('system.closed', { name: agentCalled(e.closed.by) }) : t('system.closedIdle');
  if (e.reopened) return t('system.reopened', { name: agentCalled(e.reopened.by) });
  return m.body;
}

function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** ctx: { conv, sent(seq, body) } (see botMessageEl). */
function messageEl(m, ctx) {
  const conv = ctx.conv;
  const time = h('time', { datetime: new Date(m.at_ms).toISOString(), title: new Date(m.at_ms).toLocaleString(language()) }, clock(m.at_ms));
  const mine = state.me && m.author.kind === 'agent' && m.author.id === state.me.id;
  if (isBotPart(m)) return botMessageEl(m, { conv: ctx.live, time, rich: richText, sent: (body) => ctx.sent(m.seq, body) });
  if (m.event === 'note') {
    return h('div', { class: 'msg msg-note', dataset: { seq: m.seq } },
      h('div', { class: 'note-head' }, icon('lock'), h('span', null, t('messages.noteBy', { name: mine ? t('conv.you') : m.author.name }))),
      h('div', { class: 'bubble' }, richText(m.body)),
      h('div', { class: 'meta' }, time));
  }
  const files = filesOf(m);
  if (m.author.kind === 'system' || (m.event && !files)) {
    return h('div', { class: 'msg-system', dataset: { seq: m.seq } }, h('span', null, systemText(m)), ' · ', time);
  }
  // A caption may be empty when the message carries files.
  const content = [m.body || !files ? h('div', { class: 'bubble' }, richText(m.body)) : null, files ? filesEl(files) : null];
  if (m.author.kind === 'visitor') {
    return h('div', { class: 'msg msg-visitor', dataset: { seq: m.seq } },
      content,
      h('div', { class: 'meta' }, h('span', null, m.author.name || visitorLabel(conv)), ' · ', time));
  }
  return h('div', { class: `msg msg-agent${mine ? ' msg-mine' : ''}`, dataset: { seq: m.seq } },
    content,
    h('div', { class: 'meta' }, h('span', null, mine ? t('inbox.you') : m.author.name), ' · ', time));
}

function pendingEl(p, id) {
  const failed = p.status === 'failed';
  const waiting = state.conn.phase !== 'online';
  const status = failed
    ? [h('span', { class: 'fail-text' }, t('messages.notSent', { why: p.error })),
      h('button', { class: 'link-btn', type: 'button', onclick: () => retryMessage(id, p.client_id) }, t('messages.retry')),
      h('button', { class: 'link-btn', type: 'button', onclick: () => discardMessage(id, p.client_id) }, t('messages.discard'))]
    : [h('span', null, waiting ? t('messages.waitingConnection') : t('messages.sending'))];
  return h('div', { class: `msg ${p.note ? 'msg-note' : 'msg-agent msg-mine'} msg-pending${failed ? ' msg-failed' : ''}` },
    p.note ? h('div', { class: 'note-head' }, icon('lock'), h('span', null, t('messages.noteBy', { name: t('conv.you') }))) : null,
    p.body || !p.files ? h('div', { class: 'bubble' }, richText(p.body)) : null,
    p.files ? filesEl(p.files.map((f) => ({ ...f, id: '' }))) : null,
    h('div', { class: 'meta' }, status));
}

/** The scrolling message list for conversation `id`. */
export function createMessageList(id, { onNearBottom }) {
  const list = h('div', { class: 'messages', role: 'log', 'aria-label': t('messages.messages'), tabindex: '0' });
  const jump = h('button', { class: 'jump', type: 'button', hidden: true, onclick: () => scrollToBottom(true) }, t('messages.new'), icon('down'));
  const el = h('div', { class: 'messages-wrap' }, list, jump);
  let cache = new Map();
  let lastKey = null;
  // Whether the agent is reading the newest messages; kept when the list is resized
  // (composer grows, typing line, first layout) so the bottom stays in view.
  let pinned = true;

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  }

  function scrollToBottom(smooth = false) {
    list.scrollTo({ top: list.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    jump.hidden = true;
  }

  list.addEventListener('scroll', () => {
    pinned = atBottom();
    if (list.scrollTop < 120) loadOlder(id);
    if (pinned) { jump.hidden = true; onNearBottom(); }
  }, { passive: true });
  const resized = new ResizeObserver(() => {
    if (pinned) { scrollToBottom(); onNearBottom(); }
  });
  resized.observe(list);

  function items() {
    const held = thread(id);
    const live = state.convs.get(id);
    const conv = live || { visitor: '?', read_visitor: 0 };
    const out = [];
    if (held.hasMore) out.push({ key: 'older', sig: String(held.loadingOlder), make: () => h('div', { class: 'older' }, held.loadingOlder ? t('messages.loadingEarlier') : h('button', { class: 'link-btn', type: 'button', onclick: () => loadOlder(id) }, t('messages.showEarlier'))) });
    else if (held.loaded) out.push({ key: 'start', sig: '', make: () => h('div', { class: 'thread-start' }, t('messages.started', { id })) });
    const messages = orderedMessages(held);
    // Whether an agent sent `body` after message `seq` (a suggested reply used), or is sending it.
    const sent = (seq, body) => messages.some((m) => m.seq > seq && m.author.kind === 'agent' && m.body === body)
      || [...held.pending.values()].some((p) => !p.note && p.body === body);
    const ctx = { conv, live, sent };
    // The read mark goes under the newest message the visitor has read (agents-only excluded).
    let seenSeq = 0;
    for (const m of messages) {
      if (m.seq <= (conv.read_visitor || 0) && !agentsOnly(m) && (m.author.kind === 'agent' || m.author.kind === 'bot')) seenSeq = m.seq;
    }
    let day = null;
    for (const m of messages) {
      const d = dayKey(m.at_ms);
      if (d !== day) {
        day = d;
        out.push({ key: `d:${d}`, sig: dayLabel(m.at_ms), make: () => h('div', { class: 'day' }, h('span', null, dayLabel(m.at_ms))) });
      }
      const extra = isBotPart(m) ? botSignature(m, { conv: live, sent: (body) => sent(m.seq, body) }) : '';
      // A sent file's own copy learns its download id when the server replays it.
      const ids = (filesOf(m) || []).map((f) => f.id).join();
      out.push({ key: `s:${m.seq}`, sig: `${m.seq}|${m.author.kind === 'visitor' ? visitorLabel(conv) : ''}|${extra}|${ids}`, make: () => messageEl(m, ctx) });
      if (m.seq === seenSeq && seenSeq === lastVisibleToVisitor(messages)) {
        out.push({ key: 'seen', sig: String(seenSeq), make: () => h('div', { class: 'seen' }, icon('check'), t('messages.seen')) });
      }
    }
    for (const p of held.pending.values()) {
      out.push({ key: `p:${p.client_id}`, sig: `${p.status}|${p.error}|${state.conn.phase === 'online'}`, make: () => pendingEl(p, id) });
    }
    return out;
  }

  function lastVisibleToVisitor(messages) {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (!agentsOnly(m) && (m.author.kind === 'agent' || m.author.kind === 'bot')) return m.seq;
      if (m.author.kind === 'visitor') return -1;
    }
    return -1;
  }

  function render() {
    const stick = pinned || lastKey === null;
    const firstBefore = list.firstElementChild;
    const offsetFromBottom = list.scrollHeight - list.scrollTop;
    const next = new Map();
    let cursor = list.firstChild;
    const wanted = items();
    for (const item of wanted) {
      let node = cache.get(item.key);
      if (!node || node.dataset.sig !== item.sig) {
        node = item.make();
        node.dataset.sig = item.sig;
      }
      next.set(item.key, node);
      if (node !== cursor) list.insertBefore(node, cursor);
      else cursor = node.nextSibling;
    }
    while (cursor) {
      const after = cursor.nextSibling;
      cursor.remove();
      cursor = after;
    }
    cache = next;
    const keys = wanted.map((w) => w.key).filter((k) => k.startsWith('s:') || k.startsWith('p:'));
    const newLast = keys.length ? keys[keys.length - 1] : null;
    if (stick) {
      scrollToBottom();
    } else if (firstBefore && list.firstElementChild !== firstBefore) {
      // Older messages were added above: keep what the agent is reading in place.
      list.scrollTop = list.scrollHeight - offsetFromBottom;
    }
    if (!stick && newLast !== lastKey && lastKey !== null) jump.hidden = false;
    lastKey = newLast;
    pinned = stick || atBottom();
    if (pinned) onNearBottom();
  }

  return { el, render, atBottom, scrollToBottom, destroy() { resized.disconnect(); } };
}
