//! What the API shows of stored records: agents, canned replies and conversations as JSON, shared by
//! the endpoints that return them.

use serde::Serialize;

use crate::store::records::{AgentRole, AgentV4, ConversationV1};
use crate::webhooks::payload::{rfc3339_ms, status_name};

/// An agent as the API shows it.
#[derive(Serialize)]
pub struct AgentView {
    /// The agent's id.
    id: u64,
    /// Login and display name.
    name: String,
    /// True for an admin.
    admin: bool,
    /// Most conversations at once (None: the server's default).
    capacity: Option<u32>,
    /// True when the account may no longer log in.
    disabled: bool,
    /// Where notification emails go (None: no email).
    email: Option<String>,
    /// Language of the emails (`en` or `zh`).
    language: &'static str,
    /// Gets "a visitor is waiting" emails.
    notify_waiting_email: bool,
    /// Language of the console (`en` or `zh-CN`; None: the browser's).
    console_language: Option<String>,
    /// Initials on a colour: the one the agent chose, else the default.
    avatar: crate::avatar::AvatarView,
}

/// The API's view of agent `id`.
pub fn view(id: u64, a: &AgentV4) -> AgentView {
    AgentView {
        id,
        name: a.name.clone(),
        admin: a.role == AgentRole::Admin,
        capacity: a.capacity,
        disabled: a.disabled,
        email: a.email.clone(),
        language: crate::email::Language::of_agent(a).code(),
        notify_waiting_email: a.notify_waiting_email,
        console_language: a.console_language.clone(),
        avatar: crate::avatar::agent_avatar(id, a),
    }
}

/// A canned reply as the API shows it.
#[derive(Serialize)]
pub struct CannedView {
    /// The reply's id.
    pub id: u64,
    /// What an agent types to find it.
    pub shortcut: String,
    /// The text it inserts.
    pub text: String,
}

/// A conversation as the API shows it.
#[derive(Serialize)]
pub struct ConversationView {
    /// Its id.
    id: u64,
    /// The visitor's id.
    visitor: u64,
    /// The site it started on.
    site: String,
    /// `bot`, `queued`, `assigned` or `closed`.
    status: &'static str,
    /// The assigned (or, when closed, last) agent.
    agent: Option<u64>,
    /// When it started (RFC 3339).
    created_at: String,
    /// Its last status change (RFC 3339).
    updated_at: String,
}

pub fn conversation_view(id: u64, c: &ConversationV1) -> ConversationView {
    ConversationView {
        id,
        visitor: c.visitor,
        site: c.site.clone(),
        status: status_name(c.status),
        agent: c.agent,
        created_at: rfc3339_ms(c.created_ms),
        updated_at: rfc3339_ms(c.updated_ms),
    }
}
