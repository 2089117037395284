//! Every frame a client and the server exchange, defined once for both encodings.
//!
//! Versioning rule (see `docs/PROTOCOL.md`): the binary encoding numbers enum variants by
//! position, so variants are only ever appended, never removed or reordered, and a frame's
//! fields never change within a protocol version. A new capability is a new frame type.

use serde::{Deserialize, Serialize};

/// Identifies a conversation; increasing, never reused.
pub type ConversationId = u64;
/// Position of a message inside its conversation: 1, 2, 3… with no gaps.
pub type Seq = u64;

/// What a client may send. The first frame of a connection must be a hello.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClientFrame {
    /// 0: a website visitor introduces themselves (must be the first frame).
    HelloVisitor(HelloVisitor),
    /// 1: a logged-in agent introduces themselves (must be the first frame).
    HelloAgent(HelloAgent),
    /// 2: post a chat message.
    Send(Send),
    /// 3: start receiving a conversation, replaying everything after a sequence number.
    Sync(Sync),
    /// 4: typing started or stopped.
    Typing(Typing),
    /// 5: everything up to a sequence number has been read.
    Read(Read),
    /// 6: agent takes a waiting conversation.
    Claim(ConversationRef),
    /// 7: agent closes a conversation.
    Close(ConversationRef),
    /// 8: agent reopens a closed conversation.
    Reopen(ConversationRef),
    /// 9: agent hands a conversation to a colleague.
    Transfer(Transfer),
    /// 10: agent sets their presence.
    Presence(SetPresence),
    /// 11: page back through a conversation's history.
    History(HistoryRequest),
    /// 12: agent writes an internal note (never shown to the visitor).
    Note(Note),
    /// 13: visitor gives their name and/or email (pre-chat form, offline email capture).
    Profile(Profile),
    /// 14: visitor answers a bot answer's "That helped" / "Talk to a person" buttons.
    BotFeedback(BotFeedback),
    /// 15: an agent's console page became visible or hidden (`document.visibilityState`).
    Visibility(Visibility),
    /// 16: post a message with files uploaded before (`POST /api/uploads`).
    SendFiles(SendFiles),
    /// 17: a visitor who is a logged-in customer of the shop introduces themselves (a
    /// hello: must be the first frame). `docs/IDENTITY.md`.
    HelloCustomer(HelloCustomer),
    /// 18: an agent adds a label to a conversation or takes it off (issue #15).
    Label(SetLabel),
    /// 19: a visitor rates their closed conversation, once (issue #15).
    Rate(Rate),
}

/// First frame of a visitor connection.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HelloVisitor {
    /// The shop's site identifier (from the embed snippet); `"default"` for a single site.
    pub site: String,
    /// Token from an earlier `welcome`; absent or unknown means "make me a new visitor".
    pub token: Option<String>,
    /// URL of the page the visitor is on.
    pub page: Option<String>,
    /// The page's referrer.
    pub referrer: Option<String>,
    /// Browser language, e.g. `en-GB`.
    pub language: Option<String>,
    /// Minutes east of UTC of the visitor's local time.
    pub utc_offset_min: Option<i32>,
}

/// First frame of a connection of a visitor the shop says is its logged-in customer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HelloCustomer {
    /// Everything an anonymous hello says; its `token` is the browser's visitor token
    /// before the identify call (or a verified customer's own, from a former `welcome`).
    pub hello: HelloVisitor,
    /// Who the shop says the visitor is.
    pub customer: Customer,
}

/// A customer as the shop's page describes them (`deskbell.identify`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The shop's user id (1–128 bytes).
    pub id: String,
    /// Name to show to agents.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Avatar image URL (https).
    pub avatar: Option<String>,
    /// Attributes (at most 30; keys 1–64, values at most 200 characters).
    pub attributes: Vec<Attribute>,
    /// `hex(HMAC-SHA256(identity secret, id))`, computed on the shop's server.
    pub hash: Option<String>,
}

/// One attribute of a customer, e.g. `vip` = `gold`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// The key.
    pub key: String,
    /// The value, as text.
    pub value: String,
}

/// First frame of an agent connection.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HelloAgent {
    /// Session token from `POST /api/login`; absent means "use my session cookie".
    pub token: Option<String>,
}

/// A chat message from a client.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// Required for agents; visitors may omit it (their open conversation, created if needed).
    pub conversation: Option<ConversationId>,
    /// Chosen by the client, unique per message; a retry with the same id is not stored twice.
    pub client_id: String,
    /// The text. Never interpreted as markup.
    pub body: String,
}

/// A chat message with files, from a client: like [`Send`], plus the upload ids.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SendFiles {
    /// Required for agents; visitors may omit it (their open conversation, created if needed).
    pub conversation: Option<ConversationId>,
    /// Chosen by the client, unique per message; a retry with the same id is not stored twice.
    pub client_id: String,
    /// The caption; may be empty. Never interpreted as markup.
    pub body: String,
    /// Ids from `POST /api/uploads` by the same visitor or agent, 1 to 10, each used once.
    pub uploads: Vec<String>,
}

/// Subscribe to a conversation and receive what came after `after_seq`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Sync {
    /// The conversation.
    pub conversation: ConversationId,
    /// The last sequence number the client already has (0 for none).
    pub after_seq: Seq,
}

/// Typing indicator.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Typing {
    /// Required for agents; visitors may omit it.
    pub conversation: Option<ConversationId>,
    /// True while typing; the server turns it off by itself after a few seconds.
    pub on: bool,
}

/// Read receipt.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Read {
    /// Required for agents; visitors may omit it.
    pub conversation: Option<ConversationId>,
    /// Everything up to and including this sequence number has been read.
    pub seq: Seq,
}

/// Names one conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConversationRef {
    /// The conversation.
    pub conversation: ConversationId,
}

/// Hand a conversation to another agent.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The conversation.
    pub conversation: ConversationId,
    /// The agent who takes it over (must be online).
    pub to_agent: u64,
}

/// Add a label to a conversation (`on`) or take it off.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetLabel {
    /// The conversation (open or closed).
    pub conversation: ConversationId,
    /// The label's id (`GET /api/labels`).
    pub label: u64,
    /// True to add it, false to take it off.
    pub on: bool,
}

/// A visitor's answer to "How did we do?".
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// The visitor's closed conversation.
    pub conversation: ConversationId,
    /// 1 (bad) to 5 (very good).
    pub score: u32,
    /// Anything they add (at most 500 characters).
    pub comment: Option<String>,
}

/// Set one's presence.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SetPresence {
    /// Online or away (offline is what disconnecting means).
    pub presence: Presence,
}

/// Ask for older messages.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    /// The conversation.
    pub conversation: ConversationId,
    /// Return messages with a smaller sequence number than this (0 = from the newest).
    pub before_seq: Seq,
    /// At most this many (the server caps it at 200).
    pub limit: u32,
}

/// An internal note from an agent.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The conversation.
    pub conversation: ConversationId,
    /// Chosen by the client, unique per note; retries are not stored twice.
    pub client_id: String,
    /// The text.
    pub body: String,
}

/// A visitor's contact details.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Name to show to agents (absent: unchanged).
    pub name: Option<String>,
    /// Email for answers when nobody is online (absent: unchanged).
    pub email: Option<String>,
}

/// The visitor's verdict on one of the bot's answers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BotFeedback {
    /// The conversation.
    pub conversation: ConversationId,
    /// The bot message answered.
    pub seq: Seq,
    /// True for "That helped"; false for "Talk to a person" (hands the conversation to
    /// the agents).
    pub helpful: bool,
}

/// Whether the agent can see the console page now: a visible tab gets no Web Push (the
/// console shows and chimes itself); a hidden one does.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Visibility {
    /// True when the page is visible.
    pub visible: bool,
}

/// An agent's availability.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Receives new conversations.
    Online,
    /// Keeps their conversations, receives no new ones.
    Away,
    /// No connection (after the grace period their conversations go back to the queue).
    Offline,
}
