//! Each table of a [`Report`] as CSV (`GET /api/v1/reports?format=csv&table=…`): a
//! header row, then one row per line of the JSON table, the same figures. Text a
//! visitor typed can reach a cell (unanswered questions), so a cell that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return)
//! gets a leading `'` (OWASP's advice on CSV injection).

use std::fmt::Write;

use super::sections::Report;
use crate::store::csv_field;

/// The tables, by the name a request gives.
pub const TABLES: [&str; 7] = [
    "summary",
    "days",
    "agents",
    "faq",
    "unanswered",
    "hours",
    "csat",
];

/// A text cell, quoted as needed and defused.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        csv_field(&format!("'{text}"))
    } else {
        csv_field(text)
    }
}

/// A number cell; empty for none.
fn number(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// `table` of `report` as CSV, None for an unknown table.
pub fn table(report: &Report, table: &str) -> Option<String> {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let mut row = |cells: &[String]| {
        let _ = writeln!(out, "{}", cells.join(","));
    };
    match table {
        "summary" => {
            let t = &report.totals;
            let (f, r, d) = (
                &report.first_response,
                &report.resolution,
                &report.deflection,
            );
            row(&["figure".into(), "value".into()]);
            for (name, value) in [
                ("conversations", Some(t.conversations)),
                ("bot_only", Some(t.bot_only)),
                ("handed_off", Some(t.handed_off)),
                ("agent", Some(t.agent)),
                ("first_response_count", Some(f.count)),
                ("first_response_median_ms", f.median_ms),
                ("first_response_p90_ms", f.p90_ms),
                ("resolution_count", Some(r.count)),
                ("resolution_median_ms", r.median_ms),
                ("resolution_p90_ms", r.p90_ms),
                ("resolved_by_bot", Some(d.resolved_by_bot)),
            ] {
                row(&[name.into(), number(value)]);
            }
            row(&["deflection_share".into(), d.share.to_string()]);
        }
        "days" => {
            row(&["day", "conversations", "bot_only", "handed_off", "agent"].map(String::from));
            for d in &report.per_day {
                let c = &d.counts;
                row(&[
                    d.day.clone(),
                    c.conversations.to_string(),
                    c.bot_only.to_string(),
                    c.handed_off.to_string(),
                    c.agent.to_string(),
                ]);
            }
        }
        "agents" => {
            row(&["agent", "name", "conversations", "replies"].map(String::from));
            for a in &report.agents {
                row(&[
                    a.agent.to_string(),
                    cell(&a.name),
                    a.conversations.to_string(),
                    a.replies.to_string(),
                ]);
            }
        }
        "faq" => {
            row(&["faq_id", "question", "answers"].map(String::from));
            for f in &report.faq {
                row(&[
                    f.faq_id.to_string(),
                    cell(&f.question),
                    f.answers.to_string(),
                ]);
            }
        }
        "unanswered" => {
            row(&["question", "count"].map(String::from));
            for q in &report.unanswered {
                row(&[cell(&q.question), q.count.to_string()]);
            }
        }
        "hours" => {
            let mut header = vec!["weekday".to_string()];
            header.extend((0..24).map(|h| h.to_string()));
            row(&header);
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            for (name, hours) in names.iter().zip(&report.busiest_hours) {
                let mut cells = vec![name.to_string()];
                cells.extend(hours.iter().map(u64::to_string));
                row(&cells);
            }
        }
        "csat" => {
            row(&["rating", "conversations"].map(String::from));
            for (rating, n) in (1..=5).zip(report.csat.distribution) {
                row(&[rating.to_string(), n.to_string()]);
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("hello, you"), "\"hello, you\"");
        assert_eq!(cell("plain"), "plain");
    }
}
