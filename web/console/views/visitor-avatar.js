// @ts-check
// A visitor's avatar: the initials of what the console calls them, on their own colour
// (from their friendly-name card, the same for the whole session; a fixed palette by id
// until the card is fetched).

import { h } from '../dom.js';
import { initials, avatarClass } from '../format.js';
import { visitorCard } from '../visitor-cards.js';

/** The avatar of `conv`'s visitor, shown as `name`; `large` for the visitor panel. */
export function visitorAvatar(conv, name, large = false) {
  const el = h('span', { class: `avatar ${large ? 'avatar-lg ' : ''}${avatarClass(conv.visitor)}`, 'aria-hidden': 'true' }, initials(name));
  const card = visitorCard(conv.visitor);
  if (card && /^#[0-9a-f]{6}$/i.test(card.alias.colour)) el.style.background = card.alias.colour;
  return el;
}
