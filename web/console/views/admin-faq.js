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

/** Starting points for a new shop: edited before they are saved. */
const COMMON_QUESTIONS = [
  {
    questions: ['What are your opening hours?', 'When are you open?', 'Are you open on Saturday?'],
    answer: 'We are open Monday to Friday from 9:00 to 17:00 and on Saturday from 10:00 to 14:00.',
  },
  {
    questions: ['How long does shipping take?', 'Do you ship abroad?', 'How much does delivery cost?'],
    answer: 'Orders leave within 2 working days. Delivery takes 2–4 days at home and 5–10 days abroad; it is free from 50 €.',
  },
  {
    questions: ['Can I return an item?', 'What is your return policy?', 'How do I get a refund?'],
    answer: 'You can return unused items within 30 days. Write to us with your order number and we send you a return label; the refund follows within 5 days of receiving the parcel.',
  },
];

const percent = (x) => `${Math.round(x * 100)}%`;

function botStatus(bot) {
  if (!bot) return null;
  if (!bot.enabled) {
    return h('p', { class: 'notice bot-status bot-off' },
      'The bot is off: this server runs with --no-bot, so every chat goes straight to the team. You can still edit the entries; the bot uses them once it is on. Trying a question is unavailable.');
  }
  return h('p', { class: 'bot-status bot-on' },
    h('strong', null, 'The bot is on. '),
    `It answers a visitor when their question matches an entry by at least ${percent(bot.answer_threshold)}; `,
    `from ${percent(bot.suggest_threshold)} it hands the chat to the team with the entry as a suggested reply; below that it simply hands over.`);
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
        toast('FAQ entry saved. The bot uses it from the next message on.', 'ok');
      },
      onCancel: entry ? () => { drafts = drafts.filter((d) => d !== draft); renderDrafts(); } : null,
      cancelLabel: 'Discard',
    });
    return draft;
  }

  function startCommon() {
    drafts = COMMON_QUESTIONS.map((e) => newDraft({ questions: [...e.questions], answer: e.answer }));
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
        more.length ? h('p', { class: 'faq-more muted small' }, `Also: ${more.join(' · ')}`) : null,
        h('p', { class: 'faq-answer' }, entry.answer)),
      h('div', { class: 'canned-actions' },
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = entry.id; renderList(); } }, 'Edit'),
        h('button', {
          class: 'btn btn-small btn-danger-ghost', type: 'button',
          onclick: async () => {
            if (!confirm(`Delete the entry “${first}”? The bot stops using it at once.`)) return;
            try {
              await faqApi.remove(entry.id);
              entries = entries.filter((x) => x.id !== entry.id);
              publish();
              renderList();
            } catch (err) { toast(err.message, 'error'); }
          },
        }, 'Delete')));
  }

  function renderList() {
    if (!entries.length) {
      fill(list, h('div', { class: 'faq-empty' },
        h('p', null, 'No entries yet. Each entry is an answer plus the ways visitors ask for it; the bot replies when a question comes close enough.'),
        h('button', { class: 'btn btn-primary', type: 'button', onclick: startCommon }, 'Add common questions')));
      return;
    }
    fill(list, [...entries].sort((a, b) => a.id - b.id).map(entryRow));
  }

  function renderDrafts() {
    if (!drafts.length) drafts = [newDraft(undefined)];
    const examples = drafts.some((d) => d.entry);
    fill(newBox,
      examples ? h('p', { class: 'form-notice' }, 'Examples to start from: change the questions and answers to fit your shop, then save each one.') : null,
      drafts.map((d) => d.form.el));
  }

  const root = h('div', { class: 'admin-page faq-page' },
    h('h1', null, 'FAQ bot'),
    h('p', { class: 'muted' }, 'The bot answers visitors’ common questions by itself, in their own words, and hands the chat to the team when it is not sure or the visitor asks for a person.'),
    status,
    h('h2', null, 'Entries'),
    list,
    h('h2', null, 'New entry'),
    newBox,
    h('h2', null, 'Test the bot'),
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
      if (e instanceof ApiError && e.missing) fill(root, h('h1', null, 'FAQ bot'), missingNotice('The FAQ bot'));
      else fill(list, h('p', { class: 'form-error' }, e.message));
    }
  }

  fill(list, h('p', { class: 'muted' }, 'Loading…'));
  renderDrafts();
  load();

  return { el: root, update() {} };
}
