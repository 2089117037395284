//! Build script: embeds the browser files under `web/` into the binary, so deskbell
//! serves its widget and console with nothing else installed (and no Node.js to build).
//!
//! - every file under `web/console/` and `web/demo/` is served at the same path
//!   (`web/console/app.js` → `/console/app.js`);
//! - the widget is one file, `/widget.js`: the files listed in `web/widget/bundle.txt`,
//!   concatenated in that order, each line without its indentation, without
//!   comment-only lines (a line whose text starts with `//`, and `/* … */` blocks that
//!   start and end a line, over one line or several; a `/*! … */` banner is kept), and
//!   without a ` // …` comment after code when no quote comes before it: every visitor
//!   downloads it, and comments and indentation are a sixth of it gzipped. `tests/browser/harness.mjs` applies the same rule for the size test.
//!   (The widget's code has no template literals, whose lines would change meaning.)
//!
//! It also deflates the built-in model (`models/use-m-en-zh-int8.onnx`, 32.8 MB →
//! ~16.4 MB in the binary; `intent::model` inflates it once at start) and writes its
//! SHA-256, the model's id, so the server need not hash 33 MB at every start (a quarter
//! of a second on a Raspberry Pi 4, whose CPU has no SHA instructions).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The lines of a widget file that go into the bundle, without indentation: every line
/// but comment-only ones (`// …`, and `/* … */` blocks that start and end a line, over
/// one line or several; a `/*! … */` banner is kept).
fn bundle_lines(file: &str) -> Vec<&str> {
    let mut kept = Vec::new();
    let mut in_block = false;
    for text in file.lines().map(str::trim) {
        if in_block {
            in_block = !text.ends_with("*/");
            continue;
        }
        if text.starts_with("/*") && !text.starts_with("/*!") {
            let rest = &text[2..];
            match rest.find("*/") {
                None => in_block = true,
                Some(end) if end + 2 == rest.len() => {}
                Some(_) => kept.push(text),
            }
            continue;
        }
        if !text.starts_with("//") {
            kept.push(without_trailing_comment(text));
        }
    }
    kept
}

/// `line` without a ` // …` comment after its code: cut at the first `// ` that follows
/// a space or tab, unless a quote (`'`, `"`, `` ` ``) comes before it (the `//` may then be
/// inside a string), in which case the line is kept whole.
fn without_trailing_comment(line: &str) -> &str {
    for (i, _) in line.match_indices("// ") {
        if !line[..i].ends_with([' ', '\t']) {
            continue;
        }
        if line[..i].contains(['\'', '"', '`']) {
            return line;
        }
        return line[..i].trim_end();
    }
    line
}

fn main() {
    println!("cargo:rerun-if-changed=web");
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let web = manifest.join("web");

    let mut bundle = String::new();
    let list = fs::read_to_string(web.join("widget/bundle.txt"))
        .expect("web/widget/bundle.txt lists the widget's files");
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let part = fs::read_to_string(web.join("widget").join(name))
            .expect("a file named in bundle.txt exists");
        for line in bundle_lines(&part) {
            bundle.push_str(line);
            bundle.push('\n');
        }
    }
    let widget = out_dir.join("widget.js");
    fs::write(&widget, bundle).expect("writing the widget bundle");

    let mut files = Vec::new();
    files_under(&web.join("console"), &mut files);
    files_under(&web.join("demo"), &mut files);
    files.sort();
    let mut table = String::from(
        "/// Embedded files: (URL path, contents).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    let _ = writeln!(
        table,
        "    (\"/widget.js\", include_bytes!({:?})),",
        widget.display().to_string()
    );
    for file in files {
        let relative = file
            .strip_prefix(&web)
            .expect("under web/")
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            table,
            "    (\"/{relative}\", include_bytes!({:?})),",
            file.display().to_string()
        );
    }
    table.push_str("];\n");
    fs::write(out_dir.join("assets.rs"), table).expect("writing the asset table");
    deflate_model(&manifest, &out_dir);
}

/// Writes `OUT_DIR/model.onnx.deflate` (the built-in model, deflated),
/// `OUT_DIR/model.onnx.sha256` (its SHA-256 in hex) and `OUT_DIR/model.onnx.len` (its
/// size in bytes, a Rust literal, so it is inflated into a buffer of the right size).
fn deflate_model(manifest: &Path, out_dir: &Path) {
    let model = manifest.join("models/use-m-en-zh-int8.onnx");
    println!("cargo:rerun-if-changed={}", model.display());
    let bytes = fs::read(&model).expect("models/use-m-en-zh-int8.onnx is in the repository");
    let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 9);
    fs::write(out_dir.join("model.onnx.deflate"), deflated).expect("writing the deflated model");
    fs::write(
        out_dir.join("model.onnx.len"),
        format!("{}usize", bytes.len()),
    )
    .expect("writing the model's size");
    let mut id = String::with_capacity(64);
    for byte in Sha256::digest(&bytes) {
        write!(id, "{byte:02x}").expect("writing to a String");
    }
    fs::write(out_dir.join("model.onnx.sha256"), id).expect("writing the model's id");
}
