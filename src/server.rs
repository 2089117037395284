//! Starting and stopping one server: storage, writer thread, executor threads, hub,
//! HTTP listener; and the graceful shutdown that flushes the writer and closes sockets.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use futures_lite::future;

use crate::app::App;
use crate::auth::setup_code;
use crate::bot::Bot;
use crate::config::Config;
use crate::error::Error;
use crate::hub::{self, Event, HubHandle};
use crate::metrics::Metrics;
use crate::readers::{self, Readers};
use crate::store::{Store, WriterConfig, WriterHandle, writer};

/// How long shutdown waits for connections to close.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

/// A running server.
pub struct Server {
    addr: SocketAddr,
    setup_code: Option<String>,
    stop_accepting: async_channel::Sender<()>,
    stop_executor: async_channel::Sender<()>,
    executor: Arc<smol::Executor<'static>>,
    executor_threads: Vec<JoinHandle<()>>,
    hub: HubHandle,
    writer: WriterHandle,
    writer_thread: Option<JoinHandle<()>>,
    bot_thread: Option<JoinHandle<()>>,
    app: Arc<App>,
    tls: Option<crate::tls::Tls>,
}

impl Server {
    /// Opens the data directory, restores live state and starts listening.
    pub fn start(config: Config) -> Result<Server, Error> {
        let config = Arc::new(config);
        // Unusable certificate files stop the start before anything else happens.
        let tls = config.tls.as_ref().map(crate::tls::Tls::load).transpose()?;
        let store = Store::open_with_faults(
            &config.data_dir,
            config.storage_faults.clone(),
            config.cache_bytes,
        )?;
        let metrics = Arc::new(Metrics::new());
        let writer_config = WriterConfig {
            batch_max: config.batch_max,
            quick_repair: config.quick_repair,
            commit_window: config.commit_window,
            search_index: config.search_index,
            ..WriterConfig::default()
        };
        let (writer, writer_thread) = writer::spawn(
            store.db().clone(),
            store.outbox_gate().clone(),
            writer_config,
            metrics.clone(),
        )
        .map_err(Error::io("starting the writer"))?;

        let (bot, bot_thread) = match start_bot(&config, &store, &writer) {
            Ok(Some((bot, thread))) => (Some(bot), Some(thread)),
            Ok(None) => (None, None),
            Err(e) => {
                writer.close();
                let _ = writer_thread.join();
                return Err(e);
            }
        };

        let pools = start_pools(&config);
        let (readers, hashers) = match pools {
            Ok(pools) => pools,
            Err(e) => {
                if let Some(bot) = &bot {
                    bot.close();
                }
                if let Some(thread) = bot_thread {
                    let _ = thread.join();
                }
                writer.close();
                let _ = writer_thread.join();
                return Err(e);
            }
        };

        let executor = Arc::new(smol::Executor::new());
        let (stop_executor, executor_stopped) = async_channel::bounded::<()>(1);
        let mut executor_threads = Vec::new();
        for i in 0..config.threads.max(1) {
            let ex = executor.clone();
            let stopped = executor_stopped.clone();
            let thread = std::thread::Builder::new()
                .name(format!("deskbell-exec-{i}"))
                .spawn(move || {
                    smol::block_on(ex.run(async {
                        let _ = stopped.recv().await;
                    }))
                })
                .map_err(Error::io("starting executor threads"))?;
            executor_threads.push(thread);
        }

        let presence = Arc::new(crate::presence::Presence::new());
        let responder = crate::responder::Responder::start(
            store.clone(),
            store.responder()?.into(),
            config.allow_private_webhooks,
            config.max_body_bytes,
        )
        .map_err(Error::io("starting the responder threads"))?;
        let (hub, _hub_task) = hub::spawn(
            &executor,
            config.clone(),
            store.clone(),
            writer.clone(),
            metrics.clone(),
            bot.clone(),
            responder.clone(),
            readers.clone(),
            presence.clone(),
        )?;
        let mailer = crate::email::start(&config);
        let visitor_mail = Arc::new(crate::email::VisitorMail::new(
            &config,
            store.clone(),
            mailer.is_some(),
        ));
        // The sinks the outbox delivers to; each is added by its own module.
        let webhooks = Arc::new(crate::webhooks::WebhookSink::new(
            store.clone(),
            writer.clone(),
            config.allow_private_webhooks,
            crate::outbox::Wall::new(config.clock.clone()),
        )?);
        let push = Arc::new(crate::push::Push::new(
            &config,
            store.clone(),
            writer.clone(),
            presence.clone(),
        )?);
        let sinks: Vec<Arc<dyn crate::outbox::Sink>> = vec![
            Arc::new(crate::email::EmailSink::new(
                &config,
                store.clone(),
                presence.clone(),
                mailer.clone(),
                visitor_mail.clone(),
            )),
            webhooks.clone(),
            push.clone(),
        ];
        let outbox = crate::outbox::Outbox::start(
            store.clone(),
            writer.clone(),
            sinks,
            metrics.clone(),
            config.clock.clone(),
        )
        .map_err(Error::io("starting the outbox"))?;
        webhooks.set_outbox(outbox.clone());
        _hub_task.detach();

        let setup_code = setup_code::prepare(&store, &config)?;
        let listener = std::net::TcpListener::bind(config.listen)
            .map_err(Error::io(format!("listening on {}", config.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(Error::io("reading the listening address"))?;
        let listener = smol::net::TcpListener::try_from(listener)
            .map_err(Error::io("preparing the listener"))?;

        let (max_visitor, _) = store.max_ids()?;
        let settings = store.settings()?;
        let app = Arc::new(App::new(
            config.clone(),
            store,
            writer.clone(),
            hub.clone(),
            metrics,
            setup_code.clone(),
            &executor,
            max_visitor,
            settings,
            bot,
            readers,
            hashers,
            push,
            presence,
            outbox,
            mailer,
            visitor_mail,
            webhooks,
            responder,
        ));
        let (stop_accepting, accept_stopped) = async_channel::bounded::<()>(1);
        match crate::control::bind(&config.data_dir) {
            Ok(control) => {
                let task = crate::control::serve(
                    control,
                    app.store.clone(),
                    config.data_dir.clone(),
                    accept_stopped.clone(),
                );
                executor.spawn(task).detach();
            }
            Err(e) => {
                tracing::warn!(error = %e, "no control socket: online backup and export are unavailable")
            }
        }
        // The search index's pass over older data, a batch per writer commit.
        if config.search_index {
            executor
                .spawn(crate::indexing::run(writer.clone(), accept_stopped.clone()))
                .detach();
        }
        if let Some(days) = config.retain_days {
            let interval = std::time::Duration::from_millis(config.retention_interval_ms);
            let task = crate::retention::run(
                app.store.clone(),
                app.readers.clone(),
                writer.clone(),
                days,
                interval,
                accept_stopped.clone(),
            );
            executor.spawn(task).detach();
        }
        executor
            .spawn(crate::attachments::sweep::run(
                app.store.clone(),
                app.readers.clone(),
                writer.clone(),
                config.uploads.upload_ttl_ms,
                std::time::Duration::from_millis(config.retention_interval_ms),
                accept_stopped.clone(),
            ))
            .detach();
        executor
            .spawn(crate::http::serve(
                app.clone(),
                listener,
                tls.clone(),
                accept_stopped,
            ))
            .detach();
        tracing::info!(%addr, data = %config.data_dir.display(), "deskbell is listening");
        Ok(Server {
            addr,
            setup_code,
            stop_accepting,
            stop_executor,
            executor,
            executor_threads,
            hub,
            writer,
            writer_thread: Some(writer_thread),
            bot_thread,
            app,
            tls,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the listener speaks HTTPS/WSS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Re-reads the TLS certificate and key (the SIGHUP handler): new connections get
    /// the new pair, open ones keep theirs; on an error the old pair stays in use.
    /// Does nothing without TLS.
    pub fn reload_tls(&self) -> Result<(), crate::tls::TlsError> {
        match &self.tls {
            Some(tls) => tls.resolver().reload(),
            None => Ok(()),
        }
    }

    /// The one-time setup code, while no admin exists.
    pub fn setup_code(&self) -> Option<String> {
        self.setup_code.clone()
    }

    /// Runs the hub's timers now and returns once they have run: tests that move a
    /// manual clock call this instead of sleeping for the next real tick.
    pub fn tick(&self) {
        smol::block_on(self.hub.tick());
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.app.metrics
    }

    /// Graceful stop: stop accepting, close sockets with 1001, let the writer commit
    /// what it has, stop the threads.
    pub fn shutdown(mut self) {
        self.stop_accepting.close();
        let (done, finished) = async_channel::bounded(1);
        let hub = self.hub.clone();
        smol::block_on(async {
            if hub.send(Event::Shutdown { done }).await {
                future::or(async { finished.recv().await.is_ok() }, async {
                    smol::Timer::after(SHUTDOWN_WAIT).await;
                    false
                })
                .await;
            }
        });
        if let Some(bot) = &self.app.bot {
            bot.close();
        }
        if let Some(thread) = self.bot_thread.take() {
            let _ = thread.join();
        }
        // Its threads end after the calls in flight (not joined: a call may take up to
        // its time limit, and its outcome is dropped with the hub).
        self.app.responder.close();
        // Before the writer: the outbox settles its attempts in flight through it.
        self.app.outbox.stop();
        self.writer.close();
        if let Some(thread) = self.writer_thread.take() {
            let _ = thread.join();
        }
        self.stop_executor.close();
        for thread in self.executor_threads.drain(..) {
            let _ = thread.join();
        }
        let _ = &self.executor;
        self.app.readers.shutdown();
        self.app.hashers.shutdown();
        tracing::info!("deskbell stopped");
    }
}

/// The storage-read pool and the password-hashing pool.
fn start_pools(config: &Config) -> Result<(Readers, Readers), Error> {
    let readers = Readers::start("deskbell-read", config.reader_threads, readers::QUEUE)
        .map_err(Error::io("starting the reader threads"))?;
    let hashers = Readers::start("deskbell-hash", config.hash_threads, readers::QUEUE);
    match hashers {
        Ok(hashers) => Ok((readers, hashers)),
        Err(e) => {
            readers.shutdown();
            Err(Error::io("starting the hashing threads")(e))
        }
    }
}

/// Loads the model and the shop's FAQ into the bot, unless it is switched off.
fn start_bot(
    config: &Config,
    store: &Store,
    writer: &WriterHandle,
) -> Result<Option<(Bot, JoinHandle<()>)>, Error> {
    let Some(settings) = &config.bot else {
        tracing::info!("the FAQ bot is off: conversations go straight to the agents");
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let (bot, thread) = Bot::start(settings.model.as_deref(), settings.thresholds)?;
    let recomputed = match crate::faq::load_into(&bot, store, writer) {
        Ok(n) => n,
        Err(e) => {
            bot.close();
            let _ = thread.join();
            return Err(Error::Faq(e));
        }
    };
    tracing::info!(
        model = %bot.model_id().get(..12).unwrap_or_default(),
        faq_entries = store.faq_entries().map(|e| e.len()).unwrap_or(0),
        recomputed,
        ms = started.elapsed().as_millis() as u64,
        "the FAQ bot is ready"
    );
    Ok(Some((bot, thread)))
}
