//! [`Bot`]: the handle the server holds. It owns the current [`Index`] (the [`Matcher`]
//! with the answers per language and revisions) and talks to the inference worker;
//! decisions are computed on the worker thread, so nothing here blocks an executor
//! thread except [`Bot::start`] (call it before serving).

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};
use std::thread::JoinHandle;

use super::BotError;
use super::config::BotConfig;
use super::decision::{Decision, Reason};
use super::faq::{FaqEmbeddings, FaqEntry, QuantizedEmbedding, SavedFaq};
use super::index::Index;
use super::lang::answer_language;
use super::matcher::{Matcher, Scores};
use crate::intent::{
    Embed, EmbedHandle, Embedder, Embedding, IntentError, StillWanted, WorkerConfig,
};

/// Called once, on the worker thread, with the decision for a message. It must only
/// hand the result on (e.g. `try_send` an event to the hub), never block.
pub type DecisionReply = Box<dyn FnOnce(Result<Decision, BotError>) + Send>;

/// The running bot: FAQ index + inference worker. Clones share both (the hub decides,
/// the HTTP API edits the FAQ); each decision uses the index as it is when the decision
/// is made (after the message's embedding), so a change that has returned is seen by
/// every later decision.
#[derive(Debug, Clone)]
pub struct Bot {
    /// The inference worker.
    worker: EmbedHandle,
    /// The current index: each decision takes the `Arc` inside; FAQ changes replace it
    /// (copy on write), so a change never waits for a decision in progress.
    index: Arc<RwLock<Arc<Index>>>,
    /// Id of the running model (hex sha256 of its file).
    model_id: Arc<str>,
}

/// A decision with every score behind it: the console's "try a question" box.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    /// What the bot would do.
    pub decision: Decision,
    /// The rule that decided, with its figures.
    pub reason: Reason,
    /// The FAQ entries (best first, at most five) and every built-in intent.
    pub scores: Scores,
}

impl Bot {
    /// Loads the model (built in, or the file at `model`), starts the worker thread and
    /// embeds the built-in intents. Blocking (about a second on a small machine): call
    /// it before serving. Returns the worker thread to join after [`Bot::close`].
    pub fn start(
        model: Option<&Path>,
        config: BotConfig,
    ) -> Result<(Bot, JoinHandle<()>), BotError> {
        let embedder = match model {
            Some(path) => Embedder::from_model_file(path)?,
            None => Embedder::builtin()?,
        };
        let model_id = embedder.model().id().to_owned();
        let examples = Matcher::intent_examples();
        let intents = super::intent_vectors::committed(&model_id, &examples);
        Bot::build(
            embedder,
            &model_id,
            config,
            WorkerConfig::default(),
            intents,
        )
    }

    /// [`Bot::start`] over any embedder (tests use a fake one).
    pub fn with_embedder<E: Embed + Send + 'static>(
        embedder: E,
        model_id: &str,
        config: BotConfig,
        worker: WorkerConfig,
    ) -> Result<(Bot, JoinHandle<()>), BotError> {
        Bot::build(embedder, model_id, config, worker, None)
    }

    /// Starts the worker; `intents` are the built-in examples' embeddings when known
    /// ahead (else they are computed here).
    fn build<E: Embed + Send + 'static>(
        embedder: E,
        model_id: &str,
        config: BotConfig,
        worker: WorkerConfig,
        intents: Option<Vec<Embedding>>,
    ) -> Result<(Bot, JoinHandle<()>), BotError> {
        let examples = Matcher::intent_examples();
        let vectors = match intents {
            Some(vectors) => vectors,
            None => {
                let texts: Vec<&str> = examples.iter().map(|(_, t)| *t).collect();
                embedder.embed(&texts)?
            }
        };
        let intents = examples.iter().map(|(i, _)| *i).zip(vectors).collect();
        let matcher = Matcher::new(config, intents);
        let index = Arc::new(RwLock::new(Arc::new(Index::new(matcher))));
        let (worker, thread) =
            EmbedHandle::spawn(embedder, worker).map_err(|e| BotError::Spawn(e.to_string()))?;
        let bot = Bot {
            worker,
            index,
            model_id: model_id.into(),
        };
        Ok((bot, thread))
    }

    /// Queues `text` and returns at once; `reply` gets the decision from the worker
    /// thread, its texts in the visitor's language ([`answer_language`] of `text` and
    /// `browser`, the language the visitor's browser reports). `Err(Intent(Busy))` when
    /// the queue is full and `Err(Intent(Closed))` after shutdown: `reply` is then
    /// dropped uncalled and the caller should treat the message as needing a person.
    /// `wanted` is asked when the worker takes the message up: once it says no (the
    /// caller's deadline has passed) the message is not embedded and `reply` is dropped
    /// uncalled, as the caller has already given up waiting.
    pub fn decide(
        &self,
        text: String,
        browser: Option<String>,
        wanted: StillWanted,
        reply: DecisionReply,
    ) -> Result<(), BotError> {
        let current = self.index.clone();
        let texts = vec![text.clone()];
        let on_embedded = move |result: Result<Vec<_>, IntentError>| {
            let decision = result.map_err(BotError::from).and_then(|vectors| {
                let message = vectors.first().ok_or(IntentError::Closed)?;
                // The index as it is now, not as it was when the message was queued.
                let index = current
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let decision = index.matcher().decide(&text, message);
                let language = answer_language(&text, browser.as_deref());
                Ok(index.localize(decision, &language))
            });
            reply(decision);
        };
        Ok(self
            .worker
            .try_submit(texts, wanted, Box::new(on_embedded))?)
    }

    /// [`Bot::decide`], waiting for the decision (and for room in the queue).
    pub async fn decide_async(
        &self,
        text: String,
        browser: Option<&str>,
    ) -> Result<Decision, BotError> {
        let (decision, _, _) = self.decide_with_scores(text, browser).await?;
        Ok(decision)
    }

    /// The decision for `text` with the scores behind it (the console's test box): the
    /// one a visitor whose browser reports `browser` (`None`: none) gets, answer
    /// language included.
    pub async fn explain(
        &self,
        text: String,
        browser: Option<&str>,
    ) -> Result<Explanation, BotError> {
        let (decision, mut scores, reason) = self.decide_with_scores(text, browser).await?;
        scores.faq.truncate(5);
        Ok(Explanation {
            decision,
            reason,
            scores,
        })
    }

    /// Embeds `text`, then decides with the index as it is then: the decision (its
    /// answer in the visitor's language), the scores and the rule that decided.
    async fn decide_with_scores(
        &self,
        text: String,
        browser: Option<&str>,
    ) -> Result<(Decision, Scores, Reason), BotError> {
        let vectors = self.worker.embed(vec![text.clone()]).await?;
        let message = vectors.first().ok_or(IntentError::Closed)?;
        let index = self.index();
        let scores = index.matcher().scores(&text, message);
        let (decision, reason) = index.matcher().decide_with_reason(&text, &scores);
        let language = answer_language(&text, browser);
        Ok((index.localize(decision, &language), scores, reason))
    }

    /// Embeds an entry's questions for storage, when the entry is saved. Persist the
    /// result next to the entry, then call [`Bot::upsert_faq`].
    pub async fn embed_entry(&self, entry: &FaqEntry) -> Result<FaqEmbeddings, BotError> {
        let texts = entry.prototypes().into_iter().map(str::to_owned).collect();
        let vectors = self.worker.embed(texts).await?;
        Ok(FaqEmbeddings {
            model_id: self.model_id.to_string(),
            vectors: vectors.iter().map(QuantizedEmbedding::quantize).collect(),
        })
    }

    /// Whether `stored` was computed by the running model for `entry`'s questions; if
    /// not (e.g. after `--model` changed), recompute with [`Bot::embed_entry`].
    pub fn is_current(&self, entry: &FaqEntry, stored: &FaqEmbeddings) -> bool {
        *stored.model_id == *self.model_id && stored.vectors.len() == entry.prototype_count()
    }

    /// Adds or replaces an entry, unless the index has that revision of it or a later
    /// one (then `Ok(false)`). Decisions made from now on see it.
    pub fn upsert_faq(&self, saved: &SavedFaq, stored: &FaqEmbeddings) -> Result<bool, BotError> {
        if !self.is_current(&saved.entry, stored) {
            return Err(BotError::StaleEmbeddings {
                faq_id: saved.entry.id,
            });
        }
        let vectors = stored
            .vectors
            .iter()
            .map(QuantizedEmbedding::to_embedding)
            .collect::<Result<Vec<_>, _>>()?;
        self.change(|index| index.upsert(saved, vectors))
    }

    /// Removes an entry deleted at `revision` (unless a later revision of the id is
    /// there); whether it was removed.
    pub fn remove_faq(&self, id: u64, revision: u64) -> bool {
        self.change(|index| index.remove(id, revision))
    }

    /// Changes the thresholds.
    pub fn set_config(&self, config: BotConfig) {
        self.change(|index| index.set_config(config));
    }

    /// The current index.
    pub fn index(&self) -> Arc<Index> {
        self.index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Applies `edit` to a copy of the index and makes the copy current.
    fn change<T>(&self, edit: impl FnOnce(&mut Index) -> T) -> T {
        let mut current = self.index.write().unwrap_or_else(PoisonError::into_inner);
        edit(Arc::make_mut(&mut current))
    }

    /// Id of the running model: store it with embeddings ([`FaqEmbeddings::model_id`]).
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Messages waiting for the worker (for metrics).
    pub fn waiting(&self) -> usize {
        self.worker.waiting()
    }

    /// Stops the worker once the queued messages are decided.
    pub fn close(&self) {
        self.worker.close();
    }
}
