//! Verified customers over HTTP (issue #14): each site's identity secret for admins
//! (`GET /api/identity` lists them with their secrets, `POST /api/identity` makes or
//! rotates one, `PATCH /api/identity` sets whether a site requires verified identify
//! calls), and `PATCH /api/visitors/ID`, an admin's change to a visitor's name, email
//! and attributes (the shop's "SyncUser"; also for write keys, see `visitor_access`).
//! Every other route is admin-only: the secret is
//! readable on demand by admins so the shop's developer can copy it into their server's
//! configuration; agents never see it. `docs/IDENTITY.md`.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::require_admin;
use super::visitor_access::{VisitorAccess, VisitorCaller, check};
use crate::app::App;
use crate::identity;
use crate::protocol::ErrorCode;
use crate::store::WriteOp;
use crate::store::identity_records::{CustomerDetails, IdentityOp, SiteIdentityV1};
use crate::store::key_records::StoredAuditAction;
use crate::timer::unix_ms;
use crate::ws::valid_site;

/// What admins see of one site's identity settings.
#[derive(Serialize)]
struct SiteIdentityView {
    /// The site id.
    site: String,
    /// The secret (64 hex digits), or "" when none was made.
    secret: String,
    /// When it was made, ms since the Unix epoch.
    created_ms: u64,
    /// Whether unverified identify calls are refused on this site.
    require: bool,
}

fn view(site: String, record: SiteIdentityV1) -> SiteIdentityView {
    SiteIdentityView {
        site,
        secret: record.secret,
        created_ms: record.created_ms,
        require: record.require,
    }
}

/// `GET /api/identity`: every site's identity settings, secrets included (admins).
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.site_identities()).await {
        Ok(all) => {
            let sites: Vec<_> = all.into_iter().map(|(s, r)| view(s, r)).collect();
            json(StatusCode::OK, &serde_json::json!({ "sites": sites }))
        }
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteBody {
    site: String,
    #[serde(default)]
    require: Option<bool>,
}

/// `POST /api/identity` `{site}`: makes the site's secret, or replaces it (the old one
/// stops verifying at once). `PATCH /api/identity` `{site, require}`: changes only
/// whether the site refuses unverified identify calls.
pub async fn save(app: &Arc<App>, req: Request<Incoming>, rotate: bool) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: SiteBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !valid_site(&body.site) {
        return error_response(
            ErrorCode::InvalidField,
            "site must be 1-64 letters, digits, '.', '_' or '-'",
        );
    }
    let store = app.store.clone();
    let site = body.site.clone();
    let mut record = match App::read(app, move || store.site_identity(&site)).await {
        Ok(found) => found.unwrap_or_default(),
        Err(e) => return store_error(e),
    };
    if rotate {
        record.secret = match identity::new_secret() {
            Ok(s) => s,
            Err(_) => return error_response(ErrorCode::Internal, "no randomness available"),
        };
        record.created_ms = unix_ms();
    }
    match body.require {
        Some(require) => record.require = require,
        None if !rotate => {
            return error_response(ErrorCode::InvalidField, "say require: true or false");
        }
        None => {}
    }
    let op = IdentityOp::PutSite {
        site: body.site.clone(),
        record: record.clone(),
    };
    let action = StoredAuditAction::IdentityChanged {
        site: body.site.clone(),
        rotated: rotate,
        require: record.require,
    };
    if let Err(e) = app
        .writer
        .call(caller.audited(action, WriteOp::Identity(op)))
        .await
    {
        return store_error(e);
    }
    tracing::info!(site = %body.site, rotated = rotate, require = record.require, "identity settings changed");
    let status = if rotate {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json(status, &view(body.site, record))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitorPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    /// Keys to set; a `null` value removes the key.
    #[serde(default)]
    attributes: Option<BTreeMap<String, Option<String>>>,
}

/// The one check of a visitor patch.
fn details(patch: VisitorPatch) -> Result<CustomerDetails, String> {
    if let Some(name) = &patch.name {
        identity::check_name(name.trim())?;
    }
    if let Some(email) = &patch.email {
        identity::check_email(email.trim())?;
    }
    let attributes = match patch.attributes {
        Some(map) => {
            let set: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                .collect();
            identity::check_attributes(&set)?;
            Some(map.into_iter().collect())
        }
        None => None,
    };
    Ok(CustomerDetails {
        name: patch.name.map(|n| n.trim().to_string()),
        email: patch.email.map(|e| e.trim().to_string()),
        avatar: None,
        attributes,
    })
}

/// `PATCH /api/visitors/ID` `{name?, email?, attributes?}` (an admin's session, or a
/// write or admin key; a site key only for visitors of its site): attributes are
/// merged key by key (`null` removes one); at most 30 after the change.
pub async fn patch_visitor(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let (caller, site) = match check(app, &req, id, VisitorAccess::Change).await {
        Ok(VisitorCaller {
            caller: Some(caller),
            site,
        }) => (caller, site),
        Ok(_) => return error_response(ErrorCode::Forbidden, "only admins can do that"),
        Err(r) => return r,
    };
    let patch: VisitorPatch = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let fields: Vec<String> = [
        ("name", patch.name.is_some()),
        ("email", patch.email.is_some()),
        ("attributes", patch.attributes.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| field.to_string())
    .collect();
    let details = match details(patch) {
        Ok(d) => d,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let op = IdentityOp::PatchVisitor {
        visitor: id,
        details,
        max_attributes: identity::MAX_ATTRIBUTES,
    };
    let action = StoredAuditAction::VisitorChanged {
        visitor: id,
        fields,
    };
    match app
        .writer
        .call(caller.audited(action, WriteOp::Identity(op)))
        .await
    {
        Ok(_) => super::visitor_view::visitor_view(app, id, site).await,
        Err(e) => store_error(e),
    }
}
