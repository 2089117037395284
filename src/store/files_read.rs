//! Reads of the attachments' records: a download by its token, the space used, the
//! files a sweep may remove.

use std::time::SystemTime;

use redb::ReadableTable;

use super::file_records::*;
use super::records::decode;
use super::tables::META;
use super::{Store, StoreError};

impl Store {
    /// The attachment a download token names, if any.
    pub fn attachment(&self, token: &[u8; 16]) -> Result<Option<AttachmentV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(ATTACHMENTS)?;
        let Some(value) = table.get(token.as_slice())? else {
            return Ok(None);
        };
        Ok(Some(
            decode::<AttachmentRecord>(value.value(), "attachments")?.into_latest(),
        ))
    }

    /// Bytes all stored files take together.
    pub fn files_bytes(&self) -> Result<u64, StoreError> {
        let tx = self.db().begin_read()?;
        Ok(tx
            .open_table(META)?
            .get(FILES_BYTES)?
            .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
            .map_or(0, u64::from_le_bytes))
    }

    /// Files on disk older than `before` that no record names (left by a crash or a
    /// failed commit): the writer removes them (`WriteOp::SweepFiles`).
    pub fn unnamed_files(&self, before: SystemTime) -> Result<Vec<[u8; 32]>, StoreError> {
        let on_disk = self.db().files().stored(before)?;
        let tx = self.db().begin_read()?;
        let files = tx.open_table(FILES)?;
        let mut unnamed = Vec::new();
        for (digest, modified) in on_disk {
            if modified < before && files.get(digest.as_slice())?.is_none() {
                unnamed.push(digest);
            }
        }
        Ok(unnamed)
    }

    /// Every stored file's digest and size, for backups and checks.
    pub fn stored_files(&self) -> Result<Vec<([u8; 32], FileV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let files = tx.open_table(FILES)?;
        let mut all = Vec::new();
        for row in files.iter()? {
            let (key, value) = row?;
            if let Ok(digest) = <[u8; 32]>::try_from(key.value()) {
                all.push((
                    digest,
                    decode::<FileRecord>(value.value(), "files")?.into_latest(),
                ));
            }
        }
        Ok(all)
    }
}
