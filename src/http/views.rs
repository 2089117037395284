//! What the API shows of stored records: agents and canned replies as JSON, shared by
//! the endpoints that return them.

use serde::Serialize;

use crate::store::records::{AgentRole, AgentV1};

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
}

/// The API's view of agent `id`.
pub fn view(id: u64, a: &AgentV1) -> AgentView {
    AgentView {
        id,
        name: a.name.clone(),
        admin: a.role == AgentRole::Admin,
        capacity: a.capacity,
        disabled: a.disabled,
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
