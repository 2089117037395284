//! Visitors' ratings of closed conversations (CSAT, schema 7, issue #15): the writer's
//! ops and the reads (the records are in `rating_records`). A conversation is rated at most once, only
//! by its own visitor and only once it is closed; the rating and its outbox event
//! (`conversation.rated`) are written in one transaction.

use std::collections::BTreeMap;

use redb::{ReadableTable, WriteTransaction};

use super::ops::{Outcome, WriterState};
use super::outbox_records::{StoredOutboxEvent, StoredOutboxKind};
use super::rating_records::*;
use super::records::{ConversationRecord, decode, encode};
use super::tables::{CONVERSATIONS, SETTINGS};
use super::values::StoredStatus;
use super::{Store, StoreError};

/// Stores whether the widget asks for ratings.
pub(super) fn put_csat(tx: &WriteTransaction, ask: bool) -> Result<Outcome, StoreError> {
    tx.open_table(SETTINGS)?
        .insert(CSAT_KEY, encode(&CsatRecord::V1 { ask }).as_slice())?;
    Ok(Outcome::Done)
}

/// Stores `visitor`'s rating of `conversation`: `NotFound` for another visitor's (or no)
/// conversation, `Conflict` for one that is open or rated already.
pub(super) fn rate(
    tx: &WriteTransaction,
    state: &mut WriterState,
    (conversation, visitor): (u64, u64),
    rating: RatingV1,
) -> Result<Outcome, StoreError> {
    let record = match tx.open_table(CONVERSATIONS)?.get(conversation)? {
        Some(v) => decode::<ConversationRecord>(v.value(), "conversations")?
            .latest()
            .clone(),
        None => return Err(StoreError::NotFound("conversation")),
    };
    if record.visitor != visitor {
        return Err(StoreError::NotFound("conversation"));
    }
    if record.status != StoredStatus::Closed {
        return Err(StoreError::Conflict(
            "only a closed conversation can be rated".into(),
        ));
    }
    let mut table = tx.open_table(RATINGS)?;
    if table.get(conversation)?.is_some() {
        return Err(StoreError::Conflict(
            "this conversation was rated already".into(),
        ));
    }
    table.insert(
        conversation,
        encode(&RatingRecord::V1(rating.clone())).as_slice(),
    )?;
    let event = StoredOutboxEvent {
        id: 0,
        kind: StoredOutboxKind::Rated,
        at_ms: rating.at_ms,
        conversation,
        seq: None,
        visitor,
        agent: record.agent,
    };
    state.outbox.record(tx, &state.gate, event)?;
    Ok(Outcome::Rated {
        conversation,
        visitor,
        rating,
    })
}

/// Removes a conversation's rating (it is being deleted).
pub(super) fn forget(tx: &WriteTransaction, conversation: u64) -> Result<(), StoreError> {
    tx.open_table(RATINGS)?.remove(conversation)?;
    Ok(())
}

impl Store {
    /// Whether the widget asks for ratings (yes until an admin says no).
    pub fn csat_ask(&self) -> Result<bool, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SETTINGS)?;
        let Some(v) = table.get(CSAT_KEY)? else {
            return Ok(true);
        };
        let CsatRecord::V1 { ask } = decode(v.value(), "settings")?;
        Ok(ask)
    }

    /// The ratings of those of these conversations that were rated.
    pub fn ratings_of(&self, conversations: &[u64]) -> Result<BTreeMap<u64, RatingV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(RATINGS)?;
        let mut found = BTreeMap::new();
        for &conversation in conversations {
            if let Some(v) = table.get(conversation)? {
                let record: RatingRecord = decode(v.value(), "ratings")?;
                found.insert(conversation, record.into_latest());
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::writer::write_offline;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Golden bytes of every variant (no wildcard: a new version needs a vector).
    #[test]
    fn rating_and_csat_records_encode_to_their_golden_bytes() {
        let rating = RatingRecord::V1(RatingV1 {
            score: 4,
            comment: "quick".into(),
            at_ms: 1_795_338_445_376,
        });
        let golden = match &rating {
            RatingRecord::V1(_) => "000405717569636bc0c48a94a034",
        };
        assert_eq!(hex(&encode(&rating)), golden);
        assert_eq!(
            decode::<RatingRecord>(&encode(&rating), "ratings").ok(),
            Some(rating)
        );
        for ask in [false, true] {
            let record = CsatRecord::V1 { ask };
            let golden = match &record {
                CsatRecord::V1 { ask: false } => "0000",
                CsatRecord::V1 { ask: true } => "0001",
            };
            assert_eq!(hex(&encode(&record)), golden);
        }
    }

    #[test]
    fn the_question_is_asked_until_an_admin_says_no() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(
            Store::open(dir.path())
                .expect("opens")
                .csat_ask()
                .expect("reads")
        );
        write_offline(dir.path(), super::super::WriteOp::PutCsat { ask: false }).expect("writes");
        assert!(
            !Store::open(dir.path())
                .expect("opens")
                .csat_ask()
                .expect("reads")
        );
    }
}
