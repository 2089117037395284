// @ts-check
// The form for one FAQ entry (new or edited): the questions, one per line, and the answer.
// It checks the server's limits before saving and shows the server's message when it
// refuses anyway.

import { h } from '../dom.js';
import { FAQ_LIMITS, charCount, entryProblem, faqApi, questionLines } from '../faq.js';
import { field, errorLine, setError } from './forms.js';

/**
 * An entry editor. entry: { id?, questions, answer } (no id = a new entry);
 * onSaved(entry) after the server stored it; onCancel() for the Cancel/Discard button
 * (none when omitted).
 * @param {{ entry?: import('../faq.js').FaqEntry, onSaved: (entry: import('../faq.js').FaqEntry) => void,
 *   onCancel?: (() => void) | null, cancelLabel?: string }} options
 */
export function faqEditor({ entry = { questions: [], answer: '' }, onSaved, onCancel, cancelLabel = 'Cancel' }) {
  const { maxQuestions, questionChars, answerChars } = FAQ_LIMITS;
  const questions = h('textarea', {
    rows: 4, value: entry.questions.join('\n'), spellcheck: 'true',
    placeholder: 'Do you ship to Norway?\nshipping abroad\nhow long does delivery take',
  });
  const answer = h('textarea', { rows: 4, value: entry.answer, placeholder: 'Yes, we ship to Norway in 3–5 working days.' });
  const count = h('span', { class: 'field-hint faq-count' });
  const error = errorLine();
  const save = h('button', { class: 'btn btn-primary', type: 'submit' }, entry.id ? 'Save changes' : 'Save entry');
  const cancel = onCancel ? h('button', { class: 'btn btn-ghost', type: 'button', onclick: onCancel }, cancelLabel) : null;
  const form = h('form', { class: 'form faq-editor', novalidate: true },
    field('Questions', questions, `One per line: the ways a visitor might ask. 1–${maxQuestions} questions of up to ${questionChars} characters.`),
    field('Answer', answer, `What the bot replies, up to ${answerChars.toLocaleString('en')} characters.`),
    count,
    h('div', { class: 'form-actions' }, error, cancel, save));

  function updateCount() {
    const n = questionLines(questions.value).length;
    count.textContent = `${n} question${n === 1 ? '' : 's'} · answer ${charCount(answer.value.trim())} / ${answerChars.toLocaleString('en')} characters`;
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
