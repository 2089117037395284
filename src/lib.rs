//! deskbell: a self-hosted live-chat desk for tiny shops, in one binary.
//!
//! # Layout
//!
//! The binary (`src/main.rs`) only turns flags into a [`config::Config`] and calls
//! [`server::Server::start`]; everything else lives in this library so tests can run
//! several servers in one process.

pub mod intent;
