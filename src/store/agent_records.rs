//! Version 4 of an agent account (`AgentRecord::V4`, issue #13): version 3 plus the
//! avatar the agent chose. The enum of versions is in `records.rs`.

use serde::{Deserialize, Serialize};

use super::records::{AgentRole, AgentV3};

/// An avatar an agent chose: initials on a colour (checked by `crate::avatar`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentAvatar {
    /// One or two letters or digits, upper-cased.
    pub initials: String,
    /// `#rrggbb` from `crate::avatar::PALETTE`.
    pub colour: String,
}

/// Version 4 of an agent account: version 3 plus the chosen avatar.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentV4 {
    /// Login and display name.
    pub name: String,
    /// Admin or agent.
    pub role: AgentRole,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Auto-assignment capacity; `None` = the server default.
    pub capacity: Option<u32>,
    /// Disabled accounts cannot log in and get no conversations.
    pub disabled: bool,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Where notification emails go (checked when set); None = no email.
    pub email: Option<String>,
    /// Language of the emails (`en`, `zh`); None = English.
    pub language: Option<String>,
    /// Gets "a visitor is waiting and nobody is online" emails (default: on).
    pub notify_waiting_email: bool,
    /// Language of the console (`en`, `zh-CN`); None = the browser's.
    pub console_language: Option<String>,
    /// The avatar the agent chose; None = initials of the name on a colour from the id.
    pub avatar: Option<AgentAvatar>,
}

impl AgentV4 {
    /// A new account with no email and the default choices.
    pub fn new(name: String, role: AgentRole, password_hash: String, created_ms: u64) -> AgentV4 {
        AgentV3::new(name, role, password_hash, created_ms).into()
    }
}

impl From<AgentV3> for AgentV4 {
    fn from(a: AgentV3) -> Self {
        AgentV4 {
            name: a.name,
            role: a.role,
            password_hash: a.password_hash,
            capacity: a.capacity,
            disabled: a.disabled,
            created_ms: a.created_ms,
            email: a.email,
            language: a.language,
            notify_waiting_email: a.notify_waiting_email,
            console_language: a.console_language,
            avatar: None,
        }
    }
}
