// @ts-check
// Links in what people wrote: http(s) URLs and `www.` addresses become links that open
// in a new tab (rel="noopener noreferrer nofollow"); everything else, `javascript:` and
// markup included, stays text. Builds DOM nodes, never HTML.

import { safeLink } from './dom.js';

/** A URL candidate: http(s):// or www., up to whitespace, quotes or angle brackets. */
const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
/** Characters that end a sentence rather than a URL. */
const TRAILING = /[.,;:!?*'"]+$/;

/** `text` without trailing punctuation, and without closing brackets it never opened
 * ("(see https://x.example/a)" ends before the ")"; a Wikipedia "…/Foo_(bar)" keeps it). */
function trimEnd(text) {
  let url = text.replace(TRAILING, '');
  for (const [open, close] of [['(', ')'], ['[', ']']]) {
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING, '');
    }
  }
  return url;
}

/** The parts of `text`: strings, and links for each web address in it. */
export function linkify(text) {
  const out = [];
  let last = 0;
  for (const match of String(text).matchAll(CANDIDATE)) {
    const url = trimEnd(match[0]);
    const start = match.index || 0;
    // A scheme with no host, or "www." without a domain after it, is not an address.
    if (!/^(?:https?:\/\/[^/?#]|www\.[^/?#.]+\.[^/?#.])/i.test(url)) continue;
    if (start > last) out.push(text.slice(last, start));
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    out.push(safeLink(href, url));
    last = start + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
