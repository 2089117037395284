//! API keys and the audit log in the store (since schema 6): their records, their
//! tables, and the writer's ops on keys ([`KeyOp`], applied in `api_keys.rs` with the
//! reads). A key is stored only as the SHA-256 of its text; what keys are for is in
//! `crate::keys`. Audit entries hold ids and field names, never personal data.

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Key id → [`ApiKeyRecord`]; revoked keys stay (the console lists them, the audit log
/// names them), only their digest's index entry goes.
pub const API_KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("keyid_apikey");
/// SHA-256 of a live key's text → key id. Only live keys are here: a revoked key's
/// digest finds nothing.
pub const KEY_BY_DIGEST: TableDefinition<&[u8], u64> = TableDefinition::new("keydigest_keyid");
/// Entry id (ascending in time) → [`AuditRecord`].
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("auditid_entry");

/// What a key may do, as stored.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredKeyScope {
    /// Reads only (GET).
    Read,
    /// Reads, and acting in conversations.
    Write,
    /// Everything an admin's session may do on the admin endpoints, and write.
    Admin,
}

/// An API key as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyRecord {
    /// Version 1.
    V1(ApiKeyV1),
}

/// Version 1 of an API key: everything but the key itself.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyV1 {
    /// The admin's name for it.
    pub name: String,
    /// What it may do.
    pub scope: StoredKeyScope,
    /// The only site whose conversations it sees (None: every site).
    pub site: Option<String>,
    /// The first characters of the key (`dk_` and 8 hex digits), to recognise it by.
    pub prefix: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Who created it.
    pub created_by: StoredActor,
    /// Last use, ms since the Unix epoch (recorded at most once a minute).
    pub last_used_ms: Option<u64>,
    /// When it was revoked.
    pub revoked_ms: Option<u64>,
}

impl ApiKeyRecord {
    /// The current version, owned.
    pub fn into_latest(self) -> ApiKeyV1 {
        match self {
            ApiKeyRecord::V1(k) => k,
        }
    }
}

/// Who did something, in the audit log.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredActor {
    /// An agent's session (the agent id).
    Agent(u64),
    /// An API key (the key id).
    Key(u64),
}

/// What was done, in the audit log: ids and field names only. A `…Created` entry
/// written with id 0 takes the id the op's outcome reports (see
/// `api_keys::append_audit`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum StoredAuditAction {
    /// An API key was created.
    KeyCreated {
        /// The key id.
        key: u64,
    },
    /// An API key was revoked.
    KeyRevoked {
        /// The key id.
        key: u64,
    },
    /// An agent account was created.
    AgentCreated {
        /// The agent id.
        agent: u64,
    },
    /// An agent account was changed.
    AgentChanged {
        /// The agent id.
        agent: u64,
        /// The fields changed (`role`, `capacity`, `disabled`, `enabled`, `password`,
        /// `email`), never their values.
        fields: Vec<String>,
    },
    /// The widget settings were replaced.
    SettingsChanged,
    /// A webhook endpoint was created.
    WebhookCreated {
        /// Its id.
        webhook: u64,
    },
    /// A webhook endpoint was enabled or disabled.
    WebhookChanged {
        /// Its id.
        webhook: u64,
        /// True when it is disabled now.
        disabled: bool,
    },
    /// A webhook endpoint was deleted.
    WebhookDeleted {
        /// Its id.
        webhook: u64,
    },
    /// A site's identity settings changed: its secret made or replaced, or whether it
    /// refuses unverified customers.
    IdentityChanged {
        /// The site.
        site: String,
        /// True when the secret was made or replaced.
        rotated: bool,
        /// Whether the site now refuses unverified identify calls.
        require: bool,
    },
    /// A visitor's details were changed through the API.
    VisitorChanged {
        /// The visitor id.
        visitor: u64,
        /// The fields changed (`name`, `email`, `attributes`), never their values.
        fields: Vec<String>,
    },
    /// A visitor and everything of theirs was erased (a GDPR request): ids and counts
    /// only, never what was deleted.
    VisitorErased {
        /// The visitor id.
        visitor: u64,
        /// Conversations deleted.
        conversations: u64,
        /// Messages deleted.
        messages: u64,
        /// Attachments and unsent uploads deleted.
        files: u64,
    },
    /// A canned reply was created (written with id 0: the saved id is filled in).
    CannedCreated {
        /// Its id.
        canned: u64,
    },
    /// A canned reply was replaced.
    CannedChanged {
        /// Its id.
        canned: u64,
    },
    /// A canned reply was deleted.
    CannedDeleted {
        /// Its id.
        canned: u64,
    },
    /// An FAQ entry was created (written with id 0: the saved id is filled in).
    FaqCreated {
        /// Its id.
        faq: u64,
    },
    /// An FAQ entry was replaced.
    FaqChanged {
        /// Its id.
        faq: u64,
    },
    /// An FAQ entry was deleted.
    FaqDeleted {
        /// Its id.
        faq: u64,
    },
    /// A label was created (schema 7).
    LabelCreated {
        /// Its id.
        label: u64,
    },
    /// A label was changed (schema 7).
    LabelChanged {
        /// Its id.
        label: u64,
        /// The fields changed (`name`, `colour`, `on_handoff`, `on_faq`).
        fields: Vec<String>,
    },
    /// A label was deleted, and taken off every conversation (schema 7).
    LabelDeleted {
        /// Its id.
        label: u64,
    },
}

/// One audit log entry as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum AuditRecord {
    /// Version 1.
    V1(AuditV1),
}

/// Version 1 of an audit entry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AuditV1 {
    /// When, ms since the Unix epoch.
    pub at_ms: u64,
    /// Who.
    pub actor: StoredActor,
    /// What.
    pub action: StoredAuditAction,
}

impl AuditRecord {
    /// The current version, owned.
    pub fn into_latest(self) -> AuditV1 {
        match self {
            AuditRecord::V1(a) => a,
        }
    }
}

/// The writer's ops on API keys.
#[derive(Debug, Clone)]
pub enum KeyOp {
    /// Store a new key ([`super::Outcome::KeyCreated`] with its id).
    Create {
        /// SHA-256 of the key's text.
        digest: [u8; 32],
        /// The key's record.
        record: ApiKeyV1,
    },
    /// Revoke a key: its digest stops finding it. `NotFound` for an unknown or
    /// already revoked key.
    Revoke {
        /// The key id.
        id: u64,
        /// When.
        at_ms: u64,
    },
    /// Record a use (never lowers the stored time; a revoked key is left alone).
    Touch {
        /// The key id.
        id: u64,
        /// When.
        at_ms: u64,
    },
}

/// Creates the tables (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(API_KEYS)?;
    tx.open_table(KEY_BY_DIGEST)?;
    tx.open_table(AUDIT)?;
    Ok(())
}
