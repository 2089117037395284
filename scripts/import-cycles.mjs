#!/usr/bin/env node
// Checks that the import graph of the library crate in src/ has no cycles.
// Usage: node scripts/import-cycles.mjs [SRC_DIR]   (exit 1 and a list when it has)
// Its own test: node --test scripts/import-cycles.test.mjs (a tiny fake tree with a cycle).
//
// The graph, exactly:
// - Nodes are the files of the library crate: src/lib.rs and every file reached from it
//   through `mod name;` declarations (name.rs or name/mod.rs). `#[cfg(test)]` modules
//   (inline or in their own file) are test code and are left out, and so is src/bin/
//   (each binary there is a crate of its own that sees the library from outside).
// - A path is a `use` path (each leaf of a `use` tree) or a path in code that starts with
//   `crate::`, `super::`, `self::`, a child module declared in the file, or a name a `use`
//   bound to a module (`use super::reply;` then `reply::json`).
// - The path is resolved segment by segment through the module tree to the file that
//   defines the item it names; when it names a module itself, to that module's file.
//   Re-exports (`pub use`, `pub(crate) use`…) are followed to the file that defines the
//   item (globs too), so `crate::store::Outcome` leads to the file where `Outcome` is.
// - An edge goes from the file holding the path to that file, when they differ.
//   `mod` declarations and re-exports make no edges of their own: a parent `mod.rs` that
//   declares and re-exports its children does not depend on them, but one that calls
//   `routes::route(…)` does.
// - Paths to other crates (std, hyper…) make no edges. Method calls are not paths: when a
//   type's `impl` blocks are spread over several files, the calls between those files are
//   not seen (the files that name the type are).
// It reports every cycle as a strongly connected component (its files and the edges
// between them, each with the line that makes it), and also the cycles between the
// top-level modules (`http` ↔ `ws`), where a module is a directory or a single file.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Replaces comments, strings and char literals with spaces, keeping line breaks. */
export function strip(src) {
  let out = "";
  let i = 0;
  const n = src.length;
  const blank = (s) => s.replace(/[^\n]/g, " ");
  while (i < n) {
    const c = src[i];
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      let j = src.indexOf("\n", i);
      if (j < 0) j = n;
      out += blank(src.slice(i, j));
      i = j;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (src[j] === "/" && src[j + 1] === "*") (depth++, (j += 2));
        else if (src[j] === "*" && src[j + 1] === "/") (depth--, (j += 2));
        else j++;
      }
      out += blank(src.slice(i, j));
      i = j;
    } else if (
      (c === "r" || (c === "b" && next === "r")) &&
      /^b?r#*"/.test(src.slice(i, i + 40)) &&
      !/[A-Za-z0-9_]/.test(src[i - 1] ?? "")
    ) {
      const m = /^b?r(#*)"/.exec(src.slice(i, i + 40));
      const close = '"' + (m?.[1] ?? "");
      const start = i + (m?.[0].length ?? 0);
      let j = src.indexOf(close, start);
      j = j < 0 ? n : j + close.length;
      out += blank(src.slice(i, j));
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      out += blank(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === "'") {
      // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a): only the first is skipped.
      const m = /^'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'/u.exec(src.slice(i, i + 12));
      if (m) {
        out += blank(m[0]);
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Tokens with their line numbers: identifiers, `::` and single punctuation marks. */
export function tokenize(src) {
  const tokens = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|(::)|(\S)|(\n)/g;
  let line = 1;
  let m;
  while ((m = re.exec(src))) {
    if (m[4]) line++;
    else tokens.push({ t: m[0], line });
  }
  return tokens;
}

/** Index just past the block that opens at `tokens[i]` (a `{`). */
function skipBlock(tokens, i) {
  let depth = 0;
  for (; i < tokens.length; i++) {
    if (tokens[i].t === "{") depth++;
    else if (tokens[i].t === "}" && --depth === 0) return i + 1;
  }
  return tokens.length;
}

/** Drops `#[cfg(test)]` items (a `mod x;` or a block) and reports the attribute's span. */
function dropTestItems(tokens) {
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens.slice(i, i + 7).map((x) => x.t).join(" ");
    if (t === "# [ cfg ( test ) ]") {
      let j = i + 7;
      while (j < tokens.length && tokens[j].t !== ";" && tokens[j].t !== "{") j++;
      i = (tokens[j]?.t === "{" ? skipBlock(tokens, j) : j + 1) - 1;
      continue;
    }
    out.push(tokens[i]);
  }
  return out;
}

/** Expands one `use` tree starting at `tokens[i]` into leaf paths; returns [paths, end]. */
function parseUseTree(tokens, i, prefix) {
  const paths = [];
  let path = [...prefix];
  for (; i < tokens.length; i++) {
    const t = tokens[i].t;
    if (t === "::") continue;
    if (t === "{") {
      i++;
      while (i < tokens.length && tokens[i].t !== "}") {
        const [sub, end] = parseUseTree(tokens, i, path);
        paths.push(...sub);
        i = end;
        if (tokens[i]?.t === ",") i++;
      }
      return [paths, i + 1];
    }
    if (t === "," || t === ";" || t === "}") break;
    if (t === "as") {
      paths.push({ segs: path, alias: tokens[i + 1].t, line: tokens[i].line });
      return [paths, i + 2];
    }
    if (t === "*") {
      paths.push({ segs: path, glob: true, line: tokens[i].line });
      return [paths, i + 1];
    }
    if (t === "self" && path.length > 0 && tokens[i - 1]?.t !== "::") {
      // `use a::b::{self, c}`: `self` names `a::b`.
      paths.push({ segs: path, line: tokens[i].line });
      return [paths, i + 1];
    }
    path.push(t);
  }
  if (path.length > prefix.length) paths.push({ segs: path, line: tokens[i - 1]?.line ?? 0 });
  return [paths, i];
}

const ITEM_KEYWORDS = new Set(["fn", "struct", "enum", "trait", "type", "const", "static", "union", "macro_rules"]);
const KEYWORDS = new Set(["crate", "super", "self", "Self"]);

/** Reads one file: its `mod` children, `use` paths (with visibility) and code paths. */
export function parseFile(src) {
  const tokens = dropTestItems(tokenize(strip(src)));
  const mods = [];
  const uses = [];
  const code = [];
  const defines = new Set();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].t;
    const prev = tokens[i - 1]?.t;
    if (t === "mod" && /^[A-Za-z_]/.test(tokens[i + 1]?.t ?? "") && tokens[i + 2]?.t === ";") {
      mods.push(tokens[i + 1].t);
      defines.add(tokens[i + 1].t);
      i += 2;
      continue;
    }
    if (ITEM_KEYWORDS.has(t) && /^[A-Za-z_]/.test(tokens[i + 1]?.t ?? "")) {
      defines.add(tokens[i + 1].t === "!" ? tokens[i + 2]?.t : tokens[i + 1].t);
    }
    if (t === "use" && prev !== "::") {
      // Visibility: `pub use`, `pub(crate) use`, `pub(super) use`, `pub(in x) use`.
      let k = i - 1;
      if (tokens[k]?.t === ")") {
        while (k > 0 && tokens[k].t !== "(") k--;
        k--;
      }
      const visible = tokens[k]?.t === "pub";
      let start = i + 1;
      if (tokens[start]?.t === "::") start++;
      const [paths, end] = parseUseTree(tokens, start, []);
      for (const p of paths) uses.push({ ...p, reexport: visible });
      i = end - 1;
      while (i + 1 < tokens.length && tokens[i].t !== ";") i++;
      continue;
    }
    // A path in code: ident (:: ident)+, not itself the tail of a longer path.
    if (/^[A-Za-z_]/.test(t) && tokens[i + 1]?.t === "::" && prev !== "::") {
      const segs = [t];
      let j = i + 1;
      while (tokens[j]?.t === "::" && /^[A-Za-z_]/.test(tokens[j + 1]?.t ?? "")) {
        segs.push(tokens[j + 1].t);
        j += 2;
      }
      if (segs.length > 1) code.push({ segs, line: tokens[i].line });
      i = j - 1;
    }
  }
  return { mods, uses, code, defines };
}

/** Builds the module tree from `srcDir/lib.rs`: a map from module path ("a::b") to file. */
export function loadCrate(srcDir) {
  /** @type {Map<string, {file: string, mod: string[], parsed: ReturnType<typeof parseFile>}>} */
  const modules = new Map();
  const visit = (file, mod) => {
    const parsed = parseFile(readFileSync(file, "utf8"));
    modules.set(mod.join("::"), { file: relative(srcDir, file), mod, parsed });
    const base = /(^|\/)(lib|mod|main)\.rs$/.test(file) ? dirname(file) : file.slice(0, -3);
    for (const child of parsed.mods) {
      const flat = join(base, `${child}.rs`);
      const nested = join(base, child, "mod.rs");
      const found = existsSync(flat) ? flat : existsSync(nested) ? nested : null;
      if (found) visit(found, [...mod, child]);
    }
  };
  visit(join(srcDir, "lib.rs"), []);
  return modules;
}

/** The graph's edges: [{from, to, line}] between files (paths relative to srcDir). */
export function edges(modules) {
  const has = (mod) => modules.has(mod.join("::"));
  const get = (mod) => modules.get(mod.join("::"));

  /** The file that defines `name` in module `mod`, following re-exports (depth-bounded). */
  const itemFile = (mod, name, depth) => {
    const m = get(mod);
    if (!m || depth > 16) return m?.file ?? null;
    if (m.parsed.defines.has(name)) return m.file;
    for (const u of m.parsed.uses) {
      if (!u.reexport || u.glob) continue;
      const local = u.alias ?? u.segs[u.segs.length - 1];
      if (local === name) return resolve(mod, u.segs, depth + 1)?.file ?? m.file;
    }
    for (const u of m.parsed.uses) {
      if (!u.reexport || !u.glob) continue;
      const target = resolveModule(mod, u.segs);
      if (target && get(target)) {
        const found = itemFile(target, name, depth + 1);
        const tm = get(target);
        if (found && (found !== tm.file || tm.parsed.defines.has(name))) return found;
      }
    }
    return m.file;
  };

  /** Where a path's leading segments point in the tree, or null for another crate. */
  const start = (mod, segs) => {
    let i = 0;
    let at = mod;
    if (segs[0] === "crate") return { at: [], i: 1 };
    if (segs[0] === "self") return { at: mod, i: 1 };
    while (segs[i] === "super") (at = at.slice(0, -1)), i++;
    if (i > 0) return { at, i };
    if (has([...mod, segs[0]])) return { at: mod, i: 0 };
    return null;
  };

  const resolveModule = (mod, segs) => {
    const s = start(mod, segs);
    if (!s) return null;
    let at = s.at;
    for (let i = s.i; i < segs.length; i++) {
      if (!has([...at, segs[i]])) return null;
      at = [...at, segs[i]];
    }
    return at;
  };

  /** Resolves a path used in module `mod` to {file, module?}, or null (another crate). */
  const resolve = (mod, segs, depth = 0) => {
    const s = start(mod, segs);
    if (!s) return null;
    let at = s.at;
    for (let i = s.i; i < segs.length; i++) {
      if (has([...at, segs[i]])) {
        at = [...at, segs[i]];
        continue;
      }
      return { file: itemFile(at, segs[i], depth) };
    }
    return { file: get(at)?.file ?? null, module: at };
  };

  const out = [];
  for (const m of modules.values()) {
    const add = (target, line) => {
      if (target?.file && target.file !== m.file) out.push({ from: m.file, to: target.file, line });
    };
    // Names bound to modules by this file's `use`s, for paths in code like `reply::json`.
    const aliases = new Map();
    for (const u of m.parsed.uses) {
      if (u.glob) {
        if (!u.reexport) add(resolve(m.mod, u.segs), u.line);
        continue;
      }
      const target = resolve(m.mod, u.segs);
      if (!target) continue;
      if (target.module) aliases.set(u.alias ?? u.segs[u.segs.length - 1], target.module);
      else if (!u.reexport) add(target, u.line);
    }
    for (const c of m.parsed.code) {
      const bound = aliases.get(c.segs[0]);
      if (bound && !KEYWORDS.has(c.segs[0])) {
        add(resolve(bound, ["self", ...c.segs.slice(1)]), c.line);
      } else if (KEYWORDS.has(c.segs[0]) || has([...m.mod, c.segs[0]])) {
        if (c.segs[0] === "Self") continue;
        add(resolve(m.mod, c.segs), c.line);
      }
    }
  }
  return out;
}

/** Strongly connected components with more than one node (Tarjan). */
export function cycles(nodes, edgeList) {
  const adj = new Map(nodes.map((n) => [n, []]));
  for (const e of edgeList) adj.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}

/** The top-level module a file belongs to: `http/api.rs` → `http`, `app.rs` → `app`. */
export const topLevel = (file) => file.split("/")[0].replace(/\.rs$/, "");

/** Both checks on one source tree: {files, modules} cycles, each with its edges. */
export function check(srcDir) {
  const modules = loadCrate(srcDir);
  const all = edges(modules);
  const files = [...modules.values()].map((m) => m.file);
  const fileCycles = cycles(files, all).map((comp) => ({
    nodes: comp,
    edges: all.filter((e) => comp.includes(e.from) && comp.includes(e.to)),
  }));
  const tops = [...new Set(files.map(topLevel))];
  const topEdges = all
    .map((e) => ({ ...e, from: topLevel(e.from), to: topLevel(e.to), file: e.from }))
    .filter((e) => e.from !== e.to && e.from !== "lib");
  const moduleCycles = cycles(tops, topEdges).map((comp) => ({
    nodes: comp,
    edges: topEdges.filter((e) => comp.includes(e.from) && comp.includes(e.to)),
  }));
  return { files: fileCycles, modules: moduleCycles, edgeCount: all.length, fileCount: files.length };
}

function report(title, found, label) {
  if (found.length === 0) return;
  console.log(`${title}: ${found.length}`);
  for (const c of found) {
    console.log(`  cycle through ${c.nodes.join(", ")}`);
    const seen = new Set();
    for (const e of c.edges) {
      const key = `${label(e)} -> ${e.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      console.log(`    ${key}  (line ${e.line})`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const srcDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "src");
  const result = check(srcDir);
  report("import cycles between files", result.files, (e) => e.from);
  report("import cycles between top-level modules", result.modules, (e) => `${e.from} (${e.file})`);
  if (result.files.length + result.modules.length > 0) process.exit(1);
  console.log(`no import cycles: ${result.fileCount} files, ${result.edgeCount} imports`);
}
