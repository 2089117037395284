//! deskbell: a self-hosted live-chat desk for tiny shops, in one binary.
//!
//! # Layout
//!
//! The binary (`src/main.rs`) only turns flags into a [`config::Config`] and calls
//! [`server::Server::start`]; everything else lives in this library so tests can run
//! several servers in one process.
pub mod accounts;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod hub;
pub mod metrics;
pub mod protocol;
pub mod ratelimit;
pub mod routing;
pub mod server;
pub mod store;
pub mod timer;
pub mod ws;
pub mod intent;
