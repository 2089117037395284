//! The verification examples of `docs/WEBHOOKS.md` (Python with `standardwebhooks`,
//! Python with the standard library, Node with `node:crypto`), each run as written
//! against a real signed delivery: it must accept it, and refuse a changed body and a
//! wrong secret. An interpreter or package that is missing skips its example, except
//! under CI (`CI` set), where `scripts/install-test-deps.sh` installs them.

use std::process::Command;

use serde_json::Value;

use super::{create, ping, server};
use crate::harness::{Received, Receiver, WAIT};

/// The code block after `<!-- example: NAME -->` in the document.
fn example(doc: &str, name: &str) -> String {
    let marker = format!("<!-- example: {name} -->");
    let after = &doc[doc.find(&marker).expect("marker") + marker.len()..];
    let start = after.find("```").expect("fence");
    let code = &after[start..];
    let code = &code[code.find('\n').expect("fence line") + 1..];
    code[..code.find("```").expect("closing fence")].to_string()
}

/// Appended to the Python examples: prints [genuine, changed body, wrong secret].
const PYTHON_DRIVER: &str = r#"
import json as _json, os as _os
_h = _json.loads(_os.environ["WH_HEADERS"])
_b = open(_os.environ["WH_BODY"], "rb").read()
print(_json.dumps([verify(_os.environ["WH_SECRET"], _h, _b),
                   verify(_os.environ["WH_SECRET"], _h, _b + b" "),
                   verify(_os.environ["WH_OTHER_SECRET"], _h, _b)]))
"#;

/// The same for Node.
const NODE_DRIVER: &str = r#"
const _fs = require("node:fs");
const _h = JSON.parse(process.env.WH_HEADERS);
const _b = _fs.readFileSync(process.env.WH_BODY);
console.log(JSON.stringify([verify(process.env.WH_SECRET, _h, _b),
  verify(process.env.WH_SECRET, _h, Buffer.concat([_b, Buffer.from(" ")])),
  verify(process.env.WH_OTHER_SECRET, _h, _b)]));
"#;

/// Whether `program args…` runs and exits 0.
fn available(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs one example; None when its interpreter or package is missing (outside CI).
fn run(
    program: &str,
    file: &std::path::Path,
    delivery: &Received,
    secret: &str,
    dir: &std::path::Path,
) -> Value {
    let body = dir.join("body");
    std::fs::write(&body, &delivery.body).expect("write body");
    let headers = serde_json::to_string(&delivery.headers).expect("headers");
    let output = Command::new(program)
        .arg(file)
        .env("WH_HEADERS", headers)
        .env("WH_BODY", &body)
        .env("WH_SECRET", secret)
        .env("WH_OTHER_SECRET", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{program} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("the driver prints JSON")
}

#[test]
fn the_documented_examples_verify_a_real_delivery() {
    let server = server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let (status, created) = create(&server, &admin, &receiver.url("/"), &["message.visitor"]);
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_string();
    receiver.set_secret(&secret);
    let (_, result) = ping(&server, &admin, created["id"].as_u64().expect("id"));
    assert_eq!(result["ok"], true, "{result}");
    let delivery = receiver.wait_for(1, WAIT).remove(0);
    assert!(delivery.verified, "the harness's own check");

    let doc = include_str!("../../../docs/WEBHOOKS.md");
    let dir = tempfile::tempdir().expect("tempdir");
    let strict = std::env::var_os("CI").is_some();
    let python = available("python3", &["--version"]);
    let library = python && available("python3", &["-c", "import standardwebhooks"]);
    let node = available("node", &["--version"]);
    let cases = [
        (
            "python-standardwebhooks",
            "python3",
            library,
            PYTHON_DRIVER,
            "py",
        ),
        ("python-hmac", "python3", python, PYTHON_DRIVER, "py"),
        ("node-crypto", "node", node, NODE_DRIVER, "js"),
    ];
    for (name, program, present, driver, ext) in cases {
        if !present {
            assert!(
                !strict,
                "{name}: {program} (or its package) is missing under CI"
            );
            eprintln!("skipping the {name} example: {program} or its package is missing");
            continue;
        }
        let file = dir.path().join(format!("{name}.{ext}"));
        std::fs::write(&file, example(doc, name) + driver).expect("write example");
        let verdicts = run(program, &file, &delivery, &secret, dir.path());
        assert_eq!(
            verdicts,
            serde_json::json!([true, false, false]),
            "{name}: accepts the delivery, refuses a changed body and a wrong secret"
        );
    }
}
