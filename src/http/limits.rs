//! Limits on connections: how many one client address may hold open at once (a slot
//! travels with the socket, also after a WebSocket upgrade), and the process's file
//! descriptor limit raised at start.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_lite::{AsyncRead, AsyncWrite};

/// Open connections per address, shared by the accept loop and the connections.
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    /// Open connections by peer address (no entry = none).
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection's place in [`ConnectionCounts`]; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    counts: Arc<ConnectionCounts>,
    address: IpAddr,
}

impl ConnectionCounts {
    /// A slot for one more connection from `address`, or None when it already holds
    /// `max` of them.
    pub fn take(self: &Arc<Self>, address: IpAddr, max: usize) -> Option<Slot> {
        let mut open = self.open.lock().ok()?;
        let count = open.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Slot {
            counts: self.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.counts.open.lock()
            && let Some(count) = open.get_mut(&self.address)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// A byte stream that holds a connection [`Slot`] (if any) for as long as it lives:
/// hyper hands the stream to the WebSocket on upgrade, and the slot goes with it.
pub struct Counted<S> {
    /// The socket (plain or TLS).
    inner: S,
    /// Given back when the stream is dropped.
    _slot: Option<Slot>,
}

impl<S> Counted<S> {
    /// Wraps `inner`, holding `slot` until the stream is dropped.
    pub fn new(inner: S, slot: Option<Slot>) -> Counted<S> {
        Counted { inner, _slot: slot }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

/// Raises the soft limit on open files to the hard limit (each connection is one
/// descriptor; distributions often start services at 1,024) and logs both figures.
pub fn raise_open_files_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let before = getrlimit(Resource::Nofile);
    let mut raised = before;
    if before.current != before.maximum {
        raised.current = before.maximum;
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %e, soft = ?before.current, hard = ?before.maximum,
                "could not raise the open files limit");
            return;
        }
    }
    let show = |n: Option<u64>| n.map_or("unlimited".to_string(), |n| n.to_string());
    tracing::info!(
        soft_before = %show(before.current),
        soft = %show(raised.current),
        hard = %show(raised.maximum),
        "open files limit"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_address_and_given_back() {
        let counts = Arc::new(ConnectionCounts::default());
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = counts.take(a, 2);
        let second = counts.take(a, 2);
        assert!(first.is_some() && second.is_some());
        assert!(counts.take(a, 2).is_none());
        assert!(counts.take(b, 2).is_some());
        drop(first);
        assert!(counts.take(a, 2).is_some());
        drop(second);
        assert!(counts.open.lock().map(|m| m.is_empty()).unwrap_or(false));
    }
}
