// @ts-check
// Admin → Canned replies: short answers agents insert by typing /shortcut.

import { state, changed } from '../state.js';
import { api, ApiError } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, loadList } from './forms.js';
import { t } from '../i18n.js';

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
  const shortcut = h('input', { maxlength: 32, placeholder: t('canned.shortcutExample'), autocomplete: 'off', spellcheck: 'false' });
  const text = h('textarea', { rows: 3, placeholder: t('canned.textExample') });
  const error = errorLine();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, t('canned.add'));
  const form = h('form', { class: 'form', novalidate: true },
    field(t('canned.shortcut'), shortcut, t('canned.shortcutHint')), field(t('canned.text'), text), h('div', { class: 'form-actions' }, error, add));

  function check(sc, body, except) {
    if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(sc)) return t('canned.badShortcut');
    if (!body.trim()) return t('canned.noText');
    if (items.some((c) => c.shortcut === sc && c.id !== except)) return t('canned.exists', { shortcut: sc });
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
      setError(error, err instanceof ApiError && err.missing ? t('canned.cannotStore') : err.message);
    }
    add.disabled = false;
  });

  function itemEl(c) {
    if (editing !== c.id) {
      return h('div', { class: 'canned-row' },
        h('div', { class: 'canned-text' }, h('strong', null, `/${c.shortcut}`), h('p', null, c.text)),
        h('div', { class: 'canned-actions' },
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = c.id; render(); } }, t('common.edit')),
          h('button', {
            class: 'btn btn-small btn-danger-ghost', type: 'button',
            onclick: async () => {
              if (!confirm(t('canned.confirmDelete', { shortcut: c.shortcut }))) return;
              try {
                await api.del(`/api/canned/${c.id}`);
                items = items.filter((x) => x.id !== c.id);
                publish(items);
                render();
              } catch (err) { toast(err.message, 'error'); }
            },
          }, t('common.delete'))));
    }
    const sc = h('input', { value: c.shortcut, maxlength: 32, 'aria-label': t('canned.shortcut') });
    const body = h('textarea', { rows: 3, value: c.text, 'aria-label': t('canned.text') });
    const err = errorLine();
    const edit = h('form', { class: 'canned-row canned-edit' },
      h('div', { class: 'canned-text' }, sc, body, err),
      h('div', { class: 'canned-actions' },
        h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, t('common.save')),
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', onclick: () => { editing = null; render(); } }, t('common.cancel'))));
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
    if (missing) { fill(list, missingNotice(t('admin.page.canned'))); return; }
    if (!items.length) { fill(list, h('p', { class: 'muted' }, t('canned.empty'))); return; }
    fill(list, items.sort((a, b) => a.shortcut.localeCompare(b.shortcut)).map(itemEl));
  }

  loadList(list, '/api/canned', (got) => { items = got; publish(items); render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.canned')),
      h('p', { class: 'muted' }, t('canned.intro')),
      list, h('h2', null, t('canned.new')), form),
    update() {},
  };
}
