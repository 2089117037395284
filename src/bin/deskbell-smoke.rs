//! `deskbell-smoke`: one visitor→agent→visitor round trip against a fresh server on
//! loopback, for checking a release binary (`scripts/smoke-release.sh` runs it against
//! each target's binary, the ARM ones under qemu).
//!
//! It creates the first admin with the setup code from the server's data directory,
//! connects that admin as an agent, opens a visitor conversation asking for a person,
//! and waits until the agent has seen the message (claiming the conversation if it is
//! queued rather than assigned, whether or not a bot looked at it first), replies, and
//! the visitor has received the reply. Everything is bounded by `--timeout-secs`.
//! It reuses the load generator's WebSocket and HTTP helpers (`deskbell_load/`).

#[path = "deskbell_load/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "deskbell_load/ws.rs"]
#[allow(dead_code)]
mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use argh::FromArgs;
use deskbell::protocol::{
    AuthorKind, ClientFrame, ConversationRef, ConversationStatus, Send, ServerFrame, Sync,
};
use futures_lite::future;

use ws::Socket;

/// What the visitor writes: a request for a person, so a bot (if any) hands it over.
const VISITOR_TEXT: &str = "I would like to talk to a person please";
/// What the agent answers.
const AGENT_TEXT: &str = "Hello, this is the smoke test agent.";
/// Client ids of the two messages.
const VISITOR_ID: &str = "smoke-visitor-1";
const AGENT_ID: &str = "smoke-agent-1";

/// deskbell-smoke: a visitor→agent round trip against a fresh deskbell server.
#[derive(FromArgs)]
struct Cli {
    /// server address; must be loopback
    #[argh(option)]
    addr: SocketAddr,
    /// the server's data directory (holds the one-time setup code)
    #[argh(option)]
    data: PathBuf,
    /// give up after this many seconds (default 60)
    #[argh(option, default = "60")]
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    if !cli.addr.ip().is_loopback() {
        eprintln!("deskbell-smoke: only loopback addresses");
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    let run = async {
        let timeout = async {
            smol::Timer::after(Duration::from_secs(cli.timeout_secs)).await;
            Err(format!("no round trip within {} s", cli.timeout_secs))
        };
        future::or(smoke(&cli, started), timeout).await
    };
    match smol::block_on(run) {
        Ok(()) => {
            println!("deskbell-smoke: ok in {} ms", started.elapsed().as_millis());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("deskbell-smoke: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn smoke(cli: &Cli, started: Instant) -> Result<(), String> {
    let step = |what: &str| println!("  {:>6} ms  {what}", started.elapsed().as_millis());
    let (addr, data) = (cli.addr, cli.data.clone());
    let token = smol::unblock(move || http::admin(addr, Some(&data))).await?;
    step("admin created with the setup code and logged in");
    let (mut agent, welcome) = ws::agent(cli.addr, &token).await?;
    step("agent connected");
    let (mut visitor, _) = ws::visitor(cli.addr, 4096).await?;
    let conversation = visitor_send(&mut visitor).await?;
    step(&format!(
        "visitor message stored in conversation {conversation}"
    ));
    agent_reply(&mut agent, welcome.id, conversation).await?;
    step("agent saw it and replied");
    loop {
        if let ServerFrame::Message(m) = ws::recv(&mut visitor).await?
            && m.conversation == conversation
            && m.author.kind == AuthorKind::Agent
            && m.body == AGENT_TEXT
        {
            step("visitor received the reply");
            return Ok(());
        }
    }
}

/// Sends the visitor's message and returns its conversation once it is acknowledged.
async fn visitor_send(visitor: &mut Socket) -> Result<u64, String> {
    let frame = ClientFrame::Send(Send {
        conversation: None,
        client_id: VISITOR_ID.into(),
        body: VISITOR_TEXT.into(),
    });
    ws::send(visitor, &frame).await?;
    loop {
        match ws::recv(visitor).await? {
            ServerFrame::Ack(a) if a.client_id == VISITOR_ID => return Ok(a.conversation),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(VISITOR_ID) => {
                return Err(format!(
                    "visitor message refused: {} {}",
                    e.error, e.message
                ));
            }
            _ => {}
        }
    }
}

/// The agent's side: follows the conversation until the visitor's message arrives and
/// the conversation is assigned to this agent (claiming it when it is queued), then
/// replies and waits for the ack.
async fn agent_reply(agent: &mut Socket, me: u64, conversation: u64) -> Result<(), String> {
    let sync = |after_seq| {
        ClientFrame::Sync(Sync {
            conversation,
            after_seq,
        })
    };
    let claim = ClientFrame::Claim(ConversationRef { conversation });
    ws::send(agent, &sync(0)).await?;
    let (mut seen, mut mine, mut sent) = (false, false, false);
    let (mut status, mut last_seq) = (None, 0);
    loop {
        match ws::recv(agent).await? {
            ServerFrame::Conversation(c) if c.id == conversation => {
                mine = c.status == ConversationStatus::Assigned && c.agent == Some(me);
                if status != Some(c.status) {
                    // Handed over (by a bot, or to the queue): catch up on what we missed.
                    status = Some(c.status);
                    ws::send(agent, &sync(last_seq)).await?;
                    if c.status == ConversationStatus::Queued {
                        ws::send(agent, &claim).await?;
                    }
                }
            }
            ServerFrame::Message(m) if m.conversation == conversation => {
                last_seq = last_seq.max(m.seq);
                seen |= m.author.kind == AuthorKind::Visitor && m.body == VISITOR_TEXT;
            }
            ServerFrame::Ack(a) if a.client_id == AGENT_ID => return Ok(()),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(AGENT_ID) => {
                println!("  agent reply refused ({}), claiming", e.error);
                (mine, sent) = (false, false);
                ws::send(agent, &claim).await?;
            }
            ServerFrame::Error(e) => println!("  agent got {}: {}", e.error, e.message),
            _ => {}
        }
        if seen && mine && !sent {
            let reply = ClientFrame::Send(Send {
                conversation: Some(conversation),
                client_id: AGENT_ID.into(),
                body: AGENT_TEXT.into(),
            });
            ws::send(agent, &reply).await?;
            sent = true;
        }
    }
}
