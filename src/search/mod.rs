//! Full-text search, the pure part (issue #15): the tokenizer shared by indexing,
//! queries and highlighting ([`tokens`]), the one check of a query ([`query`]), the
//! snippets with match offsets ([`snippet`]) and how often a caller may search
//! ([`limits`]). No I/O: the index lives in the store (`store/search_index.rs` writes
//! it in the writer's transactions, `store/search_read.rs` answers queries), the
//! start-up pass over older data is `crate::indexing`, the endpoint `http/search.rs`.

pub mod limits;
pub mod query;
pub mod snippet;
pub mod tokens;
