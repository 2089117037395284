//! `GET /api/v1/reports` over a history with exact times: the server stamps messages
//! with the wall clock, so this history is written into the stopped data directory
//! (as the server's writer stores it, `writer::write_offline`) between the agents and
//! FAQ made through the API and the report read through it. Every figure is checked
//! exactly, in UTC and in the shop's time zone, with the period's edges, a site filter
//! and the CSV of each table against the JSON.

use deskbell::store::values::{StoredAuthorKind, StoredEvent, StoredHandoffReason, StoredStatus};
use deskbell::store::{NewMessage, WriteOp, writer};
use serde_json::{Value, json};

use crate::harness::{TestServer, http, http_full};
use crate::reports::report;

/// 2026-12-01T00:00:00Z, a Tuesday.
const DAY_ONE: u64 = 1_796_083_200_000;
const HOUR: u64 = 3_600_000;
const MINUTE: u64 = 60_000;

/// `h:m` on 2026-12-01 (UTC); h may pass 24.
fn at(h: u64, m: u64) -> u64 {
    DAY_ONE + h * HOUR + m * MINUTE
}

fn message(
    kind: StoredAuthorKind,
    author: u64,
    body: &str,
    event: Option<StoredEvent>,
    at_ms: u64,
) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: kind,
        author_id: author,
        author_name: String::new(),
        body: body.into(),
        client_id: None,
        event,
        at_ms,
    }
}

/// One step of the history.
enum Step {
    /// A visitor opens conversation `.0` on a site with status `.2`.
    Open(u64, &'static str, StoredStatus, &'static str, u64),
    /// A message in conversation `.0`.
    Say(u64, StoredAuthorKind, u64, Option<StoredEvent>, u64),
    /// A status change of `.0` (to `.1`, agent `.2`) with its system message.
    Status(u64, StoredStatus, Option<u64>, StoredEvent, u64),
}

fn write(dir: &std::path::Path, steps: Vec<Step>) {
    use StoredAuthorKind::*;
    for step in steps {
        let op = match step {
            Step::Open(conversation, site, status, text, at_ms) => WriteOp::OpenConversation {
                conversation,
                status,
                visitor: conversation,
                site: site.into(),
                message: message(Visitor, conversation, text, None, at_ms),
                visitor_details: None,
            },
            Step::Say(conversation, kind, author, event, at_ms) => {
                let author = if kind == Visitor {
                    conversation
                } else {
                    author
                };
                WriteOp::Append {
                    conversation,
                    message: message(kind, author, "text", event, at_ms),
                }
            }
            Step::Status(conversation, status, agent, event, at_ms) => WriteOp::ChangeStatus {
                conversation,
                status,
                agent,
                message: message(System, 0, "", Some(event), at_ms),
            },
        };
        let written = writer::write_offline(dir, op);
        assert!(written.is_ok(), "{written:?}");
    }
}

/// The history (agents `a` and `b`, FAQ entry `faq`): six conversations.
fn history(a: u64, b: u64, faq: u64) -> Vec<Step> {
    use StoredAuthorKind::{Agent, Bot};
    use StoredEvent as E;
    use StoredStatus as S;
    let low = E::HandedOff {
        reason: StoredHandoffReason::LowConfidence,
    };
    vec![
        // 1: answered by the bot at 09:00, closed idle at 10:00.
        Step::Open(1, "shop", S::Bot, "What are your opening hours?", at(9, 0)),
        Step::Say(1, Bot, 0, Some(E::BotAnswer { faq_id: faq }), at(9, 0) + 1),
        Step::Status(1, S::Closed, None, E::Closed { by: 0 }, at(10, 0)),
        // 2: handed off at 10:00, `a` replies at 10:02, closes at 10:05.
        Step::Open(
            2,
            "shop",
            S::Bot,
            "Can you recommend a pizza place?",
            at(10, 0),
        ),
        Step::Status(2, S::Queued, None, low.clone(), at(10, 0) + 1),
        Step::Status(
            2,
            S::Assigned,
            Some(a),
            E::Assigned { agent: a },
            at(10, 0) + 2,
        ),
        Step::Say(2, Agent, a, None, at(10, 2)),
        Step::Status(2, S::Closed, Some(a), E::Closed { by: a }, at(10, 5)),
        // 3: asks for a person at 10:05; `a` writes a note, replies at 10:15 and hands
        // it to `b`, who replies at 10:20 and closes at 10:25.
        Step::Open(3, "shop", S::Bot, "Can I talk to a person?", at(10, 5)),
        Step::Status(
            3,
            S::Queued,
            None,
            E::HandedOff {
                reason: StoredHandoffReason::HumanRequested,
            },
            at(10, 5) + 1,
        ),
        Step::Status(
            3,
            S::Assigned,
            Some(a),
            E::Assigned { agent: a },
            at(10, 5) + 2,
        ),
        Step::Say(3, Agent, a, Some(E::Note), at(10, 6)),
        Step::Say(3, Agent, a, None, at(10, 15)),
        Step::Status(
            3,
            S::Assigned,
            Some(b),
            E::Transferred { from: a, to: b },
            at(10, 16),
        ),
        Step::Say(3, Agent, b, None, at(10, 20)),
        Step::Status(3, S::Closed, Some(b), E::Closed { by: b }, at(10, 25)),
        // 4: the bot greets at 10:25 but cannot answer; nobody came, closed idle at 23:25.
        Step::Open(4, "shop", S::Bot, "Do you sell gift cards?", at(10, 25)),
        Step::Say(4, Bot, 0, None, at(10, 25) + 1),
        Step::Status(4, S::Queued, None, low.clone(), at(10, 25) + 2),
        Step::Status(4, S::Closed, None, E::Closed { by: 0 }, at(23, 25)),
        // 5: the same question at 23:30, still waiting.
        Step::Open(5, "shop", S::Bot, "do you sell  GIFT cards", at(23, 30)),
        Step::Status(5, S::Queued, None, low, at(23, 30) + 1),
        // 6: on the blog on the 2nd at 12:00, the bot greets, closed idle at 13:00.
        Step::Open(6, "blog", S::Bot, "hi", at(36, 0)),
        Step::Say(6, Bot, 0, None, at(36, 0) + 1),
        Step::Status(6, S::Closed, None, E::Closed { by: 0 }, at(37, 0)),
    ]
}

fn hours_row(hits: &[(usize, u64)]) -> Value {
    let mut row = [0u64; 24];
    for (hour, n) in hits {
        row[*hour] = *n;
    }
    json!(row)
}

fn counts(conversations: u64, bot_only: u64, handed_off: u64, agent: u64) -> Value {
    json!({"conversations": conversations, "bot_only": bot_only, "handed_off": handed_off, "agent": agent})
}

fn day(day: &str, counts: Value) -> Value {
    let mut row = counts;
    row["day"] = json!(day);
    row
}

#[test]
fn every_figure_exactly_in_utc_and_in_the_shops_time_zone() {
    let mut server = TestServer::start();
    let admin = server.admin();
    let (a, _) = server.agent(&admin, "Alice", None);
    let (b, _) = server.agent(&admin, "Bob", None);
    let (status, faq) = http(
        server.addr,
        "POST",
        "/api/faq",
        Some(&admin),
        &json!({"questions": ["What are your opening hours?", "When are you open?"], "answer": "9 to 5."}),
    );
    assert_eq!(status, 201, "{faq}");
    let faq = faq["id"].as_u64().expect("id");
    server.restart_after(|dir| write(dir, history(a, b, faq)), |_| {});
    let both = "?from=2026-12-01&until=2026-12-02";

    let (status, r) = report(&server, &admin, both);
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r["period"],
        json!({"from": "2026-12-01", "until": "2026-12-02", "time_zone": "UTC", "site": null})
    );
    assert_eq!(r["totals"], counts(6, 2, 2, 2));
    assert_eq!(
        r["per_day"],
        json!([
            day("2026-12-01", counts(5, 1, 2, 2)),
            day("2026-12-02", counts(1, 1, 0, 0))
        ])
    );
    assert_eq!(
        r["first_response"],
        json!({"count": 2, "median_ms": 2 * MINUTE, "p90_ms": 10 * MINUTE})
    );
    // 5 min, 20 min, 1 h, 1 h, 13 h.
    assert_eq!(
        r["resolution"],
        json!({"count": 5, "median_ms": HOUR, "p90_ms": 13 * HOUR})
    );
    assert_eq!(
        r["deflection"],
        json!({"resolved_by_bot": 2, "conversations": 6, "share": 2.0 / 6.0})
    );
    assert_eq!(
        r["agents"],
        json!([
            {"agent": a, "name": "Alice", "conversations": 2, "replies": 2},
            {"agent": b, "name": "Bob", "conversations": 1, "replies": 1},
        ])
    );
    assert_eq!(
        r["faq"],
        json!([{"faq_id": faq, "question": "What are your opening hours?", "answers": 1}])
    );
    assert_eq!(
        r["unanswered"],
        json!([
            {"question": "do you sell  GIFT cards", "count": 2},
            {"question": "Can you recommend a pizza place?", "count": 1},
        ])
    );
    assert_eq!(
        r["csat"],
        json!({"ratings": 0, "average": null, "distribution": [0, 0, 0, 0, 0]})
    );
    let mut heat = vec![hours_row(&[]); 7];
    heat[1] = hours_row(&[(9, 1), (10, 3), (23, 1)]);
    heat[2] = hours_row(&[(12, 1)]);
    assert_eq!(r["busiest_hours"], json!(heat));

    // Each table as CSV holds the JSON's figures.
    let auth = format!("Bearer {admin}");
    let csv = |table: &str| {
        let path = format!("/api/v1/reports{both}&format=csv&table={table}");
        let (status, head, body) =
            http_full(server.addr, "GET", &path, &[("Authorization", &auth)], "");
        assert_eq!(status, 200, "{body}");
        assert!(
            head.to_lowercase().contains("content-type: text/csv"),
            "{head}"
        );
        body
    };
    assert_eq!(
        csv("days"),
        "day,conversations,bot_only,handed_off,agent\n2026-12-01,5,1,2,2\n2026-12-02,1,1,0,0\n"
    );
    assert_eq!(
        csv("agents"),
        format!("agent,name,conversations,replies\n{a},Alice,2,2\n{b},Bob,1,1\n")
    );
    assert_eq!(
        csv("faq"),
        format!("faq_id,question,answers\n{faq},What are your opening hours?,1\n")
    );
    assert_eq!(
        csv("unanswered"),
        "question,count\ndo you sell  GIFT cards,2\nCan you recommend a pizza place?,1\n"
    );
    assert_eq!(
        csv("csat"),
        "rating,conversations\n1,0\n2,0\n3,0\n4,0\n5,0\n"
    );
    let summary = csv("summary");
    for line in [
        "figure,value",
        "conversations,6",
        "bot_only,2",
        "first_response_median_ms,120000",
        "first_response_p90_ms,600000",
        "resolution_median_ms,3600000",
        "resolution_p90_ms,46800000",
        "resolved_by_bot,2",
    ] {
        assert!(summary.lines().any(|l| l == line), "{line} in {summary}");
    }
    let hours = csv("hours");
    let rows: Vec<&str> = hours.lines().collect();
    assert_eq!(rows.len(), 8, "{hours}");
    assert_eq!(
        rows[2],
        "tue,0,0,0,0,0,0,0,0,0,1,3,0,0,0,0,0,0,0,0,0,0,0,0,1"
    );
    assert_eq!(
        rows[3],
        "wed,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0"
    );

    // The period's edges and the site filter.
    let (_, second) = report(&server, &admin, "?from=2026-12-02&until=2026-12-02");
    assert_eq!(second["totals"], counts(1, 1, 0, 0));
    let (_, before) = report(&server, &admin, "?from=2026-11-01&until=2026-11-30");
    assert_eq!(before["totals"], counts(0, 0, 0, 0));
    let (_, blog) = report(&server, &admin, &format!("{both}&site=blog"));
    assert_eq!(blog["totals"], counts(1, 1, 0, 0));

    // In Shanghai (UTC+8) the 5th is on the 2nd at 07:30 and the 6th at 20:00, a
    // Wednesday; the others are on the 1st between 17:00 and 18:25.
    let settings = json!({
        "title": "", "greeting": "", "colour": "#2563eb", "position": "right",
        "prechat": false, "away_message": "", "time_zone": "Asia/Shanghai",
        "business_hours": [], "allowed_origins": []
    });
    let (status, saved) = http(server.addr, "PUT", "/api/settings", Some(&admin), &settings);
    assert_eq!(status, 200, "{saved}");
    let (_, local) = report(&server, &admin, both);
    assert_eq!(local["period"]["time_zone"], "Asia/Shanghai");
    assert_eq!(
        local["per_day"],
        json!([
            day("2026-12-01", counts(4, 1, 1, 2)),
            day("2026-12-02", counts(2, 1, 1, 0))
        ])
    );
    let mut heat = vec![hours_row(&[]); 7];
    heat[1] = hours_row(&[(17, 1), (18, 3)]);
    heat[2] = hours_row(&[(7, 1), (20, 1)]);
    assert_eq!(local["busiest_hours"], json!(heat));
    let (_, first) = report(&server, &admin, "?from=2026-12-01&until=2026-12-01");
    assert_eq!(first["totals"], counts(4, 1, 1, 2));
    // 2026-11-30 in Shanghai ends at 16:00 UTC on the 30th: nothing.
    let (_, before) = report(&server, &admin, "?from=2026-11-30&until=2026-11-30");
    assert_eq!(before["totals"], counts(0, 0, 0, 0));

    // No period given: the 30 days up to today in the shop's zone, by the wall clock
    // (the server's own clock is monotonic, not a date; messages carry wall time).
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone");
    let today = zone.to_datetime(jiff::Timestamp::now()).date();
    let (status, recent) = report(&server, &admin, "");
    assert_eq!(status, 200, "{recent}");
    let first = today.checked_sub(jiff::Span::new().days(29)).expect("date");
    assert_eq!(
        (&recent["period"]["from"], &recent["period"]["until"]),
        (&json!(first.to_string()), &json!(today.to_string()))
    );
    assert_eq!(recent["per_day"].as_array().map(Vec::len), Some(30));
}
