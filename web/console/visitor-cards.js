// @ts-check
// What the console knows of each visitor beyond the conversation summary: their
// generated friendly name and colour (the server's `visitor_alias`, the same the push
// and email texts use), the name they gave, and the page they were last on. Fetched in
// batches from GET /api/visitors?ids= (at most 100 a request) and kept for the session.

import { changed } from './state.js';
import { api } from './api.js';

/** @typedef {{ id: number, alias: { en: string, zh: string, colour: string }, name: string | null, page: string | null }} VisitorCard */

/** @type {Map<number, VisitorCard>} */
const cards = new Map();
const wanted = new Set();
/** @type {Map<number, Array<() => void>>} who waits for a visitor's card */
const waiting = new Map();
const BATCH = 100;
/** How long an alert waits for a new visitor's friendly name. */
const NAME_WAIT_MS = 1500;
let timer = null;

/** The card of visitor `id`, once fetched. */
export function visitorCard(id) {
  return cards.get(id) || null;
}

/** Resolves once visitor `id`'s card is known (or could not be fetched, or after a
 * moment): an alert about a new visitor then names them as the push and email do.
 * @returns {Promise<void>} */
export function visitorKnown(id) {
  if (!id || cards.has(id)) return Promise.resolve();
  wantVisitor(id);
  return new Promise((resolve) => {
    const done = () => resolve(undefined);
    waiting.set(id, [...(waiting.get(id) || []), done]);
    setTimeout(done, NAME_WAIT_MS);
  });
}

/** Asks for visitor `id`'s card soon; `fresh`: again, as their page may have changed. */
export function wantVisitor(id, fresh = false) {
  if (!id || wanted.has(id) || (!fresh && cards.has(id))) return;
  wanted.add(id);
  if (!timer) timer = setTimeout(fetchWanted, 150);
}

async function fetchWanted() {
  timer = null;
  const ids = [...wanted].slice(0, BATCH);
  try {
    const list = await api.get(`/api/visitors?ids=${ids.join(',')}`);
    for (const card of list) cards.set(card.id, card);
    changed('convs');
  } catch {
    // The rows keep their placeholder names; the next summary asks again.
  }
  for (const id of ids) {
    wanted.delete(id);
    for (const resolve of waiting.get(id) || []) resolve();
    waiting.delete(id);
  }
  if (wanted.size && !timer) timer = setTimeout(fetchWanted, 150);
}

/** Forgets every card (logging out). */
export function forgetVisitors() {
  cards.clear();
  wanted.clear();
  for (const list of waiting.values()) for (const resolve of list) resolve();
  waiting.clear();
}
