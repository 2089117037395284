// @ts-check
// A conversation's labels in its view, and its visitor's rating once given: a chip per
// label with × to take it off, and a menu to add one (at most 10). Changes go over the
// WebSocket (`label` frames), so every agent sees them at once; the chips redraw from
// the `labels` frame that confirms them.

import { state } from '../state.js';
import { h, fill } from '../dom.js';
import { setLabel } from '../live.js';
import { labelsOf, labelChip } from '../labels.js';
import { t } from '../i18n.js';

/** Most labels on one conversation (the server's limit too). */
const MAX_PER_CONVERSATION = 10;

export function createLabelChips(id) {
  const el = h('div', { class: 'conv-labels', 'aria-label': t('labels.onConversation') });

  function render() {
    const on = labelsOf(id);
    const chips = on.map((label) => labelChip(h, label, h('button', {
      class: 'label-remove', type: 'button', 'aria-label': t('labels.remove', { name: label.name }),
      onclick: () => setLabel(id, label.id, false),
    }, '×')));
    const carried = new Set(state.convLabels.get(id) || []);
    const free = [...(state.labels ? state.labels.values() : [])].filter((l) => !carried.has(l.id))
      .sort((a, b) => a.name.localeCompare(b.name));
    let adder = null;
    if (free.length && carried.size < MAX_PER_CONVERSATION) {
      adder = h('select', {
        class: 'label-add', 'aria-label': t('labels.add'),
        onchange: (e) => { const v = Number(e.target.value); if (v) setLabel(id, v, true); },
      }, h('option', { value: '' }, t('labels.add')), free.map((l) => h('option', { value: String(l.id) }, l.name)));
    }
    const rated = state.ratings.get(id);
    const rating = rated ? h('span', { class: 'chip chip-rating', title: t('rating.title') },
      t('rating.score', { score: rated.score }), rated.comment ? ` · ${rated.comment}` : '') : null;
    const next = h('div', null, rating, chips, adder);
    if (next.innerHTML !== el.innerHTML) fill(el, [...next.childNodes]);
    el.hidden = !chips.length && !adder && !rating;
  }

  return { el, render };
}
