//! The inference worker: one OS thread that owns the embedder, so model inference never
//! runs on the executor threads.
//!
//! Requests wait in a bounded queue. When several are waiting, the worker takes them all
//! (up to [`WorkerConfig::batch_max`] texts), embeds them in one call to the embedder
//! (which decides how many texts share a forward pass: one, for the built-in int8
//! model, see [`super::embedder`]), then calls each request's [`Reply`] in arrival order. A reply runs on the worker thread: it must only
//! hand the result on (send on a channel, compute a little), never block.
//!
//! The hub uses [`EmbedHandle::try_submit`], which never waits: a full queue is
//! [`IntentError::Busy`] and the conversation simply goes to a human. Its request says
//! until when its result is wanted (the bot's deadline, after which the hub has handed
//! the conversation to the agents): a request no longer wanted when the worker reaches
//! it is dropped unembedded, its reply uncalled, so a backlog nobody waits for costs
//! no inference.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use super::IntentError;
use super::embedder::Embed;
use super::model::Embedding;

/// Called once with the embeddings of a request's texts (in order), or why they failed.
pub type Reply = Box<dyn FnOnce(Result<Vec<Embedding>, IntentError>) + Send>;

/// Asked when the worker takes a request into a batch (so at most a batch's other texts
/// are embedded between the answer and the request's own): false drops the request, its
/// [`Reply`] uncalled. Runs on the worker thread; must be quick and never block.
pub type StillWanted = Box<dyn Fn() -> bool + Send>;

/// One request: texts to embed and where the result goes.
struct Job {
    /// The texts, embedded in order.
    texts: Vec<String>,
    /// Gets the embeddings.
    reply: Reply,
    /// Whether the result is still wanted when the worker takes the request up.
    wanted: StillWanted,
}

/// Tuning for the worker.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// Most requests waiting; beyond it `try_submit` is `Busy` and `submit` waits.
    pub queue_bound: usize,
    /// Stop gathering waiting requests once a batch holds this many texts.
    pub batch_max: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            queue_bound: 256,
            batch_max: 16,
        }
    }
}

/// Cloneable handle for submitting texts to the worker.
#[derive(Clone)]
pub struct EmbedHandle {
    jobs: async_channel::Sender<Job>,
}

impl std::fmt::Debug for EmbedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbedHandle")
            .field("waiting", &self.jobs.len())
            .finish()
    }
}

impl EmbedHandle {
    /// Starts the worker thread over `embedder`. Dropping every handle (or calling
    /// [`EmbedHandle::close`]) lets it finish the queue and exit; join the returned
    /// thread to wait for that.
    pub fn spawn<E: Embed + Send + 'static>(
        embedder: E,
        config: WorkerConfig,
    ) -> std::io::Result<(EmbedHandle, JoinHandle<()>)> {
        let (tx, rx) = async_channel::bounded(config.queue_bound.max(1));
        let thread = std::thread::Builder::new()
            .name("deskbell-intent".into())
            .spawn(move || run(&embedder, &rx, config.batch_max.max(1)))?;
        Ok((EmbedHandle { jobs: tx }, thread))
    }

    /// Queues `texts` without waiting; `reply` gets their embeddings later, unless
    /// `wanted` says no when the worker takes the request up: then it is dropped
    /// unembedded. Fails with `Busy` when the queue is full, `Closed` when the worker is
    /// gone. Whenever the request is dropped, `reply` is dropped uncalled.
    pub fn try_submit(
        &self,
        texts: Vec<String>,
        wanted: StillWanted,
        reply: Reply,
    ) -> Result<(), IntentError> {
        let job = Job {
            texts,
            reply,
            wanted,
        };
        self.jobs.try_send(job).map_err(|e| match e {
            async_channel::TrySendError::Full(_) => IntentError::Busy,
            async_channel::TrySendError::Closed(_) => IntentError::Closed,
        })
    }

    /// Queues `texts`, waiting for room in the queue.
    pub async fn submit(&self, texts: Vec<String>, reply: Reply) -> Result<(), IntentError> {
        let job = Job {
            texts,
            reply,
            wanted: Box::new(|| true),
        };
        self.jobs.send(job).await.map_err(|_| IntentError::Closed)
    }

    /// Embeds `texts` on the worker and waits for the result.
    pub async fn embed(&self, texts: Vec<String>) -> Result<Vec<Embedding>, IntentError> {
        let (tx, rx) = async_channel::bounded(1);
        let reply: Reply = Box::new(move |result| {
            let _ = tx.try_send(result);
        });
        self.submit(texts, reply).await?;
        rx.recv().await.map_err(|_| IntentError::Closed)?
    }

    /// Blocking variant of [`EmbedHandle::embed`] for threads outside the executor.
    pub fn embed_blocking(&self, texts: Vec<String>) -> Result<Vec<Embedding>, IntentError> {
        smol::block_on(self.embed(texts))
    }

    /// Requests waiting in the queue (for metrics).
    pub fn waiting(&self) -> usize {
        self.jobs.len()
    }

    /// Stops accepting requests; the worker finishes what is queued and exits.
    pub fn close(&self) {
        self.jobs.close();
    }
}

/// The worker loop: wait for a request, gather whatever else is waiting, embed, reply.
/// Requests no longer wanted are dropped as they are gathered.
fn run<E: Embed>(embedder: &E, jobs: &async_channel::Receiver<Job>, batch_max: usize) {
    while let Ok(first) = jobs.recv_blocking() {
        let mut texts = 0;
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next {
            if (job.wanted)() {
                texts += job.texts.len();
                batch.push(job);
            } else {
                tracing::debug!(texts = job.texts.len(), "dropped: no longer wanted");
            }
            next = if texts < batch_max {
                jobs.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            process(embedder, batch);
        }
    }
}

/// Embeds every text of `batch` in one call and hands each job its share.
fn process<E: Embed>(embedder: &E, batch: Vec<Job>) {
    let texts: Vec<&str> = batch
        .iter()
        .flat_map(|job| job.texts.iter().map(String::as_str))
        .collect();
    let result = match catch_unwind(AssertUnwindSafe(|| embedder.embed(&texts))) {
        Ok(Ok(vectors)) if vectors.len() == texts.len() => Ok(vectors),
        Ok(Ok(vectors)) => Err(IntentError::Inference(format!(
            "{} embeddings for {} texts",
            vectors.len(),
            texts.len()
        ))),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(IntentError::Inference("the model panicked".into())),
    };
    drop(texts);
    match result {
        Ok(vectors) => {
            let mut vectors = vectors.into_iter();
            for job in batch {
                let mine = vectors.by_ref().take(job.texts.len()).collect();
                (job.reply)(Ok(mine));
            }
        }
        Err(e) => {
            for job in batch {
                (job.reply)(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests;
