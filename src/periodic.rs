//! The wait between two rounds of a background task (retention, the attachments' sweep):
//! an interval that ends early when the server stops.

use std::time::Duration;

use futures_lite::future;

/// Waits `interval`; true when `stop` closed first (the task should return).
pub async fn stopped_during(interval: Duration, stop: &async_channel::Receiver<()>) -> bool {
    future::or(async { stop.recv().await.is_err() }, async {
        smol::Timer::after(interval).await;
        false
    })
    .await
}
