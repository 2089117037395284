//! Every row of the data-v1 and data-v2 fixtures (data directories written by older
//! builds) decodes as today's record types and re-encodes to exactly its stored bytes.

use std::path::Path;

use redb::{ReadableTable, TableDefinition};

use super::golden::hex;
use super::records::*;
use super::tables::*;
use super::webhooks::WebhookRecord;
use super::{DB_FILE, Store};

/// Every row of one record table: decodes as `T` and re-encodes to the stored bytes.
fn rows_round_trip<K, T>(store: &Store, table: TableDefinition<K, &[u8]>) -> usize
where
    K: redb::Key + 'static,
    T: serde::Serialize + for<'de> serde::Deserialize<'de>,
{
    let tx = store.db().begin_read().expect("read");
    let table = tx.open_table(table).expect("table");
    let mut rows = 0;
    for row in table.iter().expect("iter") {
        let (_, value) = row.expect("row");
        let record: T = decode(value.value(), "fixture").expect("decodes");
        assert_eq!(
            hex(&encode(&record)),
            hex(value.value()),
            "re-encodes the same"
        );
        rows += 1;
    }
    rows
}

#[test]
fn every_row_of_the_old_fixtures_re_encodes_to_its_stored_bytes() {
    for (name, at_least) in [("data-v1", 20), ("data-v2", 50)] {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
            .join(DB_FILE);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(source, dir.path().join(DB_FILE)).expect("copy");
        let store = Store::open(dir.path()).expect("opens");
        let total = rows_round_trip::<u64, AgentRecord>(&store, AGENTS)
            + rows_round_trip::<&[u8], SessionRecord>(&store, SESSIONS)
            + rows_round_trip::<u64, VisitorRecord>(&store, VISITORS)
            + rows_round_trip::<u64, ConversationRecord>(&store, CONVERSATIONS)
            + rows_round_trip::<(u64, u64), MessageRecord>(&store, MESSAGES)
            + rows_round_trip::<&str, SettingsRecord>(&store, SETTINGS)
            + rows_round_trip::<u64, FaqRecord>(&store, FAQ)
            + rows_round_trip::<u64, CannedRecord>(&store, CANNED)
            + rows_round_trip::<u64, WebhookRecord>(&store, WEBHOOKS);
        assert!(total >= at_least, "{name}: only {total} rows");
    }
}
