// @ts-check
// Admin → Canned replies: short answers agents insert by typing /shortcut.

import { state, changed } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, loadList } from './forms.js';

function cleanShortcut(text) {
  return text.trim().replace(/^\/+/, '').toLowerCase();
}

function publish(list) {
  state.canned = list;
  changed('canned');
}

export function cannedPage() {
  let items = [];
  let editing = null;
  let missing = false;
  const list = h('div', { class: 'canned-list' });
  const shortcut = h('input', { maxlength: 32, placeholder: 'hours', autocomplete: 'off', spellcheck: 'false' });
  const text = h('textarea', { rows: 3, placeholder: 'We are open Monday to Friday, 9 to 17.' });
  const error = errorLine();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add reply');
  const form = h('form', { class: 'form', novalidate: true },
    field('Shortcut', shortcut, 'Agents type /shortcut in the message box.'), field('Text', text), h('div', { class: 'form-actions' }, error, add));

  function check(sc, body, except) {
    if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(sc)) return 'A shortcut is one word: letters, digits, - or _.';
    if (!body.trim()) return 'Write the reply text.';
    if (items.some((c) => c.shortcut === sc && c.id !== except)) return `/${sc} already exists.`;
    return '';
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const sc = cleanShortcut(shortcut.value);
    const problem = check(sc, text.value);
    setError(error, problem);
    if (problem) return;
    add.disabled = true;
    try {
      const created = await api.post('/api/canned', { shortcut: sc, text: text.value.trim() });
      items.push(created);
      publish(items);
      form.reset();
      render();
    } catch (err) {
      setError(error, err instanceof ApiError && err.missing ? 'This server cannot store canned replies yet.' : err.message);
    }
    add.disabled = false;
  });

  function itemEl(c) {
    if (editing !== c.id) {
      return h('div', { class: 'canned-row' },
        h('div', { class: 'canned-text' }, h('strong', null, `/${c.shortcut}`), h('p', null, c.text)),
        h('div', { class: 'canned-actions' },
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = c.id; render(); } }, 'Edit'),
          h('button', {
            class: 'btn btn-small btn-danger-ghost', type: 'button',
            onclick: async () => {
              if (!confirm(`Delete /${c.shortcut}?`)) return;
              try {
                await api.del(`/api/canned/${c.id}`);
                items = items.filter((x) => x.id !== c.id);
                publish(items);
                render();
              } catch (err) { toast(err.message, 'error'); }
            },
          }, 'Delete')));
    }
    const sc = h('input', { value: c.shortcut, maxlength: 32, 'aria-label': 'Shortcut' });
    const body = h('textarea', { rows: 3, value: c.text, 'aria-label': 'Text' });
    const err = errorLine();
    const edit = h('form', { class: 'canned-row canned-edit' },
      h('div', { class: 'canned-text' }, sc, body, err),
      h('div', { class: 'canned-actions' },
        h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, 'Save'),
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = null; render(); } }, 'Cancel')));
    edit.addEventListener('submit', async (e) => {
      e.preventDefault();
      const next = { shortcut: cleanShortcut(sc.value), text: body.value.trim() };
      const problem = check(next.shortcut, next.text, c.id);
      setError(err, problem);
      if (problem) return;
      try {
        Object.assign(c, await api.put(`/api/canned/${c.id}`, next));
        editing = null;
        publish(items);
        render();
      } catch (e2) { setError(err, e2.message); }
    });
    return edit;
  }

  function render() {
    if (missing) { fill(list, missingNotice('Canned replies')); return; }
    if (!items.length) { fill(list, h('p', { class: 'muted' }, 'No canned replies yet. Add answers to the questions you get every day.')); return; }
    fill(list, items.sort((a, b) => a.shortcut.localeCompare(b.shortcut)).map(itemEl));
  }

  loadList(list, '/api/canned', (got) => { items = got; publish(items); render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, 'Canned replies'),
      h('p', { class: 'muted' }, 'Ready answers for common questions. In a chat, type / and the first letters of the shortcut.'),
      list, h('h2', null, 'New canned reply'), form),
    update() {},
  };
}
