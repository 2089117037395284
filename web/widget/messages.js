// @ts-check
// messages.js: the message list of the widget (ui.js) and its reactions to chat.js
// events. Messages are kept in (conversation, seq) order; the visitor's unacked
// messages stay at the end, marked as sending. Text only ever goes in via textContent.

/** @typedef {Element & { _conv?: number, _seq?: number, _author?: string, _who?: HTMLElement, _tick?: Tick, _pending?: boolean, _files?: boolean }} MessageEl */
/** @typedef {HTMLElement & { _state?: string }} Tick A message's tick, and the state it shows. */

/** Handles one event from chat.js. */
Widget.prototype.on = function (event, data) {
  switch (event) {
    case 'message': return this.onMessage(data);
    case 'pending': return this.addPending(data);
    case 'acked': return this.onAcked(data);
    case 'failed': return this.onFailed(data);
    case 'read': return this.markTicks(data);
    case 'seen': return this.setBadge(0);
    case 'synced': return this.seen();
    case 'typing': return this.showTyping(data);
    case 'queue': this.queued = data; return this.refresh();
    case 'status':
      this.status = data.status;
      if (data.status !== 'assigned') this.agentName = '';
      return this.refresh();
    case 'agents_online': this.agentsOnline = data; return this.refresh();
    case 'more': this.more.hidden = !data; return;
    case 'drop': return this.dropConversation(data);
    case 'forget': return this.dropConversation(null);
    case 'state': return this.showState(data);
  }
};

Widget.prototype.onMessage = function (d) {
  var m = d.message;
  var key = m.conversation + ':' + m.seq;
  if (this.keys[key]) return;
  var pending = m.client_id && this.pendingEls[m.client_id];
  if (pending) {
    // Our own message, replayed before its ack arrived (or sent by another tab).
    delete this.pendingEls[m.client_id];
    pending.parentNode.removeChild(pending);
  }
  var el = this.build(m);
  el._conv = m.conversation;
  el._seq = m.seq;
  this.keys[key] = el;
  var atBottom = this.nearBottom();
  this.place(el);
  /** @type {MessageEl} */
  var before = el.previousElementSibling;
  if (el._who && before && before._author === el._author) el._who.hidden = true; // same sender
  if (m.author.kind === 'visitor' && m.conversation === this.chat.conv && m.seq <= this.chat.readAgent) {
    this.setTick(el, 'read');
  }
  // An agent's name: from her messages, or from the notice that she joined (a join or
  // transfer notice carries the agent's name as its author's, docs/PROTOCOL.md).
  if ((m.author.kind === 'agent' || m.author.kind === 'system') && m.author.name &&
      m.conversation === this.chat.conv) {
    this.agentName = m.author.name;
    this.refresh();
  }
  if (m.author.kind !== 'visitor') this.showTyping({ on: false, author: m.author });
  if (d.older) return;
  if (atBottom || m.author.kind === 'visitor') this.scrollDown();
  if (d.unread) {
    if (this.visible()) this.seenSoon();
    else this.setBadge(this.unread + 1);
  }
  if (d.live && d.unread && !this.visible()) this.beep();
};

/** A message element: system line, or a bubble with author, time and (for ours) tick. */
Widget.prototype.build = function (m) {
  var t = this.t;
  /** @type {MessageEl} */
  var el = document.createElement('div');
  if (m.author.kind === 'system') {
    el.className = 'sys';
    el.textContent = this.systemText(m);
    var c = m.conversation;
    if (m.event && m.event.closed && this.chat.csat && !(this.chat.store.get('rated') || {})[c]) this.addRating(el, c);
    return el;
  }
  var mine = m.author.kind === 'visitor';
  el.className = 'msg ' + (mine ? 'me' : m.author.kind === 'bot' ? 'them bot' : 'them');
  if (!mine) {
    var who = document.createElement('div');
    who.className = 'who';
    who.textContent = m.author.name || (m.author.kind === 'bot' ? t('bot') : t('colleague'));
    if (m.author.kind === 'agent') this.avatar(who, m.author.id);
    el.appendChild(who);
    el._who = who;
  }
  el._author = m.author.kind + m.author.id;
  var bubble = document.createElement('div');
  bubble.className = 'bubble';
  linkify(bubble, m.body);
  bubble.hidden = !m.body;
  el.appendChild(bubble);
  var files = m.event && m.event.attachments ? m.event.attachments.files : m.files;
  if (files) this.addFiles(el, files);
  var meta = document.createElement('div');
  meta.className = 'meta';
  var time = document.createElement('time');
  var at = new Date(m.at_ms);
  time.dateTime = at.toISOString();
  time.textContent = this.when(at);
  meta.appendChild(time);
  el.appendChild(meta);
  if (m.event && m.event.bot_answer && m.conversation === this.chat.conv) this.addFeedback(el, m.seq);
  if (m.event && m.event.choices && m.conversation === this.chat.conv) this.addChoices(el, m.event.choices.choices);
  if (mine) {
    var tick = document.createElement('span');
    tick.className = 'tick';
    tick.setAttribute('role', 'img');
    meta.appendChild(tick);
    el._tick = tick;
    this.setTick(el, m.seq ? 'sent' : 'pending');
    if (m.seq) this.mine.push(el);
  }
  return el;
};

/** Buttons under a bot answer, shown (by CSS) only while it is the newest message. */
Widget.prototype.addFeedback = function (el, seq) {
  var chat = this.chat;
  var thanks = this.t('thanks');
  var row = this.fb.cloneNode(true);
  var given = chat.feedbackGiven(seq);
  if (given === false) return;
  if (given) row.textContent = thanks;
  row.onclick = function (e) {
    var helpful = e.target === row.firstChild;
    if (e.target.tagName !== 'BUTTON' || !chat.giveFeedback(seq, helpful)) return;
    if (helpful) row.textContent = thanks;
    else row.parentNode.removeChild(row);
  };
  el.appendChild(row);
};

/** The rating question under the closing message (shown by CSS only while it is the
 * newest): 1 to 5 and an optional comment, sent once. */
Widget.prototype.addRating = function (el, c) {
  var chat = this.chat;
  var t = this.t;
  var row = document.createElement('div');
  var note = document.createElement('input');
  row.className = 'fb rate';
  row.textContent = t('rate');
  for (var n = 1; n < 6; n++) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = String(n);
    row.appendChild(b);
  }
  note.maxLength = 500;
  note.placeholder = t('comment');
  row.appendChild(note);
  row.onclick = function (e) {
    var b = /** @type {HTMLElement} */ (e.target);
    if (b.tagName === 'BUTTON' && chat.rate(c, +b.textContent, note.value.trim())) row.textContent = t('thanks');
  };
  el.appendChild(row);
};

/** Puts `text` into `el` as text nodes, with http(s) and www. addresses as links that
 * open in a new tab and tell the target nothing (never markup from the text). */
function linkify(el, text) {
  var re = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
  var at = 0;
  var found;
  while ((found = re.exec(text))) {
    var url = found[0].replace(/[.,;:!?)\]'。，！？）]+$/, '');
    el.appendChild(document.createTextNode(text.slice(at, found.index)));
    var a = document.createElement('a');
    a.href = /^www\./i.test(url) ? 'https://' + url : url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    a.textContent = url;
    el.appendChild(a);
    at = found.index + url.length;
    re.lastIndex = at;
  }
  el.appendChild(document.createTextNode(text.slice(at)));
}

/** Puts the agent's avatar (her initials on her colour, GET /api/agents/ID/avatar,
 * asked once per agent) before `who`, her name above a message. */
Widget.prototype.avatar = function (who, id) {
  var known = this.avatars = this.avatars || {};
  known[id] = known[id] || fetch(this.chat.base + '/api/agents/' + id + '/avatar', { credentials: 'omit' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; });
  known[id].then(function (a) {
    if (!a || !/^#[0-9a-f]{6}$/i.test(a.colour)) return;
    var av = document.createElement('span');
    av.className = 'av';
    av.dataset.i = a.initials; // drawn by CSS: the name line's text stays her name
    av.style.background = a.colour;
    who.insertBefore(av, who.firstChild);
  });
};

/** "Did you mean…?" buttons under a bot message; a tap sends the question as the
 * visitor's message (CSS hides them once the visitor wrote after them). */
Widget.prototype.addChoices = function (el, choices) {
  var chat = this.chat;
  var row = document.createElement('div');
  row.className = 'ch';
  choices.forEach(function (c) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = c.question;
    b.onclick = function () { chat.post(c.question); };
    row.appendChild(b);
  });
  el.appendChild(row);
};

Widget.prototype.when = function (at) {
  var locale = this.lang === 'zh' ? 'zh-CN' : undefined;
  var time = at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === new Date().toDateString()) return time;
  return at.toLocaleDateString(locale, { month: 'short', day: 'numeric' }) + ' ' + time;
};

Widget.prototype.systemText = function (m) {
  var kind = typeof m.event === 'string' ? m.event : m.event ? Object.keys(m.event)[0] : '';
  if (kind === 'closed' || kind === 'handed_off') return this.t('ev_' + kind);
  if (this.lang === 'en' && m.body) return m.body; // the server's English description
  if (!kind) return m.body;
  var named = m.author.name; // who joined, or who took over after a transfer
  if (kind === 'transferred' && named) return this.t('ev_transferred_to', { name: named });
  return this.t('ev_' + kind, { name: named || this.agentName || this.t('colleague') });
};

Widget.prototype.setTick = function (el, state) {
  var tick = el._tick;
  if (!tick || tick._state === 'read') return;
  tick._state = state;
  tick.className = 'tick' + (state === 'read' ? ' read' : '');
  tick.textContent = state === 'pending' ? '⋯' : state === 'read' ? '✓✓' : '✓';
  tick.setAttribute('aria-label', this.t(state));
  tick.title = this.t(state);
  el.classList.toggle('pending', state === 'pending');
};

/** Agents have read up to `seq`: double ticks on our messages up to it. */
Widget.prototype.markTicks = function (seq) {
  var conv = this.chat.conv;
  for (var i = 0; i < this.mine.length; i++) {
    var el = this.mine[i];
    if (el._conv === conv && el._seq <= seq) this.setTick(el, 'read');
  }
};

Widget.prototype.addPending = function (entry) {
  if (this.pendingEls[entry.client_id]) return;
  var el = this.build({
    author: { kind: 'visitor', id: 0, name: '' }, body: entry.body, at_ms: entry.at_ms,
    files: entry.files && entry.files.map(function (f) {
      return { name: f.name, size: f.size, content_type: f.content_type };
    })
  });
  el._files = !!entry.files;
  el._pending = true;
  this.pendingEls[entry.client_id] = el;
  this.log.appendChild(el);
  this.refresh();
  this.scrollDown();
};

Widget.prototype.onAcked = function (a) {
  var el = this.pendingEls[a.client_id];
  if (!el || el._files) return; // replaced by its replay, which has the files' addresses
  delete this.pendingEls[a.client_id];
  var key = a.conversation + ':' + a.seq;
  if (this.keys[key]) { // already shown (replayed before the ack)
    el.parentNode.removeChild(el);
    return;
  }
  el._pending = false;
  el._conv = a.conversation;
  el._seq = a.seq;
  this.keys[key] = el;
  this.mine.push(el);
  this.setTick(el, 'sent');
  el.parentNode.removeChild(el);
  this.place(el);
  if (a.seq <= this.chat.readAgent) this.setTick(el, 'read');
};

Widget.prototype.onFailed = function (f) {
  var el = this.pendingEls[f.client_id];
  if (!el) return;
  delete this.pendingEls[f.client_id];
  el.classList.remove('pending');
  el.classList.add('failed');
  el._tick.textContent = '!';
  // Over the hourly text budget (4292): said in the visitor's language.
  var why = f.code === 4292 ? this.t('textQuota') : f.why;
  el._tick.setAttribute('aria-label', this.t('failed', { why: why }));
  el._tick.title = this.t('failed', { why: why });
};

/** Inserts a stored message in order: after the last one with a smaller key. */
Widget.prototype.place = function (el) {
  var nodes = this.log.children;
  var i = nodes.length - 1;
  for (; i >= 0; i--) {
    /** @type {MessageEl} */
    var n = nodes[i];
    if (n._pending) continue;
    if (n._seq === undefined) break; // the greeting and the "earlier" button
    if (n._conv < el._conv || (n._conv === el._conv && n._seq < el._seq)) break;
  }
  this.log.insertBefore(el, nodes[i + 1] || null);
};

Widget.prototype.dropConversation = function (conv) {
  var self = this;
  Object.keys(this.keys).forEach(function (key) {
    var el = self.keys[key];
    if (conv === null || el._conv === conv) {
      if (el.parentNode) el.parentNode.removeChild(el);
      delete self.keys[key];
    }
  });
  this.mine = this.mine.filter(function (el) { return el.parentNode; });
};

Widget.prototype.showTyping = function (d) {
  clearTimeout(this.typingTimer);
  var line = this.typingEl;
  if (!d.on) {
    line.hidden = true;
    return;
  }
  var name = d.author.name || (d.author.kind === 'bot' ? this.t('bot') : this.t('colleague'));
  line.querySelector('span').textContent = this.t('typing', { name: name });
  line.hidden = false;
  this.scrollDown();
  // The server turns typing off by itself; this is only a safety net.
  this.typingTimer = setTimeout(function () { line.hidden = true; }, 8000);
};

Widget.prototype.showState = function (state) {
  var el = this.connEl;
  clearTimeout(this.stateTimer);
  if (state === 'unavailable' && !this.unavailable) {
    this.unavailable = true; // for good: refresh() turns the dot and the composer off
    this.refresh();
  }
  if (state === 'online') {
    el.hidden = true;
    return;
  }
  var text = this.t(state); // offline, unavailable or connecting
  // Brief reconnects stay quiet; only a lasting problem is shown.
  this.stateTimer = setTimeout(function () {
    el.textContent = text;
    el.hidden = false;
  }, state === 'connecting' ? 2000 : 0);
};

Widget.prototype.seenSoon = function () {
  var self = this;
  clearTimeout(this.seenTimer);
  this.seenTimer = setTimeout(function () { self.seen(); }, 300);
};

Widget.prototype.nearBottom = function () {
  var log = this.log;
  return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
};

Widget.prototype.scrollDown = function (force) {
  if (force || this.isOpen) this.log.scrollTop = this.log.scrollHeight;
};
