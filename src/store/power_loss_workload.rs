//! The power-loss test's workload (`tests_power_loss.rs`): a seeded mix of writes sent
//! in small bursts through the real writer thread to a store on a simulated disk
//! (`sim_disk.rs`), so that commits come in many small groups. Every reply is stamped
//! with the disk's op counter when it arrived: a crash at or after that point must keep
//! what the reply acknowledged.

use std::collections::HashMap;
use std::sync::Arc;

use super::records::SettingsV3;
use super::sim_disk::{DiskOp, SimDisk};
use super::values::{StoredAuthorKind, StoredStatus};
use super::*;
use crate::metrics::Metrics;

/// Visitors writing at the same time.
const VISITORS: u64 = 4;

/// A message a reply acknowledged.
#[derive(Debug, Clone)]
pub(super) struct Acked {
    /// The disk's op counter when the reply ran.
    pub(super) at: usize,
    /// The conversation.
    pub(super) conversation: u64,
    /// The sequence number the reply gave.
    pub(super) seq: u64,
    /// Its text (unique per message of the workload).
    pub(super) body: String,
    /// Its client id, if it had one.
    pub(super) client_id: Option<String>,
}

/// A settings write, in commit order.
#[derive(Debug, Clone)]
pub(super) struct SettingsWrite {
    /// The greeting it set (unique per write).
    pub(super) greeting: String,
    /// The disk's op counter when its reply ran.
    pub(super) at: usize,
}

/// A finished run: the disk's whole log and every acknowledged write.
pub(super) struct Recorded {
    /// Every disk operation, from the store's creation to the database's close.
    pub(super) log: Vec<DiskOp>,
    /// Acknowledged messages (a deduplicated retry is one more entry for the same one).
    pub(super) acks: Vec<Acked>,
    /// Every conversation id the workload used.
    pub(super) conversations: Vec<u64>,
    /// The text of each status change's system message → the status it set.
    pub(super) statuses: HashMap<String, StoredStatus>,
    /// Every settings write, in order.
    pub(super) settings: Vec<SettingsWrite>,
}

/// What the generator knows, to make only valid ops.
struct Plan {
    rng: fastrand::Rng,
    /// Each visitor's open conversation (index = visitor id - 1).
    open: Vec<Option<u64>>,
    /// Ids handed out so far.
    conversations: Vec<u64>,
    /// (conversation, client id, body) of messages sent, for retries.
    sent: Vec<(u64, String, String)>,
    /// Messages and settings made so far, for unique texts and client ids.
    made: u64,
    /// Status changes made: their message's text → the status.
    statuses: HashMap<String, StoredStatus>,
}

/// Runs `bursts` bursts of 1..=4 ops with `seed` through a writer set up with
/// `config` (`quick_repair`, or `ack_before_durable`: the bug to catch) and records them.
pub(super) fn run(seed: u64, bursts: usize, config: WriterConfig) -> Recorded {
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = SimDisk::new();
    let store = Store::open_with_backend(dir.path(), disk.clone()).expect("opens");
    let (writer, thread) = start_writer(&store, config).expect("the writer starts");
    let mut plan = Plan {
        rng: fastrand::Rng::with_seed(seed),
        open: vec![None; VISITORS as usize],
        conversations: Vec::new(),
        sent: Vec::new(),
        made: 0,
        statuses: HashMap::new(),
    };
    let mut acks = Vec::new();
    let mut settings = Vec::new();
    for _ in 0..bursts {
        let size = plan.rng.usize(1..=4);
        let ops: Vec<WriteOp> = (0..size).map(|_| plan.next_op()).collect();
        let greetings: Vec<Option<String>> = ops.iter().map(greeting_of).collect();
        for ((at, outcome), greeting) in send_burst(&writer, &disk, ops).into_iter().zip(greetings)
        {
            match outcome {
                Outcome::Appended(a) => acks.push(Acked {
                    at,
                    conversation: a.conversation,
                    seq: a.seq,
                    body: a.message.body,
                    client_id: a.message.client_id,
                }),
                Outcome::Done => {
                    settings.extend(greeting.map(|greeting| SettingsWrite { greeting, at }))
                }
                other => panic!("unexpected outcome {other:?}"),
            }
        }
    }
    writer.close();
    thread.join().expect("the writer exits");
    drop(store);
    Recorded {
        log: disk.log(),
        acks,
        conversations: plan.conversations,
        statuses: plan.statuses,
        settings,
    }
}

fn greeting_of(op: &WriteOp) -> Option<String> {
    match op {
        WriteOp::PutSettings { settings } => Some(settings.greeting.clone()),
        _ => None,
    }
}

/// Starts a writer thread on `store`.
pub(super) fn start_writer(
    store: &Store,
    config: WriterConfig,
) -> std::io::Result<(WriterHandle, std::thread::JoinHandle<()>)> {
    writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        config,
        Arc::new(Metrics::new()),
    )
}

/// Queues every op before waiting, so the writer may commit them together; returns
/// each op's outcome with the op counter when its reply ran.
fn send_burst(writer: &WriterHandle, disk: &SimDisk, ops: Vec<WriteOp>) -> Vec<(usize, Outcome)> {
    smol::block_on(async {
        let mut waiting = Vec::new();
        for op in ops {
            let (tx, rx) = async_channel::bounded(1);
            let disk = disk.clone();
            let reply: Reply = Box::new(move |result| {
                let _ = tx.try_send((disk.ops(), result));
            });
            writer.submit(op, reply).await.expect("the writer runs");
            waiting.push(rx);
        }
        let mut outcomes = Vec::new();
        for rx in waiting {
            let (at, result) = rx.recv().await.expect("a reply");
            outcomes.push((at, result.expect("the workload only makes valid ops")));
        }
        outcomes
    })
}

impl Plan {
    fn next_op(&mut self) -> WriteOp {
        let visitor = self.rng.u64(1..=VISITORS);
        let roll = self.rng.u32(0..100);
        let Some(conversation) = self.open[visitor as usize - 1] else {
            return self.open_conversation(visitor);
        };
        match roll {
            0..50 => self.append(conversation, StoredAuthorKind::Visitor, visitor),
            50..62 => self.append(conversation, StoredAuthorKind::Agent, 1),
            62..77 if !self.sent.is_empty() => {
                let (conversation, client_id, body) =
                    self.sent[self.rng.usize(..self.sent.len())].clone();
                WriteOp::Append {
                    conversation,
                    message: message(StoredAuthorKind::Visitor, visitor, body, Some(client_id)),
                }
            }
            77..83 => self.change_status(visitor, conversation, StoredStatus::Assigned),
            83..88 => self.change_status(visitor, conversation, StoredStatus::Closed),
            // A step of the messages' merge (the writer's own op), in a durable batch.
            88..91 => WriteOp::MergeMessages {
                messages: self.rng.usize(1..=6),
            },
            91..93 => WriteOp::SetRead {
                conversation,
                reader: self.rng.u8(0..2),
                seq: 1,
            },
            93..97 => WriteOp::UpsertVisitor {
                id: visitor,
                token_digest: None,
                update: VisitorUpdate {
                    page: Some(format!("/page/{}", self.rng.u32(..))),
                    ..VisitorUpdate::default()
                },
            },
            97..100 => {
                self.made += 1;
                WriteOp::PutSettings {
                    settings: SettingsV3 {
                        greeting: format!("Welcome {}", self.made),
                        ..SettingsV3::default()
                    },
                }
            }
            _ => self.append(conversation, StoredAuthorKind::Visitor, visitor),
        }
    }

    fn open_conversation(&mut self, visitor: u64) -> WriteOp {
        let conversation = self.conversations.len() as u64 + 1;
        self.conversations.push(conversation);
        self.open[visitor as usize - 1] = Some(conversation);
        let WriteOp::Append { message, .. } =
            self.append(conversation, StoredAuthorKind::Visitor, visitor)
        else {
            unreachable!("append makes an Append");
        };
        WriteOp::OpenConversation {
            conversation,
            status: StoredStatus::Queued,
            visitor,
            site: "default".into(),
            message,
            visitor_details: Some(VisitorUpdate::default()),
        }
    }

    /// A new message with a fresh client id and body.
    fn append(&mut self, conversation: u64, kind: StoredAuthorKind, author: u64) -> WriteOp {
        self.made += 1;
        let client_id = format!("c{}", self.made);
        let body = format!("m{} in {conversation}", self.made);
        self.sent
            .push((conversation, client_id.clone(), body.clone()));
        WriteOp::Append {
            conversation,
            message: message(kind, author, body, Some(client_id)),
        }
    }

    fn change_status(&mut self, visitor: u64, conversation: u64, status: StoredStatus) -> WriteOp {
        if status == StoredStatus::Closed {
            self.open[visitor as usize - 1] = None;
        }
        self.made += 1;
        let body = format!("m{} status {status:?}", self.made);
        self.statuses.insert(body.clone(), status);
        WriteOp::ChangeStatus {
            conversation,
            status,
            agent: Some(1),
            message: message(StoredAuthorKind::System, 0, body, None),
        }
    }
}

fn message(
    author_kind: StoredAuthorKind,
    author_id: u64,
    body: String,
    client_id: Option<String>,
) -> NewMessage {
    NewMessage {
        author_kind,
        author_id,
        author_name: String::new(),
        body,
        client_id,
        event: None,
        at_ms: 1_000,
        attachments: Vec::new(),
    }
}
