//! The hash examples of `docs/IDENTITY.md` in Python and Node, run as written with the
//! machine's `python3` and `node`, must give deskbell's own HMAC for several user ids
//! (ASCII, non-ASCII, empty-looking) and secrets. A missing interpreter skips its
//! example, except under CI (`CI` set).

use std::process::Command;

use deskbell::identity::expected_hash;

/// The code block after `<!-- example: NAME -->` in the document.
pub fn example(doc: &str, name: &str) -> String {
    let marker = format!("<!-- example: {name} -->");
    let after = &doc[doc.find(&marker).expect("marker") + marker.len()..];
    let code = &after[after.find("```").expect("fence")..];
    let code = &code[code.find('\n').expect("fence line") + 1..];
    code[..code.find("```").expect("closing fence")].to_string()
}

const CASES: [(&str, &str); 3] = [
    (
        "1f0c9d2a7be84c13a5e06d9b2f47c8e1d3a6b5c4f2e1d0c9b8a7f6e5d4c3b2a1",
        "12345",
    ),
    ("s3cret", "user-王芳@shop"),
    ("another secret with spaces", "0"),
];

fn run(program: &str, source: String, call: &str, dir: &std::path::Path) -> Vec<String> {
    let file = dir.join(format!("example-{program}"));
    let mut script = source;
    for (secret, user) in CASES {
        script.push_str(&call.replace("SECRET", secret).replace("USER", user));
        script.push('\n');
    }
    std::fs::write(&file, script).expect("write example");
    let output = Command::new(program)
        .arg(&file)
        .output()
        .expect("run example");
    assert!(
        output.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_documented_hash_examples_agree_with_the_server() {
    let doc = include_str!("../../docs/IDENTITY.md");
    let want: Vec<String> = CASES.iter().map(|(s, u)| expected_hash(s, u)).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let strict = std::env::var_os("CI").is_some();
    let examples = [
        (
            "python3",
            example(doc, "python"),
            "print(deskbell_hash(\"SECRET\", \"USER\"))",
        ),
        (
            "node",
            example(doc, "node"),
            "console.log(deskbellHash(\"SECRET\", \"USER\"));",
        ),
    ];
    for (program, source, call) in examples {
        let present = Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            assert!(!strict, "{program} is missing under CI");
            eprintln!("skipping the {program} example: {program} is not installed");
            continue;
        }
        assert_eq!(run(program, source, call, dir.path()), want, "{program}");
    }
    // The example secret is a real one's shape: the PHP and Go examples are in the
    // document too (not run here: no php or go on the test machines).
    for name in ["php", "go"] {
        assert!(example(doc, name).contains("sha256"), "{name}");
    }
}
