// @ts-check
// deskbell agent console: start-up. Decides between the first-start setup page, the
// login page and the console, and wires the live connection. No token is ever stored in
// JavaScript: the session is the HttpOnly cookie set by POST /api/login.
//
// Layout (plain ES modules, no build step, no dependencies):
//   app.js        start-up: setup / login / console, session checks, logout
//   api.js        fetch wrapper for the HTTP API (docs/API.md), readable errors
//   socket.js     the WebSocket with jittered exponential backoff
//   live.js       the protocol (docs/PROTOCOL.md): frames → state, agent actions → frames,
//                 resend of unacknowledged messages with the same client id
//   state.js      in-memory state, unread counts, change topics for the views
//   notify.js     chime (WebAudio), desktop notifications, unread count in the title
//   push.js       the service worker (sw.js) and "Notify this device" (Web Push)
//   router.js     hash routes #/inbox/TAB, #/c/ID, #/admin/PAGE, #/profile
//   dom.js        element builder (text nodes only), safe links, icons, toasts
//   format.js     names, times, user agents, byte lengths, client ids
//   i18n.js       the console's languages: t(key), the dictionaries i18n-en.js and
//                 i18n-zh-CN.js, the agent's choice or the browser's language
//   faq.js        the FAQ bot's entries: API calls, limits, names for bot answers
//   views/        one file per screen or part of one (shell, topbar, inbox, conversation,
//                 messages, composer, visitor panel, auth, admin pages)

import { api, ApiError, optional } from './api.js';
import { state, changed } from './state.js';
import { fill } from './dom.js';
import { setupPage, loginPage, unreachablePage } from './views/auth.js';
import { startLive, stopLive, hasUnsent } from './live.js';
import { mountShell } from './views/shell.js';
import { installShortcuts } from './shortcuts.js';
import { loadFaq } from './faq.js';
import { registerWorker, stopPushOnLogout } from './push.js';
import { t, useLanguage } from './i18n.js';

const root = /** @type {HTMLElement} */ (document.getElementById('app')); // in index.html
root.className = '';
let started = false;

/** Who is logged in: the agent, or null. Falls back to /api/agents on older servers. */
async function whoAmI() {
  try {
    return await api.get('/api/me');
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 401) return null;
    if (!e.missing) throw e;
  }
  // No /api/me yet: a logged-in agent may list agents; the welcome frame says who we are.
  try {
    await api.get('/api/agents');
    return { id: null, name: '', admin: null };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Whether first-start setup is needed: true, false, or null when the server can't say. */
async function setupNeeded() {
  const answer = await optional(api.get('/api/setup'), null);
  return answer ? Boolean(answer.needed) : null;
}

function showSetup() {
  fill(root, setupPage({ onDone: enter, onLogin: () => showLogin({ setupKnown: true }) }));
}

function showLogin({ setupKnown = false, notice = '' } = {}) {
  fill(root, loginPage({ onDone: enter, onSetup: setupKnown ? null : showSetup, notice }));
}

/** After the server refused the socket: is the session over? */
async function sessionCheck() {
  try {
    if (await whoAmI()) return;
  } catch {
    return; // server unreachable: keep reconnecting
  }
  stopLive();
  started = false;
  showLogin({ setupKnown: true, notice: t('app.sessionEnded') });
}

async function loadCanned() {
  try {
    state.canned = await optional(api.get('/api/canned'), 'missing');
  } catch {
    state.canned = [];
  }
  changed('canned');
}

/** Learns whether we are an admin when the server has no /api/me. */
async function learnRole() {
  if (!state.me || state.me.admin !== null) return;
  const { id } = state.me; // another agent's welcome reloads the page
  try {
    const agents = await api.get('/api/agents');
    const me = agents.find((a) => a.id === id);
    state.me.admin = Boolean(me && me.admin);
    changed('me');
    loadFaq();
  } catch { /* try again after the next welcome */ }
}

function enter(agent) {
  if (started) return;
  started = true;
  useLanguage(agent && agent.console_language); // before anything of the console is drawn
  state.me = agent && agent.id !== null ? { id: agent.id, name: agent.name, admin: agent.admin, avatar: agent.avatar || null } : null;
  if (!/^#\/(inbox|c|admin|profile)\b/.test(location.hash)) history.replaceState(null, '', '#/inbox/mine');
  mountShell(root, { onLogout: logout });
  installShortcuts();
  registerWorker();
  startLive({ welcomed: learnRole, sessionCheck });
  loadCanned();
  loadFaq();
}

async function logout() {
  stopLive();
  await stopPushOnLogout();
  try { await api.post('/api/logout'); } catch { /* the cookie expires anyway */ }
  location.replace('/console/');
}

window.addEventListener('beforeunload', (e) => {
  if (started && hasUnsent()) {
    e.preventDefault();
    e.returnValue = '';
  }
});

async function boot() {
  try {
    const needed = await setupNeeded();
    if (needed) return showSetup();
    const me = await whoAmI();
    if (me) return enter(me);
    showLogin({ setupKnown: needed === false });
  } catch (e) {
    fill(root, unreachablePage(e.message, boot));
  }
}

boot();
