// @ts-check
// main.js: boots the widget. Reads the snippet's <script> (host and data-* attributes),
// fetches the site's settings (GET /api/widget?site=), builds the UI and the chat, and
// offers window.deskbell = {open, close, toggle, identify, logout}. The WebSocket is opened only when the
// visitor opens the panel or already has a conversation.

var DEFAULT_COLOUR = '#2563eb';

/** @returns {HTMLScriptElement | null} */
function ownScript() {
  var s = document.currentScript;
  if (s instanceof HTMLScriptElement && s.src) return s;
  /** @type {NodeListOf<HTMLScriptElement>} */
  var all = document.querySelectorAll('script[src]');
  for (var i = all.length - 1; i >= 0; i--) {
    if (/\/widget\.js([?#]|$)/.test(all[i].src)) return all[i];
  }
  return null;
}

function validColour(c) { return typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c) ? c : null; }

/** White or near-black, whichever reads better on the colour (WCAG luminance). */
function readableOn(colour) {
  var lum = [1, 3, 5].map(function (i) {
    var v = parseInt(colour.substr(i, 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
  return l > 0.4 ? '#111827' : '#ffffff';
}

/** The site's settings, or {} when the server does not answer in time. */
function fetchSettings(base, site) {
  if (!window.fetch) return Promise.resolve({});
  var url = base + '/api/widget?site=' + encodeURIComponent(site);
  var request = fetch(url, { credentials: 'omit' })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .catch(function () { return {}; });
  var timeout = new Promise(function (ok) { setTimeout(function () { ok({}); }, 4000); });
  return Promise.race([request, timeout]);
}

var script = ownScript();
var data = (script && script.dataset) || {};
var base = script ? new URL(script.src, location.href).origin : location.origin;
var site = data.site || 'default';
var lang = pickLanguage(data.language);
var widget = null;
var who = null; // deskbell.identify's customer
var wantOpen = data.open !== undefined && data.open !== 'false';
try { if (sessionStorage.getItem('deskbell:open')) wantOpen = true; } catch (e) { /* no storage */ }

window.deskbell = {
  version: '1',
  open: function () { if (widget) widget.open(); else wantOpen = true; },
  close: function () { if (widget) widget.close(); else wantOpen = false; },
  toggle: function () { if (widget) widget.toggle(); else wantOpen = !wantOpen; },
  identify: function (u) {
    var a = u.attributes || {};
    who = { id: String(u.id), name: u.name || null, email: u.email || null, avatar: u.avatar || null,
      attributes: Object.keys(a).map(function (k) { return { key: k, value: String(a[k]) }; }), hash: u.hash || null };
    if (widget) widget.chat.identify(who);
  },
  logout: function () { who = null; if (widget) widget.chat.identify(null); }
};

function boot(remote) {
  // The shop's texts in the visitor's language, else its default ones (docs/API.md).
  var own = (remote.texts && remote.texts[lang]) || {};
  var settings = {
    title: own.title || remote.title,
    greeting: own.greeting || remote.greeting,
    away_message: own.away_message || remote.away_message,
    prechat: remote.prechat === true,
    open_now: remote.open_now,
    agents_online: remote.agents_online,
    colour: validColour(data.colour) || validColour(remote.colour) || DEFAULT_COLOUR,
    position: (data.position || remote.position) === 'left' ? 'left' : 'right'
  };
  var chat = new Chat({
    wsUrl: base.replace(/^http/, 'ws') + '/ws',
    base: base,
    site: site,
    bot: remote.bot === true,
    emails: remote.visitor_emails === true,
    csat: remote.csat === true,
    emit: function (event, payload) { if (widget) widget.on(event, payload); }
  });
  chat.who = who;
  widget = new Widget(chat, translator(lang), lang, settings);
  widget.mount();
  chat.outbox().forEach(function (entry) { widget.on('pending', entry); });
  if (chat.hasHistory()) chat.start();
  if (wantOpen) widget.open();
}

function whenBodyReady(then) {
  if (document.body) then();
  else document.addEventListener('DOMContentLoaded', then);
}

/**
 * A link from a reply email (`#deskbell-resume=TOKEN`): removed from the address bar at
 * once, then exchanged for that visitor's token and conversation, which the chat
 * resumes (opened). The contact is marked `linked`: the visitor has an address the
 * server writes to, so "Email me this conversation" is offered.
 */
function resumeFromLink() {
  var match = /(?:^#|&)deskbell-resume=([A-Za-z0-9_.-]+)/.exec(location.hash);
  if (!match || !window.fetch) return Promise.resolve();
  try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { /* old browser */ }
  return fetch(base + '/api/visitor/resume', { method: 'POST', credentials: 'omit',
    headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ resume: match[1] }) })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (a) {
      if (!a || !a.visitor_token) return;
      var store = siteStore(site);
      store.set('token', a.visitor_token);
      store.set('conv', a.conversation || null);
      // Only a confirmed address gets this link: the server knows where to write.
      var contact = store.get('contact') || {};
      contact.linked = true;
      store.set('contact', contact);
      wantOpen = true;
    })
    .catch(function () { /* a broken link: the widget starts as usual */ });
}

Promise.all([fetchSettings(base, site), resumeFromLink()]).then(function (both) {
  var remote = both[0];
  whenBodyReady(function () { boot(remote || {}); });
});
