//! The responder threads: [`THREADS`] named OS threads taking questions from one
//! bounded queue ([`QUEUE`]; a full queue refuses at once, and the hub hands off). A
//! thread reads the question's context from the store, makes the blocking call and
//! hands the [`Outcome`] to the question's reply (which only `try_send`s an event to
//! the hub). A panic in a call becomes an error outcome, not a lost thread. The threads
//! end when the queue is closed and empty; a call in flight runs to its time limit.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::call::{Clients, Outcome};
use super::context::{Question, gather};
use super::settings::Settings;
use crate::store::Store;

/// Responder threads (calls in flight at most).
pub const THREADS: usize = 2;
/// Questions waiting at most.
pub const QUEUE: usize = 16;

/// Called once, on a responder thread, with a call's outcome. It must only hand the
/// result on, never block.
pub type OutcomeReply = Box<dyn FnOnce(Outcome) + Send>;

/// One question for a thread.
pub struct Job {
    /// What to ask.
    pub question: Question,
    /// The settings when it was asked.
    pub settings: Arc<Settings>,
    /// Where the outcome goes.
    pub reply: OutcomeReply,
}

/// Starts the threads; returns the queue's sending end and the threads.
pub fn start(
    store: Store,
    clients: Clients,
    max_answer: usize,
) -> std::io::Result<(async_channel::Sender<Job>, Vec<std::thread::JoinHandle<()>>)> {
    let (queue, work) = async_channel::bounded::<Job>(QUEUE);
    let mut threads = Vec::new();
    for i in 0..THREADS {
        let work = work.clone();
        let store = store.clone();
        let clients = clients.clone();
        let thread = std::thread::Builder::new()
            .name(format!("deskbell-responder-{i}"))
            .spawn(move || {
                while let Ok(job) = work.recv_blocking() {
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        run(&store, &clients, job.question, &job.settings, max_answer)
                    }))
                    .unwrap_or_else(|_| Outcome::Error("the call panicked".into()));
                    (job.reply)(outcome);
                }
            })?;
        threads.push(thread);
    }
    Ok((queue, threads))
}

/// Reads the context and calls.
fn run(
    store: &Store,
    clients: &Clients,
    question: Question,
    settings: &Settings,
    max_answer: usize,
) -> Outcome {
    let conversation = question.conversation;
    let asked = match gather(store, question) {
        Ok(a) => a,
        Err(e) => return Outcome::Error(format!("reading the conversation: {e}")),
    };
    let outcome = clients.call(settings, &asked, max_answer);
    match &outcome {
        Outcome::Answered(_) => tracing::debug!(conversation, "the responder answered"),
        Outcome::Handoff(reason) => {
            tracing::info!(conversation, reason = %reason, "the responder hands off")
        }
        Outcome::Timeout => tracing::warn!(conversation, "the responder timed out"),
        Outcome::Error(why) => tracing::warn!(conversation, error = %why, "the responder failed"),
    }
    outcome
}
