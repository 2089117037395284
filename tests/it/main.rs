//! All integration tests in one binary: each module drives a real server on
//! 127.0.0.1:0 with a temporary data directory through its public interfaces.

mod harness;

mod delivery;
mod routing;
mod timers;
