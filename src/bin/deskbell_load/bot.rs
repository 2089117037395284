//! Scenario `bot`: send → bot reply through the real visitor path. The admin saves an
//! FAQ (a file of `tests/fixtures/bot_eval/`), then each message of a message file goes
//! out, one at a time, from a fresh visitor (so the bot is in charge of every
//! conversation), and is timed from the send to its ack and to the first bot or system
//! message in its conversation: the bot's answer or small talk, or the hand-off note.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use deskbell::protocol::{AuthorKind, ClientFrame, Send, ServerFrame};
use futures_lite::future;
use serde_json::{Value, json};

use super::http;
use super::stats::Samples;
use super::ws;

/// How long one message may wait for its reply before it counts as unanswered.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of a bot run.
pub struct Bot {
    /// Server address.
    pub addr: SocketAddr,
    /// The server's data directory (for the setup code), if it is fresh.
    pub data_dir: Option<PathBuf>,
    /// The FAQ file (`{"faq": [{"questions", "answer"}…]}`).
    pub faq: PathBuf,
    /// How many of its entries to save (the first ones).
    pub entries: usize,
    /// The message file (`{"messages": [{"text"}…]}`).
    pub messages: PathBuf,
    /// Passes over the messages.
    pub rounds: usize,
}

/// How one message ended.
enum Reply {
    /// The bot posted (an answer or small talk).
    Bot,
    /// A system message: the bot handed the conversation over.
    System,
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Saves the first `count` FAQ entries of `path` as the admin `token`.
fn save_faq(addr: SocketAddr, token: &str, path: &Path, count: usize) -> Result<usize, String> {
    let file = read_json(path)?;
    let entries = file["faq"].as_array().ok_or("no `faq` array")?;
    for entry in entries.iter().take(count) {
        let body = json!({"questions": entry["questions"], "answer": entry["answer"]});
        let (status, answer) =
            http::request(addr, "POST", "/api/faq", Some(token), &body.to_string())?;
        if status != 201 {
            return Err(format!("saving an FAQ entry answered {status}: {answer}"));
        }
    }
    Ok(entries.len().min(count))
}

/// Sends `text` from a fresh visitor; returns the time to the ack, the time to the reply
/// and which kind of reply it was.
async fn ask(
    addr: SocketAddr,
    n: usize,
    text: &str,
) -> Result<(Duration, Duration, Reply), String> {
    let (mut socket, _) = ws::visitor(addr, 64 * 1024).await?;
    let client_id = format!("bot.{n}");
    let frame = ClientFrame::Send(Send {
        conversation: None,
        client_id: client_id.clone(),
        body: text.to_string(),
    });
    let sent = Instant::now();
    ws::send(&mut socket, &frame).await?;
    let (mut acked, mut conversation) = (None, None);
    loop {
        match ws::recv(&mut socket).await? {
            ServerFrame::Ack(a) if a.client_id == client_id => {
                acked = Some(sent.elapsed());
                conversation = Some(a.conversation);
            }
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id.as_str()) => {
                return Err(format!("message refused: {} {}", e.error, e.message));
            }
            ServerFrame::Message(m) if Some(m.conversation) == conversation => {
                let reply = match m.author.kind {
                    AuthorKind::Bot => Reply::Bot,
                    AuthorKind::System => Reply::System,
                    AuthorKind::Visitor | AuthorKind::Agent => continue,
                };
                let acked = acked.unwrap_or_default();
                return Ok((acked, sent.elapsed(), reply));
            }
            _ => {}
        }
    }
}

/// Runs the scenario and prints a `RESULT bot` line.
pub async fn run(b: Bot) -> Result<(), String> {
    let (addr, data_dir) = (b.addr, b.data_dir.clone());
    let token = smol::unblock(move || http::admin(addr, data_dir.as_deref())).await?;
    let (faq, count) = (b.faq.clone(), b.entries);
    let saved = smol::unblock(move || save_faq(addr, &token, &faq, count)).await?;
    let file = read_json(&b.messages)?;
    let texts: Vec<String> = file["messages"]
        .as_array()
        .ok_or("no `messages` array")?
        .iter()
        .filter_map(|m| m["text"].as_str().map(str::to_string))
        .collect();
    println!(
        "bot: {saved} FAQ entries saved; {} messages × {} rounds",
        texts.len(),
        b.rounds
    );
    let (mut ack, mut answered, mut handed, mut all) = (
        Samples::default(),
        Samples::default(),
        Samples::default(),
        Samples::default(),
    );
    let (mut unanswered, mut n) = (0, 0);
    for _ in 0..b.rounds {
        for text in &texts {
            n += 1;
            let timeout = async {
                smol::Timer::after(REPLY_TIMEOUT).await;
                Err("timeout".to_string())
            };
            match future::or(ask(addr, n, text), timeout).await {
                Ok((to_ack, to_reply, reply)) => {
                    ack.record(to_ack.as_micros() as u64);
                    all.record(to_reply.as_micros() as u64);
                    let kind = match reply {
                        Reply::Bot => &mut answered,
                        Reply::System => &mut handed,
                    };
                    kind.record(to_reply.as_micros() as u64);
                }
                Err(e) if e == "timeout" => unanswered += 1,
                Err(e) => return Err(e),
            }
        }
    }
    println!("send → ack:                 {}", ack.summary());
    println!("send → bot message:         {}", answered.clone().summary());
    println!("send → hand-off note:       {}", handed.clone().summary());
    let all = all.summary();
    println!("send → first reply (any):   {all}");
    println!(
        "RESULT bot messages={n} bot_replies={} handoffs={} unanswered={unanswered} reply_p50_ms={:.2} reply_p90_ms={:.2} reply_p99_ms={:.2} bot_p50_ms={:.2}",
        answered.len(),
        handed.len(),
        all.p50_ms,
        all.p90_ms,
        all.p99_ms,
        answered.summary().p50_ms,
    );
    Ok(())
}
