// @ts-check
// Labels in the console: the shop's labels (GET /api/labels, reloaded when a frame names
// one we do not know) and each conversation's label ids (the `labels` frames, and the
// closed list's `labels`). Adding or removing one is live.js's `setLabel`.

import { state, changed } from './state.js';
import { api } from './api.js';

let loading = null;

/** (Re)loads the shop's labels; one request at a time. */
export function loadLabels() {
  if (!loading) {
    loading = api.get('/api/labels').then((list) => {
      state.labels = new Map(list.map((l) => [l.id, l]));
      changed('labels', 'convs');
    }, () => {}).finally(() => { loading = null; });
  }
  return loading;
}

/** A conversation's label ids changed. */
export function setConvLabels(id, ids) {
  state.convLabels.set(id, ids);
  if (state.labels && ids.some((l) => !state.labels?.has(l))) loadLabels();
}

/** The labels on a conversation that we know, in id order.
 * @returns {{ id: number, name: string, colour: string }[]} */
export function labelsOf(id) {
  const known = [];
  for (const l of state.convLabels.get(id) || []) {
    const label = state.labels && state.labels.get(l);
    if (label) known.push(label);
  }
  return known;
}

/** A small coloured chip for one label. */
export function labelChip(h, label, ...extra) {
  const chip = h('span', { class: 'chip label-chip', title: label.name }, h('i', { class: 'label-dot' }), h('span', null, label.name), ...extra);
  const dot = chip.querySelector('.label-dot');
  if (dot && /^#[0-9a-f]{6}$/i.test(label.colour)) dot.style.background = label.colour;
  return chip;
}
