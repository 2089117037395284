// @ts-check
// codec.js: the postcard encoding of deskbell's WebSocket frames (docs/PROTOCOL.md).
//
// Frames use the same object shapes as the JSON encoding, e.g.
//   {send: {conversation: null, client_id: "m-1", body: "hi"}}
// The SCHEMA below mirrors src/protocol/frames.rs and server_frames.rs field by field
// and variant by variant (postcard has no names: order is everything).
// tests/fixtures/protocol_vectors.json, written by the Rust encoder, keeps them equal
// (tests/browser/codec.test.mjs). In the bundle this file runs inside the widget's IIFE;
// under Node it is a CommonJS module.

var Codec = (function () {
  'use strict';

  // Types: "u64", "u32", "u16", "i32", "bool", "str", a name from SCHEMA,
  // "?T" for Option<T>, "*T" for Vec<T>.
  // A struct is "field:type field:type"; an enum is a list of "variant" (unit) or
  // "variant:Type" (newtype or struct variant) in declaration order.
  var SCHEMA = {
    ClientFrame: ['hello_visitor:HelloVisitor', 'hello_agent:HelloAgent', 'send:Send',
      'sync:Sync', 'typing:Typing', 'read:Read', 'claim:ConversationRef',
      'close:ConversationRef', 'reopen:ConversationRef', 'transfer:Transfer',
      'presence:SetPresence', 'history:HistoryRequest', 'note:Note', 'profile:Profile',
      'bot_feedback:BotFeedback', 'visibility:Visibility', 'send_files:SendFiles',
      'hello_customer:HelloCustomer', 'label:SetLabel', 'rate:Rate'],
    Rate: 'conversation:u64 score:u32 comment:?str',
    SetLabel: 'conversation:u64 label:u64 on:bool',
    HelloCustomer: 'hello:HelloVisitor customer:Customer',
    Customer: 'id:str name:?str email:?str avatar:?str attributes:*Attribute hash:?str',
    Attribute: 'key:str value:str',
    HelloVisitor: 'site:str token:?str page:?str referrer:?str language:?str utc_offset_min:?i32',
    HelloAgent: 'token:?str',
    Send: 'conversation:?u64 client_id:str body:str',
    SendFiles: 'conversation:?u64 client_id:str body:str uploads:*str',
    Sync: 'conversation:u64 after_seq:u64',
    Typing: 'conversation:?u64 on:bool',
    Read: 'conversation:?u64 seq:u64',
    ConversationRef: 'conversation:u64',
    Transfer: 'conversation:u64 to_agent:u64',
    SetPresence: 'presence:Presence',
    HistoryRequest: 'conversation:u64 before_seq:u64 limit:u32',
    Note: 'conversation:u64 client_id:str body:str',
    Profile: 'name:?str email:?str',
    BotFeedback: 'conversation:u64 seq:u64 helpful:bool',
    Visibility: 'visible:bool',
    Presence: ['online', 'away', 'offline'],

    ServerFrame: ['welcome:Welcome', 'ack:Ack', 'message:Message', 'synced:Synced',
      'resync:Resync', 'typing:TypingNotice', 'read_up_to:ReadUpTo',
      'queue_position:QueuePosition', 'conversation:Summary', 'agent:AgentInfo',
      'history:HistoryPage', 'error:ErrorFrame', 'availability:Availability',
      'labels:Labels', 'rating:Rating'],
    Rating: 'conversation:u64 score:u32 comment:?str',
    Labels: 'conversation:u64 labels:*u64',
    Welcome: 'role:Role id:u64 name:str visitor_token:?str conversation:?Summary ' +
      'conversations:*Summary agents:*AgentInfo max_body_bytes:u32 agents_online:bool ' +
      'server_version:str',
    Role: ['visitor', 'agent'],
    Ack: 'client_id:str conversation:u64 seq:u64 duplicate:bool',
    Message: 'conversation:u64 seq:u64 at_ms:u64 author:Author body:str client_id:?str ' +
      'event:?Event',
    Author: 'kind:AuthorKind id:u64 name:str',
    AuthorKind: ['visitor', 'agent', 'bot', 'system'],
    Event: ['queued', 'assigned:Assigned', 'transferred:Transferred', 'closed:By',
      'reopened:By', 'note', 'bot_answer:BotAnswer', 'handed_off:HandedOff',
      'suggestions:Suggestions', 'feedback:Feedback', 'choices:Choices', 'attachments:Attachments'],
    BotAnswer: 'faq_id:u64',
    HandedOff: 'reason:HandoffReason',
    HandoffReason: ['human_requested', 'frustrated', 'low_confidence', 'bot_unavailable'],
    Suggestions: 'replies:*SuggestedReply',
    SuggestedReply: 'faq_id:u64 answer:str score_pct:u32',
    Feedback: 'seq:u64 helpful:bool',
    Choices: 'choices:*Choice',
    Choice: 'faq_id:u64 question:str',
    Attachments: 'files:*Attachment',
    Attachment: 'id:str name:str content_type:str size:u64',
    Assigned: 'agent:u64',
    Transferred: 'from:u64 to:u64',
    By: 'by:u64',
    Synced: 'conversation:u64 upto_seq:u64',
    Resync: 'conversation:u64 server_seq:u64 reason:str',
    TypingNotice: 'conversation:u64 author:Author on:bool',
    ReadUpTo: 'conversation:u64 reader:AuthorKind seq:u64',
    QueuePosition: 'conversation:u64 position:u32',
    Summary: 'id:u64 site:str visitor:u64 status:Status agent:?u64 last_seq:u64 ' +
      'last_at_ms:u64 created_ms:u64 queue_position:?u32 visitor_name:?str preview:str ' +
      'read_visitor:u64 read_agent:u64',
    Status: ['queued', 'assigned', 'closed', 'bot'],
    AgentInfo: 'id:u64 name:str presence:Presence open:u32 capacity:u32',
    HistoryPage: 'conversation:u64 messages:*Message has_more:bool',
    ErrorFrame: 'code:u16 error:str message:str client_id:?str conversation:?u64',
    Availability: 'agents_online:bool'
  };

  // Largest integer accepted either way: 2^53 (exact in a JavaScript number).
  var MAX_INT = 9007199254740992;
  var LIMITS = { u64: MAX_INT, u32: 4294967295, u16: 65535 };

  // Parses the SCHEMA strings once into {fields: [[name, type]]} / {variants: [...]}.
  var types = {};
  Object.keys(SCHEMA).forEach(function (name) {
    var spec = SCHEMA[name];
    if (typeof spec === 'string') {
      types[name] = { fields: spec.split(' ').map(function (f) { return f.split(':'); }) };
    } else {
      types[name] = { variants: spec.map(function (v) { return v.split(':'); }) };
    }
  });

  function fail(why) { throw new Error('postcard: ' + why); }

  var utf8Encoder = new TextEncoder();
  var utf8Decoder = new TextDecoder('utf-8', { fatal: true });

  // ---- encoding ----

  function putVarint(out, n, max) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
      fail('expected an integer 0..' + max + ', got ' + n);
    }
    while (n >= 128) {
      out.push((n % 128) + 128);
      n = Math.floor(n / 128);
    }
    out.push(n);
  }

  function put(out, type, value, path) {
    var first = type.charAt(0);
    if (first === '?') {
      if (value === null || value === undefined) { out.push(0); return; }
      out.push(1);
      put(out, type.slice(1), value, path);
      return;
    }
    if (first === '*') {
      if (!Array.isArray(value)) fail(path + ': expected a list');
      putVarint(out, value.length, MAX_INT);
      for (var i = 0; i < value.length; i++) put(out, type.slice(1), value[i], path + '[' + i + ']');
      return;
    }
    if (LIMITS[type]) { putVarint(out, value, LIMITS[type]); return; }
    if (type === 'i32') {
      if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) fail(path + ': not an i32');
      putVarint(out, ((value << 1) ^ (value >> 31)) >>> 0, LIMITS.u32);
      return;
    }
    if (type === 'bool') {
      if (typeof value !== 'boolean') fail(path + ': expected true or false');
      out.push(value ? 1 : 0);
      return;
    }
    if (type === 'str') {
      if (typeof value !== 'string') fail(path + ': expected a string');
      var bytes = utf8Encoder.encode(value);
      putVarint(out, bytes.length, MAX_INT);
      for (var b = 0; b < bytes.length; b++) out.push(bytes[b]);
      return;
    }
    var t = types[type];
    if (!t) fail('unknown type ' + type);
    if (value === null || typeof value !== 'object' && typeof value !== 'string') {
      fail(path + ': expected ' + type);
    }
    if (t.fields) {
      t.fields.forEach(function (f) { put(out, f[1], value[f[0]], path + '.' + f[0]); });
      return;
    }
    // Enum: a unit variant is its name as a string, others {name: fields}.
    var name = typeof value === 'string' ? value : Object.keys(value)[0];
    for (var v = 0; v < t.variants.length; v++) {
      if (t.variants[v][0] !== name) continue;
      putVarint(out, v, LIMITS.u32);
      if (t.variants[v][1]) {
        if (typeof value === 'string') fail(path + ': ' + name + ' needs fields');
        put(out, t.variants[v][1], value[name], path + '.' + name);
      }
      return;
    }
    fail(path + ': unknown ' + type + ' variant ' + name);
  }

  function encode(type, value) {
    var out = [];
    put(out, type, value, type);
    return new Uint8Array(out);
  }

  // ---- decoding ----

  function Reader(bytes) { this.b = bytes; this.i = 0; }

  Reader.prototype.byte = function () {
    if (this.i >= this.b.length) fail('frame ends too early');
    return this.b[this.i++];
  };

  Reader.prototype.varint = function (max) {
    var n = 0, scale = 1;
    for (var k = 0; k < 10; k++) {
      var byte = this.byte();
      var part = (byte & 127) * scale;
      if (part > max - n) fail('integer larger than ' + max); // checked before rounding
      n += part;
      if (byte < 128) return n;
      scale *= 128;
    }
    return fail('varint too long');
  };

  function take(r, type) {
    var first = type.charAt(0);
    if (first === '?') {
      var tag = r.byte();
      if (tag === 0) return null;
      if (tag !== 1) fail('bad option tag ' + tag);
      return take(r, type.slice(1));
    }
    if (first === '*') {
      var count = r.varint(MAX_INT);
      if (count > r.b.length - r.i) fail('list longer than the frame');
      var list = [];
      for (var i = 0; i < count; i++) list.push(take(r, type.slice(1)));
      return list;
    }
    if (LIMITS[type]) return r.varint(LIMITS[type]);
    if (type === 'i32') {
      var z = r.varint(LIMITS.u32);
      return z % 2 ? -(z + 1) / 2 : z / 2;
    }
    if (type === 'bool') {
      var b = r.byte();
      if (b > 1) fail('bad bool ' + b);
      return b === 1;
    }
    if (type === 'str') {
      var len = r.varint(MAX_INT);
      if (len > r.b.length - r.i) fail('string longer than the frame');
      var text = utf8Decoder.decode(r.b.subarray(r.i, r.i + len));
      r.i += len;
      return text;
    }
    var t = types[type];
    if (t.fields) {
      var obj = {};
      t.fields.forEach(function (f) { obj[f[0]] = take(r, f[1]); });
      return obj;
    }
    var index = r.varint(LIMITS.u32);
    var variant = t.variants[index];
    if (!variant) fail('unknown ' + type + ' variant #' + index);
    if (!variant[1]) return variant[0];
    var wrapped = {};
    wrapped[variant[0]] = take(r, variant[1]);
    return wrapped;
  }

  function decode(type, bytes) {
    var r = new Reader(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
    var value = take(r, type);
    if (r.i !== r.b.length) fail((r.b.length - r.i) + ' trailing bytes after the frame');
    return value;
  }

  return {
    /** Client frame object → postcard bytes (Uint8Array). Throws on a bad shape. */
    encodeClient: function (frame) { return encode('ClientFrame', frame); },
    /** Postcard bytes (Uint8Array or ArrayBuffer) → server frame object. Throws if malformed. */
    decodeServer: function (bytes) { return decode('ServerFrame', bytes); },
    /** The same for the other direction (used by the tests). */
    encodeServer: function (frame) { return encode('ServerFrame', frame); },
    decodeClient: function (bytes) { return decode('ClientFrame', bytes); },
    /** Frame names by variant number, for the tests' coverage check. */
    variants: function (type) { return types[type].variants.map(function (v) { return v[0]; }); }
  };
})();

// Node (the codec test) loads this file as a CommonJS module; in the browser it is part of
// the widget's IIFE, where `module` is not ours to touch.
if (typeof document === 'undefined' && typeof module === 'object' && module && module.exports) {
  module.exports = Codec;
}
