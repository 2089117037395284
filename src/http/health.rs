//! `GET /healthz`: 200 `{"status":"ok"}` while the server can store messages, 503 with
//! the reason while the data directory is failing (full or read-only) and the writer is
//! reopening the database.

use std::sync::Arc;

use hyper::{Response, StatusCode};

use super::reply::{Body, json};
use crate::app::App;

/// The health answer.
pub fn healthz(app: &Arc<App>) -> Response<Body> {
    match app.store.storage_failure() {
        None => json(StatusCode::OK, &serde_json::json!({"status": "ok"})),
        Some(reason) => json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({
                "status": "storage_unavailable",
                "message": format!(
                    "{reason}; new messages are refused (clients keep and retry them) \
                     until space is freed or the directory is writable again; \
                     deskbell recovers by itself"
                ),
            }),
        ),
    }
}
