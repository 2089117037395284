// @ts-check
// The FAQ entries the bot answers from (docs/API.md, "FAQ entries and the bot"): the API
// calls, the limits an entry must respect, and the entries kept in state.faq so that a
// bot answer in a conversation can name its entry. Every agent may read them; only
// admins may change them.

import { state, changed } from './state.js';
import { api } from './api.js';
import { t } from './i18n.js';

/** @typedef {{ id?: number, questions: string[], answer: string, answers?: Object<string, string> }} FaqEntry
 * An entry (no id before it is saved); `answers` holds the answer per visitor language. */

/** The server's limits for an entry (the editor checks them before saving). */
export const FAQ_LIMITS = { maxQuestions: 20, questionChars: 300, answerChars: 2000 };

/** The languages an answer can be written in besides the default one (the server's
 * `faq::ANSWER_LANGUAGES`): a visitor whose message or browser is in one of them gets
 * that answer when there is one. */
export const ANSWER_LANGUAGES = ['en', 'zh'];

/** Length in characters as the server counts them (code points, not UTF-16 units). */
export function charCount(text) {
  return [...text].length;
}

/** Splits the questions textarea: one question per line, blank lines dropped. */
export function questionLines(text) {
  return text.split('\n').map((q) => q.trim()).filter(Boolean);
}

/** What is wrong with an entry (its answers per language included), or '' when the
 * server will take it. */
export function entryProblem(questions, answer, answers = {}) {
  const { maxQuestions, questionChars, answerChars } = FAQ_LIMITS;
  if (!questions.length) return t('faq.problem.noQuestion');
  if (questions.length > maxQuestions) return t('faq.problem.tooMany', { max: maxQuestions, n: questions.length });
  const long = questions.findIndex((q) => charCount(q) > questionChars);
  if (long >= 0) return t('faq.problem.longQuestion', { number: long + 1, max: questionChars });
  if (!answer) return t('faq.problem.noAnswer');
  if (charCount(answer) > answerChars) return t('faq.problem.longAnswer', { max: answerChars, n: charCount(answer) });
  for (const [code, text] of Object.entries(answers)) {
    if (charCount(text) > answerChars) {
      return t('faq.problem.longAnswerIn', { language: t(`faq.language.${code}`), max: answerChars, n: charCount(text) });
    }
  }
  return '';
}

/** Keeps the entries in state (for the labels of bot answers). */
export function rememberFaq(entries) {
  state.faq = new Map(entries.map((e) => [e.id, e]));
  changed('faq');
}

/** Entry ids the list was read again for: each unknown id reloads it once at most. */
const reloadedFor = new Set();

/** Loads the entries (every agent may read them), unless loaded already or `again`. */
export async function loadFaq({ again = false } = {}) {
  if (!state.me || (state.faq && !again)) return;
  try {
    rememberFaq((await api.get('/api/faq')).entries);
  } catch { /* an older server: entry numbers only */ }
}

/** An entry's name: its first question, or null when unknown. An id the list lacks (an
 * entry saved after it was read) reads the list again, once: the name then shows when
 * the 'faq' topic redraws the conversation. */
export function faqTitle(id) {
  const entry = state.faq && state.faq.get(id);
  if (!entry && state.faq && !reloadedFor.has(id)) {
    reloadedFor.add(id);
    loadFaq({ again: true });
  }
  return entry && entry.questions.length ? entry.questions[0] : null;
}

export const faqApi = {
  list: () => api.get('/api/faq'),
  create: (entry) => api.post('/api/faq', entry),
  update: (id, entry) => api.put(`/api/faq/${id}`, entry),
  remove: (id) => api.del(`/api/faq/${id}`),
  tryText: (text, language) => api.post('/api/faq/try', { text, language: language || null }),
};
