//! Storage records. Each is an enum of versions: a new version is a new variant appended
//! at the end, and readers convert old variants, so files written by older builds open.
//! Records hold only the store's own types ([`super::values`]), never wire or bot types:
//! their bytes change only with a new variant (golden bytes in `super::golden`).

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::values::{StoredAuthorKind, StoredEvent, StoredStatus};

pub use super::agent_records::{AgentAvatar, AgentV4};
pub use super::faq_records::{FaqRecord, FaqV2, LocalAnswer};
pub use super::settings_records::{
    LocalTexts, OpeningHours, SettingsRecord, SettingsV1, SettingsV2, SettingsV3,
};

/// Encodes a record for storage.
pub fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    // Serialising plain data structs into a Vec cannot fail.
    postcard::to_allocvec(record).unwrap_or_default()
}

/// Decodes a stored record, naming the table on failure.
pub fn decode<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A chat message as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum MessageRecord {
    /// Version 1.
    V1(MessageV1),
}

/// Version 1 of a stored message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MessageV1 {
    /// Commit time, ms since the Unix epoch.
    pub at_ms: u64,
    /// Who wrote it.
    pub author_kind: StoredAuthorKind,
    /// Visitor or agent id (0 for bot/system).
    pub author_id: u64,
    /// Author's display name at the time of writing.
    pub author_name: String,
    /// The text.
    pub body: String,
    /// The sender's client message id.
    pub client_id: Option<String>,
    /// For system messages: what happened.
    pub event: Option<StoredEvent>,
}

impl MessageRecord {
    /// The current version's fields.
    pub fn latest(&self) -> &MessageV1 {
        match self {
            MessageRecord::V1(m) => m,
        }
    }
}

/// A conversation as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ConversationRecord {
    /// Version 1.
    V1(ConversationV1),
}

/// Version 1 of a stored conversation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ConversationV1 {
    /// The visitor it belongs to.
    pub visitor: u64,
    /// The site it started on.
    pub site: String,
    /// Queued, assigned or closed.
    pub status: StoredStatus,
    /// Assigned (or, when closed, last) agent.
    pub agent: Option<u64>,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Last status change, ms since the Unix epoch.
    pub updated_ms: u64,
}

impl ConversationRecord {
    /// The current version's fields.
    pub fn latest(&self) -> &ConversationV1 {
        match self {
            ConversationRecord::V1(c) => c,
        }
    }
}

/// An agent's role.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentRole {
    /// Manages agents and settings, and chats.
    Admin,
    /// Chats.
    Agent,
}

/// An agent account as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum AgentRecord {
    /// Version 1.
    V1(AgentV1),
    /// Version 2: adds the email address, the email language and the choice of
    /// "a visitor is waiting" emails.
    V2(AgentV2),
    /// Version 3: adds the console's language.
    V3(AgentV3),
    /// Version 4: adds the avatar the agent chose (`agent_records.rs`).
    V4(AgentV4),
}

/// Version 1 of an agent account.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentV1 {
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
}

/// Version 2 of an agent account: version 1 plus email.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentV2 {
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
}

/// Version 3 of an agent account: version 2 plus the console's language.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AgentV3 {
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
}

impl AgentV3 {
    /// A new account with no email and the default choices.
    pub fn new(name: String, role: AgentRole, password_hash: String, created_ms: u64) -> AgentV3 {
        AgentV3 {
            name,
            role,
            password_hash,
            capacity: None,
            disabled: false,
            created_ms,
            email: None,
            language: None,
            notify_waiting_email: true,
            console_language: None,
        }
    }
}

impl From<AgentV1> for AgentV2 {
    fn from(a: AgentV1) -> Self {
        AgentV2 {
            name: a.name,
            role: a.role,
            password_hash: a.password_hash,
            capacity: a.capacity,
            disabled: a.disabled,
            created_ms: a.created_ms,
            email: None,
            language: None,
            notify_waiting_email: true,
        }
    }
}

impl From<AgentV2> for AgentV3 {
    fn from(a: AgentV2) -> Self {
        AgentV3 {
            name: a.name,
            role: a.role,
            password_hash: a.password_hash,
            capacity: a.capacity,
            disabled: a.disabled,
            created_ms: a.created_ms,
            email: a.email,
            language: a.language,
            notify_waiting_email: a.notify_waiting_email,
            console_language: None,
        }
    }
}

impl AgentRecord {
    /// The record in the current version's shape.
    pub fn into_latest(self) -> AgentV4 {
        match self {
            AgentRecord::V1(a) => AgentV3::from(AgentV2::from(a)).into(),
            AgentRecord::V2(a) => AgentV3::from(a).into(),
            AgentRecord::V3(a) => a.into(),
            AgentRecord::V4(a) => a,
        }
    }
}

/// A login session as stored (keyed by the token's digest).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum SessionRecord {
    /// Version 1.
    V1 {
        /// The agent.
        agent: u64,
        /// Creation time, ms since the Unix epoch.
        created_ms: u64,
        /// Expiry time, ms since the Unix epoch.
        expires_ms: u64,
    },
}

/// A visitor as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum VisitorRecord {
    /// Version 1 (before contact details).
    V1(VisitorV1),
    /// Version 2: adds name, email and attributes.
    V2(VisitorV2),
}

/// Version 1 of a visitor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitorV1 {
    /// First seen, ms since the Unix epoch.
    pub created_ms: u64,
    /// Last connection, ms since the Unix epoch.
    pub last_seen_ms: u64,
    /// Page at the last connection.
    pub page: Option<String>,
    /// Referrer at the last connection.
    pub referrer: Option<String>,
    /// Browser language.
    pub language: Option<String>,
    /// Browser (User-Agent header).
    pub user_agent: Option<String>,
    /// Minutes east of UTC.
    pub utc_offset_min: Option<i32>,
}

/// Version 2 of a visitor: everything of version 1 plus contact details.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitorV2 {
    /// First seen, ms since the Unix epoch.
    pub created_ms: u64,
    /// Last connection, ms since the Unix epoch.
    pub last_seen_ms: u64,
    /// Page at the last connection.
    pub page: Option<String>,
    /// Referrer at the last connection.
    pub referrer: Option<String>,
    /// Browser language.
    pub language: Option<String>,
    /// Browser (User-Agent header).
    pub user_agent: Option<String>,
    /// Minutes east of UTC.
    pub utc_offset_min: Option<i32>,
    /// Name the visitor gave.
    pub name: Option<String>,
    /// Email the visitor gave.
    pub email: Option<String>,
    /// Attributes the shop synced (key, value).
    pub attributes: Vec<(String, String)>,
}

impl From<VisitorV1> for VisitorV2 {
    fn from(v: VisitorV1) -> Self {
        VisitorV2 {
            created_ms: v.created_ms,
            last_seen_ms: v.last_seen_ms,
            page: v.page,
            referrer: v.referrer,
            language: v.language,
            user_agent: v.user_agent,
            utc_offset_min: v.utc_offset_min,
            ..VisitorV2::default()
        }
    }
}

impl VisitorRecord {
    /// The record in the current version's shape.
    pub fn into_latest(self) -> VisitorV2 {
        match self {
            VisitorRecord::V1(v) => v.into(),
            VisitorRecord::V2(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_visitor_written_by_an_older_build_still_reads() {
        // postcard bytes of VisitorRecord::V1 as written by deskbell 0.1.0.
        let old = encode(&VisitorRecord::V1(VisitorV1 {
            created_ms: 5,
            last_seen_ms: 6,
            page: Some("/p".into()),
            ..VisitorV1::default()
        }));
        assert_eq!(old, [0, 5, 6, 1, 2, b'/', b'p', 0, 0, 0, 0]);
        let read: VisitorRecord = decode(&old, "visitors").expect("decodes");
        let latest = read.into_latest();
        assert_eq!(
            (latest.created_ms, latest.page.as_deref(), latest.name),
            (5, Some("/p"), None)
        );
    }

    #[test]
    fn a_version_2_agent_written_by_an_older_build_reads_with_the_browsers_language() {
        // postcard bytes of AgentRecord::V2 as written before the console's language.
        let old = "0105416c696365000b246172676f6e3269642478010300e807010361407801027a6801";
        let bytes: Vec<u8> = (0..old.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&old[i..i + 2], 16).expect("hex"))
            .collect();
        let read: AgentRecord = decode(&bytes, "agents").expect("decodes");
        let latest = read.into_latest();
        assert_eq!(
            (
                latest.name.as_str(),
                latest.email.as_deref(),
                latest.language.as_deref(),
                latest.console_language
            ),
            ("Alice", Some("a@x"), Some("zh"), None)
        );
        let v1 = AgentRecord::V1(AgentV1 {
            name: "Bo".into(),
            role: AgentRole::Agent,
            password_hash: String::new(),
            capacity: Some(2),
            disabled: true,
            created_ms: 9,
        });
        let latest = v1.into_latest();
        assert_eq!(
            (
                latest.capacity,
                latest.disabled,
                latest.notify_waiting_email
            ),
            (Some(2), true, true)
        );
    }
}

/// A canned reply as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum CannedRecord {
    /// Version 1.
    V1 {
        /// What an agent types after `/`.
        shortcut: String,
        /// The reply.
        text: String,
    },
}
