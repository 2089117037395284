//! The hub's in-memory picture of agents and open conversations (connections are in
//! `conns`), and the events of its timing wheel.

use crate::protocol::{AuthorKind, ConversationStatus, ConversationSummary, Presence};
use crate::routing::Placement;
use crate::store::records::AgentV4;
use crate::timer::TimerKey;

use super::event::{ConnId, OfferedChoice};

/// An agent account and its live connections.
pub struct LiveAgent {
    /// Stored account.
    pub account: AgentV4,
    /// Open connections.
    pub conns: Vec<ConnId>,
    /// Current presence (offline while no connection is open).
    pub presence: Presence,
    /// What the agent last chose (online or away); restored when they reconnect, so a
    /// reconnecting "away" agent is not handed conversations in between.
    pub chosen: Presence,
    /// Running grace timer after the last connection dropped.
    pub grace: Option<TimerKey>,
}

impl LiveAgent {
    /// An agent with no connection yet, who will come online when they connect.
    pub fn offline(account: AgentV4) -> LiveAgent {
        LiveAgent {
            account,
            conns: Vec::new(),
            presence: Presence::Offline,
            chosen: Presence::Online,
            grace: None,
        }
    }
}

/// An open (queued or assigned) conversation.
pub struct LiveConversation {
    /// The visitor.
    pub visitor: u64,
    /// The site.
    pub site: String,
    /// Highest committed seq.
    pub last_seq: u64,
    /// Time of the latest message (ms since epoch).
    pub last_at_ms: u64,
    /// Clock ms of the latest message (for idle close).
    pub last_activity_ms: u64,
    /// Creation time (ms since epoch).
    pub created_ms: u64,
    /// False until the conversation's creation is committed.
    pub durable: bool,
    /// The queue position the visitor was last told (0 or `None`: none), so only
    /// changes are sent. Where the conversation sits is the router's answer, not this.
    pub told_position: Option<u32>,
    /// Who is typing, with the timer that switches it off.
    pub typing: Vec<(AuthorKind, u64, TimerKey)>,
    /// Highest seq read by the visitor and by the agent side.
    pub read: [u64; 2],
    /// The idle-close timer.
    pub idle_timer: Option<TimerKey>,
    /// The visitor's name, if given.
    pub visitor_name: Option<String>,
    /// Start of the visitor's latest message.
    pub preview: String,
    /// Highest visitor message the bot has decided on (while the status is `Bot`).
    pub bot_decided: u64,
    /// The questions of the bot's latest committed "Did you mean…?" message, until an
    /// agent writes (see `hub/choices.rs`).
    pub choices: Vec<OfferedChoice>,
    /// Calls made to the external responder in this conversation (its limit).
    pub responder_calls: u32,
    /// The visitor message the responder is asked about, with the built-in bot's own
    /// decision on it, the fallback (see `hub/responder.rs`).
    pub responder_waiting: Option<(u64, crate::bot::Decision)>,
    /// A close is being committed: nobody may close it again meanwhile. The close itself
    /// enters live state only when its commit returns (see `hub/closing.rs`).
    pub closing: bool,
    /// Its label ids, ascending, as last committed (sent to agents after a welcome).
    pub labels: Vec<u64>,
}

impl LiveConversation {
    /// The one constructor: an open, queued conversation of `visitor` on `site` with no
    /// messages, created now (`now_ms` on the hub's clock). Callers that know more (a
    /// restored or reopened conversation) override fields with struct update syntax.
    pub fn new(visitor: u64, site: String, now_ms: u64) -> LiveConversation {
        LiveConversation {
            visitor,
            site,
            last_seq: 0,
            last_at_ms: crate::timer::unix_ms(),
            last_activity_ms: now_ms,
            created_ms: crate::timer::unix_ms(),
            durable: false,
            told_position: None,
            typing: Vec::new(),
            read: [0, 0],
            idle_timer: None,
            visitor_name: None,
            preview: String::new(),
            bot_decided: 0,
            choices: Vec::new(),
            responder_calls: 0,
            responder_waiting: None,
            closing: false,
            labels: Vec::new(),
        }
    }

    /// The summary agents and visitors are shown, with the conversation's placement as
    /// the router gives it (`None`: not open there, i.e. closed).
    pub fn summary(&self, id: u64, placement: Option<Placement>) -> ConversationSummary {
        let (status, agent, queue_position) = match placement {
            Some(Placement::Assigned(agent)) => (ConversationStatus::Assigned, Some(agent), None),
            Some(Placement::Queued { position }) => {
                // Position 0: about to be queued, no place yet.
                let position = (position > 0).then_some(position as u32);
                (ConversationStatus::Queued, None, position)
            }
            Some(Placement::WithBot) => (ConversationStatus::Bot, None, None),
            None => (ConversationStatus::Closed, None, None),
        };
        ConversationSummary {
            id,
            site: self.site.clone(),
            visitor: self.visitor,
            status,
            agent,
            last_seq: self.last_seq,
            last_at_ms: self.last_at_ms,
            created_ms: self.created_ms,
            queue_position,
            visitor_name: self.visitor_name.clone(),
            preview: self.preview.clone(),
            read_visitor: self.read[0],
            read_agent: self.read[1],
        }
    }
}

/// Things the timing wheel can fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerEvent {
    /// Ping a connection, or drop it if it has gone quiet (or never said hello).
    Heartbeat(ConnId),
    /// An agent's grace period after disconnecting ran out.
    AgentGrace(u64),
    /// Check a conversation for inactivity.
    IdleClose(u64),
    /// The bot's decision on a visitor message is overdue: hand the conversation over.
    BotOverdue {
        /// Conversation.
        conversation: u64,
        /// The visitor message waiting for a decision.
        seq: u64,
    },
    /// The responder's outcome on a visitor message is overdue: hand over.
    ResponderOverdue {
        /// Conversation.
        conversation: u64,
        /// The visitor message asked about.
        seq: u64,
    },
    /// Switch off a typing indicator.
    TypingOff {
        /// Conversation.
        conversation: u64,
        /// Visitor or agent.
        kind: AuthorKind,
        /// Their id.
        id: u64,
    },
}
