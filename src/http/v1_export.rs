//! `GET /api/v1/export?since=&site=`: conversations with their messages as JSON lines
//! (the lines of `deskbell export`), streamed. A task reads a page at a time on the read
//! pool (`Store::export_page`) and sends it into a channel of two chunks that the
//! response body drains, so memory stays flat however large the export; a client that
//! goes away ends the task, one that stops reading for [`STALL`] too.
//!
//! Who: an admin's session or an admin key for every site (everything, or `site=`);
//! any key bound to one site (that site only; another `site=` is 403). A read or write
//! key for every site is 403: an export is every visitor's messages and addresses. At
//! most `keys::limits::MAX_EXPORTS` run at once (429 beyond). A storage error in the
//! middle ends the response without its last chunk, so a cut export never looks whole.

use std::sync::Arc;
use std::time::Duration;

use futures_lite::future;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::body::Chunk;
use super::conversation_query::{Refusal, time};
use super::reply::{Body, error_response, query};
use super::session::{key_of, require_admin};
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::store::StoreError;
use crate::store::export_pages::ExportFilter;
use crate::store::key_records::StoredKeyScope;

/// Conversations per page.
const PAGE_CONVERSATIONS: u64 = 100;
/// Conversations looked at per page, matching or not (bounds a page's read).
const PAGE_SCANNED: u64 = 2_000;
/// A page ends once it holds this many bytes.
const PAGE_BYTES: usize = 256 * 1024;
/// How long a chunk may wait for the client to read before the export gives up.
const STALL: Duration = Duration::from_secs(60);

/// The only site the caller may export (None: every site), or the refusal.
async fn allowed_site(
    app: &Arc<App>,
    req: &Request<Incoming>,
) -> Result<Option<String>, Response<Body>> {
    let Some(key) = key_of(req) else {
        return require_admin(app, req).await.map(|_| None);
    };
    match (&key.site, key.scope) {
        (Some(site), _) => Ok(Some(site.clone())),
        (None, StoredKeyScope::Admin) => Ok(None),
        (None, _) => Err(error_response(
            ErrorCode::Forbidden,
            "exporting every site needs an admin key; a key bound to one site exports that site",
        )),
    }
}

/// The filter the request asks for within what the caller may see.
fn filter_of(req: &Request<Incoming>, own: Option<String>) -> Result<ExportFilter, Refusal> {
    Ok(ExportFilter {
        site: narrowed_site(req, own, "this key exports only its own site")?,
        since_ms: time(req, "since")?,
    })
}

/// The `site=` a request asks for within `own`, the only site the caller may see
/// (None: every site); another site is refused with `refusal` (403).
pub(super) fn narrowed_site(
    req: &Request<Incoming>,
    own: Option<String>,
    refusal: &'static str,
) -> Result<Option<String>, Refusal> {
    match (own, query(req, "site")) {
        (Some(own), Some(asked)) if own != asked => Err(Refusal::forbidden(refusal)),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

/// `GET /api/v1/export`: 200 with `application/x-ndjson`, streamed.
pub async fn export(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let own = match allowed_site(app, &req).await {
        Ok(site) => site,
        Err(r) => return r,
    };
    let filter = match filter_of(&req, own) {
        Ok(f) => f,
        Err(r) => return r.respond(),
    };
    if !app.key_limits.export_started() {
        return error_response(
            ErrorCode::RateLimited,
            "other exports are running; try again when they are done",
        );
    }
    let (chunks, body) = async_channel::bounded(2);
    let running = Running(app.clone());
    app.spawn(async move { produce(running, filter, chunks).await });
    let mut response = Response::new(Body::streamed(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A browser (the console's Export page) and `curl -OJ` save it under this name.
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"deskbell-export.jsonl\""),
    );
    response
}

/// One running export, counted until dropped.
struct Running(Arc<App>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.key_limits.export_ended();
    }
}

/// Reads pages and sends them until the export is complete, the client has gone, it
/// stalled, or storage failed (sent as the body's error).
async fn produce(running: Running, filter: ExportFilter, chunks: async_channel::Sender<Chunk>) {
    let app = &running.0;
    let mut after = 0;
    loop {
        let store = app.store.clone();
        let wanted = filter.clone();
        let page = App::read(app, move || {
            store.export_page(&wanted, after, PAGE_CONVERSATIONS, PAGE_SCANNED, PAGE_BYTES)
        })
        .await;
        let (chunk, next) = match page {
            Ok(page) => (Ok(Bytes::from(page.lines)), page.next_after),
            Err(e) => (Err(failed(e)), None),
        };
        let empty = matches!(&chunk, Ok(bytes) if bytes.is_empty());
        if !empty && !send(&chunks, chunk).await {
            return;
        }
        match next {
            Some(n) => after = n,
            None => return,
        }
    }
}

/// A storage error, logged, as the body's error.
fn failed(e: StoreError) -> std::io::Error {
    tracing::warn!(error = %e, "export cut short by a storage error");
    std::io::Error::other("storage unavailable")
}

/// Sends one chunk; false when the client went away or did not read for [`STALL`].
async fn send(chunks: &async_channel::Sender<Chunk>, chunk: Chunk) -> bool {
    let sent = async { chunks.send(chunk).await.is_ok() };
    let stalled = async {
        smol::Timer::after(STALL).await;
        tracing::info!("export stopped: the client stopped reading");
        false
    };
    future::or(sent, stalled).await
}
