//! Reading the outbox: events waiting to be planned, jobs, and the attempt log.

use redb::{ReadableTable, ReadableTableMetadata};

use super::outbox_records::*;
use super::records::decode;
use super::{Store, StoreError};

impl Store {
    /// Up to `limit` recorded events not yet planned, oldest first.
    pub fn outbox_unplanned(&self, limit: usize) -> Result<Vec<StoredOutboxEvent>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(OUTBOX)?;
        let mut out = Vec::new();
        for row in table.iter()?.take(limit) {
            let (_, value) = row?;
            let OutboxRecord::V1(event) = decode(value.value(), "outbox")?;
            out.push(event);
        }
        Ok(out)
    }

    /// How many recorded events wait to be planned.
    pub fn outbox_unplanned_len(&self) -> Result<u64, StoreError> {
        let tx = self.db().begin_read()?;
        Ok(tx.open_table(OUTBOX)?.len()?)
    }

    /// Every job, waiting and given up, by id.
    pub fn outbox_jobs(&self) -> Result<Vec<(u64, JobV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(OUTBOX_JOBS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (key, value) = row?;
            let JobRecord::V1(job) = decode(value.value(), "outbox jobs")?;
            out.push((key.value(), job));
        }
        Ok(out)
    }

    /// Up to `limit` given-up jobs, most recently failed first.
    pub fn outbox_failed(&self, limit: usize) -> Result<Vec<(u64, JobV1)>, StoreError> {
        let mut failed: Vec<(u64, JobV1)> = self
            .outbox_jobs()?
            .into_iter()
            .filter(|(_, job)| job.failed_ms.is_some())
            .collect();
        failed.sort_by_key(|(id, job)| std::cmp::Reverse((job.failed_ms, *id)));
        failed.truncate(limit);
        Ok(failed)
    }

    /// The last `limit` logged attempts under (`sink`, `key`), newest first, with their
    /// numbers.
    pub fn outbox_attempts(
        &self,
        sink: u8,
        key: u64,
        limit: usize,
    ) -> Result<Vec<(u64, AttemptV1)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(OUTBOX_LOG)?;
        let mut out = Vec::new();
        for row in table
            .range((sink, key, 0)..=(sink, key, u64::MAX))?
            .rev()
            .take(limit)
        {
            let (k, value) = row?;
            let AttemptRecord::V1(attempt) = decode(value.value(), "outbox log")?;
            out.push((k.value().2, attempt));
        }
        Ok(out)
    }
}
