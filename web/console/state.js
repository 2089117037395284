// @ts-check
// The console's in-memory state and change notifications. Only live.js (frames from the
// server) and the API calls in views change it; views subscribe to topics and redraw.
// Topics: 'conn', 'me', 'agents', 'convs', 'thread:ID', 'closed', 'canned', 'faq', 'prefs',
// 'labels'.

export const state = {
  /** The logged-in agent: { id, name, admin, avatar } (admin and avatar may be unknown:
   * null; the avatar as GET /api/me shows it).
   * @type {{ id: number, name: string, admin: boolean | null, avatar: { initials: string, colour: string } | null } | null} */
  me: null,
  /** Connection: { phase: 'connecting' | 'online' | 'waiting' | 'ended', retryAt, attempt }. */
  conn: { phase: 'connecting', retryAt: 0, attempt: 0 },
  /** The presence the agent chose (re-applied after every reconnect). */
  presence: 'online',
  /** Largest message body in bytes (from the welcome). */
  maxBody: 8192,
  /** Whether the FAQ bot answers new chats first (GET /api/widget, read at each welcome):
   * then a queued chat this console never saw before is one the bot handed over. */
  botOn: false,
  /** id → { id, name, presence, open, capacity } from the WebSocket. */
  agents: new Map(),
  /** id → conversation summary (open ones from the WebSocket; closed ones seen or paged). */
  convs: new Map(),
  /** id → Thread (messages held for a conversation). */
  threads: new Map(),
  /** The closed tab: ids in page order, whether more exist, loading, error text.
   * @type {{ ids: number[], more: boolean, loading: boolean, error: string, loaded: boolean }} */
  closed: { ids: [], more: true, loading: false, error: '', loaded: false },
  /** Canned replies: [{ id, shortcut, text }]; null = not loaded; 'missing' = no endpoint.
   * @type {{ id: number, shortcut: string, text: string }[] | 'missing' | null} */
  canned: null,
  /** FAQ entries by id, for naming the entry a bot answer came from (every agent may
   * read them; only admins may change them); null = not loaded.
   * @type {Map<number, import('./faq.js').FaqEntry> | null} */
  faq: null,
  /** The shop's labels by id ({ id, name, colour, on_handoff, on_faq }); null = not loaded.
   * @type {Map<number, { id: number, name: string, colour: string, on_handoff: string[], on_faq: number[] }> | null} */
  labels: null,
  /** Conversation id → its label ids (from `labels` frames and the closed list).
   * @type {Map<number, number[]>} */
  convLabels: new Map(),
  /** Conversation id → its visitor's rating { score, comment } (`rating` frames, the
   * closed list).
   * @type {Map<number, { score: number, comment: string | null }>} */
  ratings: new Map(),
  /** The inbox's label filter (a label id; 0 = every conversation). */
  labelFilter: 0,
  /** The conversation on screen, or null.
   * @type {number | null} */
  viewing: null,
};

/** Messages held for one conversation. */
export function thread(id) {
  let t = state.threads.get(id);
  if (!t) {
    t = {
      id,
      /** seq → message frame. */
      messages: new Map(),
      /** client_id → { client_id, body, note, status: 'sending' | 'failed', error, at_ms }. */
      pending: new Map(),
      /** Highest seq replayed or received live with nothing missing before it (0 = none). */
      maxSeq: 0,
      /** Lowest seq held from the contiguous tail (null = nothing loaded yet). */
      oldest: null,
      /** Older messages exist on the server. */
      hasMore: false,
      loadingOlder: false,
      /** A sync is in flight on this connection. */
      syncing: false,
      /** This connection is subscribed (has sent sync). */
      following: false,
      /** The first load finished (synced arrived once). */
      loaded: false,
      /** "kind:id" → { author, until } for people typing now. */
      typing: new Map(),
    };
    state.threads.set(id, t);
  }
  return t;
}

/** Messages of a thread in seq order. */
export function orderedMessages(t) {
  return [...t.messages.values()].sort((a, b) => a.seq - b.seq);
}

/** Unread visitor messages after the agent side last read: { count, approx }. */
export function unread(conv) {
  if (!conv || conv.status === 'closed') return { count: 0, approx: false };
  const read = conv.read_agent || 0;
  if (conv.last_seq <= read) return { count: 0, approx: false };
  const t = state.threads.get(conv.id);
  if (!t || t.oldest === null) return { count: Math.max(0, conv.last_seq - read), approx: true };
  let count = 0;
  for (const m of t.messages.values()) {
    if (m.seq > read && m.author.kind === 'visitor') count++;
  }
  return { count, approx: t.oldest > read + 1 };
}

/** Which inbox tab(s) a conversation belongs to (chats the bot is answering: only "All open"). */
export function inTab(conv, tab) {
  const mine = state.me && conv.agent === state.me.id;
  switch (tab) {
    case 'queue': return conv.status === 'queued';
    case 'mine': return conv.status === 'assigned' && mine;
    case 'open': return conv.status !== 'closed';
    case 'closed': return conv.status === 'closed';
    default: return false;
  }
}

/** Unread count that concerns this agent (their chats and the queue): for the title. */
export function attentionCount() {
  let total = 0;
  for (const conv of state.convs.values()) {
    if (inTab(conv, 'queue') || inTab(conv, 'mine')) total += unread(conv).count;
  }
  return total;
}

const listeners = new Set();
let pendingTopics = new Set();
let timer = null;

/** Marks topics as changed; subscribers hear about them together, shortly after. */
export function changed(...topics) {
  for (const t of topics) pendingTopics.add(t);
  if (timer === null) timer = setTimeout(flush, 16);
}

function flush() {
  timer = null;
  const topics = pendingTopics;
  pendingTopics = new Set();
  for (const fn of [...listeners]) {
    try {
      fn(topics);
    } catch (e) {
      console.error('deskbell: a view failed to update', e);
    }
  }
}

/** Calls fn(topics: Set) after changes; returns an unsubscribe function. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
