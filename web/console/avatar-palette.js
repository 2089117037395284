// @ts-check
// The avatar colours agents may choose: the server's `crate::avatar::PALETTE`, in its
// order (a Rust test reads this file and compares; the server refuses other colours).

export const AVATAR_PALETTE = [
  '#b45309', '#047857', '#1d4ed8', '#7c3aed', '#be185d', '#0e7490', '#4d7c0f', '#c2410c',
  '#4338ca', '#a21caf', '#0f766e', '#b91c1c',
];
