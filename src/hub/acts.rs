//! What an integrator's [`super::Event::Act`] asks of the hub and what it is answered:
//! the types only, shared by the HTTP API (`http::v1_actions`) and the hub, which
//! applies them in `api_actions`.

use crate::protocol::ErrorCode;
use crate::search::tokens::TermCounts;

/// What an integrator asks the hub to do in one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAction {
    /// Post a message (its client id and body were checked at the edge, by
    /// `ws::frame_check`).
    Post {
        /// Who it is from.
        author: ApiAuthor,
        /// The caller's message id, for retries.
        client_id: String,
        /// The text.
        body: String,
        /// The text's search terms, counted by the request's task (`ws::frame_terms`)
        /// so that the hub does not; `None` for the bot's messages (not indexed).
        terms: Option<TermCounts>,
    },
    /// Claim an unassigned conversation for this agent (the console's `claim`).
    Assign {
        /// Agent id.
        agent: u64,
    },
    /// Hand an assigned conversation to this agent (the console's `transfer`).
    Transfer {
        /// Agent id.
        agent: u64,
    },
    /// Close the conversation in this agent's name (the console's `close`).
    Close {
        /// Agent id.
        agent: u64,
    },
}

/// Who an API message is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAuthor {
    /// An agent, who must hold the conversation (as for a WebSocket `send`).
    Agent(u64),
    /// The bot: shown to the visitor as the bot's answer.
    Bot,
    /// An internal note, which the visitor never sees: by an agent, or (None) by the
    /// integration itself, named `key_name`.
    Note {
        /// The agent it is written as, if any.
        agent: Option<u64>,
        /// The API key's name, shown as the author of a note without an agent.
        key_name: String,
    },
}

/// The committed result of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acted {
    /// Conversation.
    pub conversation: u64,
    /// The message posted, or the system message recording the change.
    pub seq: u64,
    /// True when a message with this client id was stored before (a retry).
    pub duplicate: bool,
}

/// Why an action was refused (or not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActRefusal {
    /// The stable code.
    pub code: ErrorCode,
    /// A clear message.
    pub message: String,
}

/// The answer to an [`ApiAction`].
pub type ActReply = Result<Acted, ActRefusal>;
