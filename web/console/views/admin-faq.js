// @ts-check
// Admin → FAQ bot: the entries the bot answers from (list, add, edit, delete), whether the
// bot runs and with which thresholds, and a box to try a question. With no entries yet, a
// button pre-fills the forms with common questions for the owner to adapt.

import { ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { faqApi, rememberFaq } from '../faq.js';
import { missingNotice } from './forms.js';
import { faqEditor } from './faq-editor.js';
import { faqTryBox } from './faq-try.js';
import { t, tv } from '../i18n.js';

const percent = (x) => `${Math.round(x * 100)}%`;

function botStatus(bot) {
  if (!bot) return null;
  if (!bot.enabled) {
    return h('p', { class: 'notice bot-status bot-off' }, t('faq.botOff'));
  }
  return h('p', { class: 'bot-status bot-on' },
    h('strong', null, t('faq.botOn')), ' ',
    t('faq.botOnRules', { answer: percent(bot.answer_threshold), suggest: percent(bot.suggest_threshold) }));
}

export function faqPage() {
  let entries = [];
  let bot = null;
  let editing = null; // id of the entry being edited in place
  let drafts = []; // new entries being written: { entry, form } (one empty form by default)
  const status = h('div');
  const list = h('div', { class: 'faq-list' });
  const newBox = h('div', { class: 'faq-drafts' });
  const tryBox = faqTryBox();

  function publish() {
    rememberFaq(entries);
  }

  /** A form for a new entry, kept while the page lives (so redraws keep what was typed). */
  function newDraft(entry) {
    const draft = { entry };
    draft.form = faqEditor({
      entry,
      onSaved(stored) {
        entries.push(stored);
        drafts = drafts.filter((d) => d !== draft);
        publish();
        renderList();
        renderDrafts();
        toast(t('faq.saved'), 'ok');
      },
      onCancel: entry ? () => { drafts = drafts.filter((d) => d !== draft); renderDrafts(); } : null,
      cancelLabel: t('messages.discard'),
    });
    return draft;
  }

  function startCommon() {
    // Starting points for a new shop, in the console's language: edited before they are saved.
    /** @type {{ questions: string[], answer: string }[]} */
    const common = tv('faq.common');
    drafts = common.map((e) => newDraft({ questions: [...e.questions], answer: e.answer }));
    renderDrafts();
    newBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
    newBox.querySelector('textarea')?.focus({ preventScroll: true });
  }

  function entryRow(entry) {
    if (editing === entry.id) {
      return faqEditor({
        entry,
        onSaved(stored) {
          entries = entries.map((x) => (x.id === stored.id ? stored : x));
          editing = null;
          publish();
          renderList();
        },
        // Back from editing, the list is read again: the save may have failed because the
        // entry was changed or deleted elsewhere meanwhile.
        onCancel() { editing = null; load(); },
      }).el;
    }
    const [first, ...more] = entry.questions;
    return h('div', { class: 'faq-row' },
      h('div', { class: 'faq-text' },
        h('strong', null, first, h('span', { class: 'muted small' }, ` #${entry.id}`)),
        more.length ? h('p', { class: 'faq-more muted small' }, t('faq.also', { questions: more.join(' · ') })) : null,
        h('p', { class: 'faq-answer' }, entry.answer),
        ...Object.entries(entry.answers || {}).map(([code, text]) => h('p', { class: 'faq-answer faq-answer-local', lang: code === 'zh' ? 'zh-CN' : code },
          h('span', { class: 'muted small' }, `${t(`faq.language.${code}`)}: `), text))),
      h('div', { class: 'canned-actions' },
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = entry.id; renderList(); } }, t('common.edit')),
        h('button', {
          class: 'btn btn-small btn-danger-ghost', type: 'button',
          onclick: async () => {
            if (!confirm(t('faq.confirmDelete', { question: first }))) return;
            try {
              await faqApi.remove(entry.id);
              entries = entries.filter((x) => x.id !== entry.id);
              publish();
              renderList();
            } catch (err) { toast(err.message, 'error'); }
          },
        }, t('common.delete'))));
  }

  function renderList() {
    if (!entries.length) {
      fill(list, h('div', { class: 'faq-empty' },
        h('p', null, t('faq.empty')),
        h('button', { class: 'btn btn-primary', type: 'button', onclick: startCommon }, t('faq.addCommon'))));
      return;
    }
    fill(list, [...entries].sort((a, b) => a.id - b.id).map(entryRow));
  }

  function renderDrafts() {
    if (!drafts.length) drafts = [newDraft(undefined)];
    const examples = drafts.some((d) => d.entry);
    fill(newBox,
      examples ? h('p', { class: 'form-notice' }, t('faq.examples')) : null,
      drafts.map((d) => d.form.el));
  }

  const root = h('div', { class: 'admin-page faq-page' },
    h('h1', null, t('admin.page.faq')),
    h('p', { class: 'muted' }, t('faq.intro')),
    status,
    h('h2', null, t('faq.entries')),
    list,
    h('h2', null, t('faq.newEntry')),
    newBox,
    h('h2', null, t('faq.test')),
    tryBox.el);

  async function load() {
    try {
      const answer = await faqApi.list();
      entries = answer.entries;
      bot = answer.bot;
      publish();
      fill(status, botStatus(bot));
      tryBox.setEnabled(Boolean(bot && bot.enabled));
      renderList();
    } catch (e) {
      if (e instanceof ApiError && e.missing) fill(root, h('h1', null, t('admin.page.faq')), missingNotice(t('admin.page.faq')));
      else fill(list, h('p', { class: 'form-error' }, e.message));
    }
  }

  fill(list, h('p', { class: 'muted' }, t('common.loading')));
  renderDrafts();
  load();

  return { el: root, update() {} };
}
