//! Every frame the server sends, defined once for both encodings (same versioning rule as
//! [`super::frames`]: variants and fields are appended, never removed or reordered).

use serde::{Deserialize, Serialize};

use super::frames::{ConversationId, Presence, Seq};

/// What the server may send.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ServerFrame {
    /// 0: answer to a hello.
    Welcome(Welcome),
    /// 1: a sent message is durably stored under this sequence number.
    Ack(Ack),
    /// 2: a message in a conversation the connection follows.
    Message(Message),
    /// 3: the replay asked for by `sync` is complete; live messages follow.
    Synced(Synced),
    /// 4: the server cannot serve the asked gap; drop local state and sync from 0.
    Resync(Resync),
    /// 5: someone is typing, or stopped.
    Typing(TypingNotice),
    /// 6: the other side has read up to a sequence number.
    ReadUpTo(ReadUpTo),
    /// 7: the visitor's place in the waiting queue (0 = no longer waiting).
    QueuePosition(QueuePosition),
    /// 8: a conversation was created, queued, assigned, transferred, closed or reopened.
    Conversation(ConversationSummary),
    /// 9: an agent's presence changed.
    Agent(AgentInfo),
    /// 10: answer to `history`.
    History(HistoryPage),
    /// 11: something the client sent was refused.
    Error(ErrorFrame),
    /// 12: for visitors: whether an agent is online to answer now changed.
    Availability(Availability),
    /// 13: for agents: a conversation's labels now (after a change, and after the
    /// welcome for each open conversation that has labels).
    Labels(ConversationLabels),
    /// 14: a conversation was rated: to its visitor (the answer to `rate`) and to all
    /// agents.
    Rating(Rating),
}

/// A visitor's rating of a closed conversation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// The conversation.
    pub conversation: u64,
    /// 1 (bad) to 5 (very good).
    pub score: u32,
    /// What the visitor added, if anything.
    pub comment: Option<String>,
}

/// The labels a conversation carries.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationLabels {
    /// The conversation.
    pub conversation: u64,
    /// Its label ids, ascending (empty: none).
    pub labels: Vec<u64>,
}

/// Whether anyone can answer a visitor right now.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// True when at least one agent is online.
    pub agents_online: bool,
}

/// Who a connection is, and what it needs to start.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// `visitor` or `agent`.
    pub role: Role,
    /// Visitor id or agent id.
    pub id: u64,
    /// Agent's display name (empty for visitors).
    pub name: String,
    /// For visitors: the token to store and present next time.
    pub visitor_token: Option<String>,
    /// For visitors: their open conversation (or the latest closed one), if any.
    pub conversation: Option<ConversationSummary>,
    /// For agents: every open conversation (queued and assigned).
    pub conversations: Vec<ConversationSummary>,
    /// For agents: all agents and their presence.
    pub agents: Vec<AgentInfo>,
    /// Largest message body accepted, in bytes.
    pub max_body_bytes: u32,
    /// For visitors: whether an agent is online to answer now.
    pub agents_online: bool,
    /// The server's version.
    pub server_version: String,
}

/// Connection role.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A website visitor.
    Visitor,
    /// Shop staff.
    Agent,
}

/// Acknowledgement of a `send`: only ever sent after the message is durably committed.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The client's id for the message.
    pub client_id: String,
    /// The conversation it went to (new visitors learn their conversation here).
    pub conversation: ConversationId,
    /// Its sequence number.
    pub seq: Seq,
    /// True when this was a retry of a message already stored.
    pub duplicate: bool,
}

/// A stored message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its sequence number.
    pub seq: Seq,
    /// When it was stored, milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// Who wrote it.
    pub author: Author,
    /// The text (for system messages a short English description of `event`).
    pub body: String,
    /// The sender's client id, so other tabs of the same sender can recognise it.
    pub client_id: Option<String>,
    /// For system messages: what happened.
    pub event: Option<ConversationEvent>,
}

/// The author of a message or typing notice.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Visitor, agent, bot or system.
    pub kind: AuthorKind,
    /// Visitor or agent id (0 for bot and system).
    pub id: u64,
    /// Display name (agent's name; empty for visitors unless they gave one; for a system
    /// message that introduces an agent, `Assigned` and `Transferred`, that agent's name,
    /// else empty).
    pub name: String,
}

/// Kinds of authors.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// The website visitor.
    Visitor,
    /// Shop staff.
    Agent,
    /// The FAQ bot.
    Bot,
    /// The server itself (assignment, transfer, close…).
    System,
}

/// Something that happened to a conversation, recorded as a system message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConversationEvent {
    /// Waiting for an agent.
    Queued,
    /// An agent took it.
    Assigned {
        /// The agent.
        agent: u64,
    },
    /// Handed from one agent to another.
    Transferred {
        /// Previous agent.
        from: u64,
        /// New agent.
        to: u64,
    },
    /// Closed by an agent (`by` = 0 when closed for inactivity).
    Closed {
        /// Who closed it.
        by: u64,
    },
    /// Reopened by an agent.
    Reopened {
        /// Who reopened it.
        by: u64,
    },
    /// An internal note by an agent: shown to agents only, never to the visitor.
    Note,
    /// On a bot message: it answers this FAQ entry; the visitor is offered "That helped"
    /// and "Talk to a person" (a `bot_feedback` frame).
    BotAnswer {
        /// The FAQ entry.
        faq_id: u64,
    },
    /// The bot handed the conversation to the agents.
    HandedOff {
        /// Why.
        reason: HandoffReason,
    },
    /// On a bot message shown to agents only: FAQ answers that may fit the visitor's
    /// last message, to send with one click.
    Suggestions {
        /// Best first.
        replies: Vec<SuggestedReply>,
    },
    /// Shown to agents only: the visitor's verdict on a bot answer.
    Feedback {
        /// The bot message judged.
        seq: Seq,
        /// "That helped" (true) or "Talk to a person" (false).
        helpful: bool,
    },
    /// On a bot message to the visitor: "Did you mean…?" with FAQ questions the message
    /// may have meant, best first. A widget shows them as buttons; pressing one sends its
    /// `question` as an ordinary visitor message, which the bot answers with that entry.
    Choices {
        /// Best first.
        choices: Vec<Choice>,
    },
    /// On a visitor's or agent's message: the files it carries; `body` is the caption
    /// (may be empty).
    Attachments {
        /// In the order the sender gave them.
        files: Vec<Attachment>,
    },
}

impl ConversationEvent {
    /// Whether messages carrying this event are for agents only (never sent to, synced
    /// to, or exported for the visitor).
    pub fn agents_only(&self) -> bool {
        matches!(
            self,
            ConversationEvent::Note
                | ConversationEvent::Suggestions { .. }
                | ConversationEvent::Feedback { .. }
        )
    }
}

impl Message {
    /// Whether an inbox preview shows a message of `kind` carrying `event`: only what the
    /// visitor wrote (issue #13), text or files. A bot's answer must not hide the question,
    /// and an agent's reply in the row would read as the visitor's words (the summary does
    /// not say who wrote its preview); whether someone answered shows elsewhere in the row.
    pub fn previewed(kind: AuthorKind, event: Option<&ConversationEvent>) -> bool {
        kind == AuthorKind::Visitor
            && matches!(event, None | Some(ConversationEvent::Attachments { .. }))
    }
}

/// A file attached to a message. Its bytes are at `GET /api/files/{id}`: the id is a
/// capability (random, 128 bits) that only the conversation's people receive.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The download id (32 hex digits).
    pub id: String,
    /// The file name the sender gave.
    pub name: String,
    /// Its media type, found in its bytes: `image/jpeg`, `application/pdf`…
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// Why the bot handed a conversation to the agents.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The visitor asked for a person (in words or with the button).
    HumanRequested,
    /// The visitor sounded annoyed or said the bot does not help.
    Frustrated,
    /// The bot did not know the answer well enough.
    LowConfidence,
    /// The bot could not decide in time (busy or stopped).
    BotUnavailable,
}

/// An FAQ answer offered to agents.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SuggestedReply {
    /// The FAQ entry.
    pub faq_id: u64,
    /// Its answer: what one click sends.
    pub answer: String,
    /// How well the visitor's message matched it, 0–100.
    pub score_pct: u32,
}

/// An FAQ question offered to the visitor as a "Did you mean…?" choice.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The FAQ entry.
    pub faq_id: u64,
    /// One of its example questions, in the visitor's language when the owner wrote one.
    pub question: String,
}

/// End of a replay.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    /// The conversation.
    pub conversation: ConversationId,
    /// Highest sequence number replayed (or already held); live messages continue after it.
    pub upto_seq: Seq,
}

/// The gap asked for cannot be served.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Resync {
    /// The conversation.
    pub conversation: ConversationId,
    /// The highest sequence number the server has.
    pub server_seq: Seq,
    /// Why.
    pub reason: String,
}

/// Typing state of someone in a conversation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TypingNotice {
    /// The conversation.
    pub conversation: ConversationId,
    /// Who.
    pub author: Author,
    /// Typing or not.
    pub on: bool,
}

/// Read state of one side of a conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadUpTo {
    /// The conversation.
    pub conversation: ConversationId,
    /// Which side read (visitor or agent).
    pub reader: AuthorKind,
    /// Read up to and including this sequence number.
    pub seq: Seq,
}

/// Place in the queue.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePosition {
    /// The conversation.
    pub conversation: ConversationId,
    /// 1 = next; 0 = no longer waiting.
    pub position: u32,
}

/// The state of a conversation as agents see it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The conversation.
    pub id: ConversationId,
    /// Site it came from.
    pub site: String,
    /// The visitor.
    pub visitor: u64,
    /// Queued, assigned or closed.
    pub status: ConversationStatus,
    /// Assigned agent, if any.
    pub agent: Option<u64>,
    /// Highest sequence number.
    pub last_seq: Seq,
    /// Time of the latest message, ms since the Unix epoch.
    pub last_at_ms: u64,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// 1-based queue position while queued.
    pub queue_position: Option<u32>,
    /// The visitor's name, if they gave one.
    pub visitor_name: Option<String>,
    /// The start of the visitor's latest message (see [`Message::previewed`]).
    pub preview: String,
    /// Highest seq the visitor has read.
    pub read_visitor: Seq,
    /// Highest seq the agent side has read.
    pub read_agent: Seq,
}

/// Lifecycle state of a conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Waiting for an agent.
    Queued,
    /// An agent has it.
    Assigned,
    /// Finished.
    Closed,
    /// The FAQ bot is answering; not waiting for an agent (any agent may claim it).
    Bot,
}

/// An agent as colleagues see them.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentInfo {
    /// Agent id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Current presence.
    pub presence: Presence,
    /// Open conversations assigned to them.
    pub open: u32,
    /// Auto-assignment capacity.
    pub capacity: u32,
}

/// A page of history, oldest first.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// The conversation.
    pub conversation: ConversationId,
    /// Messages in ascending sequence order.
    pub messages: Vec<Message>,
    /// True when older messages exist.
    pub has_more: bool,
}

/// A refusal, with a stable numeric code and its name (see `docs/PROTOCOL.md`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorFrame {
    /// Stable numeric code.
    pub code: u16,
    /// Stable name of the code, e.g. `rate_limited`.
    pub error: String,
    /// Human-readable detail.
    pub message: String,
    /// The `client_id` of the refused `send`, if it was one.
    pub client_id: Option<String>,
    /// The conversation concerned, if any.
    pub conversation: Option<ConversationId>,
}
