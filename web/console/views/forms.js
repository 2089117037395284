// @ts-check
// Small form helpers shared by the admin pages.

import { h, fill, toast } from '../dom.js';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

export function errorLine() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

export function setError(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

/** A notice for an endpoint the server does not offer yet. */
export function missingNotice(what) {
  return h('div', { class: 'notice' }, t('forms.missing', { what }));
}

/** Copies `text` to the clipboard; `button` says Copied for a moment. */
export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context; fall back to a selected textarea.
    const area = h('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = t('common.copied');
  setTimeout(() => { button.textContent = t('common.copy'); }, 2000);
}

/** Loads an admin page's settings from `path` and calls `build(settings, missing)`
 * (missing: the server has no such endpoint yet, built from `{}`); any other error
 * replaces `root` with `title` and the message. */
export function loadSettings(root, title, path, build) {
  api.get(path).then((s) => build(s, false), (e) => {
    if (e instanceof ApiError && e.missing) build({}, true);
    else fill(root, h('h1', null, title), h('p', { class: 'form-error' }, e.message));
  });
}

/** Loads an admin page's list from `path`: shows "Loading…" in `list`, then calls
 * `loaded(items)`, or `failed(missing)` (missing: the server has no such endpoint yet;
 * any other error is also shown as a toast). */
export function loadList(list, path, loaded, failed) {
  api.get(path).then(loaded, (e) => {
    const missing = e instanceof ApiError && e.missing;
    if (!missing) toast(e.message, 'error');
    failed(missing);
  });
  fill(list, h('p', { class: 'muted' }, t('common.loading')));
}
