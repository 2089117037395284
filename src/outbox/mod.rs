//! The durable outbox: events recorded in the same commit as their cause, delivered at
//! least once to the sinks (webhooks, email, Web Push), off the executor threads.
//!
//! # How it works
//!
//! 1. **Recording.** While any sink is configured, the writer adds one small entry to
//!    the `outbox` table in the same transaction as the message or visitor change that
//!    caused it (`store::outbox`). An entry only points at what happened (conversation
//!    and message sequence, or visitor); what a sink sends is read from the store at
//!    delivery time. Nothing on the message path waits for delivery.
//! 2. **Planning.** The outbox thread ([`worker`]) reads new entries in id order, asks
//!    every [`Sink`] which deliveries each one needs ([`Sink::plan`]), and writes those
//!    deliveries as jobs while deleting the entries, in one commit. It plans only when
//!    the delivery threads run low on work, so a slow receiver's backlog waits as
//!    entries and the writer plans at the delivery rate, not the message rate.
//! 3. **Delivery.** Due jobs go to a few delivery threads that call [`Sink::deliver`]
//!    (blocking network I/O is fine there). Results are written back in batches: done
//!    jobs are deleted, failures rescheduled with backoff ([`backoff`]) for about 24
//!    hours, then given up and kept for the console and `/metrics`.
//!
//! A job that was sent but not yet marked done when the process died is sent again
//! after the restart, with the same event id: receivers deduplicate on it.

pub mod backoff;
mod convert;
pub mod event;
mod handle;
mod pool;
mod schedule;
pub mod sink;
mod worker;

pub use event::{EventKind, OutboxEvent};
pub use handle::{AttemptLog, FailedDelivery, Outbox};
pub use pool::OUTBOX_NICE;
pub use sink::{Attempt, Delivery, Planned, Sink, SinkId};
pub use worker::{KEEP_FAILED_MS, MAX_JOBS, Wall};

#[cfg(test)]
mod tests;
