//! The control socket, `DATA/control.sock` (mode 0600): how `deskbell backup` and
//! `deskbell export` reach a running server, which holds the database file's lock.
//! One command per connection, one line: `backup`, `export jsonl` or `export csv`. The
//! answer is a line `ok [bytes]` followed by the data, or `error <why>`.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use smol::Async;

use crate::store::{ExportFormat, Store};

/// File name of the control socket inside the data directory.
pub const SOCKET_FILE: &str = "control.sock";

/// Binds the control socket (replacing a stale one) readable only by this user.
pub fn bind(data_dir: &Path) -> std::io::Result<Async<UnixListener>> {
    let path = data_dir.join(SOCKET_FILE);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Async::new(listener)
}

/// Serves control connections until `stop` closes; each is handled on a thread of its
/// own that ends with it (a backup streams for as long as the client reads, so it must
/// not hold a reader thread; commands are rare and local).
pub async fn serve(
    listener: Async<UnixListener>,
    store: Store,
    data_dir: PathBuf,
    stop: async_channel::Receiver<()>,
) {
    loop {
        let accepted = futures_lite::future::or(async { Some(listener.accept().await) }, async {
            let _ = stop.recv().await;
            None
        })
        .await;
        let stream = match accepted {
            Some(Ok((stream, _))) => stream,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "control socket accept failed");
                continue;
            }
            None => break,
        };
        let (store, dir) = (store.clone(), data_dir.clone());
        let spawned = std::thread::Builder::new()
            .name("deskbell-control".into())
            .spawn(move || {
                if let Ok(stream) = stream.into_inner() {
                    let _ = stream.set_nonblocking(false);
                    if let Err(e) = handle(stream, &store, &dir) {
                        tracing::warn!(error = %e, "control command failed");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "control command refused: no thread for it");
        }
    }
    let _ = std::fs::remove_file(data_dir.join(SOCKET_FILE));
}

fn handle(mut stream: UnixStream, store: &Store, data_dir: &Path) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(stream.try_clone()?)
        .take(256)
        .read_line(&mut line)?;
    match line.trim() {
        "backup" => {
            let snapshot = data_dir.join(format!("backup-{}.redb", std::process::id()));
            let result = store.backup_to(&snapshot, &mut |_| {});
            match result {
                Ok(rows) => {
                    let size = std::fs::metadata(&snapshot)?.len();
                    tracing::info!(
                        rows,
                        bytes = size,
                        "backup taken through the control socket"
                    );
                    writeln!(stream, "ok {size}")?;
                    let copied = std::io::copy(&mut std::fs::File::open(&snapshot)?, &mut stream);
                    let _ = std::fs::remove_file(&snapshot);
                    copied.map(|_| ())
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&snapshot);
                    writeln!(stream, "error {e}")
                }
            }
        }
        "export jsonl" | "export csv" => {
            let format = if line.trim().ends_with("csv") {
                ExportFormat::Csv
            } else {
                ExportFormat::JsonLines
            };
            writeln!(stream, "ok")?;
            let mut out = std::io::BufWriter::new(stream);
            store
                .export(format, &mut out)
                .map(|_| ())
                .map_err(std::io::Error::other)
        }
        other => writeln!(stream, "error unknown command {other:?}"),
    }
}

/// Sends a command to the server running on `data_dir`. `Ok(None)` when no server is
/// listening; otherwise the text after `ok` and the stream carrying the data.
pub fn request(
    data_dir: &Path,
    command: &str,
) -> std::io::Result<Option<(String, BufReader<UnixStream>)>> {
    let mut stream = match UnixStream::connect(data_dir.join(SOCKET_FILE)) {
        Ok(stream) => stream,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    writeln!(stream, "{command}")?;
    let mut reader = BufReader::new(stream);
    let mut header = String::new();
    reader.read_line(&mut header)?;
    match header
        .trim_end()
        .split_once(' ')
        .unwrap_or((header.trim_end(), ""))
    {
        ("ok", rest) => Ok(Some((rest.to_string(), reader))),
        ("error", why) => Err(std::io::Error::other(format!("the server refused: {why}"))),
        _ => Err(std::io::Error::other(format!(
            "unexpected answer from the server: {header:?}"
        ))),
    }
}
