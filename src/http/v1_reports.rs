//! `GET /api/v1/reports?from=&until=&site=&format=&table=`: the report of a period
//! (`crate::reports`) as JSON, or one of its tables as CSV (`format=csv&table=days`).
//!
//! Who: an admin's session (agents get 403), or any API key (the read scope is
//! enough); a key bound to one site sees that site only (another `site=` is 403).
//! `from` and `until` are days (`YYYY-MM-DD`) in the shop's time zone, both included,
//! at most `reports::period::MAX_DAYS` apart; by default the last 30 days up to
//! today. How often: the scan runs on the read pool, never on the executor, and at
//! most `keys::limits::MAX_REPORTS` compute at once for everyone together (429
//! beyond); keys also keep their own rate.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::conversation_query::Refusal;
use super::reply::{Body, error_response, json, query, store_error, text};
use super::session::{key_of, require_admin};
use super::v1_export::narrowed_site;
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::reports::{self, Period, csv};

/// Days a report covers when `from` is not given.
const DEFAULT_DAYS: i64 = 30;

/// The answer a request asks for.
enum Format {
    Json,
    /// One table as CSV.
    Csv(String),
}

/// What one request asks for.
struct Ask {
    period: Period,
    site: Option<String>,
    format: Format,
}

/// A day parameter: None when absent.
fn day(req: &Request<Incoming>, name: &'static str) -> Result<Option<Date>, Refusal> {
    match query(req, name) {
        None => Ok(None),
        Some(v) => v
            .parse::<Date>()
            .map(Some)
            .map_err(|_| Refusal::invalid(format!("{name} must be a day such as 2026-12-01"))),
    }
}

fn format_of(req: &Request<Incoming>) -> Result<Format, Refusal> {
    match (query(req, "format").as_deref(), query(req, "table")) {
        (None | Some("json"), None) => Ok(Format::Json),
        (Some("csv"), Some(table)) if csv::TABLES.contains(&table.as_str()) => {
            Ok(Format::Csv(table))
        }
        (Some("csv"), _) => Err(Refusal::invalid(format!(
            "format=csv needs table= one of {}",
            csv::TABLES.join(", ")
        ))),
        (None | Some("json"), Some(_)) => {
            Err(Refusal::invalid("table= goes with format=csv".into()))
        }
        (Some(_), _) => Err(Refusal::invalid("format must be json or csv".into())),
    }
}

/// The period, site and format asked for, within what the caller may see.
fn ask_of(
    req: &Request<Incoming>,
    own: Option<String>,
    zone: TimeZone,
    now_ms: u64,
) -> Result<Ask, Refusal> {
    let now = jiff::Timestamp::from_millisecond(i64::try_from(now_ms).unwrap_or(0))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let until = match day(req, "until")? {
        Some(d) => d,
        None => zone.to_datetime(now).date(),
    };
    let from = match day(req, "from")? {
        Some(d) => d,
        None => until
            .checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
            .map_err(|_| Refusal::invalid("until is too early".into()))?,
    };
    Ok(Ask {
        period: Period::new(from, until, zone).map_err(Refusal::invalid)?,
        site: narrowed_site(req, own, "this key reports on its own site only")?,
        format: format_of(req)?,
    })
}

/// `GET /api/v1/reports`.
pub async fn report(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let own = match key_of(&req) {
        Some(key) => key.site.clone(),
        None => match require_admin(app, &req).await {
            Ok(_) => None,
            Err(r) => return r,
        },
    };
    let zone = match app.settings.read() {
        Ok(settings) => crate::business_hours::shop_time_zone(&settings),
        Err(_) => TimeZone::UTC,
    };
    // The wall clock, as messages are stamped: `now_ms` is monotonic, not a date.
    let ask = match ask_of(&req, own, zone, crate::timer::unix_ms()) {
        Ok(ask) => ask,
        Err(r) => return r.respond(),
    };
    if !app.key_limits.report_started() {
        return error_response(
            ErrorCode::RateLimited,
            "other reports are being computed; try again in a moment",
        );
    }
    let running = Running(app.clone());
    let store = app.store.clone();
    let (period, site) = (ask.period, ask.site);
    let computed = App::read(app, move || reports::compute(&store, &period, site)).await;
    drop(running);
    let report = match computed {
        Ok(report) => report,
        Err(e) => return store_error(e),
    };
    match ask.format {
        Format::Json => json(StatusCode::OK, &report),
        Format::Csv(table) => {
            let body = csv::table(&report, &table).unwrap_or_default();
            let mut response = text(StatusCode::OK, "text/csv; charset=utf-8", body);
            let name = format!(
                "attachment; filename=\"deskbell-{table}-{}-{}.csv\"",
                report.period.from, report.period.until
            );
            if let Ok(value) = HeaderValue::from_str(&name) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
    }
}

/// One report computing, counted until dropped.
struct Running(Arc<App>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.key_limits.report_ended();
    }
}
