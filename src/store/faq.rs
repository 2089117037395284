//! The shop's FAQ entries in the store: reading them (the bot's view, `Store::faq_entries`,
//! is built from these in `crate::stored`) and the two write ops, which take a revision
//! from the one FAQ counter in `meta` in the same transaction (see `super::faq_records`).

use redb::{ReadableTable, WriteTransaction};

use super::numbered::{delete_numbered, put_numbered};
use super::ops::Outcome;
use super::records::{FaqRecord, FaqV2, LocalAnswer, decode, encode};
use super::tables::{FAQ, FAQ_REVISION, META};
use super::values::StoredEmbeddings;
use super::{Store, StoreError};

/// One stored FAQ entry, in the current version's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFaq {
    /// Entry id.
    pub id: u64,
    /// Ways a visitor might ask it.
    pub questions: Vec<String>,
    /// The default answer.
    pub answer: String,
    /// The answer in other languages.
    pub answers: Vec<LocalAnswer>,
    /// The revision it was saved at (0: before revisions).
    pub revision: u64,
    /// The questions' embeddings; `None` when not computed yet.
    pub embeddings: Option<StoredEmbeddings>,
}

impl Store {
    /// Every FAQ entry by id.
    pub fn faq_records(&self) -> Result<Vec<StoredFaq>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(FAQ)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (id, value) = row?;
            out.push(entry(id.value(), decode(value.value(), "FAQ entry")?));
        }
        Ok(out)
    }

    /// One FAQ entry, if it exists.
    pub fn faq_record(&self, id: u64) -> Result<Option<StoredFaq>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(FAQ)?;
        let found = table.get(id)?;
        found
            .map(|value| Ok(entry(id, decode(value.value(), "FAQ entry")?)))
            .transpose()
    }
}

fn entry(id: u64, record: FaqRecord) -> StoredFaq {
    let FaqV2 {
        questions,
        answer,
        answers,
        revision,
        embeddings,
    } = record.into_latest();
    StoredFaq {
        id,
        questions,
        answer,
        answers,
        revision,
        embeddings,
    }
}

/// Takes the next FAQ revision.
fn next_revision(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let mut meta = tx.open_table(META)?;
    let last = meta
        .get(FAQ_REVISION)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    let next = last + 1;
    meta.insert(FAQ_REVISION, next.to_le_bytes().as_slice())?;
    Ok(next)
}

/// `WriteOp::PutFaq`: creates (`id` None) or replaces an entry at the next revision.
pub(super) fn put(
    tx: &WriteTransaction,
    id: Option<u64>,
    record: FaqV2,
) -> Result<Outcome, StoreError> {
    let revision = next_revision(tx)?;
    let record = FaqRecord::V2(FaqV2 { revision, ..record });
    let id = put_numbered(tx, FAQ, id, &encode(&record), "FAQ entry")?;
    Ok(Outcome::FaqSaved { id, revision })
}

/// `WriteOp::DeleteFaq`: deletes an entry, taking the next revision.
pub(super) fn delete(tx: &WriteTransaction, id: u64) -> Result<Outcome, StoreError> {
    delete_numbered(tx, FAQ, id, "FAQ entry")?;
    Ok(Outcome::FaqDeleted {
        revision: next_revision(tx)?,
    })
}
