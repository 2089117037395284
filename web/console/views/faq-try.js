// @ts-check
// Admin → FAQ bot → "Try a question": asks the server what the bot would do with a message
// (POST /api/faq/try) and shows the decision and the best-matching entries, each score
// as a bar against the answer and suggest thresholds.

import { h, fill } from '../dom.js';
import { faqApi, faqTitle } from '../faq.js';
import { handoffReason } from './bot-messages.js';
import { field, errorLine, setError } from './forms.js';
import { t } from '../i18n.js';

const percent = (score) => `${Math.round(score * 100)}%`;

/** "FAQ #7 “Do you ship to Norway?”", or a note that the entry is gone. */
function entryName(id) {
  const title = faqTitle(id);
  return title ? t('try.entry', { id, title }) : t('try.deleted', { id });
}

/** A small-talk intent's name ("greeting"), in the console's language when known. */
function intentName(intent) {
  const own = t(`try.intent.${intent}`);
  return own === `try.intent.${intent}` ? intent.replace(/_/g, ' ') : own;
}

/** The decision in one sentence plus, for answers and small talk, what the bot would say. */
function decisionEl(d) {
  let headline;
  let said = null;
  if (d.action === 'answer') {
    headline = t('try.answer', { entry: entryName(d.faq_id) });
    said = d.text;
  } else if (d.action === 'small_talk') {
    headline = d.intent ? t('try.smallTalkAbout', { intent: intentName(d.intent) }) : t('try.smallTalk');
    said = d.text;
  } else if (d.action === 'suggest') {
    const offered = (d.candidates || []).map((id) => `#${id}`).join(', ');
    headline = t('try.suggest', { entries: offered || t('try.theseEntries') });
  } else {
    headline = t('try.handoff', { reason: handoffReason(d.reason) || d.reason || t('try.toTeam') });
  }
  const known = ['answer', 'small_talk', 'suggest', 'handoff'].includes(d.action);
  return h('div', { class: `try-decision try-${d.action}` },
    h('span', { class: 'try-action' }, known ? t(`try.action.${d.action}`) : d.action.replace('_', ' ')),
    h('strong', null, headline),
    said ? h('blockquote', { class: 'try-said' }, said) : null);
}

/** One match: the entry, its score as a bar, the thresholds as marks on the bar. */
function matchEl(match, thresholds) {
  const zone = match.score >= thresholds.answer ? 'answer' : match.score >= thresholds.suggest ? 'suggest' : 'low';
  const bar = h('span', { class: `match-fill zone-${zone}` });
  // Widths and positions through the CSSOM (inline style attributes are blocked by the CSP).
  bar.style.width = percent(Math.max(0, Math.min(1, match.score)));
  const answerMark = h('span', { class: 'mark mark-answer', title: t('try.answerFrom', { score: percent(thresholds.answer) }) });
  answerMark.style.left = percent(thresholds.answer);
  const suggestMark = h('span', { class: 'mark mark-suggest', title: t('try.suggestFrom', { score: percent(thresholds.suggest) }) });
  suggestMark.style.left = percent(thresholds.suggest);
  return h('li', { class: 'try-match' },
    h('span', { class: 'match-name' }, entryName(match.faq_id)),
    h('span', { class: 'match-bar', role: 'img', 'aria-label': t('try.score', { score: percent(match.score) }) }, bar, suggestMark, answerMark),
    h('span', { class: 'match-score' }, percent(match.score)));
}

/** The rule that decided, in one sentence with its figures (the server's `reason`). */
function reasonEl(reason) {
  if (!reason || !reason.rule) return null;
  const key = `try.why.${reason.rule}`;
  const figures = {
    score: percent(reason.score ?? 0),
    threshold: percent(reason.threshold ?? 0),
    lead: percent(reason.lead ?? 0),
    margin: percent(reason.margin ?? 0),
    nearest: percent(reason.faq_nearest ?? 0),
  };
  const text = t(key, figures);
  return h('p', { class: 'try-reason' }, text === key ? reason.rule.replace(/_/g, ' ') : text);
}

function resultEl(result) {
  const thresholds = result.thresholds;
  const matches = result.faq || [];
  return [
    decisionEl(result.decision),
    reasonEl(result.reason),
    h('h3', null, t('try.best')),
    matches.length
      ? h('ol', { class: 'try-matches' }, matches.map((m) => matchEl(m, thresholds)))
      : h('p', { class: 'muted' }, t('try.noEntries')),
    h('p', { class: 'try-legend muted small' },
      h('span', { class: 'mark-key mark-answer' }), ' ', t('try.legendAnswer', { score: percent(thresholds.answer) }), ' · ',
      h('span', { class: 'mark-key mark-suggest' }), ' ', t('try.legendSuggest', { score: percent(thresholds.suggest) })),
  ];
}

/** The box. setEnabled(false) when the bot is off (the server would answer 409). */
export function faqTryBox() {
  const input = h('input', { maxlength: 500, placeholder: t('try.placeholder'), autocomplete: 'off' });
  const language = h('select', null,
    ['', 'en', 'zh'].map((code) => h('option', { value: code }, t(`try.language.${code || 'none'}`))));
  const go = h('button', { class: 'btn btn-primary', type: 'submit' }, t('try.try'));
  const error = errorLine();
  const output = h('div', { class: 'try-result', 'aria-live': 'polite' });
  const off = h('p', { class: 'notice', hidden: true }, t('try.off'));
  const form = h('form', { class: 'try-form', novalidate: true }, field(t('try.label'), input), field(t('try.language'), language), go);
  const hint = h('p', { class: 'field-hint try-hint' }, t('try.hint'));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) { setError(error, t('try.empty')); return; }
    setError(error, '');
    go.disabled = true;
    try {
      fill(output, resultEl(await faqApi.tryText(text, language.value)));
    } catch (err) {
      fill(output);
      setError(error, err.message);
    }
    go.disabled = false;
  });

  return {
    el: h('div', { class: 'faq-try' }, off, form, hint, error, output),
    setEnabled(enabled) {
      off.hidden = enabled;
      input.disabled = !enabled;
      language.disabled = !enabled;
      go.disabled = !enabled;
    },
  };
}
