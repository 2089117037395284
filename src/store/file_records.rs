//! The attachments' tables and records (since schema 5). A file's bytes live under
//! `DATA/files/` named by their SHA-256 ([`super::files`]); redb holds what refers to
//! them:
//!
//! - [`FILES`]: digest → [`FileRecord`]: size, type and how many rows refer to it
//!   (uploads not yet sent plus attachments). The file exists on disk, synced, before
//!   its record is committed; it is removed after the commit that drops its last
//!   reference (by the writer thread, `super::apply_files`).
//! - [`UPLOADS`]: upload id → [`UploadRecord`]: a file its owner uploaded and has not
//!   sent yet; a `send_files` consumes it, or it expires.
//! - [`ATTACHMENTS`]: capability token → [`AttachmentRecord`]: one file of one message;
//!   the token is the download URL's secret.
//! - `meta` [`FILES_BYTES`]: the sum of every [`FileRecord`]'s size, for the quota.

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use super::values::StoredAuthorKind;

/// SHA-256 of a file's bytes → [`FileRecord`].
pub const FILES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("digest_file");
/// Upload id (16 random bytes) → [`UploadRecord`].
pub const UPLOADS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("uploadid_upload");
/// Attachment token (16 random bytes) → [`AttachmentRecord`].
pub const ATTACHMENTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("token_attachment");
/// `meta` key: bytes of every stored file together (u64, little endian).
pub const FILES_BYTES: &str = "files_bytes";

/// A stored file (its bytes are on disk).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum FileRecord {
    /// Version 1.
    V1(FileV1),
}

/// Version 1 of a stored file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FileV1 {
    /// Size in bytes.
    pub size: u64,
    /// Media type found in its bytes.
    pub content_type: String,
    /// Rows referring to it (uploads and attachments); the record goes at 0.
    pub refs: u64,
    /// When first stored, ms since the Unix epoch.
    pub created_ms: u64,
}

/// An uploaded file not yet sent.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum UploadRecord {
    /// Version 1.
    V1(UploadV1),
}

/// Version 1 of an upload.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct UploadV1 {
    /// Visitor or agent.
    pub owner_kind: StoredAuthorKind,
    /// Their id: only they may send it.
    pub owner_id: u64,
    /// The file.
    pub digest: [u8; 32],
    /// File name as given (cleaned).
    pub name: String,
    /// Media type found in its bytes.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Upload time, ms since the Unix epoch (it expires a day later).
    pub created_ms: u64,
}

/// One file of one message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum AttachmentRecord {
    /// Version 1.
    V1(AttachmentV1),
}

/// Version 1 of an attachment.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AttachmentV1 {
    /// The conversation.
    pub conversation: u64,
    /// The message.
    pub seq: u64,
    /// The file.
    pub digest: [u8; 32],
    /// File name as given.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

impl FileRecord {
    /// The current version's fields.
    pub fn into_latest(self) -> FileV1 {
        match self {
            FileRecord::V1(f) => f,
        }
    }
}

impl UploadRecord {
    /// The current version's fields.
    pub fn into_latest(self) -> UploadV1 {
        match self {
            UploadRecord::V1(u) => u,
        }
    }
}

impl AttachmentRecord {
    /// The current version's fields.
    pub fn into_latest(self) -> AttachmentV1 {
        match self {
            AttachmentRecord::V1(a) => a,
        }
    }
}

/// Creates the tables (first open, or an upgrade from schema 4).
pub fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(FILES)?;
    tx.open_table(UPLOADS)?;
    tx.open_table(ATTACHMENTS)?;
    Ok(())
}
