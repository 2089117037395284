//! `scripts/install.sh` under `--root` (no systemd needed): what it installs, that a
//! second run changes nothing the owner edited, that uninstalling keeps the data unless
//! asked, and that a binary for another board is refused with a clear message.

use std::path::Path;
use std::process::{Command, Output};

fn install(root: &Path, args: &[&str]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh");
    Command::new("sh")
        .arg(script)
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("sh runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn install_upgrade_and_uninstall_under_a_root() {
    let root = tempfile::tempdir().expect("tempdir");
    let root = root.path();
    let binary = env!("CARGO_BIN_EXE_deskbell");
    let first = install(root, &[binary]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains(&format!("deskbell {}", env!("CARGO_PKG_VERSION"))));
    let installed = root.join("usr/local/bin/deskbell");
    assert_eq!(
        std::fs::read(&installed).expect("binary installed"),
        std::fs::read(binary).expect("binary")
    );
    let unit = std::fs::read_to_string(root.join("etc/systemd/system/deskbell.service"))
        .expect("unit installed");
    assert_eq!(unit, deskbell::cli::SYSTEMD_UNIT);
    assert!(unit.contains("Type=notify") && unit.contains("ExecStart=/usr/local/bin/deskbell"));
    let env_file = root.join("etc/deskbell/deskbell.env");
    assert!(
        std::fs::read_to_string(&env_file)
            .expect("env file")
            .contains("DESKBELL_OPTS=--listen 0.0.0.0:8080")
    );

    // The owner edits the flags; data appears; a second run keeps both.
    let edited = "DESKBELL_OPTS=--listen 0.0.0.0:9090 --no-bot\n";
    std::fs::write(&env_file, edited).expect("edit");
    let data = root.join("var/lib/deskbell");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::write(data.join("setup-code.txt"), "ABCD-EFGH-JKLM\n").expect("code");
    let again = install(root, &[installed.to_str().expect("utf-8")]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(std::fs::read_to_string(&env_file).expect("env"), edited);
    assert!(text(&again).contains(":9090/"), "{}", text(&again));
    assert!(text(&again).contains("ABCD-EFGH-JKLM"), "{}", text(&again));

    let removed = install(root, &["--uninstall"]);
    assert!(removed.status.success(), "{}", text(&removed));
    assert!(!installed.exists());
    assert!(!root.join("etc/systemd/system/deskbell.service").exists());
    assert!(data.join("setup-code.txt").exists(), "data kept");
    assert!(env_file.exists(), "settings kept");

    let purged = install(root, &["--uninstall", "--purge"]);
    assert!(purged.status.success(), "{}", text(&purged));
    assert!(!data.exists() && !env_file.exists());
}

#[test]
fn a_binary_for_another_board_is_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let foreign = root.path().join("deskbell-armv7");
    // A bare ELF header: the kernel refuses to run it, as it does a binary for another CPU.
    let mut elf = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0];
    elf.resize(64, 0);
    std::fs::write(&foreign, elf).expect("write");
    let refused = install(root.path(), &[foreign.to_str().expect("utf-8")]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("does not run on this machine"),
        "{}",
        text(&refused)
    );
    assert!(!root.path().join("usr/local/bin/deskbell").exists());
    let missing = install(root.path(), &["no-such-file"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("no such file"),
        "{}",
        text(&missing)
    );
}
