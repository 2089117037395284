//! The real `deskbell` binary as a child process: started on 127.0.0.1:0, its address
//! read from the `listening on` line, its output collected, killed when dropped.

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::WAIT;

/// The `deskbell` binary running as a child process.
pub struct Binary {
    /// The child process (killed on drop if still running).
    pub child: std::process::Child,
    /// The address from its `listening on` line.
    pub addr: SocketAddr,
    /// Everything the process wrote to stdout (logs included), collected by a thread.
    pub stdout: Arc<std::sync::Mutex<String>>,
    /// Everything the process wrote to stderr.
    pub stderr: Arc<std::sync::Mutex<String>>,
}

/// Copies a child's stream into a shared string; sends each line on `lines`.
fn drain(
    stream: impl Read + std::marker::Send + 'static,
    into: Arc<std::sync::Mutex<String>>,
    lines: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut all) = into.lock() {
                all.push_str(&line);
                all.push('\n');
            }
            if let Some(lines) = &lines {
                let _ = lines.send(line);
            }
        }
    });
}

impl Binary {
    /// Runs `deskbell serve --listen 127.0.0.1:0 --data DIR EXTRA…` and waits for its
    /// `listening on http(s)://ADDR` line.
    pub fn serve(data: &Path, extra: &[&str]) -> Binary {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell"));
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra);
        Self::start(command)
    }

    /// Like [`Binary::serve`], started from a shell that first sets the open files limit
    /// (soft and hard) to `max_files`.
    pub fn serve_limited(data: &Path, max_files: u32, extra: &[&str]) -> Binary {
        let mut command = std::process::Command::new("bash");
        command
            .arg("-c")
            .arg(format!("ulimit -n {max_files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_deskbell"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra);
        Self::start(command)
    }

    fn start(mut command: std::process::Command) -> Binary {
        let mut child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("deskbell starts");
        let stdout = Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let (lines_tx, lines) = std::sync::mpsc::channel();
        drain(
            child.stdout.take().expect("stdout"),
            stdout.clone(),
            Some(lines_tx),
        );
        drain(child.stderr.take().expect("stderr"), stderr.clone(), None);
        let addr = loop {
            match lines.recv_timeout(WAIT) {
                Ok(line) => {
                    if let Some(addr) = line
                        .split("listening on ")
                        .nth(1)
                        .and_then(|url| url.split("://").nth(1))
                    {
                        break addr.trim().parse().expect("printed address parses");
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "no `listening on` line ({e}); stderr: {}",
                        stderr.lock().map(|s| s.clone()).unwrap_or_default()
                    );
                }
            }
        };
        Binary {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    /// Waits up to `wait` for the process to exit; its status, or None if still running.
    pub fn wait_exit(&mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
