//! What flows into the hub (events from connections, the HTTP API, the writer and store
//! reads) and out of it (items queued for one connection).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::protocol::{ClientFrame, ConversationSummary};
use crate::store::records::AgentV4;
use crate::store::{Outcome, StoreError};

pub use super::outlet::Outbound;

/// Identifies one WebSocket connection for its lifetime.
pub type ConnId = u64;

/// Who is behind a connection, established by its hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A website visitor on one site.
    Visitor {
        /// Visitor id.
        id: u64,
        /// Site the widget runs on.
        site: String,
    },
    /// A logged-in agent.
    Agent {
        /// Agent id.
        id: u64,
    },
}

/// The hub's side of a connection: where to queue frames (dropping it kills the
/// connection), when it was last heard from.
pub struct ConnLink {
    /// Connection id.
    pub conn: ConnId,
    /// Items for the connection's writer loop; dropping it ends the connection task at
    /// once, even mid-write (`super::outlet`).
    pub outbound: super::outlet::OutletSender,
    /// Clock milliseconds of the last frame (or pong) received.
    pub last_seen: Arc<AtomicU64>,
}

/// An event for the hub.
pub enum Event {
    /// A WebSocket was accepted.
    Connected(ConnLink),
    /// The connection's hello was verified.
    Hello {
        /// Connection.
        conn: ConnId,
        /// Who it is.
        identity: Identity,
        /// For a new visitor: their token, to hand out once in the welcome.
        visitor_token: Option<String>,
        /// For visitors: their latest conversation on this site from storage.
        latest: Option<ConversationSummary>,
        /// For visitors: the name they gave earlier, if any.
        visitor_name: Option<String>,
        /// For visitors: the language their browser reports (the hello's `language`),
        /// for the bot's answers.
        language: Option<String>,
        /// For agents: the digest of the session token the hello used, so the
        /// connection can be closed when that session ends.
        session: Option<[u8; 32]>,
        /// For a visitor with no stored record yet (nothing is written at hello): the
        /// details of this visit, written with their first message or profile.
        unsaved: Option<Box<crate::store::VisitorUpdate>>,
    },
    /// A frame after the hello (already decoded, size- and rate-checked).
    Frame {
        /// Connection.
        conn: ConnId,
        /// The frame.
        frame: ClientFrame,
        /// A `send`'s search terms, counted by the connection's task
        /// (`ws::frame_terms`) so that the hub does not; None for other frames.
        terms: Option<crate::search::tokens::TermCounts>,
        /// When it arrived (for ack latency).
        received: Instant,
    },
    /// The connection ended.
    Disconnected {
        /// Connection.
        conn: ConnId,
    },
    /// An agent account was created or changed through the API.
    AgentSaved {
        /// Agent id.
        id: u64,
        /// The account.
        agent: AgentV4,
    },
    /// An admin deleted a label (committed): these conversations carried it, with
    /// their labels now; agents are told.
    LabelDeleted {
        /// (conversation, its labels now).
        changed: Vec<(u64, Vec<u64>)>,
    },
    /// An agent's password changed and these sessions ended: close the agent's
    /// connections made with them (all but those of session `keep`) with 1008.
    SessionsEnded {
        /// Agent id.
        agent: u64,
        /// The session that stays (the one that changed its own password).
        keep: Option<[u8; 32]>,
    },
    /// Erase a visitor (GDPR): close their connections, refuse their hellos, write
    /// `op` and, once committed, drop their conversations from live state
    /// (`hub/erasing.rs`). The write's result is sent on `reply`.
    EraseVisitor {
        /// The visitor.
        visitor: u64,
        /// The erasure (`WriteOp::EraseVisitor`, audited).
        op: crate::store::WriteOp,
        /// Told the write's result.
        reply: EraseReply,
    },
    /// Run the timers now, then answer on `done`: tests with a manual clock move the
    /// clock and wait on this barrier instead of sleeping for the next real tick.
    Tick {
        /// Signalled once the timers that were due have run.
        done: async_channel::Sender<()>,
    },
    /// An integrator's action in one conversation over the HTTP API
    /// (`http::v1_actions`): taken as the same action over WebSocket would be, and
    /// answered on `reply` once committed, or at once when refused.
    Act {
        /// Conversation.
        conversation: u64,
        /// What to do.
        action: super::acts::ApiAction,
        /// Where the answer goes (a channel with room for one).
        reply: async_channel::Sender<super::acts::ActReply>,
    },
    /// Stop: close every connection with 1001 and answer on `done`.
    Shutdown {
        /// Signalled when all connections were told to close.
        done: async_channel::Sender<()>,
    },
}

/// Results coming back to the hub from the writer thread, store reads, the bot and the
/// responder threads.
pub enum Completion {
    /// A write finished (committed or failed).
    Written {
        /// What the write was for.
        tag: WriteTag,
        /// Its result.
        result: Result<Outcome, StoreError>,
    },
    /// The bot decided what to do with a visitor message.
    BotDecided {
        /// Conversation.
        conversation: u64,
        /// The visitor message.
        seq: u64,
        /// The decision, or why there is none.
        decision: Result<crate::bot::Decision, crate::bot::BotError>,
        /// The message's text and the visitor's browser language, for the responder.
        asked: (String, Option<String>),
    },
    /// The external responder's outcome for a visitor message (see `hub/responder.rs`).
    Responded {
        /// Conversation.
        conversation: u64,
        /// The visitor message asked about.
        seq: u64,
        /// What came of the call.
        outcome: crate::responder::Outcome,
    },
    /// A closed conversation was loaded for a reopen.
    Reopen {
        /// Connection that asked.
        conn: ConnId,
        /// Agent who asked.
        agent: u64,
        /// Conversation id.
        conversation: u64,
        /// The stored conversation, if found.
        loaded: Result<Option<ConversationSummary>, StoreError>,
        /// Its labels (read with it; empty when the read failed).
        labels: Vec<u64>,
    },
}

/// Where the result of a visitor's erasure goes (the HTTP request waiting for it).
pub type EraseReply = async_channel::Sender<Result<Outcome, StoreError>>;
/// Who asked for a change and hears how it went: a WebSocket connection (an ack or an
/// error frame), or an HTTP request waiting for its answer (`Event::Act`).
#[derive(Debug, Clone)]
pub enum Asker {
    /// A connection.
    Conn(ConnId),
    /// An API request's reply channel.
    Api(async_channel::Sender<super::acts::ActReply>),
}

impl Asker {
    /// The connection, if a connection asked.
    pub fn conn(&self) -> Option<ConnId> {
        match self {
            Asker::Conn(conn) => Some(*conn),
            Asker::Api(_) => None,
        }
    }
}

/// Why a write was made, so its result reaches the right people.
#[derive(Debug, Clone)]
pub enum WriteTag {
    /// A chat message from a connection, to be acknowledged.
    Send {
        /// Who sent it (a connection, or the HTTP API).
        from: Asker,
        /// The client's message id.
        client_id: String,
        /// Arrival time.
        received: Instant,
        /// True when this write also created the conversation.
        opened: bool,
    },
    /// A system message recording a status change.
    Status,
    /// The system message closing a conversation: the close enters live state when it
    /// is committed (see `hub/closing.rs`).
    Closed {
        /// Conversation.
        conversation: u64,
        /// The agent who closed it (0: inactivity).
        by: u64,
        /// Who asked: told if the close is not stored (an API request also when it is).
        asker: Option<Asker>,
    },
    /// The system message recording where the router placed a conversation (an agent,
    /// the queue): the placement enters live state when it is committed, and the router
    /// is put back if it is not (see `hub/placing.rs`).
    Placed {
        /// Conversation.
        conversation: u64,
        /// Where the router placed it.
        placed: crate::routing::Placement,
        /// The agent it was taken from, told at once.
        previous: Option<u64>,
        /// Who asked (a claim, a transfer, a reopen): told if the change is not stored
        /// (an API request also when it is).
        asker: Option<Asker>,
    },
    /// The bot's "Did you mean…?" message: its choices enter live state when it is
    /// committed (see `hub/choices.rs`).
    Choices {
        /// Conversation.
        conversation: u64,
        /// What the message offers.
        offered: Vec<OfferedChoice>,
    },
    /// A visitor's erasure: their conversations leave live state when it is committed
    /// (see `hub/erasing.rs`).
    Erased {
        /// The visitor.
        visitor: u64,
        /// False when the hub had this visitor as erased already (a repeated request).
        newly: bool,
        /// Told the write's result.
        reply: EraseReply,
    },
    /// An agent's `label` frame (see `hub/labels.rs`): agents hear of the change when
    /// it is committed, the asker of a refusal.
    Labelled {
        /// Who asked.
        asker: Asker,
        /// The conversation.
        conversation: u64,
    },
    /// A visitor's `rate` frame (see `hub/ratings.rs`).
    Rated {
        /// The visitor's connection that sent it.
        conn: ConnId,
    },
    /// Anything whose result only needs logging.
    Background(&'static str),
}

/// An FAQ question the bot offered a visitor, with the answer a tap on it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedChoice {
    /// The FAQ entry.
    pub faq_id: u64,
    /// The question as offered (a tap sends exactly this text).
    pub question: String,
    /// The entry's answer in the visitor's language when it was offered.
    pub answer: String,
}
