// @ts-check
// Admin → Embed: the one line to paste into the shop's pages. It loads the widget from
// the server's --public-url when set (GET /api/widget says which), else from the address
// this browser used; a warning says when visitors could not load it from there.

import { h, toast } from '../dom.js';
import { api } from '../api.js';
import { copyText } from './forms.js';
import { t } from '../i18n.js';

/**
 * What is wrong with loading the widget from `origin`, as a dictionary key: `loopback`
 * (127.0.0.1, localhost, [::1]: only this computer reaches it), `plain` (http: an https
 * shop's pages may not load it), or null. Pure.
 */
export function snippetProblem(origin) {
  let url;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0';
  if (loopback) return 'loopback';
  return url.protocol === 'http:' ? 'plain' : null;
}

export function embedPage() {
  const line = (origin) => `<script src="${origin}/widget.js" async></script>`;
  let snippet = '';
  const code = h('code');
  const warning = h('p', { class: 'notice snippet-warning', role: 'status', hidden: true });
  const show = (origin) => {
    snippet = line(origin);
    code.textContent = snippet;
    const problem = snippetProblem(origin);
    warning.hidden = !problem;
    warning.textContent = problem ? t(`admin.embed.${problem}`, { origin }) : '';
  };
  show(location.origin);
  // The server's --public-url, when set, is the address visitors reach: it wins.
  api.get('/api/widget').then((w) => {
    if (w && w.public_url) show(w.public_url);
  }).catch(() => {});
  const copy = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => copyText(snippet, copy).catch(() => toast(t('admin.copyFailed'), 'error')) }, t('common.copy'));
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.embed.title')),
      h('p', { class: 'muted' }, t('admin.embed.intro')),
      h('div', { class: 'snippet' }, h('pre', null, code), copy),
      warning,
      h('ol', { class: 'steps' },
        h('li', null, t('admin.embed.step1')),
        h('li', null, t('admin.embed.step2')),
        h('li', null, t('admin.embed.step3'))),
      h('p', { class: 'muted small' }, t('admin.embed.address')),
      h('p', null, h('a', { href: '/demo/', target: '_blank', rel: 'noopener' }, t('admin.embed.demo')))),
    update() {},
  };
}
