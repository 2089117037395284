// @ts-check
// Keyboard shortcuts for agents, listed in a dialog behind "?": j / k next and previous
// conversation in the inbox list, c claim, x close, r focus the reply box, / focus the
// search box. Keys typed
// into a text field, or with Ctrl, Alt or Meta, are the field's: a shortcut never eats a
// letter of a reply. Escape leaves a text field (opening a conversation focuses its
// reply box), unless the field used it (closing the canned-replies menu). Each action presses the same button or
// link the agent could click, so it follows the same rules (a chat that cannot be
// claimed has no Claim button, and "c" does nothing).

import { h } from './dom.js';
import { t } from './i18n.js';

/** key → [label key, action] (actions work on the page as it is).
 * @type {Record<string, [string, () => void]>} */
const SHORTCUTS = {
  j: ['keys.next', () => step(1)],
  k: ['keys.previous', () => step(-1)],
  c: ['keys.claim', () => press('.head-claim')],
  x: ['keys.close', () => press('.head-close')],
  r: ['keys.reply', () => focus('.composer-input')],
  '/': ['keys.search', () => focus('.search-input')],
  '?': ['keys.help', () => toggleHelp()],
  Escape: ['keys.leave', () => {}],
};

let installed = false;
/** @type {HTMLDialogElement | null} */
let dialog = null;

/** Moves `by` rows from the open conversation in the inbox list (the first without one). */
function step(by) {
  const rows = /** @type {HTMLAnchorElement[]} */ ([...document.querySelectorAll('.conv-row')]);
  if (!rows.length) return;
  const at = rows.findIndex((row) => row.getAttribute('aria-current') === 'true');
  const next = rows[at < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, at + by))];
  location.hash = next.getAttribute('href') || '';
}

function press(selector) {
  const button = /** @type {HTMLButtonElement | null} */ (document.querySelector(selector));
  if (button && !button.disabled) button.click();
}

function focus(selector) {
  const field = /** @type {HTMLElement | null} */ (document.querySelector(selector));
  if (field) field.focus();
}

function toggleHelp() {
  if (dialog && dialog.open) { dialog.close(); return; }
  dialog = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'keys', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, t('keys.title')),
    h('dl', null, Object.entries(SHORTCUTS).map(([key, [label]]) => [h('dt', null, h('kbd', null, key)), h('dd', null, t(label))])),
    h('form', { method: 'dialog' }, h('button', { class: 'btn btn-ghost', type: 'submit' }, t('common.close')))));
  dialog.addEventListener('close', () => dialog && dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** Whether a key press belongs to what has the focus (typing, a menu, a button). */
function forTheField(e) {
  const el = /** @type {HTMLElement | null} */ (e.target instanceof HTMLElement ? e.target : null);
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return true;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** Listens for the shortcuts while the console shows the signed-in app (once per page). */
export function installShortcuts() {
  if (installed) return;
  installed = true;
  document.addEventListener('keydown', (e) => {
    if (!document.querySelector('.app')) return;
    if (e.key === 'Escape' && !e.defaultPrevented && e.target instanceof HTMLElement && forTheField(e)) {
      e.target.blur();
      return;
    }
    if (forTheField(e) || e.key === 'Escape') return; // Escape is listed, not taken
    const shortcut = Object.prototype.hasOwnProperty.call(SHORTCUTS, e.key) ? SHORTCUTS[e.key] : null;
    if (!shortcut) return;
    e.preventDefault();
    shortcut[1]();
  });
}
