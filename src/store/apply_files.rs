//! Applying the attachments' ops inside a write transaction, and removing files whose
//! last record is gone once the commit has returned. Keeps [`FileV1::refs`] equal to
//! the number of upload and attachment rows naming each file, and `meta`
//! [`FILES_BYTES`] equal to the sum of the files' sizes. Every op checks before it
//! writes, so a refused op leaves nothing behind.

use redb::{ReadableTable, WriteTransaction};

use super::file_records::*;
use super::ops::{NewAttachment, Outcome, WriterState};
use super::records::{decode, encode};
use super::tables::META;
use super::values::{StoredAttachment, StoredAuthorKind, StoredEvent};
use super::{Handle, StoreError};

/// The bytes all stored files take, from `meta`.
pub(super) fn files_bytes(tx: &WriteTransaction) -> Result<u64, StoreError> {
    Ok(tx
        .open_table(META)?
        .get(FILES_BYTES)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes))
}

fn set_files_bytes(tx: &WriteTransaction, bytes: u64) -> Result<(), StoreError> {
    tx.open_table(META)?
        .insert(FILES_BYTES, bytes.to_le_bytes().as_slice())?;
    Ok(())
}

/// `WriteOp::PutUpload`.
pub(super) fn put_upload(
    tx: &WriteTransaction,
    state: &mut WriterState,
    id: [u8; 16],
    record: UploadV1,
    quota_bytes: u64,
) -> Result<Outcome, StoreError> {
    let mut files = tx.open_table(FILES)?;
    let existing = match files.get(record.digest.as_slice())? {
        Some(v) => Some(decode::<FileRecord>(v.value(), "files")?.into_latest()),
        None => None,
    };
    let file = match existing {
        Some(mut file) => {
            file.refs += 1;
            file
        }
        None => {
            if !state.files.contains(&record.digest) {
                return Err(StoreError::FileMissing);
            }
            let total = files_bytes(tx)?;
            if total.saturating_add(record.size) > quota_bytes {
                // The new file is named by nothing: removed after the commit.
                state.orphans.push(record.digest);
                return Err(StoreError::QuotaFull);
            }
            set_files_bytes(tx, total + record.size)?;
            FileV1 {
                size: record.size,
                content_type: record.content_type.clone(),
                refs: 1,
                created_ms: record.created_ms,
            }
        }
    };
    files.insert(
        record.digest.as_slice(),
        encode(&FileRecord::V1(file)).as_slice(),
    )?;
    tx.open_table(UPLOADS)?
        .insert(id.as_slice(), encode(&UploadRecord::V1(record)).as_slice())?;
    Ok(Outcome::Done)
}

/// The uploads `wanted` names, checked (read only): each exists and belongs to the
/// author; else `NotFound("upload")`, the same answer for someone else's.
pub(super) fn check_uploads(
    tx: &WriteTransaction,
    author_kind: StoredAuthorKind,
    author_id: u64,
    wanted: &[NewAttachment],
) -> Result<Vec<UploadV1>, StoreError> {
    let uploads = tx.open_table(UPLOADS)?;
    let mut found = Vec::with_capacity(wanted.len());
    for attachment in wanted {
        let upload = match uploads.get(attachment.upload.as_slice())? {
            Some(v) => decode::<UploadRecord>(v.value(), "uploads")?.into_latest(),
            None => return Err(StoreError::NotFound("upload")),
        };
        if upload.owner_kind != author_kind || upload.owner_id != author_id {
            return Err(StoreError::NotFound("upload"));
        }
        found.push(upload);
    }
    Ok(found)
}

/// Turns checked uploads into the attachments of message `seq`: each upload row goes,
/// an attachment row under its token comes (the file's reference count is unchanged).
pub(super) fn attach(
    tx: &WriteTransaction,
    conversation: u64,
    seq: u64,
    wanted: &[NewAttachment],
    uploads: Vec<UploadV1>,
) -> Result<StoredEvent, StoreError> {
    let mut upload_rows = tx.open_table(UPLOADS)?;
    let mut attachment_rows = tx.open_table(ATTACHMENTS)?;
    let mut files = Vec::with_capacity(uploads.len());
    for (attachment, upload) in wanted.iter().zip(uploads) {
        upload_rows.remove(attachment.upload.as_slice())?;
        let record = AttachmentV1 {
            conversation,
            seq,
            digest: upload.digest,
            name: upload.name,
            content_type: upload.content_type,
            size: upload.size,
        };
        files.push(StoredAttachment {
            token: attachment.token,
            name: record.name.clone(),
            content_type: record.content_type.clone(),
            size: record.size,
        });
        attachment_rows.insert(
            attachment.token.as_slice(),
            encode(&AttachmentRecord::V1(record)).as_slice(),
        )?;
    }
    Ok(StoredEvent::Attachments { files })
}

/// Drops the attachment rows of a message being purged.
pub(super) fn detach(
    tx: &WriteTransaction,
    state: &mut WriterState,
    files: &[StoredAttachment],
) -> Result<(), StoreError> {
    let mut rows = tx.open_table(ATTACHMENTS)?;
    for file in files {
        let removed = rows
            .remove(file.token.as_slice())?
            .map(|v| decode::<AttachmentRecord>(v.value(), "attachments"))
            .transpose()?;
        if let Some(record) = removed {
            release(tx, state, &record.into_latest().digest)?;
        }
    }
    Ok(())
}

/// `WriteOp::ExpireUploads`.
pub(super) fn expire_uploads(
    tx: &WriteTransaction,
    state: &mut WriterState,
    before_ms: u64,
) -> Result<Outcome, StoreError> {
    let mut expired = Vec::new();
    {
        let uploads = tx.open_table(UPLOADS)?;
        for row in uploads.iter()? {
            let (id, value) = row?;
            let upload = decode::<UploadRecord>(value.value(), "uploads")?.into_latest();
            if upload.created_ms < before_ms {
                expired.push((id.value().to_vec(), upload.digest));
            }
        }
    }
    let mut uploads = tx.open_table(UPLOADS)?;
    for (id, digest) in expired {
        uploads.remove(id.as_slice())?;
        release(tx, state, &digest)?;
    }
    Ok(Outcome::Done)
}

/// One reference to `digest` fewer; at none the record goes and the file is queued
/// for removal after the commit.
pub(super) fn release(
    tx: &WriteTransaction,
    state: &mut WriterState,
    digest: &[u8; 32],
) -> Result<(), StoreError> {
    let mut files = tx.open_table(FILES)?;
    let Some(mut file) = files
        .get(digest.as_slice())?
        .map(|v| decode::<FileRecord>(v.value(), "files"))
        .transpose()?
        .map(FileRecord::into_latest)
    else {
        return Ok(());
    };
    file.refs = file.refs.saturating_sub(1);
    if file.refs > 0 {
        files.insert(digest.as_slice(), encode(&FileRecord::V1(file)).as_slice())?;
        return Ok(());
    }
    files.remove(digest.as_slice())?;
    drop(files);
    let total = files_bytes(tx)?;
    set_files_bytes(tx, total.saturating_sub(file.size))?;
    state.orphans.push(*digest);
    Ok(())
}

/// After a successful commit, on the writer thread: removes the files queued by this
/// batch that no record names, unless a backup holds them (then they stay for the next
/// commit or the start-up sweep).
pub(super) fn remove_orphans(db: &Handle, state: &mut WriterState) {
    if state.orphans.is_empty() || state.files.pinned() {
        return;
    }
    let orphans = std::mem::take(&mut state.orphans);
    let named = |digest: &[u8; 32]| -> Result<bool, StoreError> {
        let tx = db.begin_read()?;
        Ok(tx.open_table(FILES)?.get(digest.as_slice())?.is_some())
    };
    for digest in orphans {
        match named(&digest) {
            Ok(false) => {
                if let Err(e) = state.files.remove(&digest) {
                    tracing::warn!(error = %e, "could not remove an attachment's file");
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(error = %e, "could not check an attachment's file"),
        }
    }
}
