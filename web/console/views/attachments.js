// @ts-check
// Files in messages: images as thumbnails that open full size on click, other files as a
// card with name, size and type (a download). The addresses are the server's capability
// links, `/api/files/{id}`; names go in as text, never as markup.

import { h, icon } from '../dom.js';
import { t } from '../i18n.js';

/** Types shown as images (the server serves only these inline). */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

const KINDS = [
  ['application/pdf', 'PDF'],
  ['wordprocessingml', 'Word'],
  ['spreadsheetml', 'Excel'],
  ['presentationml', 'PowerPoint'],
  ['opendocument.text', 'OpenDocument'],
  ['opendocument.spreadsheet', 'OpenDocument'],
  ['opendocument.presentation', 'OpenDocument'],
  ['text/csv', 'CSV'],
  ['text/plain', 'Text'],
  ['image/heic', 'HEIC'],
];

/** "2.4 MB", "820 KB", "12 bytes". */
export function fileSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return t('files.bytes', { n: bytes });
}

/** A short name of a media type: "PDF", "Excel"… */
export function typeLabel(contentType) {
  const found = KINDS.find(([part]) => contentType.includes(part));
  return found ? found[1] : contentType.split(';')[0];
}

/** The files of a message, or null when it carries none. */
export function filesOf(m) {
  return m.event && typeof m.event === 'object' && m.event.attachments ? m.event.attachments.files : null;
}

/** The list of `files` under a message. */
export function filesEl(files) {
  return h('div', { class: 'att-list' }, files.map(fileEl));
}

function fileEl(f) {
  const url = f.id ? `/api/files/${encodeURIComponent(f.id)}` : null;
  if (url && INLINE.has(f.content_type)) {
    return h('button', { class: 'att-thumb', type: 'button', title: f.name, 'aria-label': t('files.open', { name: f.name }), onclick: () => openViewer(url, f.name) },
      h('img', { src: url, alt: f.name, loading: 'lazy' }));
  }
  const parts = [icon('file'), h('span', { class: 'att-name' }, f.name), h('span', { class: 'att-meta' }, `${typeLabel(f.content_type)} · ${fileSize(f.size)}`)];
  return url
    ? h('a', { class: 'att-card', href: url, download: f.name, rel: 'noopener noreferrer' }, parts)
    : h('div', { class: 'att-card' }, parts);
}

/** The image at full size over the page; a click or Escape closes it. */
function openViewer(url, name) {
  const onKey = (e) => { if (e.key === 'Escape') close(); };
  const viewer = h('div', { class: 'att-viewer', role: 'dialog', 'aria-label': name, onclick: () => close() },
    h('img', { src: url, alt: name }),
    h('button', { class: 'att-close', type: 'button', 'aria-label': t('files.close') }, icon('x')));
  function close() {
    viewer.remove();
    document.removeEventListener('keydown', onKey);
  }
  document.addEventListener('keydown', onKey);
  document.body.append(viewer);
}
