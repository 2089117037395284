// @ts-check
// Small form helpers shared by the admin pages.

import { h } from '../dom.js';

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
  return h('div', { class: 'notice' }, `${what} needs a newer deskbell server. This page starts working as soon as the server is updated.`);
}
