//! The shared state behind the attachment endpoints, held by `App`: the hourly upload
//! budgets, the server-wide count of uploads being received, the per-address download
//! rate, and the pool of threads that do the files' blocking work (sniffing, stripping,
//! hashing, writing and syncing, reading downloads) off the executor.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::UploadLimits;
use super::budget::{OverBudget, Payer, UploadBudget};
use crate::new_visitors::NewVisitorLimit;
use crate::readers::Readers;

/// Threads of the files' pool.
const FILE_THREADS: usize = 2;

/// Payers and addresses remembered at most.
const REMEMBERED: usize = 10_000;

/// The limits' state.
pub struct UploadGate {
    /// Hourly budgets per visitor and address.
    budget: Mutex<UploadBudget>,
    /// Uploads being received now.
    in_flight: Arc<AtomicUsize>,
    /// Most at once.
    at_once: usize,
    /// Downloads per address per minute.
    downloads: Mutex<NewVisitorLimit>,
    /// The files' blocking work; None if its threads could not start (then smol's
    /// blocking pool does it).
    pool: Option<Readers>,
}

/// One upload being received; its place is given back when dropped.
#[derive(Debug)]
pub struct Receiving {
    in_flight: Arc<AtomicUsize>,
}

impl Drop for Receiving {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl UploadGate {
    /// The state for `limits`.
    pub fn new(limits: &UploadLimits) -> UploadGate {
        UploadGate {
            budget: Mutex::new(UploadBudget::new(
                limits.bytes_per_hour,
                limits.files_per_hour,
                REMEMBERED,
            )),
            in_flight: Arc::new(AtomicUsize::new(0)),
            at_once: limits.at_once.max(1),
            downloads: Mutex::new(NewVisitorLimit::new(
                limits.downloads_per_minute,
                REMEMBERED,
            )),
            pool: Readers::start("deskbell-files", FILE_THREADS, crate::readers::QUEUE)
                .map_err(|e| tracing::warn!(error = %e, "no threads for attachments' files"))
                .ok(),
        }
    }

    /// Runs a file's blocking work off the executor and returns its result. The pool's
    /// threads end when the server's `App` is dropped.
    pub async fn blocking<T, F>(&self, job: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        match &self.pool {
            Some(pool) => pool.run(job).await,
            None => smol::unblock(job).await,
        }
    }

    /// A place for one more upload, or None when `at_once` are being received.
    pub fn receive(&self) -> Option<Receiving> {
        let taken = self.in_flight.fetch_add(1, Ordering::SeqCst);
        let place = Receiving {
            in_flight: self.in_flight.clone(),
        };
        (taken < self.at_once).then_some(place)
    }

    /// Charges one upload of `bytes` to `payers` (see [`UploadBudget::charge`]).
    pub fn charge(&self, payers: &[Payer], bytes: u64, now_ms: u64) -> Result<(), OverBudget> {
        match self.budget.lock() {
            Ok(mut budget) => budget.charge(payers, bytes, now_ms),
            Err(_) => Ok(()),
        }
    }

    /// One download from `address`: `Err(seconds)` when over its rate.
    pub fn download(&self, address: IpAddr, now_ms: u64) -> Result<(), u64> {
        match self.downloads.lock() {
            Ok(mut limit) => limit.try_take(address, now_ms),
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_and_given_back() {
        let gate = UploadGate::new(&UploadLimits {
            at_once: 2,
            ..UploadLimits::default()
        });
        let a = gate.receive().expect("first");
        let _b = gate.receive().expect("second");
        assert!(gate.receive().is_none());
        drop(a);
        assert!(gate.receive().is_some());
    }
}
