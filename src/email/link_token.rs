//! The signed links of visitor emails: confirm an address, unsubscribe an address, and
//! resume a conversation. A token is `<payload>.<mac>`: the payload is base64url
//! (no padding) of the postcard bytes of [`Claims`], the mac the first 16 bytes (32 hex
//! digits) of HMAC-SHA256 under the store's server key over a fixed label and the
//! payload. Verifying needs no lookup; a token from another data directory, an altered
//! one, or one past its expiry is refused. Pure: the caller passes the time.
//!
//! How long each lives (`docs/DEPLOY.md`, "Email"): a confirmation 7 days, a resume
//! link 30 days (whoever holds the email can read the conversation until then: the
//! link is bound to one visitor and one conversation, and gives nothing else), an
//! unsubscribe link 1 year (RFC 8058 asks that it keep working).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What the MAC covers besides the payload, so the key signs nothing else by accident.
const LABEL: &[u8] = b"deskbell email link v1\0";
/// Bytes of the MAC kept (128 bits).
const MAC_BYTES: usize = 16;
/// Longest token accepted (an address is at most 254 bytes).
pub const MAX_TOKEN: usize = 512;

/// How long a confirmation link works.
pub const CONFIRM_TTL_MS: u64 = 7 * 24 * 3_600_000;
/// How long a resume link works.
pub const RESUME_TTL_MS: u64 = 30 * 24 * 3_600_000;
/// How long an unsubscribe link works.
pub const UNSUBSCRIBE_TTL_MS: u64 = 365 * 24 * 3_600_000;

/// What a link is for (a link for one purpose never works for another).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms that `visitor` reads `address`.
    Confirm,
    /// Stops every visitor email to `address`.
    Unsubscribe,
    /// Opens `visitor`'s `conversation` in the widget.
    Resume,
}

/// What a token says.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// What it is for.
    pub purpose: Purpose,
    /// The visitor.
    pub visitor: u64,
    /// The conversation (resume links; 0 otherwise).
    pub conversation: u64,
    /// The address (confirm and unsubscribe links; empty otherwise).
    pub address: String,
    /// Not valid from this time on, ms since the Unix epoch.
    pub expires_ms: u64,
}

fn mac(key: &[u8; 32], payload: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail for 32 bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        unreachable!("HMAC accepts keys of every length");
    });
    mac.update(LABEL);
    mac.update(payload.as_bytes());
    mac
}

/// The token for `claims` under `key`.
pub fn sign(key: &[u8; 32], claims: &Claims) -> String {
    let bytes = postcard::to_allocvec(claims).unwrap_or_default();
    let payload = base64url(&bytes);
    let tag = mac(key, &payload).finalize().into_bytes();
    let hex: String = tag[..MAC_BYTES]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{payload}.{hex}")
}

/// The claims of a valid token for `purpose` at `now_ms`, or None.
pub fn verify(key: &[u8; 32], token: &str, purpose: Purpose, now_ms: u64) -> Option<Claims> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let (payload, hex) = token.split_once('.')?;
    let tag: [u8; MAC_BYTES] = crate::auth::token::lower_hex_bytes(hex)?;
    mac(key, payload).verify_truncated_left(&tag).ok()?;
    let claims: Claims = postcard::from_bytes(&unbase64url(payload)?).ok()?;
    (claims.purpose == purpose && now_ms < claims.expires_ms && claims.visitor != 0)
        .then_some(claims)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The bytes of base64url without padding; None for anything else.
fn unbase64url(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn claims(purpose: Purpose) -> Claims {
        Claims {
            purpose,
            visitor: 42,
            conversation: 0,
            address: "Eve@Example.com".into(),
            expires_ms: 1_000,
        }
    }

    #[test]
    fn base64url_round_trips() {
        for n in 0..20 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 250) as u8).collect();
            assert_eq!(unbase64url(&base64url(&bytes)), Some(bytes));
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(unbase64url("a"), None);
        assert_eq!(unbase64url("a+b/"), None);
    }

    #[test]
    fn a_token_works_for_its_purpose_until_it_expires() {
        let token = sign(&KEY, &claims(Purpose::Confirm));
        assert!(token.len() < 100, "{token}");
        assert_eq!(
            verify(&KEY, &token, Purpose::Confirm, 999),
            Some(claims(Purpose::Confirm))
        );
        assert_eq!(
            verify(&KEY, &token, Purpose::Confirm, 1_000),
            None,
            "expired"
        );
        assert_eq!(verify(&KEY, &token, Purpose::Unsubscribe, 0), None);
        assert_eq!(verify(&KEY, &token, Purpose::Resume, 0), None);
        assert_eq!(verify(&[8; 32], &token, Purpose::Confirm, 0), None);
    }

    #[test]
    fn altered_tokens_are_refused() {
        let token = sign(&KEY, &claims(Purpose::Resume));
        let other = sign(
            &KEY,
            &Claims {
                visitor: 43,
                ..claims(Purpose::Resume)
            },
        );
        let (payload, _) = other.split_once('.').expect("dot");
        let (_, mac) = token.split_once('.').expect("dot");
        assert_eq!(
            verify(&KEY, &format!("{payload}.{mac}"), Purpose::Resume, 0),
            None
        );
        assert_eq!(
            verify(&KEY, &token.to_uppercase(), Purpose::Resume, 0),
            None
        );
        for junk in ["", ".", "x.y", &"a".repeat(600), "é.00"] {
            assert_eq!(verify(&KEY, junk, Purpose::Resume, 0), None, "{junk:?}");
        }
    }
}
