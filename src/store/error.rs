//! Errors of the storage layer.

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb reported an error (I/O, full disk, corruption…).
    #[error("database error: {0}")]
    Db(#[from] redb::Error),
    /// A stored record could not be decoded.
    #[error("corrupt record in {0}")]
    Corrupt(String),
    /// The data directory was written by a newer deskbell.
    #[error(
        "the data directory uses schema version {found}, but this deskbell only knows up to {supported}; \
         run the newer deskbell (nothing was changed)"
    )]
    NewerSchema {
        /// Version found on disk.
        found: u64,
        /// Highest version this build knows.
        supported: u64,
    },
    /// An agent with that name exists already.
    #[error("an agent with that name already exists")]
    NameTaken,
    /// An admin exists already (one-time setup was used).
    #[error("setup has already been completed")]
    AlreadySetUp,
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change conflicts with the stored state.
    #[error("{0}")]
    Conflict(String),
    /// The batch this write belonged to could not be committed; nothing of it was stored.
    #[error("could not store the change: {0}")]
    CommitFailed(String),
    /// Storage is failing (data directory full or read-only) and being reopened; the
    /// change was refused at once and nothing of it was stored. Retry later.
    #[error("storage is unavailable ({0}); nothing was stored, retry shortly")]
    Unavailable(String),
    /// The stored files would exceed their quota (`--files-quota-mb`).
    #[error("the space for attachments is full")]
    QuotaFull,
    /// An upload's file vanished before its record was committed: store it again.
    #[error("the uploaded file is not in place")]
    FileMissing,
    /// The writer has stopped (server shutting down).
    #[error("storage is shutting down")]
    Closed,
    /// File-system error around the database file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True for refusals while storage is failing: already logged once by the writer,
    /// so callers need not log each one.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }

    /// Logs a request refused because of this error: at debug while storage is failing
    /// (the writer has logged it once already), as an error otherwise. `during` names
    /// what was refused, e.g. "API request" or "hello".
    pub fn log_refusal(&self, during: &'static str) {
        if self.is_unavailable() {
            tracing::debug!(error = %self, during, "refused: storage unavailable");
        } else {
            tracing::error!(error = %self, during, "storage error");
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
