// @ts-check
// The form for one FAQ entry (new or edited): the questions, one per line, the default
// answer, and the answer per visitor language (optional). It checks the server's limits
// before saving and shows the server's message when it refuses anyway.

import { h } from '../dom.js';
import { ANSWER_LANGUAGES, FAQ_LIMITS, charCount, entryProblem, faqApi, questionLines } from '../faq.js';
import { field, errorLine, setError } from './forms.js';
import { t, language } from '../i18n.js';

/**
 * An entry editor. entry: { id?, questions, answer } (no id = a new entry);
 * onSaved(entry) after the server stored it; onCancel() for the Cancel/Discard button
 * (none when omitted).
 * @param {{ entry?: import('../faq.js').FaqEntry, onSaved: (entry: import('../faq.js').FaqEntry) => void,
 *   onCancel?: (() => void) | null, cancelLabel?: string }} options
 */
export function faqEditor({ entry = { questions: [], answer: '' }, onSaved, onCancel, cancelLabel = t('common.cancel') }) {
  const { maxQuestions, questionChars, answerChars } = FAQ_LIMITS;
  const questions = h('textarea', {
    rows: 4, value: entry.questions.join('\n'), spellcheck: 'true',
    placeholder: t('faq.questionsExample'),
  });
  const answer = h('textarea', { rows: 4, value: entry.answer, placeholder: t('faq.answerExample') });
  const stored = entry.answers || {};
  /** One optional textarea per language, `data-language` naming it. */
  const local = ANSWER_LANGUAGES.map((code) => h('textarea', {
    rows: 2, value: stored[code] || '', class: 'faq-answer-in', 'data-language': code,
    lang: code === 'zh' ? 'zh-CN' : code,
  }));
  const count = h('span', { class: 'field-hint faq-count' });
  const error = errorLine();
  const save = h('button', { class: 'btn btn-primary', type: 'submit' }, entry.id ? t('faq.saveChanges') : t('faq.saveEntry'));
  const cancel = onCancel ? h('button', { class: 'btn btn-ghost', type: 'button', onclick: onCancel }, cancelLabel) : null;
  const form = h('form', { class: 'form faq-editor', novalidate: true },
    field(t('faq.questions'), questions, t('faq.questionsHint', { max: maxQuestions, chars: questionChars })),
    field(t('faq.answer'), answer, t('faq.answerHint', { chars: answerChars.toLocaleString(language()) })),
    h('fieldset', { class: 'faq-answers' },
      h('legend', { class: 'field-label' }, t('faq.answersIn')),
      h('p', { class: 'field-hint' }, t('faq.answersInHint')),
      ...local.map((area, i) => field(t('faq.answerIn', { language: t(`faq.language.${ANSWER_LANGUAGES[i]}`) }), area))),
    count,
    h('div', { class: 'form-actions' }, error, cancel, save));

  function updateCount() {
    const n = questionLines(questions.value).length;
    count.textContent = t('faq.count', { questions: t('faq.questionCount', { n }), n: charCount(answer.value.trim()), max: answerChars.toLocaleString(language()) });
  }
  questions.addEventListener('input', updateCount);
  answer.addEventListener('input', updateCount);
  updateCount();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    /** @type {Object<string, string>} */
    const answers = {};
    for (const area of local) {
      const text = area.value.trim();
      if (text) answers[area.dataset.language || ''] = text;
    }
    const body = { questions: questionLines(questions.value), answer: answer.value.trim(), answers };
    const problem = entryProblem(body.questions, body.answer, body.answers);
    setError(error, problem);
    if (problem) return;
    save.disabled = true;
    try {
      const stored = entry.id ? await faqApi.update(entry.id, body) : await faqApi.create(body);
      onSaved(stored);
    } catch (err) {
      setError(error, err.message); // the server's own explanation (400, 404, 409…)
      save.disabled = false;
    }
  });

  return { el: form, focus() { questions.focus(); } };
}
