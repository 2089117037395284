// @ts-check
// Getting the agent's attention: a short WebAudio chime (no sound file), desktop
// notifications (permission asked only from a click), and the unread count in the title.

import { state, attentionCount } from './state.js';
import { visitorLabel as visitorName } from './format.js';
import { t } from './i18n.js';

const SOUND_KEY = 'deskbell.sound';
const DESKTOP_KEY = 'deskbell.desktop';

export const prefs = {
  sound: localStorage.getItem(SOUND_KEY) !== 'off',
  desktop: localStorage.getItem(DESKTOP_KEY) === 'on',
};

let audio = null;

/** Browsers allow audio only after a user gesture: prepare it on the first one. */
function unlockAudio() {
  try {
    if (!audio) audio = new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch { /* no WebAudio: stay silent */ }
}
document.addEventListener('pointerdown', unlockAudio, { capture: true });
document.addEventListener('keydown', unlockAudio, { capture: true });

/** Two soft rising tones, about a quarter of a second. */
export function chime() {
  if (!audio || audio.state !== 'running') return;
  const now = audio.currentTime;
  [[880, 0], [1318.5, 0.12]].forEach(([freq, at]) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.18, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.25);
  });
}

export function setSound(on) {
  prefs.sound = on;
  localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
  if (on) { unlockAudio(); chime(); }
}

export function desktopSupported() {
  return typeof Notification !== 'undefined';
}

/** 'on' | 'off' | 'blocked' | 'unsupported'. */
export function desktopState() {
  if (!desktopSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return prefs.desktop && Notification.permission === 'granted' ? 'on' : 'off';
}

/** Toggles desktop notifications; must run from a click (asks for permission). */
export async function toggleDesktop() {
  if (!desktopSupported()) return 'unsupported';
  if (desktopState() === 'on') {
    prefs.desktop = false;
  } else {
    const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    prefs.desktop = permission === 'granted';
  }
  localStorage.setItem(DESKTOP_KEY, prefs.desktop ? 'on' : 'off');
  return desktopState();
}

const lastAlert = new Map();

/**
 * Alerts about a conversation (new in the queue, assigned to me, a visitor message).
 * Quiet when the agent is already looking at it; at most one alert per chat per 3 s.
 */
export function alertAbout(conv, title, body) {
  const looking = document.visibilityState === 'visible' && document.hasFocus() && state.viewing === conv.id;
  if (looking) return;
  const now = Date.now();
  if (now - (lastAlert.get(conv.id) || 0) < 3000) return;
  lastAlert.set(conv.id, now);
  if (prefs.sound) chime();
  if (desktopState() === 'on' && (document.hidden || !document.hasFocus())) {
    try {
      const n = new Notification(title, { body: body.slice(0, 160), tag: `deskbell-${conv.id}` });
      n.onclick = () => {
        window.focus();
        location.hash = `#/c/${conv.id}`;
        n.close();
      };
    } catch { /* some mobile browsers only allow service-worker notifications */ }
  }
}

/** Alert for a new, handed-off (by the bot) or newly assigned conversation. */
export function alertConversation(conv, why) {
  const title = t(`notify.${why}`, { visitor: visitorName(conv) });
  alertAbout(conv, title, conv.preview || '');
}

/** "(3) deskbell": unread messages in my chats and the queue. */
export function updateTitle() {
  const n = attentionCount();
  const title = n > 0 ? `(${n}) deskbell` : 'deskbell';
  if (document.title !== title) document.title = title;
}
