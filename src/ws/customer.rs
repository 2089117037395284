//! A verified customer's hello (`hello_customer`, issue #14): the hash is checked in
//! constant time against the site's identity secret (`crate::identity`); a valid one
//! binds the shop's user id to one visitor per site (`IdentityOp::BindCustomer`, the one
//! write a hello makes, waited for) and the `welcome` carries that visitor's token, so
//! every device of the customer continues the same history. An invalid or missing hash
//! is never trusted: with `--require-identity` or the site's setting the hello is
//! refused; otherwise it is an anonymous hello and nothing the page claimed is kept.
//!
//! The browser's anonymous visitor (the token the hello carries) becomes the customer
//! when the user id is new on the site and that visitor is bound to nobody: a guest who
//! logs in mid-chat keeps the chat. A customer known before keeps their own history; the
//! anonymous visitor's conversations stay theirs (never merged into an account).

use std::sync::Arc;

use super::hello::{PeerInfo, check_site, known_visitor, refuse, storage, welcome};
use super::visitor_token;
use crate::app::App;
use crate::hub::Event;
use crate::identity;
use crate::protocol::{Customer, ErrorCode, ErrorFrame, HelloCustomer};
use crate::store::identity_records::{CustomerDetails, IdentityOp};
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;

/// The one check of a verified customer's fields, into what the store keeps.
fn details(customer: &Customer) -> Result<CustomerDetails, String> {
    identity::check_user_id(&customer.id)?;
    let name = customer
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(name) = name {
        identity::check_name(name)?;
    }
    let email = customer
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(email) = email {
        identity::check_email(email)?;
    }
    let avatar = customer.avatar.as_deref().filter(|a| !a.is_empty());
    if let Some(avatar) = avatar {
        identity::check_avatar(avatar)?;
    }
    let pairs: Vec<(String, String)> = customer
        .attributes
        .iter()
        .map(|a| (a.key.clone(), a.value.clone()))
        .collect();
    identity::check_attributes(&pairs)?;
    Ok(CustomerDetails {
        name: name.map(str::to_string),
        email: email.map(str::to_string),
        avatar: avatar.map(str::to_string),
        attributes: Some(pairs.into_iter().map(|(k, v)| (k, Some(v))).collect()),
    })
}

/// Verifies a customer hello and builds the hub event.
pub async fn hello(
    app: &Arc<App>,
    conn: u64,
    hello: HelloCustomer,
    peer: &PeerInfo,
) -> Result<Event, ErrorFrame> {
    let HelloCustomer { hello, customer } = hello;
    check_site(app, &hello.site, peer)?;
    let store = app.store.clone();
    let site = hello.site.clone();
    let settings = App::read(app, move || store.site_identity(&site))
        .await
        .map_err(storage)?
        .unwrap_or_default();
    let verified = customer
        .hash
        .as_deref()
        .is_some_and(|hash| identity::hash_matches(&settings.secret, &customer.id, hash));
    if !verified {
        tracing::info!(conn, site = %hello.site, "identify without a valid hash");
        if app.config.require_identity || settings.require {
            return Err(refuse(
                ErrorCode::Unauthorized,
                "this site accepts only verified customers: the hash does not match the \
                 user id (docs/IDENTITY.md)",
            ));
        }
        // Never trusted: an anonymous visit, nothing claimed is kept.
        let known = known_visitor(app, hello.token.clone()).await?;
        return welcome(app, conn, hello, peer, known, None).await;
    }
    let details = details(&customer).map_err(|m| refuse(ErrorCode::InvalidField, m))?;
    let anonymous = known_visitor(app, hello.token.clone()).await?;
    let store = app.store.clone();
    let (site, user_id) = (hello.site.clone(), customer.id.clone());
    let bound = App::read(app, move || store.customer_visitor(&site, &user_id))
        .await
        .map_err(storage)?;
    let fresh = match bound {
        Some(_) => 0,
        None => app.next_visitor_id().await.map_err(storage)?,
    };
    let op = IdentityOp::BindCustomer {
        site: hello.site.clone(),
        user_id: customer.id.clone(),
        adopt: anonymous.map(|(id, _)| id),
        fresh,
        details,
        at_ms: unix_ms(),
    };
    let visitor = match app.writer.call(WriteOp::Identity(op)).await {
        Ok(Outcome::CustomerBound(visitor)) => visitor,
        Ok(_) => return Err(refuse(ErrorCode::Internal, "unexpected storage answer")),
        Err(e) => return Err(storage(e)),
    };
    tracing::debug!(conn, visitor, "verified customer");
    let store = app.store.clone();
    let record = App::read(app, move || store.visitor(visitor))
        .await
        .map_err(storage)?;
    let token = visitor_token::sign(app.store.server_key(), visitor);
    welcome(app, conn, hello, peer, Some((visitor, record)), Some(token)).await
}
