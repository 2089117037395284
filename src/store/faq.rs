//! Reading the shop's FAQ entries (written by [`super::WriteOp::PutFaq`]).

use redb::ReadableTable;

use super::records::{FaqRecord, decode};
use super::tables::FAQ;
use super::{Store, StoreError};
use crate::bot::{FaqEmbeddings, FaqEntry};

impl Store {
    /// Every FAQ entry by id, with its stored embeddings (`None`: not computed yet).
    pub fn faq_entries(&self) -> Result<Vec<(FaqEntry, Option<FaqEmbeddings>)>, StoreError> {
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
    pub fn faq_entry(
        &self,
        id: u64,
    ) -> Result<Option<(FaqEntry, Option<FaqEmbeddings>)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(FAQ)?;
        let found = table.get(id)?;
        found
            .map(|value| Ok(entry(id, decode(value.value(), "FAQ entry")?)))
            .transpose()
    }
}

fn entry(id: u64, record: FaqRecord) -> (FaqEntry, Option<FaqEmbeddings>) {
    let FaqRecord::V1 {
        questions,
        answer,
        embeddings,
    } = record;
    (
        FaqEntry {
            id,
            questions,
            answer,
        },
        embeddings,
    )
}
