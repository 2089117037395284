//! A connection's outlet: the queue of items the hub sends one connection, and the cut
//! that ends the connection task at once (even while it is stuck writing to a dead
//! peer), in one small allocation. The hub holds the [`OutletSender`]; dropping it is
//! the cut. The connection task holds the [`OutletReceiver`].
//!
//! Idle connections are what a server has most of (issue #16): the two async channels
//! this replaces cost about 2.8 KB per connection (each channel's cache-padded queue,
//! and the unbounded queue's first block of 31 slots, kept after the welcome). Here the
//! queue is a `VecDeque` that gives its memory back when it runs empty, and one
//! `event_listener::Event` wakes the task for both an item and the cut.
//!
//! The queue also counts the bytes its items hold ([`ServerFrame::queued_weight`]), so
//! the hub can drop a connection that stops reading by what it holds as well as by how
//! many frames wait.
//!
//! Invariants: an item is taken by exactly one `recv`/`try_recv`; the byte count is the
//! sum of the waiting items' weights (each weighed once, when queued, and kept with
//! it; the sum kept under the queue's lock); after the cut,
//! `recv` still returns what was queued before it (the hub queues a close frame, then
//! cuts), then `None`; `cut()` resolves once the sender is gone.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use event_listener::Event;

use crate::protocol::ServerFrame;

/// An item queued for one connection.
#[derive(Debug)]
pub enum Outbound {
    /// Send this frame.
    Frame(Arc<ServerFrame>),
    /// Read `after_seq < seq <= upto_seq` from storage (to the end when `None`), send it,
    /// then send `synced`. Live frames queued behind this item follow it.
    Replay {
        /// Conversation.
        conversation: u64,
        /// Last seq the client has.
        after_seq: u64,
        /// Last committed seq when the subscription started.
        upto_seq: Option<u64>,
    },
    /// Send a WebSocket ping.
    Ping,
    /// Close the WebSocket with this code and reason.
    Close {
        /// WebSocket close code.
        code: u16,
        /// Reason text.
        reason: &'static str,
    },
}

impl Outbound {
    /// The bytes this item is counted as while it waits.
    fn weight(&self) -> usize {
        match self {
            Outbound::Frame(frame) => frame.queued_weight(),
            Outbound::Replay { .. } | Outbound::Ping | Outbound::Close { .. } => 64,
        }
    }
}

/// A queue that holds more than this many slots while empty gives them back.
const KEEP_SLOTS: usize = 4;

/// The waiting items and the bytes they hold.
#[derive(Default)]
struct Queue {
    /// Items not yet taken by the connection task, each with its weight.
    items: VecDeque<(Outbound, usize)>,
    /// The sum of their weights.
    bytes: usize,
}

struct Shared {
    /// Items not yet taken by the connection task, and their bytes.
    items: Mutex<Queue>,
    /// Set when the hub dropped its sender: the connection ends.
    cut: AtomicBool,
    /// Set when the connection task dropped its receiver: nothing is read any more.
    gone: AtomicBool,
    /// Wakes the task on a new item and on the cut (every listener: at most two).
    wake: Event,
}

impl Shared {
    fn items(&self) -> MutexGuard<'_, Queue> {
        // Plain data behind the lock: a panic elsewhere leaves it usable.
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A new connection's outlet: the hub's end and the task's end.
pub fn outlet() -> (OutletSender, OutletReceiver) {
    let shared = Arc::new(Shared {
        items: Mutex::new(Queue::default()),
        cut: AtomicBool::new(false),
        gone: AtomicBool::new(false),
        wake: Event::new(),
    });
    (
        OutletSender {
            shared: shared.clone(),
        },
        OutletReceiver { shared },
    )
}

/// The hub's end: queues items; dropping it ends the connection.
pub struct OutletSender {
    shared: Arc<Shared>,
}

impl OutletSender {
    /// Items waiting.
    pub fn len(&self) -> usize {
        self.shared.items().items.len()
    }

    /// Items waiting and the bytes they hold ([`ServerFrame::queued_weight`]).
    pub fn waiting(&self) -> (usize, usize) {
        let queue = self.shared.items();
        (queue.items.len(), queue.bytes)
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues an item; gives it back when the connection task is gone.
    pub fn try_send(&self, item: Outbound) -> Result<(), Outbound> {
        if self.shared.gone.load(Ordering::Acquire) {
            return Err(item);
        }
        let weight = item.weight();
        let mut queue = self.shared.items();
        queue.bytes += weight;
        queue.items.push_back((item, weight));
        drop(queue);
        self.shared.wake.notify(usize::MAX);
        Ok(())
    }
}

impl Drop for OutletSender {
    fn drop(&mut self) {
        self.shared.cut.store(true, Ordering::Release);
        self.shared.wake.notify(usize::MAX);
    }
}

impl std::fmt::Debug for OutletSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutletSender")
            .field("len", &self.len())
            .finish()
    }
}

/// The connection task's end.
pub struct OutletReceiver {
    shared: Arc<Shared>,
}

impl OutletReceiver {
    /// The next item if one waits.
    pub fn try_recv(&self) -> Option<Outbound> {
        let mut queue = self.shared.items();
        let item = queue.items.pop_front().map(|(item, weight)| {
            queue.bytes -= weight;
            item
        });
        if queue.items.is_empty() && queue.items.capacity() > KEEP_SLOTS {
            queue.items = VecDeque::new();
        }
        item
    }

    /// The next item; `None` once the hub cut the connection and nothing is left.
    pub async fn recv(&self) -> Option<Outbound> {
        loop {
            if let Some(item) = self.try_recv() {
                return Some(item);
            }
            if self.shared.cut.load(Ordering::Acquire) {
                return None;
            }
            let listener = self.shared.wake.listen();
            if let Some(item) = self.try_recv() {
                return Some(item);
            }
            if self.shared.cut.load(Ordering::Acquire) {
                return None;
            }
            listener.await;
        }
    }

    /// Resolves once the hub cut the connection.
    pub async fn cut(&self) {
        loop {
            if self.shared.cut.load(Ordering::Acquire) {
                return;
            }
            let listener = self.shared.wake.listen();
            if self.shared.cut.load(Ordering::Acquire) {
                return;
            }
            listener.await;
        }
    }
}

impl Drop for OutletReceiver {
    fn drop(&mut self) {
        self.shared.gone.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_in_order_and_the_cut_ends_after_them() {
        let (tx, rx) = outlet();
        tx.try_send(Outbound::Ping).expect("queues");
        let close = Outbound::Close {
            code: 1008,
            reason: "bye",
        };
        tx.try_send(close).expect("queues");
        assert_eq!(tx.len(), 2);
        drop(tx);
        smol::block_on(async {
            assert!(matches!(rx.recv().await, Some(Outbound::Ping)));
            assert!(matches!(
                rx.recv().await,
                Some(Outbound::Close { code: 1008, .. })
            ));
            assert!(rx.recv().await.is_none());
            rx.cut().await;
        });
    }

    #[test]
    fn a_waiting_task_wakes_for_an_item_and_for_the_cut() {
        let (tx, rx) = outlet();
        let rx = Arc::new(rx);
        let waiting = {
            let rx = rx.clone();
            std::thread::spawn(move || {
                smol::block_on(async {
                    let first = rx.recv().await;
                    // Both wait at once, as the connection task does.
                    let cut = futures_lite::future::or(
                        async {
                            rx.cut().await;
                            true
                        },
                        async {
                            let _ = rx.recv().await;
                            std::future::pending::<bool>().await
                        },
                    )
                    .await;
                    (first.is_some(), cut)
                })
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        tx.try_send(Outbound::Ping).expect("queues");
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(tx);
        assert_eq!(waiting.join().expect("joins"), (true, true));
    }

    #[test]
    fn a_gone_task_refuses_items_and_an_empty_queue_gives_memory_back() {
        let (tx, rx) = outlet();
        for _ in 0..100 {
            tx.try_send(Outbound::Ping).expect("queues");
        }
        while rx.try_recv().is_some() {}
        assert!(tx.shared.items().items.capacity() <= KEEP_SLOTS);
        assert!(tx.is_empty());
        drop(rx);
        assert!(tx.try_send(Outbound::Ping).is_err());
    }

    #[test]
    fn the_queue_counts_the_bytes_its_items_hold() {
        use crate::protocol::{Ack, ServerFrame};
        let (tx, rx) = outlet();
        let ack = |client_id: String| {
            Outbound::Frame(Arc::new(ServerFrame::Ack(Ack {
                client_id,
                conversation: 1,
                seq: 1,
                duplicate: false,
            })))
        };
        tx.try_send(ack("short".into())).expect("queues");
        let one = tx.waiting().1;
        tx.try_send(ack("x".repeat(100_000))).expect("queues");
        assert!(tx.waiting().1 >= one + 100_000, "{}", tx.waiting().1);
        assert!(rx.try_recv().is_some());
        assert!(tx.waiting().1 >= 100_000 && tx.waiting().1 < 100_000 + one);
        assert!(rx.try_recv().is_some());
        assert_eq!(tx.waiting().1, 0);
    }
}
