//! `--retain-days`: a background task that deletes closed conversations older than the
//! retention period, one conversation per commit so chat traffic is never held up.

use std::time::Duration;

use crate::readers::Readers;
use crate::store::{Store, WriteOp, WriterHandle};
use crate::timer::unix_ms;

/// Conversations looked at per round.
const ROUND: usize = 100;

/// Purges every `interval` until `stop` closes, listing old conversations on `readers`.
/// Returns when stopped.
pub async fn run(
    store: Store,
    readers: Readers,
    writer: WriterHandle,
    retain_days: u64,
    interval: Duration,
    stop: async_channel::Receiver<()>,
) {
    loop {
        if crate::periodic::stopped_during(interval, &stop).await {
            return;
        }
        let cutoff = unix_ms().saturating_sub(retain_days * 86_400_000);
        let reader = store.clone();
        let expired = match readers
            .run(move || reader.expired_conversations(cutoff, ROUND))
            .await
        {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "retention: could not list old conversations");
                continue;
            }
        };
        let mut purged = 0;
        for id in expired {
            match writer.call(WriteOp::PurgeConversation { id }).await {
                Ok(_) => purged += 1,
                Err(e) => tracing::warn!(conversation = id, error = %e, "retention: not purged"),
            }
        }
        if purged > 0 {
            tracing::info!(
                purged,
                retain_days,
                "retention: deleted closed conversations past the retention period"
            );
        }
    }
}
