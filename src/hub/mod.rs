//! The hub: the one task that owns all live conversation state. Connections and the
//! HTTP API talk to it through a bounded channel of [`Event`]s; the writer thread answers
//! on an unbounded channel of [`Completion`]s (bounded in practice by the writer's own
//! queue). Nothing else mutates live conversation state, so there are no locks.
//!
//! The state is made of owned parts, each keeping its own indexes consistent behind its
//! methods, with its invariants stated in its module header and unit-tested there:
//! `Conns` (connections, the visitor index, subscriptions both ways), `Convs` (live
//! conversations and each visitor's open one), the [`Router`] (where each conversation
//! sits: the only record of it), `Pending` (assignments waiting for their commit), the
//! inbox batch, and the timing wheel. Tests drive the tick with [`HubHandle::tick`]
//! instead of waiting for the real timer.
//!
//! # Invariants
//! 1. **Commit first.** Every change of a conversation (a message, a close, an
//!    assignment: automatic on opening, hand-off, drain or tick, a claim, a transfer, a
//!    requeue after grace or on disable, a reopen) enters live state when its commit
//!    returns; until then no frame about it goes to any agent or visitor.
//! 2. **Reservations are private.** An assignment holds its place in the [`Router`]
//!    from the moment it is decided, so the next event cannot give the conversation out
//!    twice or overfill an agent; but summaries show where the store has it (`Pending`)
//!    until the commit returns.
//! 3. **A failed commit is undone.** The router goes back to the store's placement
//!    ([`Router::revert`]), the agent who asked is told `storage_unavailable`, and an
//!    automatic assignment waits in line until the next tick drains the queue again (a
//!    requeue after grace, until another grace period ends). A close whose commit fails
//!    leaves nothing to undo (see `closing`).

mod actions;
pub mod acts;
mod api_actions;
mod bot;
mod choices;
mod closing;
mod connections;
mod conns;
mod convs;
mod erasing;
pub mod event;
mod inbox;
mod labels;
mod live;
mod messages;
pub mod outlet;
mod pending;
mod placing;
mod ratings;
mod responder;
mod signals;
mod startup;
mod texts;
mod timers;
mod written;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_lite::{StreamExt, future};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::readers::Readers;
use crate::routing::{self, Router};
use crate::search::tokens::TermCounts;
use crate::store::{Reply, Store, StoreError, WriteOp, WriterHandle};
use crate::timer::TimingWheel;

pub use acts::{ActRefusal, Acted, ApiAction, ApiAuthor};
pub use event::{
    Asker, Completion, ConnId, ConnLink, EraseReply, Event, Identity, Outbound, WriteTag,
};
use live::{LiveAgent, TimerEvent};
pub use outlet::{OutletReceiver, outlet};

/// Resolution of the timing wheel.
pub const TICK_MS: u64 = 100;
/// Bound of the event channel into the hub.
const EVENT_QUEUE: usize = 4096;

/// Cloneable handle for sending events to the hub.
#[derive(Clone)]
pub struct HubHandle {
    events: async_channel::Sender<Event>,
    /// Published by the hub in `refresh_totals`: any enabled agent online.
    agents_online: Arc<AtomicBool>,
}

impl HubHandle {
    /// Sends an event, waiting while the hub is busy. False when the hub has stopped.
    pub async fn send(&self, event: Event) -> bool {
        self.events.send(event).await.is_ok()
    }

    /// Runs the hub's timers now and waits until they have run (a barrier for tests
    /// that move a manual clock). False when the hub has stopped.
    pub async fn tick(&self) -> bool {
        let (done, ran) = async_channel::bounded(1);
        self.send(Event::Tick { done }).await && ran.recv().await.is_ok()
    }

    /// Whether an enabled agent is online to take conversations, as the hub last saw
    /// it (published by the hub; read by the widget's settings endpoint).
    pub fn agents_online(&self) -> bool {
        self.agents_online.load(Ordering::Relaxed)
    }
}

/// The hub's state; lives inside its task.
pub struct Hub {
    config: Arc<Config>,
    store: Store,
    writer: WriterHandle,
    metrics: Arc<Metrics>,
    completions: async_channel::Sender<Completion>,
    /// The FAQ bot (None with `--no-bot`).
    bot: Option<crate::bot::Bot>,
    /// The external responder behind the bot (asked only as its settings say).
    responder: crate::responder::Responder,
    /// Responder calls made today (the per-day limit).
    responder_today: crate::responder::limits::DailyCalls,
    /// The storage-read pool, for reads whose result comes back as a completion.
    readers: Readers,
    /// Open connections, the visitor index and subscriptions (see `conns`).
    conns: conns::Conns,
    /// Names of connected visitors who gave one.
    visitor_names: HashMap<u64, String>,
    /// Connected visitors with no stored record yet, and the details of their visit:
    /// their first durable write (a conversation's first message, a profile) creates
    /// the record in the same commit. Dropped with their last connection.
    unsaved_visitors: HashMap<u64, crate::store::VisitorUpdate>,
    /// Visitors erased in this run (or being erased): their hellos are refused
    /// (`erasing`).
    erased_visitors: std::collections::HashSet<u64>,
    /// Inbox updates for agents about conversations that are not theirs, sent once per
    /// tick (see `inbox`).
    inbox: inbox::batch::InboxBatch,
    agents: BTreeMap<u64, LiveAgent>,
    /// Live conversations and each visitor's open one (see `convs`).
    conversations: convs::Convs,
    router: Router,
    /// Assignments the router holds whose commit has not returned (see `pending`).
    pending: pending::Pending,
    wheel: TimingWheel<TimerEvent>,
    next_conversation: u64,
    shutting_down: bool,
    /// Whether an agent is online, as visitors were last told and as the handle shows.
    any_agent_online: Arc<AtomicBool>,
    /// While shutting down: who to tell when done, and the clock ms to give up waiting.
    shutdown: Option<(async_channel::Sender<()>, u64)>,
}

/// How long a shutdown waits for connections to close after telling them to.
const SHUTDOWN_GRACE_MS: u64 = 2_000;

/// Restores live state from the store and starts the hub task on `executor`.
#[allow(clippy::too_many_arguments)] // the hub's parts, each named at the one call site
pub fn spawn(
    executor: &smol::Executor<'static>,
    config: Arc<Config>,
    store: Store,
    writer: WriterHandle,
    metrics: Arc<Metrics>,
    bot: Option<crate::bot::Bot>,
    responder: crate::responder::Responder,
    readers: Readers,
    presence: Arc<crate::presence::Presence>,
) -> Result<(HubHandle, smol::Task<()>), StoreError> {
    let (events_tx, events) = async_channel::bounded(EVENT_QUEUE);
    let (completions_tx, completions) = async_channel::unbounded();
    let now = config.now_ms();
    let mut hub = Hub {
        router: Router::new(config.default_capacity),
        pending: pending::Pending::default(),
        wheel: TimingWheel::new(TICK_MS, now),
        config,
        store,
        writer,
        metrics,
        completions: completions_tx,
        bot,
        responder,
        responder_today: Default::default(),
        readers,
        conns: conns::Conns::new(presence),
        visitor_names: HashMap::new(),
        unsaved_visitors: HashMap::new(),
        erased_visitors: Default::default(),
        inbox: inbox::batch::InboxBatch::default(),
        agents: BTreeMap::new(),
        conversations: convs::Convs::default(),
        next_conversation: 0,
        shutting_down: false,
        any_agent_online: Arc::new(AtomicBool::new(false)),
        shutdown: None,
    };
    let unanswered = hub.restore()?;
    let handle = HubHandle {
        events: events_tx,
        agents_online: hub.any_agent_online.clone(),
    };
    let task = executor.spawn(async move {
        hub.ask_bot_again(unanswered).await;
        hub.run(events, completions).await
    });
    Ok((handle, task))
}

enum Wake {
    Event(Event),
    Completion(Completion),
    Tick,
    Stopped,
}

impl Hub {
    async fn run(
        &mut self,
        events: async_channel::Receiver<Event>,
        completions: async_channel::Receiver<Completion>,
    ) {
        let mut ticks = smol::Timer::interval(Duration::from_millis(TICK_MS));
        loop {
            // Completions first: they carry acknowledgements people are waiting for.
            let wake = future::or(
                async {
                    completions
                        .recv()
                        .await
                        .map_or(Wake::Stopped, Wake::Completion)
                },
                future::or(
                    async { events.recv().await.map_or(Wake::Stopped, Wake::Event) },
                    async {
                        ticks.next().await;
                        Wake::Tick
                    },
                ),
            )
            .await;
            match wake {
                Wake::Completion(c) => self.on_completion(c).await,
                Wake::Event(Event::Shutdown { done }) => {
                    self.shut_down();
                    self.shutdown = Some((done, self.config.now_ms() + SHUTDOWN_GRACE_MS));
                }
                Wake::Event(e) => self.on_event(e).await,
                Wake::Tick => self.on_tick().await,
                Wake::Stopped => return,
            }
            if let Some((done, deadline)) = &self.shutdown
                && (self.conns.is_empty() || self.config.now_ms() >= *deadline)
            {
                let _ = done.try_send(());
                return;
            }
        }
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Connected(link) => self.on_connected(link),
            Event::Hello {
                conn,
                identity,
                visitor_token,
                latest,
                visitor_name,
                language,
                session,
                unsaved,
            } => {
                // Only for a connection still waiting for its hello (its disconnection
                // is what drops the entry again).
                let waiting = self
                    .conns
                    .get(&conn)
                    .is_some_and(|c| c.identity().is_none());
                if let (Identity::Visitor { id, .. }, Some(details), true) =
                    (&identity, unsaved, waiting)
                {
                    self.unsaved_visitors.insert(*id, *details);
                }
                if let (Some(live), true) = (self.conns.get_mut(&conn), waiting) {
                    live.language = language;
                }
                self.on_hello(conn, identity, visitor_token, latest, visitor_name, session)
                    .await
            }
            Event::Frame {
                conn,
                frame,
                terms,
                received,
            } => self.on_frame(conn, frame, terms, received).await,
            Event::Disconnected { conn } => self.on_disconnected(conn),
            Event::AgentSaved { id, agent } => self.on_agent_saved(id, agent).await,
            Event::LabelDeleted { changed } => {
                for (conversation, labels) in changed {
                    self.labels_committed(conversation, labels);
                }
            }
            Event::SessionsEnded { agent, keep } => self.on_sessions_ended(agent, keep),
            Event::EraseVisitor { visitor, op, reply } => {
                self.on_erase_visitor(visitor, op, reply).await
            }
            Event::Act {
                conversation,
                action,
                reply,
            } => self.on_act(conversation, action, reply).await,
            Event::Tick { done } => {
                self.on_tick().await;
                let _ = done.try_send(());
            }
            Event::Shutdown { .. } => {}
        }
    }

    async fn on_completion(&mut self, completion: Completion) {
        match completion {
            Completion::Written { tag, result } => self.on_written(tag, result).await,
            Completion::BotDecided {
                conversation,
                seq,
                decision,
                asked,
            } => {
                self.on_bot_decided(conversation, seq, decision, asked)
                    .await
            }
            Completion::Responded {
                conversation,
                seq,
                outcome,
            } => self.on_responded(conversation, seq, outcome).await,
            Completion::Reopen {
                conn,
                agent,
                conversation,
                loaded,
                labels,
            } => {
                self.on_reopen_loaded(conn, agent, conversation, (loaded, labels))
                    .await
            }
        }
    }

    /// Queues a write whose result comes back as a [`Completion::Written`].
    async fn write(&self, op: WriteOp, tag: WriteTag) {
        self.write_counted(op, tag, None).await
    }

    /// [`Hub::write`] for a message whose search terms its connection counted already
    /// (`terms`; `WriterHandle::submit_counted`), so this task does not count them.
    async fn write_counted(&self, op: WriteOp, tag: WriteTag, terms: Option<TermCounts>) {
        let completions = self.completions.clone();
        let reply: Reply = Box::new(move |result| {
            let _ = completions.try_send(Completion::Written { tag, result });
        });
        let queued = match terms {
            Some(terms) => self.writer.submit_counted(op, terms, reply).await,
            None => self.writer.submit(op, reply).await,
        };
        if let Err(e) = queued {
            tracing::warn!(error = %e, "write dropped: writer stopped");
        }
    }

    /// The summary of a live conversation, its placement read from the router. One
    /// whose first message is still being committed is not placed yet: it shows where
    /// it is about to go (the bot, or the queue).
    fn summary_of(&self, conversation: u64) -> Option<crate::protocol::ConversationSummary> {
        use routing::Placement::{Queued, WithBot};
        let live = self.conversations.get(&conversation)?;
        let reserved = self.router.placement(conversation);
        // An assignment waiting for its commit is nobody's business yet: the store's
        // placement is shown until it returns.
        let placement = match (self.pending.stored(conversation), reserved) {
            (Some(Some(Queued { .. })), Some(Queued { position })) => Some(Queued { position }),
            (Some(Some(stored)), _) => Some(stored),
            (_, None) if !live.durable && self.bot.is_some() => Some(WithBot),
            (_, None) if !live.durable => Some(Queued { position: 0 }),
            _ => reserved,
        };
        Some(live.summary(conversation, placement))
    }

    /// The agent a conversation is assigned to as the store has it: an assignment
    /// waiting for its commit does not count yet (who may write in it, who closes it).
    fn stored_assignee(&self, conversation: u64) -> Option<u64> {
        match self.pending.stored(conversation) {
            Some(Some(routing::Placement::Assigned(agent))) => Some(agent),
            Some(_) => None,
            None => self.router.assignee(conversation),
        }
    }

    /// Keeps the gauges in step with live state, and tells visitors when the answer to
    /// "can anyone reply now?" changes.
    fn refresh_totals(&mut self) {
        self.metrics
            .queue_length
            .set(self.router.queue_len() as i64);
        self.metrics
            .open_conversations
            .set(self.conversations.len() as i64);
        let online = self
            .agents
            .values()
            .filter(|a| a.presence == crate::protocol::Presence::Online && !a.account.disabled)
            .count();
        self.metrics.agents_online.set(online as i64);
        if self.any_agent_online.swap(online > 0, Ordering::Relaxed) != (online > 0) {
            self.tell_visitors_availability(online > 0);
        }
    }
}
