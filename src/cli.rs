//! Command-line flags (argh). `crate::cli_serve` checks `serve`'s and turns them into
//! the server's `Config`.

use std::net::SocketAddr;
use std::path::PathBuf;

use argh::FromArgs;

/// deskbell: a self-hosted live-chat desk for tiny shops.
#[derive(FromArgs, Debug)]
pub struct Cli {
    /// what to do
    #[argh(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(FromArgs, Debug)]
#[argh(subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once at start; argh cannot parse into a Box"
)]
pub enum Command {
    /// Run the chat server.
    Serve(ServeArgs),
    /// Create an admin account offline (server stopped).
    AddAdmin(AddAdminArgs),
    /// Copy the database to a file (works while the server runs).
    Backup(BackupArgs),
    /// Put a backup in place (server stopped).
    Restore(RestoreArgs),
    /// Write all conversations as JSON lines or CSV.
    Export(ExportArgs),
    /// Rebuild the search index (server stopped).
    Reindex(ReindexArgs),
    /// Print the systemd unit this binary is meant to run under (for install.sh).
    SystemdUnit(SystemdUnitArgs),
    /// Print the version.
    Version(VersionArgs),
}

/// Print the systemd unit (`systemd/deskbell.service`, compiled in).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "systemd-unit")]
pub struct SystemdUnitArgs {}

/// Print deskbell's version.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "version")]
pub struct VersionArgs {}

/// The systemd unit file shipped with this version.
pub const SYSTEMD_UNIT: &str = include_str!("../systemd/deskbell.service");

/// Copy the database to a file, consistently, while the server runs or not.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "backup")]
pub struct BackupArgs {
    /// data directory (same default as serve; /var/lib/deskbell for the system service)
    #[argh(option)]
    pub data: Option<PathBuf>,
    /// the backup file to write
    #[argh(option)]
    pub to: PathBuf,
}

/// Restore a backup into a stopped server's data directory (the old database is kept
/// as deskbell.redb.before-restore).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "restore")]
pub struct RestoreArgs {
    /// data directory (same default as serve)
    #[argh(option)]
    pub data: Option<PathBuf>,
    /// the backup file to restore
    #[argh(option)]
    pub from: PathBuf,
}

/// Forget the full-text search index of a stopped server's data directory and build
/// it again (a running server indexes older data by itself at start).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "reindex")]
pub struct ReindexArgs {
    /// data directory (same default as serve)
    #[argh(option)]
    pub data: Option<PathBuf>,
}

/// Write every conversation with its messages.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "export")]
pub struct ExportArgs {
    /// data directory (same default as serve)
    #[argh(option)]
    pub data: Option<PathBuf>,
    /// jsonl (one conversation per line, default) or csv (one message per row)
    #[argh(option, default = "String::from(\"jsonl\")")]
    pub format: String,
    /// file to write (default: standard output)
    #[argh(option)]
    pub to: Option<PathBuf>,
}

/// Run the chat server.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "serve")]
pub struct ServeArgs {
    /// address and port to listen on (default 127.0.0.1:8080; use 0.0.0.0:8080 to accept
    /// connections from the network, or keep it local behind a reverse proxy)
    #[argh(option, default = "default_listen()")]
    pub listen: SocketAddr,
    /// serve HTTPS and WSS with this PEM certificate chain (e.g. Let's Encrypt's
    /// fullchain.pem); needs --tls-key; re-read on SIGHUP (systemctl reload deskbell)
    #[argh(option)]
    pub tls_cert: Option<PathBuf>,
    /// the PEM private key for --tls-cert (e.g. privkey.pem); re-read on SIGHUP
    #[argh(option)]
    pub tls_key: Option<PathBuf>,
    /// directory for the database (default: $STATE_DIRECTORY under systemd, else
    /// $XDG_DATA_HOME/deskbell, else ~/.local/share/deskbell)
    #[argh(option)]
    pub data: Option<PathBuf>,
    /// executor threads (default: number of CPUs, at most 8)
    #[argh(option)]
    pub threads: Option<usize>,
    /// threads for storage reads (history replay, look-ups at hello); a burst of
    /// connections queues for them instead of starting threads (default 2)
    #[argh(option, default = "2")]
    pub reader_threads: usize,
    /// megabytes of database pages redb keeps in memory (default 16; redb's own default
    /// is 1024, which a busy server fills); the kernel's page cache still holds the file
    #[argh(option, default = "16")]
    pub cache_mb: usize,
    /// open conversations an agent is given automatically at most (default 5)
    #[argh(option, default = "5")]
    pub capacity: u32,
    /// seconds an agent may be disconnected before their conversations go back to the
    /// queue (default 60)
    #[argh(option, default = "60")]
    pub agent_grace_secs: u64,
    /// minutes without messages after which a conversation is closed; 0 = never
    /// (default 1440, one day)
    #[argh(option, default = "1440")]
    pub idle_close_mins: u64,
    /// seconds between WebSocket pings; silent connections are dropped after 2.4x this
    /// (default 25)
    #[argh(option, default = "25")]
    pub ping_secs: u64,
    /// largest chat message in bytes (default 8192)
    #[argh(option, default = "8192")]
    pub max_body_bytes: usize,
    /// frames per second a visitor connection may send on average (default 20; agent
    /// connections get ten times as much)
    #[argh(option, default = "20")]
    pub rate_per_sec: u32,
    /// frames one connection may send in a burst (default 40)
    #[argh(option, default = "40")]
    pub rate_burst: u32,
    /// KB of message text one visitor, and one client address, may send per hour;
    /// beyond it their messages are refused with text_quota until the hour is over
    /// (every kept text stays on disk). Agents have no such limit; 0 = no limit
    /// (default 4096)
    #[argh(option, default = "4096")]
    pub text_kb_per_hour: u64,
    /// new visitors (chat widgets without a saved visitor token) one client address may
    /// start per minute, also as a burst; 0 = no limit (default 30)
    #[argh(option, default = "30")]
    pub new_visitors_per_minute: u32,
    /// website origin allowed to open the visitor chat, e.g. https://shop.example;
    /// repeat for several; none = any origin
    #[argh(option)]
    pub allowed_origin: Vec<String>,
    /// the address people reach deskbell at, e.g. https://chat.shop.example (scheme,
    /// host, optional port; no path): the console accepts changes only from pages at
    /// this origin, the embed snippet points here, and with https the session cookie is
    /// Secure (also behind a TLS-terminating proxy). Default: each request's Host header
    #[argh(option)]
    pub public_url: Option<String>,
    /// address or range (CIDR, IPv4 or IPv6) of a reverse proxy whose Forwarded /
    /// X-Forwarded-For headers name the real client, e.g. 127.0.0.1; repeat for
    /// several. From any other peer those headers are ignored
    #[argh(option)]
    pub trusted_proxy: Vec<String>,
    /// address or range (CIDR) allowed to read /metrics besides loopback, e.g.
    /// 10.0.0.5 for a Prometheus elsewhere; repeat for several
    #[argh(option)]
    pub metrics_allow: Vec<String>,
    /// file holding a secret token that opens /metrics from anywhere with
    /// `Authorization: Bearer <token>` (kept in a file, never on the command line)
    #[argh(option)]
    pub metrics_token_file: Option<PathBuf>,
    /// open connections one client address may hold at once (default 128, enough for
    /// an office behind one NAT address); more are closed at once. Trusted proxies are
    /// not limited by their own address
    #[argh(option, default = "128")]
    pub max_connections_per_address: usize,
    /// delete closed conversations older than this many days, in the background
    /// (default: keep everything)
    #[argh(option)]
    pub retain_days: Option<u64>,
    /// largest file a visitor or agent may attach, in MB (default 10)
    #[argh(option, default = "10")]
    pub max_upload_mb: u64,
    /// most space all attachments may take together, in MB; uploads beyond it are
    /// refused with storage_full (default 2048)
    #[argh(option, default = "2048")]
    pub files_quota_mb: u64,
    /// MB one visitor, and one client address, may upload per hour (default 100)
    #[argh(option, default = "100")]
    pub upload_mb_per_hour: u64,
    /// use redb quick-repair commits: faster restart after a crash, slower writes
    #[argh(switch)]
    pub quick_repair: bool,
    /// let a message wait up to this many milliseconds for others to be written with
    /// it: fewer, larger writes (less wear on an SD card) for up to that much more
    /// latency per message; a busy server batches anyway (default 0: write at once;
    /// at most 100)
    #[argh(option, default = "0")]
    pub commit_window_ms: u64,
    /// run without the FAQ bot: every conversation goes straight to the agents
    #[argh(switch)]
    pub no_bot: bool,
    /// ONNX sentence-encoder file to use instead of the built-in model (same inputs,
    /// 512-d output and vocabulary as the built-in one)
    #[argh(option)]
    pub model: Option<PathBuf>,
    /// score (0-1) at which the bot answers an FAQ question itself (default 0.54)
    #[argh(option)]
    pub bot_answer_threshold: Option<f32>,
    /// score (0-1) from which FAQ answers are suggested to the agent instead (default
    /// 0.30); below it the conversation goes to the agents with no suggestion
    #[argh(option)]
    pub bot_suggest_threshold: Option<f32>,
    /// send email through this SMTP server: smtp://host[:port] (plain, port 25),
    /// smtp://host?tls=starttls (STARTTLS required, port 587) or smtps://host (implicit
    /// TLS, port 465), with an optional user[:password]@ before the host; prefer
    /// --smtp-password-file or $DESKBELL_SMTP_PASSWORD for the password (not seen in ps)
    #[argh(option)]
    pub smtp_url: Option<String>,
    /// file whose first line is the SMTP password (overrides the URL's and
    /// $DESKBELL_SMTP_PASSWORD)
    #[argh(option)]
    pub smtp_password_file: Option<PathBuf>,
    /// sender of every email, e.g. "Shop <chat@shop.example>" (needed with --smtp-url)
    #[argh(option)]
    pub smtp_from: Option<String>,
    /// at most one "a visitor is waiting" email per conversation in this many minutes:
    /// later messages wait and go out together (default 10)
    #[argh(option, default = "10")]
    pub email_batch_minutes: u64,
    /// let webhook URLs reach loopback, private (10.x, 192.168.x…), link-local and other
    /// non-public addresses, e.g. a receiver on the shop's own network. Off by default:
    /// anyone with an admin account could otherwise make deskbell call internal services
    #[argh(switch)]
    pub allow_private_webhooks: bool,
    /// refuse `deskbell.identify()` calls whose hash does not verify, on every site
    /// (otherwise they start an anonymous visit and nothing they claim is kept). One site
    /// can require it in Admin settings; docs/IDENTITY.md
    #[argh(switch)]
    pub require_identity: bool,
    /// a tuning and test knob: seconds an agent's reply waits before it is emailed to a
    /// visitor who left (skipped if they come back or read it meanwhile); default 300.
    /// The browser tests set 1
    #[argh(option, default = "300")]
    pub email_reply_delay_secs: u64,
    /// log filter, e.g. info, debug, deskbell=debug (default: $RUST_LOG or info)
    #[argh(option)]
    pub log: Option<String>,
    /// how push services can reach you, sent with every Web Push (VAPID `sub`), e.g.
    /// mailto:owner@shop.example (default: --public-url when it is https)
    #[argh(option)]
    pub push_contact: Option<String>,
    /// accept Web Push endpoints over plain http and on loopback, private or
    /// link-local addresses (tests, a push server on your own network); by default
    /// only https endpoints on public addresses are pushed to
    #[argh(switch)]
    pub allow_insecure_push: bool,
}

/// Create an admin account offline.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "add-admin")]
pub struct AddAdminArgs {
    /// data directory (same default as serve)
    #[argh(option)]
    pub data: Option<PathBuf>,
    /// the admin's login name
    #[argh(option)]
    pub name: String,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

/// The data directory: the flag, else systemd's state directory, else the XDG data
/// directory, else `./deskbell-data`.
pub fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("STATE_DIRECTORY").and_then(|v| {
        v.to_str()
            .map(|s| s.split(':').next().unwrap_or_default().to_string())
    }) && !dir.is_empty()
    {
        return PathBuf::from(dir);
    }
    // Run as root (e.g. `sudo deskbell backup`) next to the system service: its data.
    let service_dir = PathBuf::from("/var/lib/deskbell");
    if std::env::var("USER").is_ok_and(|u| u == "root")
        && service_dir.join(crate::store::DB_FILE).exists()
    {
        return service_dir;
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("deskbell");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/deskbell");
    }
    PathBuf::from("deskbell-data")
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
