// Tests of scripts/import-cycles.mjs on tiny fake crates written to a temp directory.
// Run: node --test scripts/import-cycles.test.mjs

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";

import { check, edges, loadCrate, parseFile, strip } from "./import-cycles.mjs";

/** Writes `files` (path → text) under a new temp dir and returns it. */
function tree(files) {
  const dir = mkdtempSync(join(tmpdir(), "import-cycles-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const pairs = (dir) =>
  [...new Set(edges(loadCrate(dir)).map((e) => `${e.from} -> ${e.to}`))].sort();

test("a cycle through a re-export and a path in code is found, with its lines", () => {
  const dir = tree({
    "lib.rs": "pub mod http;\npub mod server;\n",
    // The parent declares and re-exports: no edges of its own.
    "http/mod.rs": "mod api;\npub mod reply;\npub use reply::Body;\n",
    "http/reply.rs": "pub struct Body;\n",
    "http/api.rs":
      "use super::reply::Body;\nfn f() { let _ = crate::server::SETUP; }\npub fn setup() {}\n",
    "server.rs": "use crate::http::Body;\nfn g() { crate::http::api::setup(); }\npub const SETUP: &str = \"x\";\n",
  });
  try {
    assert.deepEqual(pairs(dir), [
      "http/api.rs -> http/reply.rs",
      "http/api.rs -> server.rs",
      "server.rs -> http/api.rs",
      "server.rs -> http/reply.rs",
    ]);
    const result = check(dir);
    assert.equal(result.files.length, 1);
    assert.deepEqual(result.files[0].nodes, ["http/api.rs", "server.rs"]);
    assert.ok(result.files[0].edges.some((e) => e.from === "http/api.rs" && e.line === 2));
    assert.deepEqual(result.modules.map((c) => c.nodes), [["http", "server"]]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a tree without cycles passes; test modules, strings and comments make no edges", () => {
  const dir = tree({
    "lib.rs": "pub mod a;\npub mod b;\n",
    "a.rs": [
      "use crate::b::{self, Thing as T};",
      "// crate::b::nothing in a comment is not a path",
      'const S: &str = "crate::b::nor_in_a_string";',
      "fn f() -> T { b::make() }",
    ].join("\n"),
    "b.rs": [
      "pub struct Thing;",
      "pub fn make() -> Thing { Thing }",
      "#[cfg(test)]",
      "mod tests {",
      "    use crate::a::*;",
      "}",
    ].join("\n"),
  });
  try {
    assert.deepEqual(pairs(dir), ["a.rs -> b.rs"]);
    const result = check(dir);
    assert.deepEqual(result.files, []);
    assert.deepEqual(result.modules, []);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("glob re-exports lead to the file that defines the item; a parent calling a child counts", () => {
  const dir = tree({
    "lib.rs": "pub mod p;\npub mod q;\n",
    "p/mod.rs": "mod frames;\npub use frames::*;\nfn run() { frames::go(); }\n",
    "p/frames.rs": "pub struct Frame;\npub fn go() {}\n",
    "q.rs": "use crate::p::Frame;\nuse super::p;\nfn h() { let _ = std::mem::size_of::<Frame>(); }\n",
  });
  try {
    assert.deepEqual(pairs(dir), ["p/mod.rs -> p/frames.rs", "q.rs -> p/frames.rs"]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("strip keeps lifetimes and line breaks, drops char literals and raw strings", () => {
  const text = "fn f<'a>(x: &'a str) -> char { '\\'' }\nconst R: &str = r#\"crate::x::y\"#;\n";
  const out = strip(text);
  assert.equal(out.split("\n").length, text.split("\n").length);
  assert.ok(out.includes("'a"));
  assert.ok(!out.includes("crate::x"));
  assert.deepEqual(parseFile(text).code, []);
});
