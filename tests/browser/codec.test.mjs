// The widget's postcard codec (web/widget/codec.js) against the vectors written by the
// real Rust encoder (tests/fixtures/protocol_vectors.json, see src/protocol/vectors/).
// Plain Node, no browser and no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

const require = createRequire(import.meta.url);
const Codec = require(join(repoRoot, 'web/widget/codec.js'));
const vectors = JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/protocol_vectors.json'), 'utf8'));

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const bytes = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const frameName = (json) => Object.keys(json)[0];

test('the fixture has a vector for every frame type the codec knows', () => {
  for (const [kind, type] of [['client', 'ClientFrame'], ['server', 'ServerFrame']]) {
    const seen = new Set(vectors.filter((v) => v.kind === kind).map((v) => frameName(v.json)));
    assert.deepEqual([...seen].sort(), Codec.variants(type).slice().sort(), `${kind} frames`);
  }
});

test('client frames encode exactly as Rust encodes them', () => {
  for (const v of vectors.filter((v) => v.kind === 'client')) {
    assert.equal(hex(Codec.encodeClient(v.json)), v.hex, JSON.stringify(v.json));
    assert.deepEqual(Codec.decodeClient(bytes(v.hex)), v.json, v.hex);
  }
});

test('server frames decode to the JSON shapes and encode back', () => {
  for (const v of vectors.filter((v) => v.kind === 'server')) {
    assert.deepEqual(Codec.decodeServer(bytes(v.hex)), v.json, v.hex);
    assert.equal(hex(Codec.encodeServer(v.json)), v.hex, JSON.stringify(v.json));
  }
});

test('omitted optional fields encode like null', () => {
  const short = Codec.encodeClient({ send: { client_id: 'm-1', body: 'hi' } });
  const full = Codec.encodeClient({ send: { conversation: null, client_id: 'm-1', body: 'hi' } });
  assert.equal(hex(short), hex(full));
  assert.equal(hex(short), '02' + '00' + '036d2d31' + '026869');
});

test('integers beyond 2^53 and out-of-range values are refused', () => {
  const tooBig = 2 ** 53 + 2; // 2^53 + 1 is not a JavaScript number
  assert.throws(() => Codec.encodeClient({ sync: { conversation: tooBig, after_seq: 0 } }), /integer/);
  assert.throws(() => Codec.encodeClient({ sync: { conversation: -1, after_seq: 0 } }), /integer/);
  assert.throws(() => Codec.encodeClient({ sync: { conversation: 1.5, after_seq: 0 } }), /integer/);
  assert.throws(() => Codec.encodeClient({ history: { conversation: 1, before_seq: 0, limit: 2 ** 32 } }), /integer/);
  assert.throws(() => Codec.encodeClient({ hello_visitor: { site: 'a', utc_offset_min: 2 ** 31 } }), /i32/);
  // 2^53 itself is fine; a varint for 2^53 + 1 (synced.upto_seq) is refused on decode.
  const ok = Codec.encodeClient({ sync: { conversation: 2 ** 53, after_seq: 0 } });
  assert.deepEqual(Codec.decodeClient(ok), { sync: { conversation: 2 ** 53, after_seq: 0 } });
  assert.throws(() => Codec.decodeServer(bytes('03' + '01' + '8180808080808010')), /integer larger/);
  assert.throws(() => Codec.decodeServer(bytes('03' + '01' + 'ffffffffffffffffff01')), /integer larger/);
});

test('malformed input is refused, never half-decoded', () => {
  assert.throws(() => Codec.decodeServer(bytes('')), /ends too early/);
  assert.throws(() => Codec.decodeServer(bytes('7f')), /unknown ServerFrame variant/);
  assert.throws(() => Codec.decodeServer(bytes('030106' + '00')), /trailing bytes/);
  assert.throws(() => Codec.decodeServer(bytes('0105ff')), /longer than the frame/);
  assert.throws(() => Codec.decodeServer(bytes('0101ff0c0500')), /./); // invalid UTF-8
  assert.throws(() => Codec.decodeServer(bytes('0101610c0502')), /bad bool/);
  assert.throws(() => Codec.encodeClient({ shout: {} }), /unknown ClientFrame variant/);
  assert.throws(() => Codec.encodeClient({ send: { client_id: 5, body: 'x' } }), /expected a string/);
  assert.throws(() => Codec.encodeClient({ presence: { presence: 'asleep' } }), /unknown Presence variant/);
});
