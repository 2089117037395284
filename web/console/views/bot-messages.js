// @ts-check
// The FAQ bot's part of a conversation, as agents see it: the bot's answers (naming the
// FAQ entry they came from), hand-off lines, the visitor's feedback on an answer, and the
// card of suggested replies, each with a one-click Send (which claims the chat first when
// it is not ours yet). Suggestions and feedback are agents-only: the visitor never sees them.
// A "Did you mean…?" message lists the questions the visitor was offered to tap.

import { state } from '../state.js';
import { h, icon } from '../dom.js';
import { faqTitle } from '../faq.js';
import { claimAndSend, waitingForClaim } from '../live.js';
import { t } from '../i18n.js';

/** Why the bot handed a chat to the team (the `handed_off` event's reason), or null for
 * a reason this console does not know. */
export function handoffReason(reason) {
  return ['human_requested', 'frustrated', 'low_confidence', 'bot_unavailable'].includes(reason) ? t(`bot.reason.${reason}`) : null;
}

const BOT_EVENTS = ['bot_answer', 'handed_off', 'suggestions', 'feedback', 'choices'];
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
  return title ? t('bot.faqNamed', { id, title }) : t('bot.faq', { id });
}

function agentName(id) {
  const agent = state.agents.get(id);
  return agent ? agent.name : t('conv.agentNumbered', { id });
}

/**
 * What a suggested reply's button may do now: 'send', 'sent', 'claiming' or 'blocked'
 * (with a reason). `sent(body)` says whether an agent already sent that text after it.
 */
function replyState(conv, body, sent) {
  if (sent(body)) return { state: 'sent' };
  if (!conv) return { state: 'blocked', why: t('common.loading') };
  if (waitingForClaim(conv.id).includes(body)) return { state: 'claiming' };
  if (conv.status === 'closed') return { state: 'blocked', why: t('bot.closed') };
  const mine = state.me && conv.agent === state.me.id;
  if (conv.status === 'assigned' && !mine) return { state: 'blocked', why: t('bot.handledBy', { name: agentName(conv.agent) }) };
  return { state: 'send', why: mine ? t('bot.sendTitle') : t('bot.claimSendTitle') };
}

/** The label of a suggested reply's button in each state. */
function buttonLabel(now) {
  return t(now === 'sent' ? 'bot.sent' : now === 'claiming' ? 'bot.claiming' : 'composer.send');
}

function suggestionEl(reply, conv, sent, rich) {
  const { state: now, why } = replyState(conv, reply.answer, sent);
  const fill = h('span', { class: 'score-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, reply.score_pct))}%`; // CSSOM: allowed under the CSP
  return h('li', { class: 'suggestion' },
    h('div', { class: 'suggestion-top' },
      h('span', { class: 'suggestion-faq' }, faqName(reply.faq_id)),
      h('span', { class: 'score', title: t('bot.scoreTitle') },
        h('span', { class: 'score-bar', 'aria-hidden': 'true' }, fill), `${reply.score_pct}%`)),
    h('p', { class: 'suggestion-text' }, rich(reply.answer)),
    h('button', {
      class: `btn btn-small ${now === 'send' ? 'btn-primary' : 'btn-ghost'} suggestion-send`, type: 'button',
      disabled: now !== 'send', title: why,
      onclick: () => claimAndSend(conv.id, reply.answer),
    }, now === 'sent' ? icon('check') : null, buttonLabel(now)));
}

/**
 * The element for a bot-related message. ctx: { conv, time (a <time> element), rich(text)
 * (text with safe links), sent(body) → whether an agent already sent that text after it }.
 */
export function botMessageEl(m, ctx) {
  const kind = eventKind(m);
  const seq = { seq: m.seq };
  if (kind === 'handed_off') {
    const reason = handoffReason(m.event.handed_off.reason) || m.body;
    return h('div', { class: 'msg-system msg-handoff', dataset: seq },
      h('span', null, t('bot.handedOff', { reason })), ' · ', ctx.time);
  }
  if (kind === 'feedback') {
    const text = m.event.feedback.helpful ? t('bot.helpful') : t('bot.notHelpful');
    return h('div', { class: 'msg-system msg-feedback', dataset: seq, title: t('bot.agentsOnly') },
      icon('lock'), h('span', null, text), ' · ', ctx.time);
  }
  if (kind === 'suggestions') {
    return h('div', { class: 'suggestions', dataset: seq },
      h('div', { class: 'suggestions-head' }, icon('lock'), h('span', null, t('bot.suggestions')), ' · ', ctx.time),
      h('ol', { class: 'suggestion-list' }, m.event.suggestions.replies.map((r) => suggestionEl(r, ctx.conv, ctx.sent, ctx.rich))));
  }
  const offered = kind === 'choices' ? h('ul', { class: 'bot-choices', title: t('bot.choicesOffered') },
    m.event.choices.choices.map((c) => h('li', { title: faqName(c.faq_id) }, c.question))) : null;
  const source = kind === 'bot_answer' ? h('span', { class: 'bot-source' }, t('bot.answerFrom', { faq: faqName(m.event.bot_answer.faq_id) })) : null;
  return h('div', { class: 'msg msg-bot', dataset: seq },
    h('div', { class: 'bubble' }, ctx.rich(m.body), offered),
    h('div', { class: 'meta' }, h('span', { class: 'bot-tag' }, t('inbox.bot')), source ? [' · ', source] : null, ' · ', ctx.time));
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
