// @ts-check
// Admin → Verified customers: each site's identity secret (made, rotated, shown on
// demand to admins only: the shop's developer copies it into their server's
// configuration) and whether the site refuses identify calls without a valid hash
// (GET/POST/PATCH /api/identity; docs/IDENTITY.md).

import { h, fill, toast } from '../dom.js';
import { api } from '../api.js';
import { copyText } from './forms.js';
import { t } from '../i18n.js';

export function identityPage() {
  const list = h('div', { class: 'identity-sites' });
  const site = h('input', { type: 'text', value: 'default', maxlength: '64', 'aria-label': t('admin.identity.site') });
  let sites = [];

  function draw() {
    fill(list, sites.map((s) => {
      const secret = h('code', { class: 'identity-secret' }, '••••••••');
      let shown = false;
      const reveal = h('button', { class: 'btn', type: 'button', onclick: () => {
        shown = !shown;
        secret.textContent = shown ? s.secret : '••••••••';
        reveal.textContent = t(shown ? 'admin.identity.hide' : 'admin.identity.show');
      } }, t('admin.identity.show'));
      const copy = h('button', { class: 'btn', type: 'button', onclick: () => copyText(s.secret, copy).catch(() => toast(t('admin.copyFailed'), 'error')) }, t('common.copy'));
      const rotate = h('button', { class: 'btn', type: 'button', onclick: () => {
        if (confirm(t('admin.identity.confirmRotate', { site: s.site }))) save(s.site);
      } }, t('admin.identity.rotate'));
      const require = h('input', { type: 'checkbox', checked: s.require, onchange: () => {
        api.patch('/api/identity', { site: s.site, require: require.checked })
          .then((r) => { Object.assign(s, r); toast(t('admin.identity.saved')); })
          .catch((e) => { require.checked = s.require; toast(e.message, 'error'); });
      } });
      return h('section', { class: 'card identity-site', 'data-site': s.site },
        h('h2', null, t('admin.identity.siteTitle', { site: s.site })),
        h('div', { class: 'snippet' }, h('pre', null, secret), reveal, copy, rotate),
        h('label', { class: 'check' }, require, t('admin.identity.require')));
    }));
  }

  function save(name) {
    api.post('/api/identity', { site: name })
      .then((r) => {
        sites = sites.filter((s) => s.site !== r.site).concat([r]);
        draw();
        toast(t('admin.identity.made', { site: r.site }));
      })
      .catch((e) => toast(e.message, 'error'));
  }

  api.get('/api/identity').then((r) => { sites = r.sites || []; draw(); }).catch((e) => toast(e.message, 'error'));
  const make = h('button', { class: 'btn btn-primary', type: 'button', onclick: () => save(site.value.trim()) }, t('admin.identity.make'));
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.identity.title')),
      h('p', { class: 'muted' }, t('admin.identity.intro')),
      list,
      h('div', { class: 'row' }, h('label', null, t('admin.identity.site'), ' ', site), make),
      h('p', { class: 'muted small' }, t('admin.identity.docs'))),
    update() {},
  };
}
