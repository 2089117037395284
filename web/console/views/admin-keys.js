// @ts-check
// Admin → API keys: keys for the shop's own systems (docs/API.md, "API keys"). Create
// one (the key is shown this once, with a copy button), see when each was last used,
// revoke one.

import { api } from '../api.js';
import { h, fill, toast } from '../dom.js';
import { field, errorLine, setError, missingNotice, copyText, loadList } from './forms.js';
import { t, language } from '../i18n.js';

/** The scopes a key can have (what each allows: `keys.scope.NAME`). */
const SCOPES = ['read', 'write', 'admin'];

function when(iso) {
  return iso ? new Date(iso).toLocaleString(language()) : t('keys.never');
}

/** The new key, shown once; it is forgotten when the page is left or another is made. */
function keyBox(created) {
  const copy = h('button', { class: 'btn btn-primary', type: 'button' }, t('common.copy'));
  copy.addEventListener('click', () => copyText(created.key, copy).catch(() => toast(t('admin.copyFailed'), 'error')));
  return h('div', { class: 'webhook-secret key-secret', role: 'status' },
    h('strong', null, t('keys.shownOnce', { name: created.name })),
    h('p', null, t('keys.shownOnceHint')),
    h('div', { class: 'snippet' }, h('pre', null, h('code', { class: 'new-key' }, created.key)), copy));
}

export function keysPage() {
  let items = [];
  let missing = false;
  const list = h('div', { class: 'canned-list' });
  const shown = h('div');
  const name = h('input', { name: 'name', maxlength: 64, placeholder: 'CRM', autocomplete: 'off' });
  const scope = h('select', { name: 'scope' }, SCOPES.map((s) => h('option', { value: s }, t(`keys.scope.${s}`))));
  const site = h('input', { name: 'site', maxlength: 64, placeholder: 'default', autocomplete: 'off', spellcheck: 'false' });
  const error = errorLine();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, t('keys.add'));
  const form = h('form', { class: 'form', novalidate: true },
    field(t('keys.name'), name, t('keys.nameHint')),
    field(t('keys.scope'), scope, t('keys.scopeHint')),
    field(t('keys.site'), site, t('keys.siteHint')),
    h('div', { class: 'form-actions' }, error, add));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const problem = name.value.trim() ? '' : t('keys.needName');
    setError(error, problem);
    if (problem) return;
    add.disabled = true;
    try {
      const body = { name: name.value.trim(), scope: scope.value };
      if (site.value.trim()) body.site = site.value.trim();
      const created = await api.post('/api/keys', body);
      fill(shown, keyBox(created));
      delete created.key;
      items.unshift(created);
      form.reset();
      render();
    } catch (err) {
      setError(error, err.message);
    }
    add.disabled = false;
  });

  function row(k) {
    const revoke = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button' }, t('keys.revoke'));
    revoke.addEventListener('click', async () => {
      if (!confirm(t('keys.confirmRevoke', { name: k.name }))) return;
      try {
        await api.del(`/api/keys/${k.id}`);
        k.revoked_at = new Date().toISOString();
      } catch (err) {
        toast(`${t('keys.cannotRevoke')}: ${err.message}`, 'error');
      }
      render();
    });
    const chips = [
      h('span', { class: 'chip' }, t(`keys.scope.${k.scope}`)),
      h('span', { class: 'chip' }, k.site ? t('keys.onlySite', { site: k.site }) : t('keys.allSites')),
      k.revoked_at ? h('span', { class: 'chip chip-wait' }, t('keys.revokedAt', { when: when(k.revoked_at) })) : null,
    ];
    return h('div', { class: 'canned-row key-row', 'data-key-id': String(k.id) },
      h('div', { class: 'canned-text' },
        h('strong', null, k.name), ' ', h('code', { class: 'muted small' }, `${k.prefix}…`),
        h('div', { class: 'webhook-chips' }, chips),
        h('p', { class: 'small muted' }, t('keys.dates', { created: when(k.created_at), used: when(k.last_used_at) }))),
      h('div', { class: 'canned-actions' }, k.revoked_at ? null : revoke));
  }

  function render() {
    if (missing) { fill(list, missingNotice(t('admin.page.keys'))); return; }
    if (!items.length) { fill(list, h('p', { class: 'muted' }, t('keys.empty'))); return; }
    fill(list, items.map(row));
  }

  loadList(list, '/api/keys', (got) => { items = got; render(); }, (m) => { missing = m; render(); });

  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.page.keys')),
      h('p', { class: 'muted' }, t('keys.intro')),
      shown, list, h('h2', null, t('keys.new')), form),
    update() {},
  };
}
