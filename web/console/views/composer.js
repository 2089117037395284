// @ts-check
// The composer: Enter sends, Shift+Enter is a new line; a Reply / Internal note switch;
// `/shortcut` suggests canned replies; typing notices go to the visitor (never for notes);
// replies carry files too (the paperclip, paste, drag-and-drop: composer-files.js).

import { state } from '../state.js';
import { h, fill, icon } from '../dom.js';
import { byteLength } from '../format.js';
import { sendMessage, sendFiles, typing } from '../live.js';
import { t } from '../i18n.js';
import { createFileTray } from './composer-files.js';

const drafts = new Map();
const TYPING_IDLE_MS = 3000;
const TYPING_REFRESH_MS = 5000;

/** The composer for conversation `id`. */
export function createComposer(id) {
  let mode = 'reply';
  let wanted = 'reply';
  let typingSince = 0;
  let idleTimer = null;
  let suggestions = [];
  let active = 0;

  const input = h('textarea', { class: 'composer-input', rows: 1, placeholder: t('composer.placeholder'), 'aria-label': t('composer.message') });
  const replyBtn = h('button', { class: 'mode', type: 'button', onclick: () => setMode('reply') }, t('composer.reply'));
  const noteBtn = h('button', { class: 'mode mode-note', type: 'button', onclick: () => setMode('note') }, icon('lock'), t('composer.note'));
  const sendBtn = h('button', { class: 'btn btn-primary send', type: 'button', onclick: submit, 'aria-label': t('composer.send') }, icon('send'), h('span', { class: 'send-text' }, t('composer.send')));
  const hint = h('div', { class: 'composer-hint' });
  const menu = h('ul', { class: 'canned-menu', role: 'listbox', hidden: true });
  const files = createFileTray(() => render());
  const el = h('div', { class: 'composer' },
    menu,
    h('div', { class: 'modes', role: 'group', 'aria-label': t('composer.type') }, replyBtn, noteBtn),
    files.el,
    h('div', { class: 'composer-row' }, files.button, input, sendBtn),
    hint);
  input.addEventListener('paste', (e) => {
    const pasted = e.clipboardData && e.clipboardData.files;
    if (mode === 'reply' && pasted && pasted.length) { e.preventDefault(); files.add(pasted); }
  });
  el.addEventListener('dragover', (e) => { if (mode === 'reply') { e.preventDefault(); el.classList.add('drop-here'); } });
  el.addEventListener('dragleave', () => el.classList.remove('drop-here'));
  el.addEventListener('drop', (e) => {
    el.classList.remove('drop-here');
    if (mode !== 'reply' || !e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    files.add(e.dataTransfer.files);
  });

  input.value = drafts.get(id) || '';

  function conv() { return state.convs.get(id); }
  function canReply() {
    const c = conv();
    return Boolean(c && c.status === 'assigned' && state.me && c.agent === state.me.id);
  }

  function setMode(next) {
    if (next === 'reply' && !canReply()) return;
    if (mode === 'reply' && next === 'note') stopTyping();
    mode = next;
    wanted = next;
    render();
    input.focus();
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingSince) typing(id, false);
    typingSince = 0;
  }

  function noteTyping() {
    if (mode !== 'reply' || !canReply()) return;
    const now = Date.now();
    if (!typingSince || now - typingSince > TYPING_REFRESH_MS) {
      if (typing(id, true)) typingSince = now;
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function grow() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  }

  function tooLong() {
    return byteLength(input.value) > state.maxBody;
  }

  function submit() {
    const body = input.value.replace(/\s+$/, '');
    const withFiles = mode === 'reply' && files.has();
    if ((!body.trim() && !withFiles) || tooLong()) return;
    if (mode === 'reply' && !canReply()) return;
    if (withFiles && !files.ready()) return;
    stopTyping();
    if (withFiles) {
      sendFiles(id, body, files.answers());
      files.clear();
    } else {
      sendMessage(id, body, mode === 'note');
    }
    input.value = '';
    drafts.delete(id);
    closeMenu();
    grow();
    render();
    input.focus();
  }

  // Canned replies: the word being typed starts with "/".
  function slashWord() {
    const before = input.value.slice(0, input.selectionStart);
    const m = /(^|\s)\/([^\s/]*)$/.exec(before);
    return m ? { query: m[2].toLowerCase(), start: before.length - m[2].length - 1 } : null;
  }

  function refreshMenu() {
    const word = slashWord();
    const canned = Array.isArray(state.canned) ? state.canned : [];
    if (!word) return closeMenu();
    suggestions = canned
      .filter((c) => c.shortcut.toLowerCase().startsWith(word.query))
      .concat(canned.filter((c) => !c.shortcut.toLowerCase().startsWith(word.query) && c.text.toLowerCase().includes(word.query) && word.query))
      .slice(0, 6);
    active = Math.min(active, Math.max(0, suggestions.length - 1));
    fill(menu);
    if (!suggestions.length) {
      const why = state.canned === 'missing' ? t('composer.cannedMissing')
        : canned.length ? t('composer.cannedNone', { query: word.query }) : t('composer.cannedEmpty');
      menu.append(h('li', { class: 'canned-empty' }, why));
    }
    suggestions.forEach((c, i) => {
      menu.append(h('li', {
        class: `canned-item${i === active ? ' active' : ''}`, role: 'option', 'aria-selected': String(i === active),
        onmousedown: (e) => { e.preventDefault(); insert(c); },
      }, h('strong', null, `/${c.shortcut}`), h('span', null, c.text)));
    });
    menu.hidden = false;
  }

  function closeMenu() {
    suggestions = [];
    active = 0;
    menu.hidden = true;
  }

  function insert(c) {
    const word = slashWord();
    if (!word) return;
    const end = input.selectionStart;
    input.value = input.value.slice(0, word.start) + c.text + input.value.slice(end);
    const caret = word.start + c.text.length;
    input.setSelectionRange(caret, caret);
    closeMenu();
    grow();
    drafts.set(id, input.value);
    render();
  }

  input.addEventListener('input', () => {
    drafts.set(id, input.value);
    grow();
    refreshMenu();
    if (input.value) noteTyping(); else stopTyping();
    render();
  });
  input.addEventListener('keydown', (e) => {
    if (!menu.hidden && suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length;
        refreshMenu();
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        insert(suggestions[active]);
        return;
      }
    }
    if (e.key === 'Escape' && !menu.hidden) { e.preventDefault(); closeMenu(); return; }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('blur', () => { closeMenu(); stopTyping(); });
  input.addEventListener('click', refreshMenu);

  function render() {
    const reply = canReply();
    if (!reply && mode === 'reply') mode = 'note';
    // Back to replying once the chat is ours, but never under text written as a note.
    if (reply && mode === 'note' && wanted === 'reply' && !input.value) mode = 'reply';
    const c = conv();
    replyBtn.disabled = !reply;
    replyBtn.title = reply ? '' : t('composer.claimToReply');
    replyBtn.classList.toggle('active', mode === 'reply');
    noteBtn.classList.toggle('active', mode === 'note');
    replyBtn.setAttribute('aria-pressed', String(mode === 'reply'));
    noteBtn.setAttribute('aria-pressed', String(mode === 'note'));
    el.classList.toggle('is-note', mode === 'note');
    input.placeholder = mode === 'note' ? t('composer.notePlaceholder') : t('composer.replyPlaceholder');
    const over = tooLong();
    const withFiles = mode === 'reply' && files.has();
    sendBtn.disabled = (!input.value.trim() && !withFiles) || over || (withFiles && !files.ready());
    files.button.hidden = mode !== 'reply';
    files.el.hidden = mode !== 'reply';
    fill(sendBtn.lastChild, mode === 'note' ? t('composer.addNote') : t('composer.send'));
    sendBtn.setAttribute('aria-label', mode === 'note' ? t('composer.addNote') : t('composer.send'));
    fill(hint);
    if (over) hint.append(h('span', { class: 'fail-text' }, t('composer.tooLong', { n: byteLength(input.value), max: state.maxBody })));
    else if (mode === 'note') hint.append(icon('lock'), t('composer.noteHint'));
    else hint.append(t('composer.hint'));
    el.hidden = !c || c.status === 'closed';
  }

  render();
  grow();
  return {
    el,
    render,
    focus() { input.focus(); },
    destroy() { stopTyping(); },
  };
}
