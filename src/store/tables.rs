//! The redb tables, named `key_value`, and the schema version they make up.
//!
//! Values are postcard-encoded records from [`super::records`]; each record type is an
//! enum whose variants are versions, so old files keep decoding.

use redb::{MultimapTableDefinition, TableDefinition};

/// Schema version written by this build. Bump it (and add a migration) when the table
/// layout changes; a binary refuses data directories with a higher version.
///
/// History: 1 = the chat core. 2 = FAQ entries ([`FAQ`]) and the `bot` conversation
/// status (records written by 2 may hold values that 1 cannot decode). 3 = the outbox
/// (`outbox_records`: recorded events, delivery jobs, the attempt log) and the tables of
/// its sinks (webhook endpoints, [`WEBHOOKS`]); nothing older is rewritten.
/// 4 = record variants older builds cannot decode (`AgentRecord::V3`,
/// `SettingsRecord::V2`, `FaqRecord::V2`, issue #12): nothing is rewritten; an older
/// binary refuses the directory instead of failing on one row.
/// 5 = issue #13: attachments (the tables of `super::file_records` and the stored event
/// `Attachments`, which older builds cannot decode), `SettingsRecord::V3` (the shop's
/// named time zone) and `AgentRecord::V4` (the agent's chosen avatar); nothing is
/// rewritten: older settings keep their fixed offset, older agents get the default
/// avatar.
/// 6 = issue #14: verified customers (the tables of `super::identity_records`: site
/// identity secrets, user id → visitor, visitor → customer), API keys and the audit log
/// (the tables of `super::key_records`), and the erased visitors' ids
/// (`super::erase_records`, a GDPR erasure's only trace; a build that lacks the table
/// ignores it); nothing is rewritten.
/// 7 = issue #15: labels (the tables of `super::label_records`) and the audit actions
/// for them and for erasures, canned replies and FAQ entries, ratings
/// (`super::ratings`) and their outbox event `Rated`, which older builds cannot
/// decode; nothing is rewritten.
/// 8 = issue #16: the client-id index (`convclientid_seq`) is deleted; retries are
/// deduplicated by the client ids stored in the messages (a build of 7 would not see
/// them, so it must refuse the directory).
/// 9 = issue #16: new messages go to the messages' recent part
/// (`super::messages_recent`) before the messages table; a build of 8 would not see
/// them, so it must refuse the directory. Nothing is rewritten.
/// 10 = issue #16: the search index's recent part has two tiers, new messages one row
/// each ([`SEARCH_NEW`]) and segments of folded rows ([`SEARCH_SEGMENTS`]); the
/// upgrade merges the old part, one row per term (`termarrival_recentposting`), into
/// the main postings and deletes it (`super::search_recent_v9`). A build of 9 would
/// not see the new tiers, so it must refuse the directory.
pub const SCHEMA_VERSION: u64 = 10;

/// Settings and bookkeeping: `"schema_version"` → u64 (little endian), `"server_key"`
/// → 32 bytes, [`VISITOR_IDS_RESERVED`] → u64 (little endian), `"vapid_key"` → 32 bytes
/// and `"push_subscription_next"` → u64 (little endian) (`super::push`), [`FAQ_REVISION`].
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// `meta` key: the highest visitor id that may have been handed out (ids are reserved
/// in blocks before use; older binaries ignore the key).
pub const VISITOR_IDS_RESERVED: &str = "visitor_ids_reserved";
/// `meta` key: the highest webhook endpoint id ever handed out (ids are never reused).
pub const LAST_WEBHOOK_ID: &str = "last_webhook_id";
/// `meta` key: the latest FAQ revision handed out (u64, little endian; one counter for
/// every entry, taken when an entry is saved or deleted; see `super::faq_records`).
pub const FAQ_REVISION: &str = "faq_revision";
/// Agent id → [`super::records::AgentRecord`].
pub const AGENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("agentid_agent");
/// Lower-cased login name → agent id.
pub const AGENT_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("name_agentid");
/// SHA-256 of a session token → [`super::records::SessionRecord`].
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tokendigest_session");
/// Visitor id → [`super::records::VisitorRecord`].
pub const VISITORS: TableDefinition<u64, &[u8]> = TableDefinition::new("visitorid_visitor");
/// SHA-256 of a visitor token → visitor id.
pub const VISITOR_BY_TOKEN: TableDefinition<&[u8], u64> =
    TableDefinition::new("tokendigest_visitorid");
/// Conversation id → [`super::records::ConversationRecord`].
pub const CONVERSATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("convid_conversation");
/// (visitor id, site) → the visitor's open conversation on that site.
pub const OPEN_BY_VISITOR: TableDefinition<(u64, &str), u64> =
    TableDefinition::new("visitorsite_openconvid");
/// Visitor id → all their conversation ids (history).
pub const VISITOR_CONVERSATIONS: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("visitorid_convids");
/// (conversation id, seq) → [`super::records::MessageRecord`].
pub const MESSAGES: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("convseq_message");
/// Since schema 9: arrival number → (conversation id, seq, arrival of the
/// conversation's previous entry or 0, [`super::records::MessageRecord`]): the
/// messages' recent part, in arrival order (`super::messages_recent`).
pub const RECENT_MESSAGES: TableDefinition<u64, (u64, u64, u64, &[u8])> =
    TableDefinition::new("arrival_recentmessage");
/// Since schema 9: conversation id → arrival of its newest entry in
/// [`RECENT_MESSAGES`].
pub const RECENT_MESSAGE_HEADS: TableDefinition<u64, u64> =
    TableDefinition::new("convid_recentmessagehead");
/// Schema 7 and older: (conversation id, client message id) → seq, the retries' dedupe
/// index. The schema 8 migration deletes it; the writer finds client ids in the
/// messages themselves (`super::client_ids`).
pub const CLIENT_IDS: TableDefinition<(u64, &str), u64> = TableDefinition::new("convclientid_seq");
/// Push subscription id → [`super::push::PushSubscriptionRecord`] (since schema 3).
pub const PUSH_SUBSCRIPTIONS: TableDefinition<u64, &[u8]> =
    TableDefinition::new("pushid_subscription");
/// `"widget"` → [`super::records::SettingsRecord`]: the shop's widget settings.
pub const SETTINGS: TableDefinition<&str, &[u8]> = TableDefinition::new("name_settings");
/// FAQ entry id → [`super::records::FaqRecord`] (since schema 2).
pub const FAQ: TableDefinition<u64, &[u8]> = TableDefinition::new("faqid_faq");
/// Webhook endpoint id → [`super::webhooks::WebhookRecord`] (since schema 3).
pub const WEBHOOKS: TableDefinition<u64, &[u8]> = TableDefinition::new("webhookid_webhook");
/// Canned reply id → [`super::records::CannedRecord`].
pub const CANNED: TableDefinition<u64, &[u8]> = TableDefinition::new("cannedid_canned");
/// (conversation id, reader: 0 visitor / 1 agent) → highest seq read.
pub const READ_STATE: TableDefinition<(u64, u8), u64> = TableDefinition::new("convreader_seq");

/// Full-text search (issue #15; older builds ignore these tables, so no schema bump):
/// (term, conversation id, seq) → how often the term occurs in that message. Terms are
/// `crate::search::tokens`'s; written in the same transaction as the message
/// (`super::search_index`).
pub const SEARCH_POSTINGS: TableDefinition<(&str, u64, u64), u32> =
    TableDefinition::new("termconvseq_count");
/// Full-text search: (term, visitor id) → how often the term occurs in the visitor's
/// name, email and attribute values.
pub const SEARCH_VISITOR_POSTINGS: TableDefinition<(&str, u64), u32> =
    TableDefinition::new("termvisitor_count");
/// Full-text search: term → in how many documents (messages and visitor profiles) it
/// occurs; also the term list prefix queries walk.
pub const SEARCH_TERMS: TableDefinition<&str, u64> = TableDefinition::new("term_documents");
/// Full-text search, the recent part's first tier (issue #16; schema 10): arrival
/// number → [`NewDocument`]. A new message's row goes here in its own commit, at the
/// end of the table; the writer folds the rows into a segment of
/// [`SEARCH_SEGMENTS`] in batches (`super::search_recent`).
pub const SEARCH_NEW: TableDefinition<u64, NewDocument> = TableDefinition::new("arrival_newdoc");
/// A row of [`SEARCH_NEW`]: (conversation id, seq, each of the message's terms with how
/// often it occurs in the message).
pub type NewDocument = (u64, u64, Vec<(&'static str, u32)>);
/// Full-text search, the recent part's second tier (issue #16; schema 10): (segment
/// number, term) → the term's postings in that segment, `super::search_segment`'s
/// encoding of (conversation id, seq, count) in arrival order. A fold writes one whole
/// segment with a number above every other, so its keys go at the end of the table;
/// merge steps move the oldest segment's terms into [`SEARCH_POSTINGS`].
pub const SEARCH_SEGMENTS: TableDefinition<(u64, &str), &[u8]> =
    TableDefinition::new("segmentterm_postings");
/// The recent part as schemas 8 and 9 kept it: (term, arrival number) → (conversation
/// id, seq, how often the term occurs in that message). Read only by the upgrade to
/// schema 10, which merges it into [`SEARCH_POSTINGS`] and deletes it
/// (`super::search_recent_v9`).
pub const SEARCH_RECENT_V9: TableDefinition<(&str, u64), (u64, u64, u32)> =
    TableDefinition::new("termarrival_recentposting");
/// `meta` key: documents in the search index (u64, little endian).
pub const SEARCH_DOCUMENTS: &str = "search_documents";
/// `meta` key: every conversation with an id up to this one is indexed (u64, little
/// endian; the start-up pass's place, so it resumes after a restart).
pub const SEARCH_CONVERSATIONS_DONE: &str = "search_conversations_indexed";
/// `meta` key: every visitor with an id up to this one is indexed (u64, little endian).
pub const SEARCH_VISITORS_DONE: &str = "search_visitors_indexed";
/// `meta` key: the tokenizer version the whole index was built with, once the
/// start-up pass finished (u64, little endian); absent or older: the pass runs.
pub const SEARCH_INDEX_VERSION: &str = "search_index_version";
