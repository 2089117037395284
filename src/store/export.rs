//! Exporting conversations for people: JSON lines (one conversation per line, with its
//! messages) or CSV (one message per row, for spreadsheets).

use std::io::Write;

use redb::ReadableTable;
use serde::Serialize;

use super::records::{
    ConversationRecord, ConversationV1, MessageV1, VisitorRecord, VisitorV2, decode,
};
use super::tables::*;
use super::{Store, StoreError};
use super::{messages_read::MessageReader, messages_recent::ReadMessages};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per conversation per line.
    JsonLines,
    /// One row per message, with a header row.
    Csv,
}

#[derive(Serialize)]
struct ExportedMessage<'a> {
    seq: u64,
    at: String,
    author: &'a str,
    author_name: &'a str,
    body: &'a str,
    internal_note: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<ExportedFile<'a>>,
}

/// A file attached to an exported message; `path` is its download address on this
/// server (`GET /api/files/{id}`).
#[derive(Serialize)]
struct ExportedFile<'a> {
    name: &'a str,
    content_type: &'a str,
    size: u64,
    path: String,
}

/// The files a message carries, as exported.
fn files_of(message: &super::records::MessageV1) -> Vec<ExportedFile<'_>> {
    match &message.event {
        Some(super::values::StoredEvent::Attachments { files }) => files
            .iter()
            .map(|f| ExportedFile {
                name: &f.name,
                content_type: &f.content_type,
                size: f.size,
                path: format!("/api/files/{}", super::file_token::format(&f.token)),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The CSV column of a message's files: `name (type, size bytes) path`, `; `-separated.
fn files_column(message: &super::records::MessageV1) -> String {
    files_of(message)
        .iter()
        .map(|f| {
            format!(
                "{} ({}, {} bytes) {}",
                f.name, f.content_type, f.size, f.path
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `2026-11-22T06:24:47Z` from milliseconds since the Unix epoch.
pub fn iso_time(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// One conversation as a JSON line's object (also `export_pages.rs`).
pub(super) fn json_line(
    id: u64,
    c: &ConversationV1,
    visitor: &VisitorV2,
    rows: &[(u64, MessageV1)],
) -> serde_json::Value {
    let exported: Vec<ExportedMessage<'_>> = rows
        .iter()
        .map(|(seq, m)| ExportedMessage {
            seq: *seq,
            at: iso_time(m.at_ms),
            author: m.author_kind.name(),
            author_name: &m.author_name,
            body: &m.body,
            internal_note: m
                .event
                .as_ref()
                .is_some_and(super::values::StoredEvent::agents_only),
            attachments: files_of(m),
        })
        .collect();
    serde_json::json!({
        "id": id,
        "site": c.site,
        "status": format!("{:?}", c.status).to_lowercase(),
        "agent": c.agent,
        "created": iso_time(c.created_ms),
        "visitor": { "id": c.visitor, "name": visitor.name, "email": visitor.email },
        "messages": exported,
    })
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl Store {
    /// Writes every conversation (oldest first) in `format` from one snapshot; returns
    /// the number of conversations.
    pub fn export(&self, format: ExportFormat, out: &mut dyn Write) -> Result<u64, StoreError> {
        let tx = self.db().begin_read()?;
        let conversations = tx.open_table(CONVERSATIONS)?;
        let messages = ReadMessages::read(&tx)?;
        let visitors = tx.open_table(VISITORS)?;
        if format == ExportFormat::Csv {
            writeln!(
                out,
                "conversation,site,status,visitor_id,visitor_name,visitor_email,seq,time,author,author_name,internal_note,body,attachments"
            )?;
        }
        let mut count = 0;
        for row in conversations.iter()? {
            let (id, value) = row?;
            let id = id.value();
            let c = decode::<ConversationRecord>(value.value(), "conversations")?
                .latest()
                .clone();
            let visitor = match visitors.get(c.visitor)? {
                Some(v) => decode::<VisitorRecord>(v.value(), "visitors")?.into_latest(),
                None => Default::default(),
            };
            let rows: Vec<(u64, MessageV1)> = messages
                .all(id)?
                .into_iter()
                .map(|(seq, record)| (seq, record.latest().clone()))
                .collect();
            let status = format!("{:?}", c.status).to_lowercase();
            match format {
                ExportFormat::JsonLines => {
                    writeln!(out, "{}", json_line(id, &c, &visitor, &rows))?;
                }
                ExportFormat::Csv => {
                    for (seq, m) in &rows {
                        let note = m
                            .event
                            .as_ref()
                            .is_some_and(super::values::StoredEvent::agents_only);
                        writeln!(
                            out,
                            "{id},{},{status},{},{},{},{seq},{},{},{},{note},{},{}",
                            csv_field(&c.site),
                            c.visitor,
                            csv_field(visitor.name.as_deref().unwrap_or("")),
                            csv_field(visitor.email.as_deref().unwrap_or("")),
                            iso_time(m.at_ms),
                            m.author_kind.name(),
                            csv_field(&m.author_name),
                            csv_field(&m.body),
                            csv_field(&files_column(m)),
                        )?;
                    }
                }
            }
            count += 1;
        }
        out.flush()?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_are_right() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_795_328_687_000), "2026-11-22T06:24:47Z");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\"\nc"), "\"a, \"\"b\"\"\nc\"");
    }
}
