// For scripts/check-js.sh only (not in bundle.txt, never served): what the widget adds
// to the page's window, and the older name of AudioContext that it falls back to.

interface Window {
  /** The widget's handle for the page (main.js); its presence stops a second copy. */
  deskbell?: { version: string; open(): void; close(): void; toggle(): void; identify(user: any): void; logout(): void };
  /** AudioContext in Safari before 14.1. */
  webkitAudioContext?: typeof AudioContext;
}
