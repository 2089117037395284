// @ts-check
// The FAQ bot's part of a conversation, as agents see it: the bot's answers (naming the
// FAQ entry they came from), hand-off lines, the visitor's feedback on an answer, and the
// card of suggested replies, each with a one-click Send (which claims the chat first when
// it is not ours yet). Suggestions and feedback are agents-only: the visitor never sees them.

import { state } from '../state.js';
import { h, icon } from '../dom.js';
import { faqTitle } from '../faq.js';
import { claimAndSend, waitingForClaim } from '../live.js';

/** Why the bot handed a chat to the team (the `handed_off` event's reason). */
export const HANDOFF_REASONS = {
  human_requested: 'the visitor asked for a person',
  frustrated: 'the visitor seemed frustrated',
  low_confidence: 'the bot was not sure of an answer',
  bot_unavailable: 'the bot was unavailable',
};

const BOT_EVENTS = ['bot_answer', 'handed_off', 'suggestions', 'feedback'];
const AGENTS_ONLY = ['note', 'suggestions', 'feedback'];

/** A message's event name ('bot_answer', 'note', 'queued'…), or '' without one. */
export function eventKind(m) {
  if (!m.event) return '';
  return typeof m.event === 'string' ? m.event : Object.keys(m.event)[0];
}

/** Messages the visitor never receives. */
export function agentsOnly(m) {
  return AGENTS_ONLY.includes(eventKind(m));
}

/** Whether botMessageEl draws this message. */
export function isBotPart(m) {
  return m.author.kind === 'bot' || BOT_EVENTS.includes(eventKind(m));
}

/** "FAQ #7 “Do you ship to Norway?”" (the question only when the entries are loaded). */
function faqName(id) {
  const title = faqTitle(id);
  return title ? `FAQ #${id} “${title}”` : `FAQ #${id}`;
}

function agentName(id) {
  const agent = state.agents.get(id);
  return agent ? agent.name : `agent #${id}`;
}

/**
 * What a suggested reply's button may do now: 'send', 'sent', 'claiming' or 'blocked'
 * (with a reason). `sent(body)` says whether an agent already sent that text after it.
 */
function replyState(conv, body, sent) {
  if (sent(body)) return { state: 'sent' };
  if (!conv) return { state: 'blocked', why: 'Loading…' };
  if (waitingForClaim(conv.id).includes(body)) return { state: 'claiming' };
  if (conv.status === 'closed') return { state: 'blocked', why: 'The chat is closed.' };
  const mine = state.me && conv.agent === state.me.id;
  if (conv.status === 'assigned' && !mine) return { state: 'blocked', why: `${agentName(conv.agent)} is handling this chat.` };
  return { state: 'send', why: mine ? 'Send this answer to the visitor' : 'Claim the chat and send this answer to the visitor' };
}

const BUTTON_LABELS = { send: 'Send', sent: 'Sent', claiming: 'Claiming…', blocked: 'Send' };

function suggestionEl(reply, conv, sent, rich) {
  const { state: now, why } = replyState(conv, reply.answer, sent);
  const fill = h('span', { class: 'score-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, reply.score_pct))}%`; // CSSOM: allowed under the CSP
  return h('li', { class: 'suggestion' },
    h('div', { class: 'suggestion-top' },
      h('span', { class: 'suggestion-faq' }, faqName(reply.faq_id)),
      h('span', { class: 'score', title: 'How closely the question matches this entry' },
        h('span', { class: 'score-bar', 'aria-hidden': 'true' }, fill), `${reply.score_pct}%`)),
    h('p', { class: 'suggestion-text' }, rich(reply.answer)),
    h('button', {
      class: `btn btn-small ${now === 'send' ? 'btn-primary' : 'btn-ghost'} suggestion-send`, type: 'button',
      disabled: now !== 'send', title: why,
      onclick: () => claimAndSend(conv.id, reply.answer),
    }, now === 'sent' ? icon('check') : null, BUTTON_LABELS[now]));
}

/**
 * The element for a bot-related message. ctx: { conv, time (a <time> element), rich(text)
 * (text with safe links), sent(body) → whether an agent already sent that text after it }.
 */
export function botMessageEl(m, ctx) {
  const kind = eventKind(m);
  const seq = { seq: m.seq };
  if (kind === 'handed_off') {
    const reason = HANDOFF_REASONS[m.event.handed_off.reason] || m.body;
    return h('div', { class: 'msg-system msg-handoff', dataset: seq },
      h('span', null, `Handed to the team: ${reason}`), ' · ', ctx.time);
  }
  if (kind === 'feedback') {
    const text = m.event.feedback.helpful ? 'The visitor found the bot’s answer helpful' : 'The visitor said the bot’s answer did not help';
    return h('div', { class: 'msg-system msg-feedback', dataset: seq, title: 'Only agents see this' },
      icon('lock'), h('span', null, text), ' · ', ctx.time);
  }
  if (kind === 'suggestions') {
    return h('div', { class: 'suggestions', dataset: seq },
      h('div', { class: 'suggestions-head' }, icon('lock'), h('span', null, 'Suggested replies from the FAQ · only agents see this'), ' · ', ctx.time),
      h('ol', { class: 'suggestion-list' }, m.event.suggestions.replies.map((r) => suggestionEl(r, ctx.conv, ctx.sent, ctx.rich))));
  }
  const source = kind === 'bot_answer' ? h('span', { class: 'bot-source' }, `answer from ${faqName(m.event.bot_answer.faq_id)}`) : null;
  return h('div', { class: 'msg msg-bot', dataset: seq },
    h('div', { class: 'bubble' }, ctx.rich(m.body)),
    h('div', { class: 'meta' }, h('span', { class: 'bot-tag' }, 'Bot'), source ? [' · ', source] : null, ' · ', ctx.time));
}

/** What botMessageEl's output depends on besides the message: redraw when it changes. */
export function botSignature(m, ctx) {
  const kind = eventKind(m);
  if (kind === 'bot_answer') return faqName(m.event.bot_answer.faq_id);
  if (kind !== 'suggestions') return '';
  const conv = ctx.conv;
  const ids = m.event.suggestions.replies.map((r) => `${r.faq_id}:${replyState(conv, r.answer, ctx.sent).state}`);
  return `${ids.join(',')}|${conv ? `${conv.status}:${conv.agent}` : ''}`;
}
