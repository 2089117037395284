//! Reading the shop's FAQ entries (written by [`super::WriteOp::PutFaq`]). The bot's view
//! of them (`Store::faq_entries`) is built from these in `crate::stored`.

use redb::ReadableTable;

use super::records::{FaqRecord, decode};
use super::tables::FAQ;
use super::values::StoredEmbeddings;
use super::{Store, StoreError};

/// One stored FAQ entry, in the current version's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFaq {
    /// Entry id.
    pub id: u64,
    /// Ways a visitor might ask it.
    pub questions: Vec<String>,
    /// What the bot answers.
    pub answer: String,
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
    let FaqRecord::V1 {
        questions,
        answer,
        embeddings,
    } = record;
    StoredFaq {
        id,
        questions,
        answer,
        embeddings,
    }
}
