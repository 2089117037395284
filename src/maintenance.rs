//! The data-safety commands: `backup`, `restore` and `export`. Backup and export go
//! through the running server's control socket when a server holds the data directory,
//! and open the database directly when none does; restore needs the server stopped.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::control;
use crate::error::Error;
use crate::store::{DB_FILE, ExportFormat, Store};

/// Shows progress on a terminal (standard error), quietly otherwise.
struct Progress {
    on_terminal: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            on_terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, text: &str) {
        if self.on_terminal {
            eprint!("\r{text}\x1b[K");
        }
    }

    fn done(&self) {
        if self.on_terminal {
            eprintln!();
        }
    }
}

fn server_running(data_dir: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(data_dir.join(control::SOCKET_FILE)).is_ok()
}

fn open_offline(data_dir: &Path) -> Result<Store, Error> {
    if !data_dir.join(DB_FILE).exists() {
        return Err(Error::Usage(format!(
            "there is no deskbell data in {}",
            data_dir.display()
        )));
    }
    Ok(Store::open(data_dir)?)
}

/// Writes a consistent copy of the database to `to`; returns its size in bytes.
pub fn backup(data_dir: &Path, to: &Path) -> Result<u64, Error> {
    let progress = Progress::new();
    let partial = to.with_extension("partial");
    let size = match control::request(data_dir, "backup")
        .map_err(Error::io("asking the server for a backup"))?
    {
        Some((size, mut reader)) => {
            let total: u64 = size.trim().parse().unwrap_or(0);
            let mut file = std::fs::File::create(&partial)
                .map_err(Error::io(format!("creating {}", partial.display())))?;
            let mut buf = vec![0u8; 256 * 1024];
            let mut written = 0u64;
            loop {
                let n = reader
                    .read(&mut buf)
                    .map_err(Error::io("receiving the backup"))?;
                if n == 0 {
                    break;
                }
                file.write_all(&buf[..n])
                    .map_err(Error::io("writing the backup"))?;
                written += n as u64;
                progress.show(&format!("backup: {} of {} MB", written >> 20, total >> 20));
            }
            if written != total {
                let _ = std::fs::remove_file(&partial);
                return Err(Error::Usage(format!(
                    "the backup was cut short ({written} of {total} bytes)"
                )));
            }
            file.sync_all().map_err(Error::io("syncing the backup"))?;
            written
        }
        None => {
            let store = open_offline(data_dir)?;
            store.backup_to(&partial, &mut |rows| {
                progress.show(&format!("backup: {rows} rows copied"))
            })?;
            std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0)
        }
    };
    std::fs::rename(&partial, to).map_err(Error::io(format!("writing {}", to.display())))?;
    progress.done();
    Ok(size)
}

/// Puts a backup in place in a stopped data directory; returns the database path.
pub fn restore(data_dir: &Path, from: &Path) -> Result<PathBuf, Error> {
    if server_running(data_dir) {
        return Err(Error::Usage(format!(
            "a deskbell server is running on {}; stop it first (e.g. systemctl stop deskbell)",
            data_dir.display()
        )));
    }
    let progress = Progress::new();
    progress.show("restore: checking and copying the backup");
    let path = crate::store::restore(from, data_dir)?;
    progress.done();
    Ok(path)
}

/// Writes every conversation in `format` to `out`.
pub fn export(data_dir: &Path, format: ExportFormat, out: &mut dyn Write) -> Result<(), Error> {
    let command = match format {
        ExportFormat::JsonLines => "export jsonl",
        ExportFormat::Csv => "export csv",
    };
    match control::request(data_dir, command)
        .map_err(Error::io("asking the server for an export"))?
    {
        Some((_, mut reader)) => {
            std::io::copy(&mut reader, out).map_err(Error::io("receiving the export"))?;
        }
        None => {
            open_offline(data_dir)?.export(format, out)?;
        }
    }
    out.flush().map_err(Error::io("writing the export"))
}
