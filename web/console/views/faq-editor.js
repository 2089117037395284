// @ts-check
// The form for one FAQ entry (new or edited): the questions, one per line, and the answer.
// It checks the server's limits before saving and shows the server's message when it
// refuses anyway.

import { h } from '../dom.js';
import { FAQ_LIMITS, charCount, entryProblem, faqApi, questionLines } from '../faq.js';
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
  const count = h('span', { class: 'field-hint faq-count' });
  const error = errorLine();
  const save = h('button', { class: 'btn btn-primary', type: 'submit' }, entry.id ? t('faq.saveChanges') : t('faq.saveEntry'));
  const cancel = onCancel ? h('button', { class: 'btn btn-ghost', type: 'button', onclick: onCancel }, cancelLabel) : null;
  const form = h('form', { class: 'form faq-editor', novalidate: true },
    field(t('faq.questions'), questions, t('faq.questionsHint', { max: maxQuestions, chars: questionChars })),
    field(t('faq.answer'), answer, t('faq.answerHint', { chars: answerChars.toLocaleString(language()) })),
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
    const body = { questions: questionLines(questions.value), answer: answer.value.trim() };
    const problem = entryProblem(body.questions, body.answer);
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
