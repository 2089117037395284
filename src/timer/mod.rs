//! Timers: one timing wheel driven by an injectable millisecond clock, for pings,
//! reaping dead connections, grace periods, idle auto-close and typing expiry.
//!
//! Pure logic: no I/O, no async, no threads. The server's timer task reads a
//! [`Clock`], calls [`TimingWheel::advance`] once per tick and acts on what fired;
//! tests drive the same code with a [`ManualClock`] and never sleep.

mod clock;
mod wheel;

pub use clock::{Clock, ManualClock, SystemClock, unix_ms};
pub use wheel::{TimerKey, TimingWheel};
