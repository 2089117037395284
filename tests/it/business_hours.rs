//! Business hours in the shop's named time zone (issue #13): what `PUT /api/settings`
//! accepts and what `GET /api/widget` then says about being open right now. The exact
//! summer/winter cases (Europe/London in July and January) are unit tests in
//! `src/business_hours.rs`; here the real server decides at the real time.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::harness::{TestServer, http};

/// Settings open for two hours around now in London, on London's weekday.
fn open_around_london_now(time_zone: &str) -> Value {
    let london = TimeZone::get("Europe/London").expect("zone");
    let now = london.to_datetime(Timestamp::now());
    let minute = i32::from(now.hour()) * 60 + i32::from(now.minute());
    let hhmm = |m: i32| format!("{:02}:{:02}", m / 60, m % 60);
    json!({
        "title": "", "greeting": "", "colour": "#2563eb", "position": "right",
        "prechat": false, "away_message": "",
        "time_zone": time_zone,
        "business_hours": [{
            "day": now.weekday().to_sunday_zero_offset(),
            "open": hhmm((minute - 60).max(0)),
            "close": hhmm((minute + 60).min(1440)),
        }],
        "allowed_origins": []
    })
}

fn open_now(server: &TestServer) -> Value {
    let (status, widget) = http(server.addr, "GET", "/api/widget", None, &json!(null));
    assert_eq!(status, 200);
    widget["open_now"].clone()
}

#[test]
fn the_widget_is_open_by_the_shops_named_time_zone() {
    let server = TestServer::start();
    let admin = server.admin();
    let settings = open_around_london_now("europe/london");
    let (status, saved) = http(server.addr, "PUT", "/api/settings", Some(&admin), &settings);
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["time_zone"], "Europe/London", "canonical spelling");
    assert_eq!(open_now(&server), json!(true), "open in London now");

    // The same hours in Tokyo (8 or 9 hours ahead of London): not now.
    let tokyo = open_around_london_now("Asia/Tokyo");
    let (status, _) = http(server.addr, "PUT", "/api/settings", Some(&admin), &tokyo);
    assert_eq!(status, 200);
    assert_eq!(open_now(&server), json!(false), "closed in Tokyo now");
    let (_, shown) = http(
        server.addr,
        "GET",
        "/api/settings",
        Some(&admin),
        &json!(null),
    );
    assert_eq!(shown["time_zone"], "Asia/Tokyo");
}

#[test]
fn unknown_time_zones_are_refused_and_an_empty_one_means_the_fixed_offset() {
    let server = TestServer::start();
    let admin = server.admin();
    for bad in ["Europe/Bristol", "../../etc/passwd", "UTC+1"] {
        let (status, error) = http(
            server.addr,
            "PUT",
            "/api/settings",
            Some(&admin),
            &open_around_london_now(bad),
        );
        assert_eq!(
            (status, error["error"].as_str()),
            (400, Some("invalid_field")),
            "{bad}"
        );
    }
    let mut fixed = open_around_london_now("");
    fixed["utc_offset_min"] = json!(9 * 60);
    let (status, saved) = http(server.addr, "PUT", "/api/settings", Some(&admin), &fixed);
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (
            saved["time_zone"].as_str(),
            saved["utc_offset_min"].as_i64()
        ),
        (Some(""), Some(540))
    );
    assert_eq!(open_now(&server), json!(false), "UTC+9 is not London");
}
