//! Tests of the messages' recent part (`messages_recent.rs`): what readers see while
//! merge cycles move the log into the messages table, across restarts of the writer's
//! memory, and after a conversation is removed.

use redb::{Database, backends::InMemoryBackend};

use super::messages_read::MessageReader;
use super::messages_recent::{RecentMessages, WriteMessages};
use super::records::{MessageRecord, MessageV1, encode};
use super::values::StoredAuthorKind;

fn database() -> Database {
    Database::builder()
        .create_with_backend(InMemoryBackend::new())
        .expect("opens")
}

fn record(conversation: u64, seq: u64) -> Vec<u8> {
    encode(&MessageRecord::V1(MessageV1 {
        at_ms: conversation * 1_000 + seq,
        author_kind: StoredAuthorKind::Visitor,
        author_id: conversation,
        author_name: "v".into(),
        body: format!("{conversation}/{seq}"),
        client_id: Some(format!("c{conversation}-{seq}")),
        event: None,
    }))
}

fn bodies(list: &[(u64, MessageRecord)]) -> Vec<String> {
    list.iter()
        .map(|(seq, r)| format!("{seq}:{}", r.latest().body))
        .collect()
}

fn expected(conversation: u64, seqs: impl Iterator<Item = u64>) -> Vec<String> {
    seqs.map(|seq| format!("{seq}:{conversation}/{seq}"))
        .collect()
}

/// Every way of reading gives the same answer as `stored` says, whatever part holds it.
fn check(tables: &WriteMessages, stored: &[(u64, u64)]) {
    for &(conversation, last) in stored {
        let all = tables.all(conversation).expect("reads");
        assert_eq!(
            bodies(&all),
            expected(conversation, 1..=last),
            "all of {conversation}"
        );
        let middle = tables.range(conversation, 3, last - 2).expect("reads");
        assert_eq!(bodies(&middle), expected(conversation, 3..=last - 2));
        let (page, more) = tables.newest_before(conversation, last, 4).expect("reads");
        assert_eq!(
            bodies(&page),
            expected(conversation, (last - 4..last).rev()),
            "a page of {conversation}"
        );
        assert!(more);
        let (page, more) = tables.newest_before(conversation, 4, 10).expect("reads");
        assert_eq!(bodies(&page), expected(conversation, (1..4).rev()));
        assert!(!more);
        let (seq, newest) = tables.last(conversation).expect("reads").expect("some");
        assert_eq!(
            (seq, newest.latest().body.clone()),
            (last, format!("{conversation}/{last}"))
        );
        let one = tables.get(conversation, 5).expect("reads").expect("some");
        assert_eq!(one.latest().body, format!("{conversation}/5"));
        assert!(tables.get(conversation, last + 1).expect("reads").is_none());
    }
}

#[test]
fn readers_see_every_message_once_at_each_step_of_a_merge_and_after_a_restart() {
    let db = database();
    let tx = db.begin_write().expect("begins");
    let mut tables = WriteMessages::write(&tx).expect("opens");
    let mut state = RecentMessages::default();
    let mut stored = vec![(1, 0), (2, 0), (3, 0)];
    let mut append = |tables: &mut WriteMessages, state: &mut RecentMessages, n: usize| {
        for round in 0..n {
            let slot = &mut stored[round % 3];
            slot.1 += 1;
            tables
                .append(state, slot.0, slot.1, &record(slot.0, slot.1))
                .expect("appends");
        }
        stored.clone()
    };
    let now = append(&mut tables, &mut state, 30);
    check(&tables, &now);
    let mut steps = 0;
    while state.pending() {
        tables.merge_step(&mut state, 3).expect("merges");
        steps += 1;
        // Messages that arrive during the cycle stay in the log for the next one.
        let now = append(&mut tables, &mut state, if steps < 4 { 3 } else { 0 });
        check(&tables, &now);
        if steps == 6 {
            // The writer's memory is dropped mid-cycle (a failed commit).
            state = RecentMessages::default();
        }
        assert!(steps < 100, "the merge ends");
    }
    assert_eq!(tables.log_len().expect("len"), 0, "the log is empty");
    assert_eq!(state.unmoved(), 0);
    check(&tables, &stored);
}

#[test]
fn a_removed_conversation_stays_gone_after_a_recount_and_a_merge() {
    let db = database();
    let tx = db.begin_write().expect("begins");
    let mut tables = WriteMessages::write(&tx).expect("opens");
    let mut state = RecentMessages::default();
    for seq in 1..=6 {
        for conversation in [1, 2] {
            tables
                .append(&mut state, conversation, seq, &record(conversation, seq))
                .expect("appends");
        }
    }
    // Part of a cycle: some of 1's messages moved, the moved ones still in the log.
    tables.merge_step(&mut state, 4).expect("merges");
    tables
        .append(&mut state, 1, 7, &record(1, 7))
        .expect("appends");
    tables.remove_conversation(&mut state, 1).expect("removes");
    assert!(tables.all(1).expect("reads").is_empty(), "gone at once");
    let mut state = RecentMessages::default();
    while state.pending() {
        tables.merge_step(&mut state, 5).expect("merges");
    }
    assert!(tables.all(1).expect("reads").is_empty(), "not moved back");
    assert_eq!(bodies(&tables.all(2).expect("reads")), expected(2, 1..=6));
    assert_eq!(tables.log_len().expect("len"), 0);
}
