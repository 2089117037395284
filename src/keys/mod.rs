//! API keys for integrators (issue #14): their text, their scopes and what each scope
//! may call, pure and unit-tested here; the per-key and per-address limits are in
//! [`limits`]. Storage is `crate::store::key_records`; the HTTP guard that applies all
//! of this to a request is `crate::http::key_guard`.
//!
//! A key is `dk_` and 64 lowercase hex digits: 256 random bits from the operating
//! system. It is shown once, when it is created; the store keeps only its SHA-256.
//! A fast unsalted hash is enough here, unlike for passwords: a key is not guessable
//! and not reused elsewhere, so a stolen database lets nobody work back to a key by
//! hashing candidates (2^256 of them), and a fast hash lets every request be checked
//! with one point lookup by digest (no comparison of secret bytes whose timing could
//! tell a stranger how close they came).

pub mod limits;

use hyper::Method;

use crate::auth::{AuthError, new_token, token_digest};
use crate::store::key_records::StoredKeyScope;

/// Every key starts with this.
pub const KEY_PREFIX: &str = "dk_";
/// Characters after the prefix (256 bits in hex).
const KEY_HEX: usize = 64;

/// A new key's text.
pub fn new_key() -> Result<String, AuthError> {
    Ok(format!("{KEY_PREFIX}{}", new_token()?))
}

/// True for text shaped like a key (the prefix, then 64 lowercase hex digits).
pub fn looks_like_key(text: &str) -> bool {
    text.strip_prefix(KEY_PREFIX).is_some_and(|hex| {
        hex.len() == KEY_HEX && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// What the store keeps of a key.
pub fn key_digest(key: &str) -> [u8; 32] {
    token_digest(key)
}

/// The part of a key shown in lists, to recognise it by (32 of its 256 bits).
pub fn shown_prefix(key: &str) -> String {
    key.chars().take(KEY_PREFIX.len() + 8).collect()
}

/// A key's scope by its public name (`read`, `write`, `admin`).
pub fn parse_scope(name: &str) -> Option<StoredKeyScope> {
    match name {
        "read" => Some(StoredKeyScope::Read),
        "write" => Some(StoredKeyScope::Write),
        "admin" => Some(StoredKeyScope::Admin),
        _ => None,
    }
}

/// A scope's public name.
pub fn scope_name(scope: StoredKeyScope) -> &'static str {
    match scope {
        StoredKeyScope::Read => "read",
        StoredKeyScope::Write => "write",
        StoredKeyScope::Admin => "admin",
    }
}

/// True when `path` (without the `/api/v1` version prefix) is an action in one
/// conversation, which write keys may take: `/api/conversations/ID/…`.
fn acts_in_conversation(path: &str) -> bool {
    path.strip_prefix("/api/conversations/")
        .is_some_and(|rest| rest.contains('/'))
}

/// True when `path` (unversioned) is one visitor, `/api/visitors/ID`, whose details
/// (name, email, attributes) write keys may change with `PATCH`.
fn one_visitor(path: &str) -> bool {
    path.strip_prefix("/api/visitors/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a key of `scope` may send `method` to `path` (unversioned). Read keys only
/// read; write keys also act in conversations and change visitors' details; admin keys
/// may do everything (the endpoints still say which callers they serve). `Err` says
/// why not.
pub fn scope_allows(
    scope: StoredKeyScope,
    method: &Method,
    path: &str,
) -> Result<(), &'static str> {
    let reading = *method == Method::GET || *method == Method::HEAD;
    match scope {
        _ if reading => Ok(()),
        StoredKeyScope::Admin => Ok(()),
        StoredKeyScope::Write if acts_in_conversation(path) => Ok(()),
        StoredKeyScope::Write if *method == Method::PATCH && one_visitor(path) => Ok(()),
        StoredKeyScope::Write => {
            Err("a write key may only read, act in conversations and change visitors")
        }
        StoredKeyScope::Read => Err("a read key may only read (GET)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_256_bits_of_hex_behind_the_prefix() {
        let a = new_key().expect("key");
        let b = new_key().expect("key");
        assert_ne!(a, b);
        assert!(looks_like_key(&a), "{a}");
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(shown_prefix(&a).len(), 11);
        assert!(!looks_like_key("dk_"));
        assert!(!looks_like_key(&a.to_uppercase()));
        assert!(!looks_like_key(&a[..a.len() - 1]));
        assert!(!looks_like_key(&format!("{a}0")));
        assert!(!looks_like_key(&a.replace("dk_", "xx_")));
        assert_ne!(key_digest(&a), key_digest(&b));
    }

    #[test]
    fn scopes_round_trip_by_name() {
        for scope in [
            StoredKeyScope::Read,
            StoredKeyScope::Write,
            StoredKeyScope::Admin,
        ] {
            assert_eq!(parse_scope(scope_name(scope)), Some(scope));
        }
        assert_eq!(parse_scope("Admin"), None);
        assert_eq!(parse_scope(""), None);
    }

    #[test]
    fn each_scope_allows_what_it_says() {
        use StoredKeyScope::*;
        let post = Method::POST;
        let send = "/api/conversations/7/messages";
        for scope in [Read, Write, Admin] {
            assert!(scope_allows(scope, &Method::GET, "/api/conversations").is_ok());
            assert!(scope_allows(scope, &Method::GET, "/api/audit").is_ok());
        }
        assert!(scope_allows(Read, &post, send).is_err());
        assert!(scope_allows(Write, &post, send).is_ok());
        assert!(scope_allows(Write, &post, "/api/keys").is_err());
        assert!(scope_allows(Write, &post, "/api/conversations/").is_err());
        assert!(scope_allows(Write, &Method::DELETE, "/api/keys/3").is_err());
        assert!(scope_allows(Admin, &Method::DELETE, "/api/keys/3").is_ok());
        assert!(scope_allows(Admin, &Method::PUT, "/api/settings").is_ok());
        let visitor = "/api/visitors/12";
        assert!(scope_allows(Write, &Method::PATCH, visitor).is_ok());
        assert!(scope_allows(Read, &Method::PATCH, visitor).is_err());
        assert!(scope_allows(Write, &Method::DELETE, visitor).is_err());
        assert!(scope_allows(Write, &Method::PATCH, "/api/visitors/").is_err());
        assert!(scope_allows(Write, &Method::PATCH, "/api/visitors/1/x").is_err());
        assert!(scope_allows(Admin, &Method::DELETE, visitor).is_ok());
    }
}
