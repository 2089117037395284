//! The agent side of a run: an online agent connection that syncs every conversation
//! assigned to it (agents only receive messages of conversations they sync) and times
//! each visitor message from its send time to its arrival here.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use deskbell::protocol::{AuthorKind, ClientFrame, ConversationStatus, ServerFrame, Sync};
use futures_lite::{StreamExt, future};

use super::run::Gate;
use super::stats::{Samples, Window};
use super::ws::{self, Epoch, Incoming};

/// What an agent connection needs.
pub struct Online {
    /// Server address.
    pub addr: SocketAddr,
    /// The agent's session token.
    pub token: String,
    /// Time origin of the run.
    pub epoch: Epoch,
    /// Only messages sent inside it are timed.
    pub window: Arc<Window>,
    /// Counts agent connections welcomed.
    pub online: Arc<AtomicUsize>,
    /// Counts conversations synced by every agent of the run.
    pub synced: Arc<AtomicUsize>,
    /// Counts agent connections that failed.
    pub failed: Arc<AtomicUsize>,
    /// Opens when the run is over.
    pub stop: Gate,
}

/// What agent connections observed.
#[derive(Debug, Default)]
pub struct AgentReport {
    /// Visitor messages received that were sent inside the window.
    pub delivered: u64,
    /// Their delivery latencies (send → arrival at the agent).
    pub delivery: Samples,
    /// Error frames received.
    pub errors: u64,
}

impl AgentReport {
    /// Adds another agent's report.
    pub fn merge(&mut self, other: AgentReport) {
        self.delivered += other.delivered;
        self.delivery.merge(other.delivery);
        self.errors += other.errors;
    }
}

/// Runs one agent connection until the stop gate opens.
pub async fn run(online: Online) -> Result<AgentReport, String> {
    let result = serve(&online).await;
    if let Err(e) = &result {
        online.failed.fetch_add(1, Ordering::Relaxed);
        eprintln!("  agent failed: {e}");
    }
    result
}

async fn serve(online: &Online) -> Result<AgentReport, String> {
    let (mut socket, welcome) = ws::agent(online.addr, &online.token).await?;
    let me = welcome.id;
    online.online.fetch_add(1, Ordering::Relaxed);
    let mut report = AgentReport::default();
    let mut subscribed: HashSet<u64> = HashSet::new();
    let mut to_sync: Vec<u64> = welcome
        .conversations
        .iter()
        .filter(|c| c.agent == Some(me) && c.status == ConversationStatus::Assigned)
        .map(|c| c.id)
        .collect();
    loop {
        for conversation in to_sync.drain(..) {
            if subscribed.insert(conversation) {
                let sync = ClientFrame::Sync(Sync {
                    conversation,
                    after_seq: 0,
                });
                ws::send(&mut socket, &sync).await?;
            }
        }
        let next = future::or(async { Some(socket.next().await) }, async {
            online.stop.wait().await;
            None
        })
        .await;
        let Some(next) = next else {
            return Ok(report);
        };
        let frame = match ws::interpret(next) {
            Incoming::Frame(frame) => frame,
            Incoming::Control => continue,
            Incoming::Closed(why) => return Err(format!("agent {me}: {why}")),
        };
        match *frame {
            ServerFrame::Conversation(c)
                if c.agent == Some(me) && c.status == ConversationStatus::Assigned =>
            {
                to_sync.push(c.id);
            }
            ServerFrame::Synced(_) => {
                online.synced.fetch_add(1, Ordering::Relaxed);
            }
            ServerFrame::Message(m) if m.author.kind == AuthorKind::Visitor => {
                let Some(sent) = m.client_id.as_deref().and_then(ws::sent_us) else {
                    continue;
                };
                if online.window.contains(sent) {
                    report.delivered += 1;
                    report
                        .delivery
                        .record(online.epoch.us().saturating_sub(sent));
                }
            }
            ServerFrame::Error(e) => {
                if report.errors == 0 {
                    eprintln!("  agent {me} got an error frame: {} {}", e.error, e.message);
                    if e.error == "rate_limited" {
                        eprintln!(
                            "  (an agent sends one sync per conversation: start the server with \
                             --rate-per-sec and --rate-burst above the conversations per agent)"
                        );
                    }
                }
                report.errors += 1;
            }
            _ => {}
        }
    }
}
