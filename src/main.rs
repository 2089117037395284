//! The `deskbell` command: flags → config → logging → serve (or an offline admin task).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use deskbell::cli::{AddAdminArgs, Cli, Command, data_dir};
use deskbell::server::Server;
use futures_lite::StreamExt;

/// glibc builds use jemalloc with its background purge thread: glibc's malloc kept every
/// page of a burst of connections after they closed (RSS 101 → 219 MB for 10,000 and it
/// stayed there), jemalloc gives them back within seconds (docs/BENCHMARKS.md, issue #9).
/// The static musl builds keep musl's allocator, which returns them by itself.
#[cfg(target_env = "gnu")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    let result = match cli.command {
        Command::Serve(args) => {
            init_logging(args.log.as_deref());
            args.into_config().and_then(serve)
        }
        Command::AddAdmin(args) => {
            init_logging(None);
            add_admin(args)
        }
        Command::Backup(args) => {
            init_logging(Some("warn"));
            let dir = data_dir(args.data);
            deskbell::maintenance::backup(&dir, &args.to).map(|bytes| {
                println!(
                    "backed up {} to {} ({bytes} bytes)",
                    dir.display(),
                    args.to.display()
                );
            })
        }
        Command::Restore(args) => {
            init_logging(Some("warn"));
            let dir = data_dir(args.data);
            deskbell::maintenance::restore(&dir, &args.from)
                .map(|path| println!("restored {} into {}", args.from.display(), path.display()))
        }
        Command::Export(args) => {
            init_logging(Some("warn"));
            export(args)
        }
        Command::Reindex(args) => {
            init_logging(Some("warn"));
            let dir = data_dir(args.data);
            deskbell::indexing::rebuild(&dir)
                .map(|t| {
                    println!(
                        "indexed {} conversations ({} messages) and {} visitors in {}",
                        t.conversations,
                        t.messages,
                        t.visitors,
                        dir.display()
                    )
                })
                .map_err(Into::into)
        }
        Command::SystemdUnit(_) => {
            print!("{}", deskbell::cli::SYSTEMD_UNIT);
            Ok(())
        }
        Command::Version(_) => {
            println!("deskbell {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskbell: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: Option<&str>) {
    let filter = filter
        .map(str::to_string)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info".to_string());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(std::io::stdout().is_terminal())
        .init();
}

fn serve(config: deskbell::config::Config) -> Result<(), deskbell::error::Error> {
    use async_signal::Signal;
    let signals = async_signal::Signals::new([Signal::Term, Signal::Int, Signal::Hup])
        .map_err(deskbell::error::Error::io("installing signal handlers"))?;
    deskbell::http::limits::raise_open_files_limit();
    let server = Server::start(config)?;
    println!(
        "deskbell {} listening on {}://{}",
        env!("CARGO_PKG_VERSION"),
        if server.is_tls() { "https" } else { "http" },
        server.addr()
    );
    deskbell::notify::notify("READY=1");
    let mut signals = signals;
    let signal = loop {
        match smol::block_on(signals.next()) {
            // SIGHUP: re-read the TLS certificate and key (certbot renewals).
            Some(Ok(Signal::Hup)) => match server.reload_tls() {
                Ok(()) if server.is_tls() => tracing::info!("reloaded the TLS certificate"),
                Ok(()) => tracing::info!("SIGHUP ignored: TLS is not enabled"),
                Err(e) => {
                    tracing::error!(error = %e, "TLS reload failed; keeping the old certificate")
                }
            },
            other => break other,
        }
    };
    tracing::info!(?signal, "stopping");
    deskbell::notify::notify("STOPPING=1");
    server.shutdown();
    Ok(())
}

fn export(args: deskbell::cli::ExportArgs) -> Result<(), deskbell::error::Error> {
    let format = match args.format.as_str() {
        "jsonl" | "json" => deskbell::store::ExportFormat::JsonLines,
        "csv" => deskbell::store::ExportFormat::Csv,
        other => {
            return Err(deskbell::error::Error::Usage(format!(
                "--format is jsonl or csv, not {other}"
            )));
        }
    };
    let dir = data_dir(args.data);
    match args.to {
        Some(path) => {
            let file = std::fs::File::create(&path).map_err(deskbell::error::Error::io(
                format!("creating {}", path.display()),
            ))?;
            deskbell::maintenance::export(&dir, format, &mut std::io::BufWriter::new(file))
        }
        None => deskbell::maintenance::export(&dir, format, &mut std::io::stdout().lock()),
    }
}

fn add_admin(args: AddAdminArgs) -> Result<(), deskbell::error::Error> {
    eprintln!(
        "Password for {} (input is read from standard input):",
        args.name
    );
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(deskbell::error::Error::io("reading the password"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let dir = data_dir(args.data);
    let id = deskbell::accounts::add_admin_offline(&dir, &args.name, &password)?;
    println!("created admin {} (id {id}) in {}", args.name, dir.display());
    Ok(())
}
