//! An idle connection's memory is mostly its task's future, so these keep the future
//! of a connection (`session::run`) and of `closing::close`, which is inlined into it
//! at several places, small. A 4 KiB buffer in `close` once made every idle
//! connection's task four times larger (docs/BENCHMARKS.md, issue #16). Debug builds
//! lay futures out larger than release builds, so the bounds are loose; what they
//! catch is a buffer or a big value held across an `.await`.

use super::closing::close;
use super::io::UpgradedIo;
use super::session::run;

type Socket = async_tungstenite::WebSocketStream<UpgradedIo>;

/// The size of what `f` returns (a future), without calling it.
fn size_of_close<F>(_: impl FnOnce(&'static mut Socket, u16, &'static str) -> F) -> usize {
    std::mem::size_of::<F>()
}

/// The same for a four-argument function.
fn size_of_returned<A, B, C, D, F>(_: impl FnOnce(A, B, C, D) -> F) -> usize {
    std::mem::size_of::<F>()
}

#[test]
fn closing_a_socket_keeps_no_buffer_in_its_future() {
    let size = size_of_close(close);
    eprintln!("close future: {size} bytes");
    assert!(size < 1024, "close's future is {size} bytes");
}

#[test]
fn a_connection_future_stays_small() {
    let size = size_of_returned(run);
    eprintln!("connection future: {size} bytes");
    assert!(size < 3072, "a connection's future is {size} bytes");
}
