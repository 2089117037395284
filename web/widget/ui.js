// @ts-check
// ui.js: the widget's DOM, inside a shadow root: launcher with unread badge, the panel
// (header, notices, message list, typing line, pre-chat form, composer), the buttons under
// bot answers, "Email me this conversation". It reacts to the events chat.js emits and calls chat.js for what the
// visitor does. Every text from the network or the settings goes through textContent;
// the template below is static.

var ICON_CHAT = '<svg class="talk" viewBox="0 0 24 24" aria-hidden="true"><path d="M5 3h14a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-7l-5 4v-4H5a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3z"/></svg>' +
  '<svg class="shut" viewBox="0 0 24 24" aria-hidden="true"><path d="m6 9 6 6 6-6"/></svg>';

var TEMPLATE = '<div class="db">' +
  '<button class="launcher" type="button" aria-expanded="false">' + ICON_CHAT +
  '<span class="badge" aria-hidden="true" hidden></span></button>' +
  '<section class="panel" role="dialog" hidden>' +
  '<header><div class="titles"><h2 class="title"></h2><p class="sub"><span class="dot"></span>' +
  '<span class="subtext"></span></p></div>' +
  '<button class="icon sound" type="button" aria-pressed="false"><svg viewBox="0 0 24 24" aria-hidden="true">' +
  '<path d="M11 5 6 9H3v6h3l5 4z"/><path class="wave" d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13"/>' +
  '<path class="mute" d="m16 9 5 5m0-5-5 5"/></svg></button>' +
  '<button class="icon mail" type="button" hidden><svg viewBox="0 0 24 24" aria-hidden="true">' +
  '<path d="M3 6h18v12H3zm0 1 9 6 9-6"/></svg></button>' +
  '<button class="icon close" type="button"><svg viewBox="0 0 24 24" aria-hidden="true">' +
  '<path d="M6 6l12 12M18 6 6 18"/></svg></button></header>' +
  '<div class="notice conn" role="status" hidden></div>' +
  '<div class="notice mailed" role="status" hidden></div>' +
  '<div class="notice queue" role="status" hidden></div>' +
  '<div class="notice away" hidden><p class="away-text"></p>' +
  '<form class="contact away-form"><input name="name" autocomplete="name" maxlength="80">' +
  '<input name="email" type="email" required autocomplete="email" maxlength="254">' +
  '<button class="primary" type="submit"></button></form><p class="thanks" role="status" hidden></p></div>' +
  '<div class="log" role="log" aria-live="polite" aria-relevant="additions" tabindex="0">' +
  '<button class="more" type="button" hidden></button>' +
  '<div class="msg them greeting"><div class="bubble"></div></div></div>' +
  '<div class="typing" aria-live="polite" hidden><i></i><i></i><i></i><span></span></div>' +
  '<div class="fb"><button type="button"></button><button type="button"></button></div>' +
  '<form class="prechat contact" hidden><p></p><input name="name" required autocomplete="name" maxlength="80">' +
  '<input name="email" type="email" autocomplete="email" maxlength="254"><button class="primary" type="submit"></button></form>' +
  '<div class="tray" hidden><p class="tray-list"></p><label><input type="checkbox"> <span></span></label>' +
  '<p class="tray-state" role="status"></p><button class="primary" type="button"></button>' +
  '<button class="icon tray-x" type="button"><svg viewBox="0 0 24 24" aria-hidden="true">' +
  '<path d="M6 6l12 12M18 6 6 18"/></svg></button></div>' +
  '<form class="composer"><button class="icon clip" type="button"><svg viewBox="0 0 24 24" aria-hidden="true">' +
  '<path d="m21 11-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg></button>' +
  '<input class="pick" type="file" multiple hidden accept="image/*,.heic,.pdf,.txt,.csv,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp">' +
  '<textarea rows="1"></textarea><button class="send" type="submit">' +
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5V10l12 2-12 2z"/></svg></button></form>' +
  '</section></div>';

function Widget(chat, t, lang, settings) {
  this.chat = chat;
  this.t = t;
  this.lang = lang;
  this.settings = settings;
  this.isOpen = false;
  this.unread = 0;
  this.pendingEls = {}; // client id -> element of a message not yet acked
  this.keys = {}; // "conversation:seq" -> element
  this.mine = []; // the visitor's acked messages, for read ticks
  this.agentsOnline = settings.agents_online !== false;
  this.status = null;
  this.queued = 0;
  this.agentName = '';
  this.sound = false;
  this.audio = null;
  this.mailedTimer = null; // hides the answer to "Email me this conversation"
  try { this.sound = localStorage.getItem('deskbell:sound') === '1'; } catch (e) { /* no storage */ }
}

Widget.prototype.mount = function () {
  var host = document.createElement('div');
  host.setAttribute('data-deskbell', '');
  var shadow = host.attachShadow({ mode: 'open' });
  if (shadow.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    var sheet = new CSSStyleSheet(); // works under a page CSP without 'unsafe-inline'
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement('style');
    style.textContent = CSS;
    shadow.appendChild(style);
  }
  var box = document.createElement('div');
  box.innerHTML = TEMPLATE; // static markup only
  shadow.appendChild(box.firstChild);
  document.body.appendChild(host);
  var q = function (sel) { return shadow.querySelector(sel); };
  this.shadow = shadow;
  this.root = q('.db');
  this.launcher = q('.launcher');
  this.badge = q('.badge');
  this.panel = q('.panel');
  this.log = q('.log');
  this.more = q('.more');
  this.typingEl = q('.typing');
  this.textarea = q('textarea');
  this.composer = q('.composer');
  this.prechat = q('.prechat');
  this.awayBox = q('.away');
  this.awayForm = q('.away-form');
  this.queueEl = q('.queue');
  this.connEl = q('.conn');
  this.soundBtn = q('.sound');
  this.mailBtn = q('.mail');
  this.mailedEl = q('.mailed');
  this.fb = q('.fb');
  this.tray = q('.tray');
  this.trayList = q('.tray-list');
  this.trayState = q('.tray-state');
  this.traySend = q('.tray .primary');
  this.original = q('.tray input');
  this.fileInput = q('.pick');
  this.texts();
  this.bind();
  this.applySettings(this.settings);
};

/** Fills in the fixed texts and labels of the current language. */
Widget.prototype.texts = function () {
  var t = this.t;
  /** @type {(selector: string) => HTMLElement} */
  var q = this.shadow.querySelector.bind(this.shadow);
  this.panel.setAttribute('lang', this.lang === 'zh' ? 'zh-CN' : 'en');
  q('.close').setAttribute('aria-label', t('close'));
  q('.close').title = t('close');
  this.textarea.setAttribute('aria-label', t('message'));
  this.textarea.placeholder = t('placeholder');
  q('.send').setAttribute('aria-label', t('send'));
  q('.send').title = t('send');
  this.more.textContent = t('earlier');
  this.prechat.querySelector('p').textContent = t('prechatIntro');
  this.prechat.elements.name.placeholder = t('name');
  this.prechat.elements.name.setAttribute('aria-label', t('name'));
  this.prechat.elements.email.placeholder = t('email');
  this.prechat.elements.email.setAttribute('aria-label', t('email'));
  this.prechat.querySelector('button').textContent = t('start');
  this.awayForm.elements.name.placeholder = t('nameOptional');
  this.awayForm.elements.name.setAttribute('aria-label', t('nameOptional'));
  this.awayForm.elements.email.placeholder = t('email');
  this.awayForm.elements.email.setAttribute('aria-label', t('email'));
  this.awayForm.querySelector('button').textContent = t('notify');
  this.mailBtn.setAttribute('aria-label', t('mailMe'));
  this.mailBtn.title = t('mailMe');
  this.fb.children[0].textContent = t('helped');
  this.fb.children[1].textContent = t('human');
  q('.clip').setAttribute('aria-label', t('attach'));
  q('.clip').title = t('attach');
  q('.tray-x').setAttribute('aria-label', t('cancel'));
  q('.tray span').textContent = t('original');
  this.traySend.textContent = t('send');
  this.setSound(this.sound);
  this.setBadge(0);
};

Widget.prototype.applySettings = function (s) {
  this.settings = s;
  this.root.style.setProperty('--c', s.colour);
  this.root.style.setProperty('--on-c', readableOn(s.colour));
  this.root.classList.toggle('left', s.position === 'left');
  this.shadow.querySelector('.title').textContent = s.title || this.t('title');
  this.panel.setAttribute('aria-label', s.title || this.t('title'));
  this.shadow.querySelector('.greeting .bubble').textContent = s.greeting || this.t('greeting');
  this.shadow.querySelector('.away-text').textContent = s.away_message || this.t('away');
  this.refresh();
};

Widget.prototype.bind = function () {
  var self = this;
  this.launcher.addEventListener('click', function () { self.toggle(); });
  this.shadow.querySelector('.close').addEventListener('click', function () { self.close(); });
  this.panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); self.close(); }
  });
  this.soundBtn.addEventListener('click', function () { self.setSound(!self.sound, true); });
  this.mailBtn.addEventListener('click', function () { self.mailTranscript(); });
  this.more.addEventListener('click', function () { self.chat.loadEarlier(); });
  this.textarea.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      self.submit();
    }
  });
  this.textarea.addEventListener('input', function () {
    self.grow();
    self.chat.typing(self.textarea.value.trim() !== '');
  });
  this.composer.addEventListener('submit', function (e) { e.preventDefault(); self.submit(); });
  this.shadow.querySelector('.clip').addEventListener('click', function () { self.fileInput.click(); });
  this.fileInput.addEventListener('change', function () { self.addToTray(self.fileInput.files); });
  this.textarea.addEventListener('paste', function (e) {
    var files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) { e.preventDefault(); self.addToTray(files); }
  });
  this.traySend.addEventListener('click', function () { self.sendTray(); });
  this.shadow.querySelector('.tray-x').addEventListener('click', function () { self.clearTray(); });
  this.prechat.addEventListener('submit', function (e) {
    e.preventDefault();
    var f = self.prechat.elements;
    self.chat.profile(f.name.value.trim(), f.email.value.trim());
    self.refresh();
    self.textarea.focus();
  });
  this.awayForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var f = self.awayForm.elements;
    self.chat.profile(f.name.value.trim(), f.email.value.trim());
    self.refresh();
    self.textarea.focus();
  });
  document.addEventListener('visibilitychange', function () { self.seen(); });
};

Widget.prototype.submit = function () {
  var body = this.textarea.value.trim();
  if (!body) return;
  // A visitor who wrote waits for an answer: sound on, unless they chose otherwise.
  var chosen = null;
  try { chosen = localStorage.getItem('deskbell:sound'); } catch (e) { /* no storage */ }
  if (chosen === null) this.setSound(true, false);
  this.textarea.value = '';
  this.grow();
  this.chat.post(body);
};

/** "Email me this conversation": asks, then says what happened (sent, the address's
 * confirmation first, or the server's refusal such as its limit) for a while. */
Widget.prototype.mailTranscript = function () {
  var self = this;
  var t = this.t;
  var btn = this.mailBtn;
  var note = this.mailedEl;
  btn.disabled = true;
  clearTimeout(this.mailedTimer);
  this.chat.emailTranscript().then(function (a) {
    btn.disabled = false;
    var status = a && a.status;
    note.textContent = status === 'sent' ? t('mailSent')
      : status === 'confirmation_sent' ? t('mailConfirm')
      : t('failed', { why: (a && a.message) || t('noNet') });
    note.classList.toggle('bad', status !== 'sent' && status !== 'confirmation_sent');
    note.hidden = false;
    self.mailedTimer = setTimeout(function () { note.hidden = true; }, 15000);
  });
};

Widget.prototype.grow = function () {
  this.textarea.style.height = 'auto';
  this.textarea.style.height = Math.min(this.textarea.scrollHeight, 120) + 'px';
};

// ---- opening and closing ----

Widget.prototype.open = function () {
  if (this.isOpen) return;
  this.isOpen = true;
  this.panel.hidden = false;
  this.root.classList.add('open');
  this.launcher.setAttribute('aria-expanded', 'true');
  try { sessionStorage.setItem('deskbell:open', '1'); } catch (e) { /* no storage */ }
  this.chat.start();
  this.refresh();
  this.scrollDown(true);
  var first = this.prechat.hidden ? this.textarea : this.prechat.elements.name;
  first.focus();
  this.seen();
};

Widget.prototype.close = function () {
  if (!this.isOpen) return;
  var hadFocus = this.shadow.activeElement !== null;
  this.isOpen = false;
  this.panel.hidden = true;
  this.root.classList.remove('open');
  this.launcher.setAttribute('aria-expanded', 'false');
  try { sessionStorage.removeItem('deskbell:open'); } catch (e) { /* no storage */ }
  this.chat.typing(false);
  if (hadFocus) this.launcher.focus();
};

Widget.prototype.toggle = function () { if (this.isOpen) this.close(); else this.open(); };

Widget.prototype.visible = function () { return this.isOpen && !document.hidden; };

/** The visitor can see the conversation: clear the badge, tell agents it was read. */
Widget.prototype.seen = function () {
  if (!this.visible()) return;
  this.setBadge(0);
  this.chat.markRead();
};

Widget.prototype.setBadge = function (n) {
  this.unread = n;
  // The shop page's title counts them too, e.g. "(1) Green Leaf Teas".
  var title = document.title.replace(/^\(\d+\+?\) /, '');
  document.title = n ? '(' + (n > 99 ? '99+' : n) + ') ' + title : title;
  this.badge.hidden = n === 0;
  this.badge.textContent = n > 99 ? '99+' : String(n);
  var label = n ? this.t('openUnread', { n: n }) : this.t('open');
  this.launcher.setAttribute('aria-label', label);
  this.launcher.title = label;
};

/** Shows the sound switch as `on`; remembers it when set (`byClick` true or false), and
 * beeps when the visitor switched it on. */
Widget.prototype.setSound = function (on, byClick) {
  this.sound = on;
  if (byClick !== undefined) {
    try { localStorage.setItem('deskbell:sound', on ? '1' : '0'); } catch (e) { /* no storage */ }
  }
  this.soundBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
  var label = this.t(on ? 'soundOn' : 'soundOff');
  this.soundBtn.setAttribute('aria-label', label);
  this.soundBtn.title = label;
  if (on && byClick) this.beep(); // also unlocks audio: browsers need a click first
};

Widget.prototype.beep = function () {
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  if (!this.sound || !AudioCtx) return;
  try {
    this.audio = this.audio || new AudioCtx();
    var ctx = this.audio;
    if (ctx.state === 'suspended') ctx.resume();
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.setValueAtTime(880, ctx.currentTime);
    osc.frequency.setValueAtTime(660, ctx.currentTime + 0.09);
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.26);
  } catch (e) { /* audio unavailable */ }
};

/** Shows or hides the header line, notices and forms for the current state. */
Widget.prototype.refresh = function () {
  var t = this.t;
  var s = this.settings;
  var contact = this.chat.contact();
  var assigned = this.status === 'assigned';
  // With the bot, nobody there means away only once the bot has handed off.
  var away = !assigned && (s.open_now === false || !this.agentsOnline) &&
    (!this.chat.bot || this.status === 'queued');
  this.shadow.querySelector('.dot').classList.toggle('on', !this.unavailable && (assigned || !away));
  this.textarea.disabled = !!this.unavailable;
  this.shadow.querySelector('.subtext').textContent = assigned && this.agentName
    ? t('agentNamed', { name: this.agentName })
    : away ? (s.away_message || t('away')).split(/[.。!！]/)[0] : t('replySoon');
  var needForm = !!s.prechat && !contact.name && !this.chat.conv && !this.chat.outbox().length;
  this.awayBox.hidden = !away;
  this.awayForm.hidden = !!(contact.email || contact.linked) || needForm; // the pre-chat form asks for it
  this.awayForm.elements.name.hidden = !!contact.name;
  // Offered once the server, which sends emails, has an address for this visitor and
  // there is a conversation.
  this.mailBtn.hidden = !this.chat.emails || !(contact.email || contact.linked) || !this.chat.conv ||
    !!this.unavailable;
  /** @type {HTMLElement} */
  var thanks = this.shadow.querySelector('.thanks');
  thanks.hidden = !contact.email;
  thanks.textContent = contact.email ? t('emailThanks', { email: contact.email }) : '';
  // Away says it all: no place in a queue nobody serves now.
  this.queueEl.hidden = away || !(this.queued > 0 && this.status === 'queued');
  this.queueEl.textContent = t('queue', { n: this.queued });
  this.prechat.hidden = !needForm;
  this.composer.hidden = needForm;
};
