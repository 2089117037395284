// @ts-check
// outbox.js: the visitor's unsent messages (Chat methods, chat.js owns the rest of the
// protocol). A message is kept in localStorage until its ack: shown at once, sent when
// the connection is ready, resent with the same client id after a reconnect (the server
// deduplicates), refused ones reported with the server's reason.

Chat.prototype.outbox = function () { return this.store.get('outbox') || []; };

Chat.prototype.dropFromOutbox = function (clientId) {
  var box = this.outbox();
  var kept = box.filter(function (e) { return e.client_id !== clientId; });
  if (kept.length !== box.length) this.store.set('outbox', kept);
  if (!kept.length) {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }
};

/** This website may not use the chat: stop retrying, say so, and mark every waiting
 * message as not sent (it never will be: nothing is kept that cannot go out). */
Chat.prototype.refuse = function (why) {
  this.wanted = false;
  clearTimeout(this.retryTimer);
  this.emit('state', 'unavailable');
  var self = this;
  this.outbox().forEach(function (m) {
    self.dropFromOutbox(m.client_id);
    self.emit('failed', { client_id: m.client_id, why: why || '' });
  });
};

/** Queues a message: shown at once, sent now or when the connection returns. `files`:
 * the answers of uploads it carries (files.js), if any. */
Chat.prototype.post = function (body, files) {
  var entry = { client_id: newClientId(), body: body, at_ms: Date.now(), files: files };
  var box = this.outbox();
  box.push(entry);
  this.store.set('outbox', box);
  this.emit('pending', entry);
  this.typing(false);
  if (this.ready) this.transmit(entry);
  else this.start();
  return entry;
};

/** Sends everything in the outbox, oldest first (a resend keeps its client id). */
Chat.prototype.flush = function () {
  var box = this.outbox();
  for (var i = 0; i < box.length; i++) this.transmit(box[i]);
};

Chat.prototype.transmit = function (entry) {
  var frame = entry.files
    ? { send_files: { conversation: null, client_id: entry.client_id, body: entry.body,
      uploads: entry.files.map(function (f) { return f.upload; }) } }
    : { send: { conversation: null, client_id: entry.client_id, body: entry.body } };
  if (!this.send(frame)) return;
  if (!this.ackTimer) this.armAckTimer();
};

/** No ack in time: the socket is probably dead without knowing it. Reconnect, resend. */
Chat.prototype.armAckTimer = function () {
  var self = this;
  var ws = this.ws;
  clearTimeout(this.ackTimer);
  this.ackTimer = setTimeout(function () {
    self.ackTimer = null;
    if (self.ws === ws && ws && self.outbox().length) ws.close();
  }, ACK_TIMEOUT_MS);
};

Chat.prototype.onAck = function (a) {
  var files = this.outbox().some(function (e) { return e.client_id === a.client_id && e.files; });
  this.dropFromOutbox(a.client_id);
  if (a.conversation !== this.conv) {
    // The first message of a new conversation (or after the old one was closed).
    this.setConversation(a.conversation);
    this.emit('status', { status: this.status });
  }
  this.emit('acked', a);
  // Our own message comes back only on request: a replay gives the files' addresses.
  if (files) this.send({ sync: { conversation: a.conversation, after_seq: a.seq - 1 } });
  if (this.outbox().length) this.armAckTimer();
};

Chat.prototype.onError = function (e) {
  if (!this.welcomed && this.who && e.code < 4011) {
    this.who = null; // an identity refused (unverified where required, bad fields): go on anonymously
    return;
  }
  if (!this.welcomed && (e.code === 4030 || e.code === 4002)) {
    this.refused = true; // hello refused: this website may not use the chat
    this.refuse(e.message);
    return;
  }
  if (!e.client_id) return;
  var retry = e.code === 4290 || e.code >= 5000;
  if (retry) {
    var self = this;
    setTimeout(function () { if (self.ready) self.flush(); }, 2000 + Math.random() * 2000);
    return;
  }
  var known = this.outbox().some(function (m) { return m.client_id === e.client_id; });
  if (!known) return;
  this.dropFromOutbox(e.client_id);
  this.emit('failed', { client_id: e.client_id, why: e.message, code: e.code });
};

