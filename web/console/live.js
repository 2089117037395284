// @ts-check
// The live connection: says hello (the session cookie identifies the agent), follows
// every open conversation with `sync`, turns server frames into state, and sends what
// the agent does. Unacknowledged messages are resent with the same client id after a
// reconnect until the server acknowledges them (it never stores a client id twice).
// A reply to a chat not yet ours (a suggested answer) waits for the claim to be granted.

import { state, thread, changed } from './state.js';
import { connectSocket } from './socket.js';
import { alertAbout, alertConversation } from './notify.js';
import { clientId, visitorLabel } from './format.js';
import { forgetVisitors, visitorKnown, wantVisitor } from './visitor-cards.js';
import { toast } from './dom.js';
import { api } from './api.js';
import { loadLabels, setConvLabels } from './labels.js';
import { t, errorText } from './i18n.js';

/** Messages loaded per conversation when it is first followed. */
const TAIL = 30;
/** Messages per page when scrolling back. */
const PAGE = 50;

let socket = null;
let welcomed = false;
let hooks = { sessionCheck() {}, welcomed() {} };
/** Conversation id → replies to send as soon as our claim on it is granted. */
const afterClaim = new Map();

/** Connects. hooks.sessionCheck(): the server refused us, is the session still valid?; hooks.welcomed(). */
export function startLive(h) {
  hooks = { ...hooks, ...h };
  state.conn = { phase: 'connecting', retryAt: 0, attempt: 0 };
  socket = connectSocket({
    onOpen() { socket.send({ hello_agent: {} }); },
    onFrame: handle,
    onClose({ code }) {
      welcomed = false;
      for (const held of state.threads.values()) { held.following = false; held.syncing = false; held.loadingOlder = false; held.typing.clear(); }
      changed('conn', 'convs', ...[...state.threads.keys()].map((id) => `thread:${id}`));
      if (code === 1008) hooks.sessionCheck();
    },
    onWaiting({ retryAt, attempt }) {
      state.conn = { phase: 'waiting', retryAt, attempt };
      changed('conn');
    },
  });
}

export function stopLive() {
  if (socket) socket.stop();
  socket = null;
  welcomed = false;
  forgetVisitors();
}

export function retryNow() {
  if (socket) socket.retryNow();
}

function send(frame) {
  return Boolean(socket && welcomed && socket.send(frame));
}

/** Tells the server whether this tab is in view: while none is, it pushes to the phone. */
function sendVisibility() {
  send({ visibility: { visible: document.visibilityState === 'visible' } });
}
document.addEventListener('visibilitychange', sendVisibility);

/** Like send, but tells the agent when it could not go out. */
function act(frame) {
  if (send(frame)) return true;
  toast(t('live.notConnected'), 'error');
  return false;
}

/** The highest seq held with nothing missing between it and the oldest held. */
function contiguousMax(held) {
  if (held.oldest === null) return 0;
  let seq = held.oldest - 1;
  while (held.messages.has(seq + 1)) seq += 1;
  return seq;
}

/** Subscribes this connection to a conversation, resuming after what we hold. */
export function follow(id) {
  const held = thread(id);
  if (held.following || !welcomed) return;
  const conv = state.convs.get(id);
  let after;
  if (held.oldest === null) {
    after = Math.max(0, (conv ? conv.last_seq : 0) - TAIL);
    held.oldest = after + 1;
    held.hasMore = after > 0;
  } else {
    after = contiguousMax(held);
  }
  if (send({ sync: { conversation: id, after_seq: after } })) {
    held.following = true;
    held.syncing = true;
  }
}

function handle(frame) {
  const [type] = Object.keys(frame);
  const body = frame[type];
  const handler = HANDLERS[type];
  if (handler && body) handler(body);
}

const HANDLERS = {
  welcome(w) {
    if (state.me && state.me.id !== null && state.me.id !== w.id) {
      // Someone logged in as another agent in this browser: start over as them.
      location.reload();
      return;
    }
    welcomed = true;
    socket.resetBackoff();
    const before = state.me && state.me.id === w.id ? state.me : null;
    state.me = { id: w.id, name: w.name, admin: before ? before.admin : null, avatar: before ? before.avatar : null };
    state.maxBody = w.max_body_bytes || state.maxBody;
    api.get('/api/widget').then((settings) => { state.botOn = Boolean(settings && settings.bot); }, () => {});
    state.agents = new Map(w.agents.map((a) => [a.id, a]));
    const open = new Set(w.conversations.map((c) => c.id));
    // Conversations we showed as open that are no longer: they closed while we were away.
    for (const conv of state.convs.values()) {
      if (conv.status !== 'closed' && !open.has(conv.id)) {
        conv.status = 'closed';
        if (!state.closed.ids.includes(conv.id)) state.closed.ids.unshift(conv.id);
      }
    }
    for (const c of w.conversations) { upsert(c); state.convLabels.delete(c.id); }
    loadLabels();
    state.conn = { phase: 'online', retryAt: 0, attempt: 0 };
    if (state.presence === 'away') send({ presence: { presence: 'away' } });
    sendVisibility();
    for (const c of w.conversations) follow(c.id);
    if (state.viewing && !open.has(state.viewing)) follow(state.viewing);
    for (const held of state.threads.values()) {
      for (const p of held.pending.values()) if (p.status === 'sending') transmit(held.id, p);
    }
    hooks.welcomed();
    changed('conn', 'me', 'agents', 'convs', 'closed');
  },

  ack(a) {
    const held = thread(a.conversation);
    const p = held.pending.get(a.client_id);
    if (!p) return;
    held.pending.delete(a.client_id);
    // The files' download ids are the server's: replay the message to learn them.
    if (p.files) send({ sync: { conversation: a.conversation, after_seq: a.seq - 1 } });
    if (!held.messages.has(a.seq)) {
      const me = /** @type {NonNullable<typeof state.me>} */ (state.me); // set by the welcome
      held.messages.set(a.seq, {
        conversation: a.conversation, seq: a.seq, at_ms: Date.now(),
        author: { kind: 'agent', id: me.id, name: me.name },
        body: p.body, client_id: a.client_id,
        event: p.note ? 'note' : p.files ? { attachments: { files: p.files.map((f) => ({ ...f, id: '' })) } } : null,
      });
    }
    held.maxSeq = Math.max(held.maxSeq, a.seq);
    bump(a.conversation, a.seq, Date.now(), p.note ? null : p.body);
    changed(`thread:${a.conversation}`, 'convs');
  },

  message(m) {
    const held = thread(m.conversation);
    const fresh = !held.messages.has(m.seq);
    held.messages.set(m.seq, m);
    held.maxSeq = Math.max(held.maxSeq, m.seq);
    if (held.oldest === null) held.oldest = m.seq;
    if (m.client_id && m.author.kind === 'agent' && state.me && m.author.id === state.me.id) {
      held.pending.delete(m.client_id);
    }
    if (m.author.kind === 'visitor') {
      held.typing.delete(`visitor:${m.author.id}`);
      // Their page may have changed since the card was fetched.
      if (fresh && !held.syncing) wantVisitor(m.author.id, true);
    }
    const conv = bump(m.conversation, m.seq, m.at_ms, previewed(m) ? m.body : null);
    if (fresh && !held.syncing && conv && m.author.kind === 'visitor' && concernsMe(conv)) {
      visitorKnown(conv.visitor).then(() => alertAbout(conv, t('live.wrote', { visitor: visitorLabel(conv) }), m.body));
    }
    changed(`thread:${m.conversation}`, 'convs');
  },

  synced(s) {
    const held = thread(s.conversation);
    held.syncing = false;
    held.loaded = true;
    held.maxSeq = Math.max(held.maxSeq, s.upto_seq);
    if (!state.convs.has(s.conversation) && held.messages.size) {
      // Opened by address (e.g. after a reload) and not open: it is closed. Describe it
      // from its messages until a summary arrives.
      const list = [...held.messages.values()].sort((a, b) => a.seq - b.seq);
      const visitor = list.find((m) => m.author.kind === 'visitor');
      const said = list.filter(previewed);
      state.convs.set(s.conversation, {
        id: s.conversation, site: '', visitor: visitor ? visitor.author.id : 0, status: 'closed', agent: null,
        last_seq: s.upto_seq, last_at_ms: list[list.length - 1].at_ms, created_ms: list[0].at_ms,
        queue_position: null, visitor_name: visitor && visitor.author.name ? visitor.author.name : null,
        preview: said.length ? said[said.length - 1].body.slice(0, 120) : '', read_visitor: 0, read_agent: 0,
      });
    }
    changed(`thread:${s.conversation}`, 'convs');
  },

  resync(r) {
    const held = thread(r.conversation);
    held.messages.clear();
    held.maxSeq = 0;
    held.oldest = null;
    held.following = false;
    const conv = state.convs.get(r.conversation);
    if (conv) conv.last_seq = r.server_seq;
    follow(r.conversation);
    changed(`thread:${r.conversation}`);
  },

  typing(ty) {
    if (ty.author.kind === 'agent' && state.me && ty.author.id === state.me.id) return;
    const held = thread(ty.conversation);
    const key = `${ty.author.kind}:${ty.author.id}`;
    if (ty.on) held.typing.set(key, { author: ty.author, until: Date.now() + 12000 });
    else held.typing.delete(key);
    changed(`thread:${ty.conversation}`);
  },

  read_up_to(r) {
    const conv = state.convs.get(r.conversation);
    if (!conv) return;
    const field = r.reader === 'visitor' ? 'read_visitor' : 'read_agent';
    conv[field] = Math.max(conv[field] || 0, r.seq);
    changed(`thread:${r.conversation}`, 'convs');
  },

  conversation(c) {
    const prev = state.convs.get(c.id);
    const wasOpen = prev && prev.status !== 'closed';
    const conv = upsert(c);
    const me = state.me && state.me.id;
    if (c.status === 'closed') {
      thread(c.id).following = state.viewing === c.id && thread(c.id).following;
      if (!state.closed.ids.includes(c.id)) state.closed.ids.unshift(c.id);
    } else {
      follow(c.id);
      // A chat the bot is answering is nobody's business yet: alerts come with the hand-off.
      // Colleagues' inbox updates are coalesced per tick, so a chat may arrive already
      // handed off, never seen with the bot: with the bot on, every new chat starts there.
      const handedOff = wasOpen ? prev.status === 'bot' : !prev && state.botOn;
      // Alerts name the visitor as push and email do: after their card, or a moment.
      if (c.status === 'queued' && (!wasOpen || prev.status !== 'queued')) visitorKnown(conv.visitor).then(() => alertConversation(conv, handedOff ? 'handoff' : 'queued'));
      if (c.status === 'assigned' && c.agent === me && (!prev || prev.agent !== me || !wasOpen)) visitorKnown(conv.visitor).then(() => alertConversation(conv, 'assigned'));
    }
    sendClaimedReplies(c);
    changed('convs', 'closed', `thread:${c.id}`);
  },

  agent(a) {
    state.agents.set(a.id, a);
    if (state.me && a.id === state.me.id && (a.presence === 'online' || a.presence === 'away')) {
      state.presence = a.presence;
    }
    changed('agents');
  },

  history(page) {
    const held = thread(page.conversation);
    let lowest = held.oldest;
    for (const m of page.messages) {
      if (!held.messages.has(m.seq)) held.messages.set(m.seq, m);
      lowest = lowest === null ? m.seq : Math.min(lowest, m.seq);
    }
    held.oldest = lowest;
    held.hasMore = page.has_more && page.messages.length > 0;
    held.loadingOlder = false;
    changed(`thread:${page.conversation}`, 'convs');
  },

  labels(l) {
    setConvLabels(l.conversation, l.labels);
    changed('convs');
  },

  rating(r) {
    state.ratings.set(r.conversation, r);
    changed('convs');
  },

  error(e) {
    if (e.code === 4010) { hooks.sessionCheck(); return; }
    const text = readableError(e);
    if (e.client_id) {
      for (const held of state.threads.values()) {
        const p = held.pending.get(e.client_id);
        if (!p) continue;
        // Storage trouble or too many frames: keep the same client id and retry later.
        if ((e.code === 5070 || e.code === 4290 || e.code === 5030) && p.tries < 5) {
          p.tries += 1;
          setTimeout(() => { if (held.pending.get(e.client_id) === p) transmit(held.id, p); }, 2000 * p.tries);
        } else {
          p.status = 'failed';
          p.error = text;
        }
        changed(`thread:${held.id}`);
        return;
      }
    }
    if (e.conversation) {
      if (afterClaim.delete(e.conversation)) changed(`thread:${e.conversation}`);
      const held = state.threads.get(e.conversation);
      if (held && held.loadingOlder) { held.loadingOlder = false; changed(`thread:${e.conversation}`); }
    }
    toast(text, 'error');
  },
};

/** Stores a summary (keeping the highest read marks we know). */
function upsert(c) {
  wantVisitor(c.visitor);
  const prev = state.convs.get(c.id);
  const conv = { ...(prev || {}), ...c };
  if (prev && prev.status !== 'closed' && c.status !== 'closed') {
    conv.read_agent = Math.max(prev.read_agent || 0, c.read_agent || 0);
    conv.read_visitor = Math.max(prev.read_visitor || 0, c.read_visitor || 0);
  }
  state.convs.set(c.id, conv);
  return conv;
}

/** Whether the inbox preview shows a message, as the server decides
 * (`Message::previewed`): only the visitor's own words. */
function previewed(m) {
  return m.author.kind === 'visitor' && (!m.event || (typeof m.event === 'object' && 'attachments' in m.event));
}

/** Moves a summary forward after a new message. */
function bump(id, seq, atMs, preview) {
  const conv = state.convs.get(id);
  if (!conv) return null;
  conv.last_seq = Math.max(conv.last_seq, seq);
  conv.last_at_ms = Math.max(conv.last_at_ms || 0, atMs);
  if (preview !== null) conv.preview = preview.length > 120 ? `${preview.slice(0, 120)}…` : preview;
  return conv;
}

function concernsMe(conv) {
  return conv.status === 'queued' || (conv.status === 'assigned' && state.me && conv.agent === state.me.id);
}

/** Error frames with words of their own here (a send is retried on some). */
const FRIENDLY = [4031, 4130, 5070, 5030];

/** A readable sentence for an error frame. */
export function readableError(e) {
  const text = FRIENDLY.includes(e.code) ? t(`live.error.${e.code}`) : errorText(e.code, e.message || e.error);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function transmit(id, p) {
  p.status = 'sending';
  p.error = null;
  const frame = p.note
    ? { note: { conversation: id, client_id: p.client_id, body: p.body } }
    : p.files
      ? { send_files: { conversation: id, client_id: p.client_id, body: p.body, uploads: p.files.map((f) => f.upload) } }
      : { send: { conversation: id, client_id: p.client_id, body: p.body } };
  send(frame); // if offline, it stays "sending" and goes out after the next welcome
}

/** Sends a reply (or an internal note) with a fresh client id. */
export function sendMessage(id, body, note = false) {
  const held = thread(id);
  const p = { client_id: clientId(note ? 'n' : 'a'), body, note, status: 'sending', error: null, at_ms: Date.now(), tries: 0 };
  held.pending.set(p.client_id, p);
  transmit(id, p);
  changed(`thread:${id}`);
}

/** Sends a reply with files uploaded before (`uploads.js` answers) and a caption. */
export function sendFiles(id, body, files) {
  const held = thread(id);
  const p = { client_id: clientId('a'), body, note: false, files, status: 'sending', error: null, at_ms: Date.now(), tries: 0 };
  held.pending.set(p.client_id, p);
  transmit(id, p);
  changed(`thread:${id}`);
}

export function retryMessage(id, cid) {
  const p = thread(id).pending.get(cid);
  if (!p) return;
  p.tries = 0;
  transmit(id, p);
  changed(`thread:${id}`);
}

export function discardMessage(id, cid) {
  thread(id).pending.delete(cid);
  changed(`thread:${id}`);
}

/** True if some message is still waiting for its acknowledgement. */
export function hasUnsent() {
  for (const held of state.threads.values()) if (held.pending.size) return true;
  return false;
}

export const claim = (id) => act({ claim: { conversation: id } });

/**
 * Sends a reply to a chat that may not be ours yet (a suggested answer clicked while the
 * bot or the queue has it): claims it first and sends once the assignment arrives.
 */
export function claimAndSend(id, body) {
  const conv = state.convs.get(id);
  if (conv && conv.status === 'assigned' && state.me && conv.agent === state.me.id) {
    sendMessage(id, body);
    return;
  }
  if (!claim(id)) return;
  afterClaim.set(id, [...(afterClaim.get(id) || []), body]);
  changed(`thread:${id}`);
}

/** Replies waiting for our claim on conversation `id` to be granted. */
export function waitingForClaim(id) {
  return afterClaim.get(id) || [];
}

/** A summary arrived: send what waited for the claim, or give up if someone else got it. */
function sendClaimedReplies(c) {
  const waiting = afterClaim.get(c.id);
  if (!waiting || c.status === 'queued' || c.status === 'bot') return;
  afterClaim.delete(c.id);
  if (c.status === 'assigned' && state.me && c.agent === state.me.id) {
    for (const body of waiting) sendMessage(c.id, body);
  } else {
    toast(t('live.claimLost'), 'error');
  }
}
export const closeConversation = (id) => act({ close: { conversation: id } });
export const reopen = (id) => act({ reopen: { conversation: id } });
export const transfer = (id, to) => act({ transfer: { conversation: id, to_agent: to } });
export const setLabel = (id, label, on) => act({ label: { conversation: id, label, on } });
export const typing = (id, on) => send({ typing: { conversation: id, on } });

export function setPresence(presence) {
  state.presence = presence;
  changed('agents');
  return act({ presence: { presence } });
}

/** Marks what is on screen as read (only for chats assigned to this agent). */
export function markRead(id) {
  const conv = state.convs.get(id);
  const held = state.threads.get(id);
  if (!conv || !held || conv.status !== 'assigned' || !state.me || conv.agent !== state.me.id) return;
  const seq = contiguousMax(held);
  if (seq <= (conv.read_agent || 0)) return;
  if (send({ read: { conversation: id, seq } })) {
    conv.read_agent = seq;
    changed('convs', `thread:${id}`);
  }
}

/** Asks for the page of messages before the oldest held. */
export function loadOlder(id) {
  const held = thread(id);
  if (held.loadingOlder || !held.hasMore || held.oldest === null || held.oldest <= 1) return;
  if (send({ history: { conversation: id, before_seq: held.oldest, limit: PAGE } })) {
    held.loadingOlder = true;
    changed(`thread:${id}`);
  }
}

/** The conversation on screen (followed even when closed, to load its messages). */
export function view(id) {
  state.viewing = id;
  if (id !== null) follow(id);
}
