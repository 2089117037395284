// @ts-check
// Admin → Export: every conversation with its messages as a JSON-lines file, the same
// stream as GET /api/v1/export (the browser downloads it with the session cookie; a GET
// changes nothing, so no CSRF rule applies). Optional: only conversations created since
// a day (the browser's midnight), and only one site.

import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The export's address for the chosen day (`YYYY-MM-DD` or '') and site (or ''). Pure. */
export function exportHref(day, site) {
  const query = new URLSearchParams();
  if (day) {
    const midnight = new Date(`${day}T00:00:00`);
    if (!Number.isNaN(midnight.getTime())) query.set('since', midnight.toISOString());
  }
  if (site.trim()) query.set('site', site.trim());
  const text = query.toString();
  return '/api/v1/export' + (text ? `?${text}` : '');
}

export function exportPage() {
  const since = h('input', { type: 'date', id: 'export-since' });
  const site = h('input', { type: 'text', id: 'export-site', placeholder: 'default', maxlength: '64' });
  const link = h('a', { class: 'btn btn-primary', download: 'deskbell-export.jsonl', href: exportHref('', '') }, t('admin.export.download'));
  const refresh = () => link.setAttribute('href', exportHref(since.value, site.value));
  since.addEventListener('input', refresh);
  site.addEventListener('input', refresh);
  return {
    el: h('div', { class: 'admin-page' },
      h('h1', null, t('admin.export.title')),
      h('p', { class: 'muted' }, t('admin.export.intro')),
      h('div', { class: 'form' },
        h('label', { for: 'export-since' }, t('admin.export.since')), since,
        h('label', { for: 'export-site' }, t('admin.export.site')), site),
      h('p', null, link),
      h('p', { class: 'muted small' }, t('admin.export.other'))),
    update() {},
  };
}
