//! deskbell: a self-hosted live-chat desk for tiny shops, in one binary.
//!
//! # Layout
//!
//! The binary (`src/main.rs`) only turns flags ([`cli`]) into a [`config::Config`] and
//! calls [`server::Server::start`]; everything else lives in this library so tests can run
//! several servers in one process. `docs/ARCHITECTURE.md` tells the whole story.
//!
//! - [`server`]: starts and stops one server (store, writer, executor, hub, listener).
//! - [`app`]: the shared context handed to HTTP handlers and connections.
//! - [`http`]: hyper on smol: accept loop, route table (`/api/` and `/api/v1/`), guards,
//!   the JSON API and the HTTP half of the WebSocket upgrade.
//! - [`ws`]: WebSocket sessions: the per-connection loop and the edge check of frames.
//! - [`hub`]: the one task that owns all live conversation state.
//! - [`routing`]: pure decisions: who gets a conversation, the queue.
//! - [`timer`]: the timing wheel and injectable clocks.
//! - [`store`]: redb tables, versioned records, reads, and the single group-commit writer.
//! - [`stored`]: `From` between stored records and wire/bot types; wire views of stored data.
//! - [`protocol`]: wire frames, their postcard/JSON encodings, stable error codes.
//! - [`avatar`]: avatars as initials on a colour: the palette, agents' avatars.
//! - [`auth`]: password hashing, tokens, sessions, setup codes, login throttling.
//! - [`ratelimit`]: the per-connection token bucket.
//! - [`new_visitors`]: how many new visitors one client address may create per minute.
//! - [`text_budget`]: how much message text one visitor and one address may send per hour.
//! - [`readers`]: small fixed thread pools for storage reads and password hashing.
//! - [`reports`]: reports of a period (conversations by kind per day, response times,
//!   agents, bot deflection, FAQ use, unanswered questions, ratings, busiest hours),
//!   computed from the stored conversations on request.
//! - [`periodic`]: the wait between rounds of a background task, cut short at shutdown.
//! - [`responder`]: the optional external responder behind the FAQ bot (an
//!   OpenAI-compatible model or the shop's signed service), called off the executor.
//! - [`search`]: full-text search, the pure part: tokenizer (English words, Chinese
//!   bigrams), the query check, snippets with match offsets, per-caller limits.
//! - [`indexing`]: the search index's start-up pass over older data, and `reindex`.
//! - [`retention`]: `--retain-days`, purging old closed conversations in the background.
//! - [`metrics`]: counters and histograms rendered for Prometheus.
//! - [`tls`]: `--tls-cert`/`--tls-key`: certificate loading, SIGHUP reload, handshakes.
//! - [`notify`]: readiness and stopping notices for systemd.
//! - [`settings`]: the widget settings: validation.
//! - [`business_hours`]: whether the shop is open: named IANA time zones (bundled
//!   database) or a fixed offset, and the opening hours.
//! - [`intent`]: the on-device embedding model: tokenizer, tract model, inference worker.
//! - [`keys`]: API keys for integrators: their text, scopes and what each may call, limits.
//! - [`bot`]: the FAQ bot: match a message to FAQ entries and built-in intents, decide.
//! - [`faq`]: the shop's FAQ across storage and the bot: load at start, checked saves.
//! - [`accounts`]: offline account commands on a stopped data directory.
//! - [`maintenance`]: backup, restore and export commands.
//! - [`control`]: the control socket those commands use to reach a running server.
//! - [`origin`]: web origins: `--public-url`, `Origin` headers, the console's own address.
//! - [`outbox`]: the durable outbox and the contract of its sinks (webhooks, email, push).
//! - [`email`]: email over SMTP: the connection, what is sent and when.
//! - [`email_settings`]: the email flags, parsed and checked (pure; kept apart from
//!   `email` so `config` can hold them without importing the mailer).
//! - [`webhooks`]: signed webhooks (Standard Webhooks): SSRF-checked URLs, the sink.
//! - [`presence`]: who is online, published by the hub for the outbox's sinks.
//! - [`push`]: Web Push to agents' devices (VAPID, RFC 8291 payloads), an outbox sink.
//! - [`attachments`]: files in messages: the type allow-list, metadata stripping,
//!   upload budgets, and the sweep of unsent uploads and unnamed files.
//! - [`visitor_alias`]: a visitor's generated friendly name and colour, from their id.
//! - [`identity`]: verified customers: the identity secret, the hash check, the limits.
//! - [`cidr`]: address ranges for `--trusted-proxy` and `--metrics-allow`.
//! - [`cli`], [`config`], [`error`]: flags (`cli_serve` checks `serve`'s into a
//!   [`config::Config`]), settings, the crate error.

#![warn(missing_docs)]

pub mod accounts;
pub mod app;
pub mod attachments;
pub mod auth;
pub mod avatar;
pub mod bot;
pub mod business_hours;
pub mod cidr;
pub mod cli;
mod cli_serve;
pub mod config;
pub mod control;
pub mod email;
pub mod email_settings;
pub mod error;
pub mod faq;
pub mod http;
pub mod hub;
pub mod identity;
pub mod indexing;
pub mod intent;
pub mod keys;
pub mod maintenance;
pub mod metrics;
pub mod new_visitors;
pub mod notify;
pub mod origin;
pub mod outbox;
pub mod periodic;
pub mod presence;
pub mod protocol;
pub mod push;
pub mod ratelimit;
pub mod readers;
pub mod reports;
pub mod responder;
pub mod retention;
pub mod routing;
pub mod search;
pub mod server;
pub mod settings;
pub mod store;
pub mod stored;
pub mod text_budget;
pub mod timer;
pub mod tls;
pub mod visitor_alias;
pub mod webhooks;
pub mod ws;
