// @ts-check
// chat.js: the visitor's side of the protocol, no DOM. Owns the WebSocket (reconnects
// with jittered backoff), the visitor token, per-conversation sequence numbers (resume
// with `sync` from the last one held) and the feedback given on bot answers; the outbox
// of unsent messages is in outbox.js. It tells the UI what happened through
// emit(event, data).

var HISTORY_PAGE = 50;
var ACK_TIMEOUT_MS = 15000;
var TYPING_IDLE_MS = 3000;
var MAX_BACKOFF_MS = 30000;

/** localStorage under "deskbell:SITE:NAME", or memory when storage is unavailable. */
function siteStore(site) {
  var memory = {};
  var prefix = 'deskbell:' + site + ':';
  return {
    get: function (name) {
      try {
        var raw = window.localStorage.getItem(prefix + name);
        return raw === null ? null : JSON.parse(raw);
      } catch (e) { return name in memory ? memory[name] : null; }
    },
    set: function (name, value) {
      memory[name] = value;
      try {
        if (value === null) window.localStorage.removeItem(prefix + name);
        else window.localStorage.setItem(prefix + name, JSON.stringify(value));
      } catch (e) { /* private mode or full: memory only */ }
    }
  };
}

/** A unique client id for a message: 32 random hex digits (works on http pages too). */
function newClientId() {
  var bytes = crypto.getRandomValues(new Uint8Array(16));
  var hex = '';
  for (var i = 0; i < 16; i++) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return hex;
}

function Chat(options) {
  this.url = options.wsUrl;
  this.base = options.base; // the server's http(s) origin, for uploads and files
  this.site = options.site;
  this.emit = options.emit;
  this.bot = options.bot; // the FAQ bot answers new conversations first
  this.emails = options.emails; // the server can email visitors (confirmations, transcripts)
  this.csat = options.csat; // a closed conversation asks for a rating
  this.store = siteStore(options.site);
  this.ws = null;
  this.wanted = false; // connect and stay connected
  this.refused = false; // the server refused this website: never connect again
  this.listening = false; // online/visibility listeners installed
  this.welcomed = false; // welcome received on this socket
  this.ready = false; // welcome received and the conversation synced
  this.attempt = 0;
  this.retryTimer = null;
  this.ackTimer = null;
  this.conv = this.store.get('conv'); // the current conversation id
  this.status = null; // bot / queued / assigned / closed
  this.last = {}; // conversation id -> highest seq held
  this.oldest = {}; // conversation id -> lowest seq held (for history paging)
  this.initial = null; // conversation whose first history page is on its way
  this.readAgent = 0; // agents have read the visitor's messages up to this seq
  this.readVisitor = 0; // the visitor has read up to this seq
  this.typingOn = false;
  this.typingTimer = null;
  this.who = null; // the verified customer's identify() details, sent in the hello
}

/** True when this visitor already has something going on: connect at page load. */
Chat.prototype.hasHistory = function () {
  return !!(this.conv || this.outbox().length || this.store.get('profile_pending'));
};

/** Starts connecting (once the visitor opens the panel or has a conversation). */
Chat.prototype.start = function () {
  if (this.refused) return this.refuse();
  if (this.wanted) return;
  this.wanted = true;
  if (!this.listening) this.listen();
  this.connect();
};

/** Reconnects at once when the network returns or the page becomes visible again. */
Chat.prototype.listen = function () {
  this.listening = true;
  var self = this;
  var soon = function () { if (!document.hidden) self.reconnectNow(); };
  window.addEventListener('online', soon);
  window.addEventListener('pageshow', soon);
  document.addEventListener('visibilitychange', soon);
  window.addEventListener('offline', function () { if (self.ws) self.ws.close(); });
};

Chat.prototype.connect = function () {
  if (this.ws || !this.wanted) return;
  clearTimeout(this.retryTimer);
  this.emit('state', 'connecting');
  var ws;
  try {
    ws = new WebSocket(this.url, 'deskbell.v1.postcard');
  } catch (e) {
    this.scheduleReconnect();
    return;
  }
  ws.binaryType = 'arraybuffer';
  this.ws = ws;
  var self = this;
  ws.onopen = function () { self.hello(); };
  ws.onmessage = function (event) {
    if (self.ws !== ws || typeof event.data === 'string') return;
    var frame;
    try {
      frame = Codec.decodeServer(new Uint8Array(event.data));
    } catch (e) {
      return; // a newer server's frame type: tolerated, ignored
    }
    self.handle(frame);
  };
  ws.onclose = function () {
    if (self.ws !== ws) return;
    self.ws = null;
    self.ready = false;
    self.welcomed = false;
    clearTimeout(self.ackTimer);
    self.ackTimer = null;
    if (self.refused) return; // the close that follows a refusal: keep saying so
    self.emit('state', navigator.onLine === false ? 'offline' : 'connecting');
    self.scheduleReconnect();
  };
};

Chat.prototype.scheduleReconnect = function () {
  if (!this.wanted) return;
  var ceiling = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, this.attempt));
  this.attempt = Math.min(this.attempt + 1, 10);
  var self = this;
  clearTimeout(this.retryTimer);
  this.retryTimer = setTimeout(function () { self.connect(); }, ceiling * (0.5 + Math.random() / 2));
};

/** Back online or visible again: do not wait for the backoff timer. */
Chat.prototype.reconnectNow = function () {
  if (!this.wanted || this.ws) return;
  this.attempt = 0;
  this.connect();
};

Chat.prototype.send = function (frame) {
  if (!this.ws || this.ws.readyState !== 1) return false;
  this.ws.send(Codec.encodeClient(frame));
  return true;
};

Chat.prototype.hello = function () {
  var h = {
    site: this.site,
    token: this.store.get('token'),
    page: String(location.href).slice(0, 2048),
    referrer: document.referrer || null,
    language: navigator.language || null,
    utc_offset_min: -new Date().getTimezoneOffset()
  };
  this.send(this.who ? { hello_customer: { hello: h, customer: this.who } } : { hello_visitor: h });
};

/** deskbell.identify(user) (null: logout, a fresh anonymous visitor): docs/IDENTITY.md. */
Chat.prototype.identify = function (who) {
  this.who = who;
  if (!who) {
    this.store.set('token', null);
    this.setConversation(null);
    this.last = {};
    this.oldest = {};
    this.emit('forget');
  }
  if (this.ws) this.ws.close();
};

Chat.prototype.handle = function (frame) {
  var type = Object.keys(frame)[0];
  var body = frame[type];
  switch (type) {
    case 'welcome': return this.onWelcome(body);
    case 'ack': return this.onAck(body);
    case 'message': return this.onMessage(body, false);
    case 'synced': return this.onSynced(body);
    case 'resync': return this.onResync(body);
    case 'typing':
      if (body.author.kind !== 'visitor') this.emit('typing', { on: body.on, author: body.author });
      return;
    case 'read_up_to': return this.onRead(body);
    case 'queue_position':
      if (body.conversation === this.conv) this.emit('queue', body.position);
      return;
    case 'history': return this.onHistory(body);
    case 'availability': return this.emit('agents_online', body.agents_online);
    case 'error': return this.onError(body);
  }
};

Chat.prototype.onWelcome = function (w) {
  this.attempt = 0;
  this.welcomed = true;
  var hadToken = this.store.get('token');
  if (w.visitor_token) {
    this.store.set('token', w.visitor_token);
    if (hadToken && hadToken !== w.visitor_token) {
      // The server no longer knows us (a restored backup): start over, keep the outbox.
      this.last = {};
      this.oldest = {};
      this.emit('forget');
    }
  }
  this.emit('agents_online', w.agents_online);
  var pending = this.store.get('profile_pending');
  if (pending && this.send({ profile: pending })) {
    this.store.set('profile_pending', null);
    // Typed before the first welcome: only now is there a token to ask with.
    if (pending.email) this.emailAsk('confirm', { email: pending.email });
  }
  var c = w.conversation;
  this.setConversation(c ? c.id : null);
  if (!c) {
    this.becomeReady();
    return;
  }
  this.status = c.status;
  this.readAgent = Math.max(this.readAgent, c.read_agent);
  this.readVisitor = Math.max(this.readVisitor, c.read_visitor);
  this.emit('status', { status: c.status, agent: c.agent });
  this.emit('queue', c.status === 'queued' ? c.queue_position || 0 : 0);
  this.emit('read', this.readAgent);
  var held = this.last[c.id];
  if (held === undefined && c.last_seq > HISTORY_PAGE) {
    // A long conversation and nothing on screen: the newest page, then sync after it.
    this.initial = c.id;
    this.send({ history: { conversation: c.id, before_seq: 0, limit: HISTORY_PAGE } });
  } else {
    this.send({ sync: { conversation: c.id, after_seq: held || 0 } });
  }
};

Chat.prototype.setConversation = function (id) {
  if (id === this.conv) return;
  this.conv = id;
  this.store.set('conv', id);
  this.status = id ? (this.bot ? 'bot' : 'queued') : null;
  this.readAgent = 0;
  this.readVisitor = 0;
};

Chat.prototype.becomeReady = function () {
  if (this.ready) return;
  this.ready = true;
  this.emit('state', 'online');
  this.flush();
};

Chat.prototype.onSynced = function (s) {
  this.last[s.conversation] = Math.max(this.last[s.conversation] || 0, s.upto_seq);
  if (s.conversation === this.conv) this.becomeReady();
  this.emit('synced', s.conversation);
};

Chat.prototype.onResync = function (r) {
  this.last[r.conversation] = 0;
  delete this.oldest[r.conversation];
  this.emit('drop', r.conversation);
  this.send({ sync: { conversation: r.conversation, after_seq: 0 } });
};

Chat.prototype.onMessage = function (m, older) {
  var c = m.conversation;
  if (!older) {
    if (m.seq <= (this.last[c] || 0)) return; // already held (a repeated replay)
    this.last[c] = m.seq;
  }
  if (this.oldest[c] === undefined || m.seq < this.oldest[c]) this.oldest[c] = m.seq;
  if (m.event === 'note') return; // never sent to visitors; ignore if it ever is
  if (c === this.conv && m.event && !older) {
    var kind = typeof m.event === 'string' ? m.event : Object.keys(m.event)[0];
    var status = { queued: 'queued', handed_off: 'queued', assigned: 'assigned', transferred: 'assigned',
      closed: 'closed' }[kind];
    if (status) this.status = status;
    if (status === 'assigned' || status === 'closed') this.emit('queue', 0);
    if (status) this.emit('status', { status: status });
  }
  if (m.author.kind === 'visitor' && m.client_id) this.dropFromOutbox(m.client_id);
  var theirs = m.author.kind === 'agent' || m.author.kind === 'bot';
  this.emit('message', {
    message: m,
    older: older,
    live: this.ready && !older,
    unread: theirs && c === this.conv && m.seq > this.readVisitor
  });
};

Chat.prototype.onHistory = function (h) {
  for (var i = 0; i < h.messages.length; i++) {
    this.onMessage(h.messages[i], h.conversation !== this.initial);
  }
  this.emit('more', h.has_more);
  if (h.conversation === this.initial) {
    this.initial = null;
    this.send({ sync: { conversation: h.conversation, after_seq: this.last[h.conversation] || 0 } });
  }
};

/** Asks for the page before the oldest message shown. */
Chat.prototype.loadEarlier = function () {
  var c = this.conv;
  if (c && this.oldest[c] > 1) {
    this.send({ history: { conversation: c, before_seq: this.oldest[c], limit: HISTORY_PAGE } });
  }
};

Chat.prototype.onRead = function (r) {
  if (r.conversation !== this.conv) return;
  if (r.reader === 'agent') {
    this.readAgent = Math.max(this.readAgent, r.seq);
    this.emit('read', this.readAgent);
  } else if (r.seq > this.readVisitor) {
    this.readVisitor = r.seq; // read in another tab
    this.emit('seen');
  }
};

// ---- typing, reading, profile ----

/** The visitor typed (true) or sent/cleared (false): typing frames, debounced. */
Chat.prototype.typing = function (active) {
  if (!this.ready || !this.conv || this.status === 'closed') return;
  var self = this;
  clearTimeout(this.typingTimer);
  if (active) {
    if (!this.typingOn) this.typingOn = this.send({ typing: { conversation: null, on: true } });
    this.typingTimer = setTimeout(function () { self.typing(false); }, TYPING_IDLE_MS);
  } else if (this.typingOn) {
    this.typingOn = false;
    this.send({ typing: { conversation: null, on: false } });
  }
};

/** The visitor is looking at the conversation: everything held is read. */
Chat.prototype.markRead = function () {
  var last = this.conv && this.last[this.conv];
  if (!this.ready || !last || last <= this.readVisitor || this.status === 'closed') return;
  this.readVisitor = last;
  this.send({ read: { conversation: null, seq: last } });
};

/** Name and/or email for the agents (pre-chat form, away email form). */
Chat.prototype.profile = function (name, email) {
  var mine = this.store.get('contact') || {};
  if (name) mine.name = name;
  if (email) mine.email = email;
  this.store.set('contact', mine);
  var frame = { name: name || null, email: email || null };
  if (!this.welcomed || !this.send({ profile: frame })) {
    this.store.set('profile_pending', frame); // sent, and its email confirmed, at welcome
    this.start();
  } else if (email) {
    this.emailAsk('confirm', { email: email });
  }
};

/**
 * Asks the server to email the visitor (POST /api/visitor/confirm or /transcript):
 * JSON sent as text/plain without credentials, so no CORS preflight. Resolves to the
 * answer: {status: "confirmation_sent" | "sent" | "confirmed"}, or a refusal
 * {code, error, message} (docs/API.md); null when the server could not be asked (or
 * sends no visitor emails: then nothing is asked).
 * @param {string} what
 * @param {Object} fields
 * @returns {Promise<{status?: string, message?: string} | null>}
 */
Chat.prototype.emailAsk = function (what, fields) {
  var token = this.store.get('token');
  if (!token || !window.fetch || !this.emails) return Promise.resolve(null);
  var body = /** @type {Object<string, any>} */ ({ token: token });
  Object.keys(fields).forEach(function (k) { body[k] = fields[k]; });
  var url = this.url.replace(/^ws/, 'http').replace(/\/ws$/, '') + '/api/visitor/' + what;
  return fetch(url, { method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify(body) })
    .then(function (r) { return r.json(); })
    .then(function (a) { return a && typeof a === 'object' ? a : null; })
    .catch(function () { return null; });
};

/** Emails this conversation to the visitor (or the address's confirmation first):
 * resolves as emailAsk does. */
Chat.prototype.emailTranscript = function () {
  if (!this.conv) return Promise.resolve(null);
  return this.emailAsk('transcript', { conversation: this.conv });
};

/** What the visitor told us before: {name, email}. */
Chat.prototype.contact = function () { return this.store.get('contact') || {}; };

/** Rates closed conversation `c` (1-5, a comment) once; remembered so it is asked once. */
Chat.prototype.rate = function (c, score, comment) {
  if (!this.send({ rate: { conversation: c, score: score, comment: comment || null } })) return false;
  var rated = this.store.get('rated') || {};
  rated[c] = 1;
  this.store.set('rated', rated);
  return true;
};

// ---- feedback on bot answers ----

/** What the visitor said about bot answer `seq` (true, false or undefined). */
Chat.prototype.feedbackGiven = function (seq) {
  return (this.store.get('feedback') || {})[this.conv + ':' + seq];
};

/** Sends and remembers "That helped" (true) or "Talk to a person" (false); false if offline. */
Chat.prototype.giveFeedback = function (seq, helpful) {
  if (!this.send({ bot_feedback: { conversation: this.conv, seq: seq, helpful: helpful } })) return false;
  var given = this.store.get('feedback') || {};
  given[this.conv + ':' + seq] = helpful;
  this.store.set('feedback', given);
  return true;
};
