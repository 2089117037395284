//! The changes the writer can make ([`WriteOp`]) and what they report back. How each is
//! applied inside a write transaction is in `apply.rs` (accounts, visitors, settings)
//! and `apply_conversations.rs` (messages, statuses, purges).

use std::collections::HashMap;

use super::outbox::Settled;
use super::outbox_records::JobV1;
use super::records::{AgentV4, CannedRecord, FaqV2, MessageV1, SessionRecord, SettingsV3};
use super::values::{StoredAuthorKind, StoredEvent, StoredStatus};
use super::webhook_records::{WebhookChange, WebhookV1};

/// Visitor details to set; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct VisitorUpdate {
    /// Time of this connection, ms since the Unix epoch.
    pub seen_ms: Option<u64>,
    /// Current page.
    pub page: Option<String>,
    /// Referrer.
    pub referrer: Option<String>,
    /// Browser language.
    pub language: Option<String>,
    /// User-Agent.
    pub user_agent: Option<String>,
    /// Minutes east of UTC.
    pub utc_offset_min: Option<i32>,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Who wrote it.
    pub author_kind: StoredAuthorKind,
    /// Visitor or agent id (0 for bot/system).
    pub author_id: u64,
    /// Display name.
    pub author_name: String,
    /// The text.
    pub body: String,
    /// Client message id, for idempotent retries.
    pub client_id: Option<String>,
    /// For system messages.
    pub event: Option<StoredEvent>,
    /// Time, ms since the Unix epoch.
    pub at_ms: u64,
    /// Uploads to attach (the author's own); the stored message then carries the event
    /// `Attachments` instead of `event`.
    pub attachments: Vec<NewAttachment>,
}

/// One upload to attach to a new message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAttachment {
    /// The upload id (must belong to the message's author).
    pub upload: [u8; 16],
    /// The capability token its download URL gets (chosen by the caller, random).
    pub token: [u8; 16],
}

/// One change for the single writer.
#[derive(Debug)]
pub enum WriteOp {
    /// Append a message to an existing conversation.
    Append {
        /// The conversation.
        conversation: u64,
        /// The message.
        message: NewMessage,
    },
    /// Create a conversation together with its first message.
    OpenConversation {
        /// Id allocated by the hub.
        conversation: u64,
        /// Its first status: `Queued`, or `Bot` when the FAQ bot answers first.
        status: StoredStatus,
        /// The visitor.
        visitor: u64,
        /// The site.
        site: String,
        /// The first message.
        message: NewMessage,
        /// Details of a visitor who has no record yet (nothing is written at hello):
        /// the record is created in this same commit, so a kept message always has
        /// its visitor. None for a visitor already stored.
        visitor_details: Option<VisitorUpdate>,
    },
    /// Change status/assignee and record it as a system message.
    ChangeStatus {
        /// The conversation.
        conversation: u64,
        /// New status.
        status: StoredStatus,
        /// New (or, when closing, last) agent.
        agent: Option<u64>,
        /// The system message describing the change.
        message: NewMessage,
    },
    /// Raise a read marker.
    SetRead {
        /// The conversation.
        conversation: u64,
        /// 0 = visitor side, 1 = agent side.
        reader: u8,
        /// Highest read sequence number.
        seq: u64,
    },
    /// Create a visitor or update some of their details (merged inside the transaction,
    /// so concurrent updates from several tabs never undo each other).
    UpsertVisitor {
        /// Visitor id.
        id: u64,
        /// Digest of a newly issued token, to index.
        token_digest: Option<[u8; 32]>,
        /// The details to set.
        update: VisitorUpdate,
    },
    /// Raise the durable high-water mark of visitor ids that may have been handed out
    /// (`meta` key `visitor_ids_reserved`; never lowered). See [`super::VisitorIds`].
    ReserveVisitorIds {
        /// Every id up to and including this one may be handed out once committed.
        up_to: u64,
    },
    /// Create an agent account.
    CreateAgent {
        /// The account.
        agent: AgentV4,
        /// Refuse if an admin exists already (first-run setup).
        only_if_no_admin: bool,
    },
    /// Replace an agent account's fields; a new name moves its index entry (refused with
    /// `NameTaken` when another account has it).
    UpdateAgent {
        /// Agent id.
        id: u64,
        /// New fields.
        agent: AgentV4,
        /// After a password change: in the same transaction, end the agent's sessions,
        /// all (`Some(None)`) or all but the one with this token digest.
        end_sessions: Option<Option<[u8; 32]>>,
    },
    /// Store a login session.
    PutSession {
        /// Token digest.
        digest: [u8; 32],
        /// The session.
        record: SessionRecord,
    },
    /// Replace the widget settings.
    PutSettings {
        /// The settings.
        settings: SettingsV3,
    },
    /// Replace the external responder's settings (`responder_records.rs`).
    PutResponder {
        /// The settings.
        settings: super::responder_records::ResponderV1,
    },
    /// Create (`id` None) or replace a canned reply.
    PutCanned {
        /// Existing id to replace.
        id: Option<u64>,
        /// The reply.
        record: CannedRecord,
    },
    /// Delete a canned reply.
    DeleteCanned {
        /// Its id.
        id: u64,
    },
    /// Create (`id` None) or replace an FAQ entry; the store sets its `revision`.
    PutFaq {
        /// Existing id to replace.
        id: Option<u64>,
        /// The entry (its `revision` is ignored).
        record: FaqV2,
    },
    /// Delete an FAQ entry.
    DeleteFaq {
        /// Its id.
        id: u64,
    },
    /// Create a webhook endpoint under the next id; refused when `max` exist already.
    CreateWebhook {
        /// The endpoint.
        record: WebhookV1,
        /// Most endpoints there may be.
        max: usize,
    },
    /// Change a webhook endpoint's state (failures, disabled), merged in the transaction.
    UpdateWebhook {
        /// Its id.
        id: u64,
        /// What changes.
        change: WebhookChange,
    },
    /// Delete a webhook endpoint.
    DeleteWebhook {
        /// Its id.
        id: u64,
    },
    /// Delete a closed conversation and everything in it (retention). Refused for a
    /// conversation that is open again.
    PurgeConversation {
        /// The conversation.
        id: u64,
    },
    /// Delete a visitor and everything of theirs (a GDPR erasure, `erase.rs`):
    /// [`Outcome::VisitorErased`] with the counts; `NotFound` for an unknown visitor.
    EraseVisitor {
        /// The visitor.
        visitor: u64,
        /// When, ms since the Unix epoch.
        at_ms: u64,
    },
    /// Record an uploaded file whose bytes are in place and synced (`super::files`):
    /// refused with `FileMissing` when they are not (removed meanwhile: store them again
    /// and retry), and with `QuotaFull` when a new file would take the stored files past
    /// `quota_bytes`.
    PutUpload {
        /// The upload id.
        id: [u8; 16],
        /// The upload.
        record: super::file_records::UploadV1,
        /// Most bytes all stored files may take together.
        quota_bytes: u64,
    },
    /// Delete uploads never sent that were made before this time (ms since the epoch).
    ExpireUploads {
        /// Cut-off.
        before_ms: u64,
    },
    /// Remove these files from disk after the commit if no record names them (files a
    /// crash or a failed commit left behind).
    SweepFiles {
        /// Their digests.
        digests: Vec<[u8; 32]>,
    },
    /// Forget a login session.
    DeleteSession {
        /// Token digest.
        digest: [u8; 32],
    },
    /// A change to agents' push subscriptions (`push_records.rs`, applied in `push.rs`).
    Push(super::push_records::PushOp),
    /// A change to identities: site secrets, verified customers (`identity_records.rs`,
    /// applied in `identity.rs`).
    Identity(super::identity_records::IdentityOp),
    /// A change to API keys (`key_records.rs`, applied in `api_keys.rs`).
    Keys(super::key_records::KeyOp),
    /// A visitor rates their closed conversation, once (`ratings.rs`).
    Rate {
        /// The conversation.
        conversation: u64,
        /// The visitor rating it (must be its visitor).
        visitor: u64,
        /// The rating.
        rating: super::rating_records::RatingV1,
    },
    /// Whether the widget asks for ratings (`ratings.rs`).
    PutCsat {
        /// True: it asks.
        ask: bool,
    },
    /// A change to labels (`label_records.rs`, applied in `labels.rs`).
    Labels(super::label_records::LabelOp),
    /// The full-text index's start-up pass and rebuild (`super::search_index`).
    Search(super::search_ops::SearchOp),
    /// One merge step of the messages' recent part: move or delete at most `messages`
    /// (`super::messages_recent`; the writer sends it itself).
    MergeMessages {
        /// Most messages moved or deleted.
        messages: usize,
    },
    /// `op`, and when it succeeds, `entry` in the audit log, in the same transaction.
    Audited {
        /// The admin's action.
        op: Box<WriteOp>,
        /// Its audit entry.
        entry: super::key_records::AuditV1,
    },
    /// The outbox thread planned the events below `below`: delete them and store their
    /// deliveries as jobs (ids in order in [`Outcome::JobsCreated`]).
    OutboxPlan {
        /// Every event with a smaller id was planned.
        below: u64,
        /// The deliveries.
        jobs: Vec<JobV1>,
    },
    /// Store deliveries not caused by a recorded event (a confirmation email, a
    /// redelivery): ids in [`Outcome::JobsCreated`].
    OutboxEnqueue {
        /// The deliveries.
        jobs: Vec<JobV1>,
    },
    /// Store attempt results.
    OutboxSettle {
        /// One per attempt.
        results: Vec<Settled>,
    },
    /// Take a given-up job back to try it again ([`Outcome::JobRevived`]).
    OutboxRevive {
        /// The job.
        job: u64,
        /// First new attempt not before (ms since the epoch).
        due_ms: u64,
    },
    /// Delete given-up jobs that failed before this time (ms since the epoch).
    OutboxPrune {
        /// Cut-off.
        failed_before_ms: u64,
    },
    /// Delete the jobs and logged attempts under one log key (a deleted endpoint).
    OutboxForgetKey {
        /// The sink's byte.
        sink: u8,
        /// The key.
        key: u64,
    },
    /// A visitor followed the link confirming their email address
    /// ([`super::email_records`]).
    ConfirmVisitorEmail {
        /// The visitor.
        visitor: u64,
        /// The address the link named.
        address: String,
        /// When, ms since the Unix epoch.
        at_ms: u64,
    },
    /// An address unsubscribed from every visitor email.
    OptOutEmail {
        /// The address.
        address: String,
        /// When, ms since the Unix epoch.
        at_ms: u64,
    },
}

/// What an erasure removed, for the caller's answer and the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Conversations deleted.
    pub conversations: u64,
    /// Messages deleted.
    pub messages: u64,
    /// Attachments and unsent uploads deleted.
    pub files: u64,
}

/// The result of a successful op.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A message is stored (or was already: `duplicate`).
    Appended(Appended),
    /// An agent was created with this id.
    AgentCreated(u64),
    /// A canned reply was saved under this id.
    CannedSaved(u64),
    /// An FAQ entry was saved.
    FaqSaved {
        /// Its id.
        id: u64,
        /// The revision it was saved at.
        revision: u64,
    },
    /// An FAQ entry was deleted at this revision.
    FaqDeleted {
        /// The revision taken by the deletion.
        revision: u64,
    },
    /// A push subscription was stored under this id.
    PushSubscribed(u64),
    /// Outbox jobs were stored under these ids.
    JobsCreated(Vec<u64>),
    /// A given-up job waits again (None: it was not given up).
    JobRevived(Option<JobV1>),
    /// A webhook endpoint was created with this id.
    WebhookSaved(u64),
    /// A webhook endpoint's state was changed.
    WebhookChanged {
        /// True when this change disabled it (it was enabled before).
        disabled_now: bool,
    },
    /// A verified customer is this visitor.
    CustomerBound(u64),
    /// An API key was stored with this id.
    KeyCreated(u64),
    /// A visitor was erased; what went.
    VisitorErased(Erased),
    /// A label was saved under this id.
    LabelSaved(u64),
    /// A label was deleted; these conversations carried it, with their labels now.
    LabelDeleted {
        /// (conversation, its labels now).
        changed: Vec<(u64, Vec<u64>)>,
    },
    /// A conversation's labels changed (or were asked to): its labels now.
    Labels {
        /// The conversation.
        conversation: u64,
        /// Its label ids, ascending.
        labels: Vec<u64>,
    },
    /// A conversation was rated.
    Rated {
        /// The conversation.
        conversation: u64,
        /// Its visitor.
        visitor: u64,
        /// The rating.
        rating: super::rating_records::RatingV1,
    },
    /// A step of the search index's start-up pass.
    Indexed(super::search_ops::IndexProgress),
    /// Done, nothing to report.
    Done,
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The conversation.
    pub conversation: u64,
    /// Its sequence number.
    pub seq: u64,
    /// True when the client id had been stored before; `message` is then the original.
    pub duplicate: bool,
    /// The message.
    pub message: MessageV1,
    /// The conversation's labels when the message earned it an automatic label in the
    /// same commit (`labels::auto_label`); None: unchanged.
    pub labels: Option<Vec<u64>>,
}

/// Highest sequence number per conversation, kept by the writer between batches.
pub type SeqCache = HashMap<u64, u64>;

/// What the writer thread keeps between batches: the sequence cache and the outbox's
/// event counter, with the gate that says whether events are recorded.
#[derive(Debug)]
pub struct WriterState {
    /// Highest sequence number per conversation.
    pub seqs: SeqCache,
    /// The outbox's event counter.
    pub outbox: super::outbox::OutboxRecorder,
    /// Whether events are recorded (shared with the outbox thread).
    pub gate: std::sync::Arc<super::outbox::OutboxGate>,
    /// The attachments' files directory.
    pub files: std::sync::Arc<super::files::FileDir>,
    /// Files whose last record this batch may have dropped: removed from disk after the
    /// commit if still unnamed (`super::apply_files::remove_orphans`).
    pub orphans: Vec<[u8; 32]>,
    /// Whether messages and visitors are indexed for search as they are written.
    pub search_index: bool,
    /// The client ids of recently used conversations' messages (retries' dedupe).
    pub client_ids: super::client_ids::ClientIds,
    /// What the recent part of the search index holds.
    pub recent: super::search_recent::RecentState,
    /// What the messages' recent part holds.
    pub messages: super::messages_recent::RecentMessages,
    /// The terms of the message in the op being applied, as its sender counted them
    /// (set by the writer around each op; `super::search_docs::new_message_terms`).
    pub counted_terms: Option<crate::search::tokens::TermCounts>,
}

impl WriterState {
    /// Empty caches, recording as `gate` says, removing files from `files`.
    pub fn new(
        gate: std::sync::Arc<super::outbox::OutboxGate>,
        files: std::sync::Arc<super::files::FileDir>,
    ) -> WriterState {
        WriterState {
            seqs: SeqCache::new(),
            outbox: super::outbox::OutboxRecorder::default(),
            gate,
            files,
            orphans: Vec::new(),
            search_index: true,
            client_ids: super::client_ids::ClientIds::default(),
            recent: super::search_recent::RecentState::default(),
            messages: super::messages_recent::RecentMessages::default(),
            counted_terms: None,
        }
    }

    /// After a failed commit: forget everything that may not be on disk.
    pub fn forget(&mut self) {
        self.seqs.clear();
        self.client_ids.clear();
        self.recent.forget();
        self.messages.forget();
        self.outbox.forget();
        self.orphans.clear();
    }
}
