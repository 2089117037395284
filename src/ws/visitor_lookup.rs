//! Which visitor a presented token names, for every place that takes one (the hello,
//! uploads, the visitors' email endpoints): a signed token (`visitor_token`), or an
//! older one stored by digest; never an erased visitor (GDPR, `store::erase`), whose
//! signed token still verifies but names nobody any more. Blocking: run it on the read
//! pool.

use crate::auth::token_digest;
use crate::store::{Store, StoreError};

use super::visitor_token;

/// The visitor `token` names, if any (see the module docs).
pub fn visitor_of_token(store: &Store, token: &str) -> Result<Option<u64>, StoreError> {
    let id = match visitor_token::verify(store.server_key(), token) {
        Some(id) => id,
        None => match store.visitor_by_token(&token_digest(token))? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    if store.is_erased(id)? {
        return Ok(None);
    }
    Ok(Some(id))
}
