//! Visitor tokens the server signs instead of storing: `v1.<id>.<mac>`, where `<mac>`
//! is the first 16 bytes (32 hex digits) of HMAC-SHA256 under the store's server key
//! over a fixed label and the visitor id. Verifying one needs no lookup and no write, so
//! a token handed out to a visitor who never said anything still works when they come
//! back (also after a restart: the key lives in the store's `meta` table).
//!
//! Older builds handed out 64-hex-digit random tokens stored by digest; those never
//! parse as signed tokens and are still looked up by digest (see `ws::hello`).
//! Pure: no I/O, no clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Prefix that marks a signed token (and its version).
const PREFIX: &str = "v1.";
/// What the MAC covers besides the id, so the key signs nothing else by accident.
const LABEL: &[u8] = b"deskbell visitor token v1\0";
/// Bytes of the MAC kept in the token (128 bits).
const MAC_BYTES: usize = 16;

fn mac(key: &[u8; 32], id: u64) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail for 32 bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        unreachable!("HMAC accepts keys of every length");
    });
    mac.update(LABEL);
    mac.update(&id.to_le_bytes());
    mac
}

/// The token for visitor `id` under `key`.
pub fn sign(key: &[u8; 32], id: u64) -> String {
    let tag = mac(key, id).finalize().into_bytes();
    let hex: String = tag[..MAC_BYTES]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{PREFIX}{id}.{hex}")
}

/// The visitor id a token was signed for, or None if it is not a valid signed token
/// under `key` (forged, altered, signed by another data directory, or an old token).
pub fn verify(key: &[u8; 32], token: &str) -> Option<u64> {
    let rest = token.strip_prefix(PREFIX)?;
    let (id, hex) = rest.split_once('.')?;
    // Canonical decimal only: one token per id.
    if id.is_empty() || id.len() > 20 || (id.len() > 1 && id.starts_with('0')) {
        return None;
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: u64 = id.parse().ok()?;
    let tag: [u8; MAC_BYTES] = crate::auth::token::lower_hex_bytes(hex)?;
    // Constant-time comparison of the truncated MAC.
    mac(key, id).verify_truncated_left(&tag).ok()?;
    (id != 0).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_signed_token_verifies_to_its_id() {
        for id in [1, 2, 42, u64::MAX] {
            let token = sign(&KEY, id);
            assert!(token.len() <= 3 + 20 + 1 + 32, "{token}");
            assert_eq!(verify(&KEY, &token), Some(id), "{token}");
        }
    }

    #[test]
    fn altered_forged_or_foreign_tokens_are_refused() {
        let token = sign(&KEY, 42);
        assert_eq!(verify(&[8; 32], &token), None, "another directory's key");
        let other_id = token.replacen("v1.42.", "v1.43.", 1);
        assert_eq!(verify(&KEY, &other_id), None, "id changed");
        let padded = token.replacen("v1.42.", "v1.042.", 1);
        assert_eq!(verify(&KEY, &padded), None, "non-canonical id");
        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert_eq!(verify(&KEY, &flipped), None, "mac changed");
        assert_eq!(verify(&KEY, &token.to_uppercase()), None);
        assert_eq!(verify(&KEY, &token[..token.len() - 2]), None, "short mac");
        for junk in ["", "v1.", "v1..", "v1.1.", "9b2e9b2e", "v1.x.00", "v1.1.é"] {
            assert_eq!(verify(&KEY, junk), None, "{junk:?}");
        }
        assert_eq!(verify(&KEY, &sign(&KEY, 0)), None, "0 is never a visitor");
        // An old stored token (64 hex digits) is not a signed token.
        assert_eq!(verify(&KEY, &"9b2e".repeat(16)), None);
    }
}
