//! A real SMTP server for the email tests: Python's `aiosmtpd` (installed by
//! `scripts/install-test-deps.sh`) on a free loopback port, started per test by
//! [`SmtpServer::start`], writing each accepted message to a directory as JSON with its
//! decoded parts (`smtp_sink.py`), which [`SmtpServer::wait_for`] reads.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The sink script, run with `python3 -c`.
const SCRIPT: &str = include_str!("smtp_sink.py");

/// One received email, as `smtp_sink.py` wrote it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The whole record (envelope, headers, parts, raw).
    pub json: Value,
}

impl Mail {
    /// The envelope recipients.
    pub fn to(&self) -> Vec<String> {
        self.json["rcpt_tos"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first header named `name` (case-insensitive), decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.json["headers"].as_array()?.iter().find_map(|h| {
            (h[0].as_str()?.eq_ignore_ascii_case(name)).then(|| h[1].as_str().map(String::from))?
        })
    }

    /// The decoded plain-text part.
    pub fn text(&self) -> String {
        self.json["text"].as_str().unwrap_or_default().to_string()
    }

    /// The decoded HTML part.
    pub fn html(&self) -> String {
        self.json["html"].as_str().unwrap_or_default().to_string()
    }
}

/// A running `aiosmtpd`; killed when dropped.
pub struct SmtpServer {
    /// The child process.
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Where it writes messages.
    dir: tempfile::TempDir,
}

/// The first interpreter that has aiosmtpd (pyenv's `python3` may lack Debian's module).
fn python() -> String {
    for candidate in ["python3", "/usr/bin/python3"] {
        let ok = Command::new(candidate)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return candidate.to_string();
        }
    }
    panic!("aiosmtpd is not installed: run scripts/install-test-deps.sh");
}

impl SmtpServer {
    /// Starts the server on a free port and waits until it listens.
    pub fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("mail dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let mut child = Command::new(python())
            .args(["-c", SCRIPT, &port.to_string()])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        assert_eq!(line.trim(), "ready", "aiosmtpd did not start");
        SmtpServer { child, port, dir }
    }

    /// The `--smtp-url` that reaches it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .map(|json| Mail { json })
            .collect()
    }

    /// Waits until `n` messages have arrived (at most `wait`) and returns them all.
    pub fn wait_for(&self, n: usize, wait: Duration) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n || start.elapsed() > wait {
                return mails;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
