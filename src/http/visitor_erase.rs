//! `DELETE /api/v1/visitors/ID`: a GDPR erasure of one visitor and everything of theirs
//! (what goes: `store::erase`; what live state does: `hub::erasing`). Called by an
//! admin's session (with the console's CSRF rules) or an admin key for every site: an
//! erasure reaches every site the visitor was on, so a site key may not make one. The
//! answer comes once the erasure is committed (durably: the writer syncs every commit),
//! with counts only; the audit entry, in the same commit, holds ids and counts only.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, store_error};
use super::visitor_access::{VisitorAccess, VisitorCaller, check};
use crate::app::App;
use crate::hub::Event;
use crate::protocol::ErrorCode;
use crate::store::key_records::StoredAuditAction;
use crate::store::{Outcome, WriteOp};

/// What the answer says was erased.
#[derive(Serialize)]
struct ErasedView {
    /// The visitor id.
    visitor: u64,
    /// Conversations deleted.
    conversations: u64,
    /// Messages deleted.
    messages: u64,
    /// Attachments and unsent uploads deleted.
    files: u64,
}

/// `DELETE /api/v1/visitors/ID`: 200 with the counts, 404 for an unknown visitor.
pub async fn erase(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match check(app, &req, id, VisitorAccess::Erase).await {
        Ok(VisitorCaller {
            caller: Some(caller),
            ..
        }) => caller,
        Ok(_) => return error_response(ErrorCode::Forbidden, "only admins can do that"),
        Err(r) => return r,
    };
    // Counts are filled in from the outcome, in the commit (`api_keys::append_audit`).
    let action = StoredAuditAction::VisitorErased {
        visitor: id,
        conversations: 0,
        messages: 0,
        files: 0,
    };
    let erase = WriteOp::EraseVisitor {
        visitor: id,
        at_ms: crate::timer::unix_ms(),
    };
    let op = caller.audited(action, erase);
    let (reply, result) = async_channel::bounded(1);
    let sent = app
        .hub
        .send(Event::EraseVisitor {
            visitor: id,
            op,
            reply,
        })
        .await;
    let outcome = match result.recv().await {
        Ok(outcome) if sent => outcome,
        _ => return error_response(ErrorCode::StorageUnavailable, "the server is stopping"),
    };
    match outcome {
        Ok(Outcome::VisitorErased(erased)) => {
            tracing::info!(
                visitor = id,
                conversations = erased.conversations,
                messages = erased.messages,
                files = erased.files,
                "visitor erased"
            );
            json(
                StatusCode::OK,
                &ErasedView {
                    visitor: id,
                    conversations: erased.conversations,
                    messages: erased.messages,
                    files: erased.files,
                },
            )
        }
        Ok(other) => {
            tracing::error!(?other, "unexpected outcome of an erasure");
            error_response(ErrorCode::Internal, "unexpected outcome")
        }
        Err(e) => store_error(e),
    }
}
