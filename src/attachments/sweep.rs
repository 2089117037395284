//! The attachments' housekeeping, every `interval` until stopped: uploads never sent
//! expire, and files on disk that no record names (a crash between writing a file and
//! committing its record, or a commit that failed) are removed by the writer thread,
//! which alone may remove files (`store::apply_files`). The first round runs at start.

use std::time::{Duration, SystemTime};

use crate::readers::Readers;
use crate::store::{Store, WriteOp, WriterHandle};
use crate::timer::unix_ms;

/// A file must be this old before a sweep may take it for a leftover: an upload in
/// progress writes its file before it commits the record.
const LEFTOVER_AGE: Duration = Duration::from_secs(3600);

/// Runs until `stop` closes.
pub async fn run(
    store: Store,
    readers: Readers,
    writer: WriterHandle,
    upload_ttl_ms: u64,
    interval: Duration,
    stop: async_channel::Receiver<()>,
) {
    loop {
        round(&store, &readers, &writer, upload_ttl_ms).await;
        if crate::periodic::stopped_during(interval, &stop).await {
            return;
        }
    }
}

/// One round: expire, then sweep.
pub async fn round(store: &Store, readers: &Readers, writer: &WriterHandle, upload_ttl_ms: u64) {
    let before_ms = unix_ms().saturating_sub(upload_ttl_ms);
    if let Err(e) = writer.call(WriteOp::ExpireUploads { before_ms }).await {
        tracing::warn!(error = %e, "attachments: could not expire old uploads");
    }
    let reader = store.clone();
    let before = SystemTime::now()
        .checked_sub(LEFTOVER_AGE)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    match readers.run(move || reader.unnamed_files(before)).await {
        Ok(digests) if digests.is_empty() => {}
        Ok(digests) => {
            let count = digests.len();
            match writer.call(WriteOp::SweepFiles { digests }).await {
                Ok(_) => tracing::info!(count, "attachments: removed files nothing refers to"),
                Err(e) => tracing::warn!(error = %e, "attachments: sweep not done"),
            }
        }
        Err(e) => tracing::warn!(error = %e, "attachments: could not list the files"),
    }
}
