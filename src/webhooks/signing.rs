//! Standard Webhooks signing (`docs/WEBHOOKS.md`): `whsec_` secrets and the
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` header. Pure.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a serialized secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Random bytes in a new secret (the spec asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// A fresh random HMAC key for an endpoint.
pub fn new_secret() -> Result<Vec<u8>, getrandom::Error> {
    let mut key = vec![0u8; SECRET_BYTES];
    getrandom::fill(&mut key)?;
    Ok(key)
}

/// The key as integrators see it: `whsec_` and its base64.
pub fn format_secret(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The HMAC key of a `whsec_…` secret (the base64-decoded part); None if malformed.
pub fn parse_secret(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    (!key.is_empty()).then_some(key)
}

/// The `webhook-signature` value for one delivery: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under `key`. `id` and `timestamp` never hold a `.`.
pub fn sign(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> String {
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether any `v1` entry of a (space-separated) `webhook-signature` header is the
/// signature of this delivery; compared in constant time. Used by the tests and the
/// documentation's examples; deskbell itself only signs.
pub fn verify(key: &[u8], id: &str, timestamp: u64, body: &[u8], header: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    header
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, sig)| STANDARD.decode(sig).ok())
        .any(|sig| mac.clone().verify_slice(&sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of the Standard Webhooks reference libraries
    /// (standard-webhooks/standard-webhooks, `libraries/rust/src/lib.rs`, `test_sign`).
    const SPEC_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const SPEC_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const SPEC_TS: u64 = 1_649_367_553;
    const SPEC_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SPEC_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    #[test]
    fn signs_the_published_test_vector() {
        let key = parse_secret(SPEC_SECRET).expect("secret");
        assert_eq!(sign(&key, SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIGNATURE);
        assert!(verify(&key, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIGNATURE));
        assert_eq!(format_secret(&key), SPEC_SECRET);
    }

    #[test]
    fn every_signed_part_matters() {
        let key = parse_secret(SPEC_SECRET).expect("secret");
        let good = sign(&key, SPEC_ID, SPEC_TS, SPEC_BODY);
        assert!(!verify(&key, "msg_other", SPEC_TS, SPEC_BODY, &good));
        assert!(!verify(&key, SPEC_ID, SPEC_TS + 1, SPEC_BODY, &good));
        assert!(!verify(&key, SPEC_ID, SPEC_TS, b"{}", &good));
        assert!(!verify(b"another key", SPEC_ID, SPEC_TS, SPEC_BODY, &good));
        // v1a (asymmetric) entries and garbage are skipped; one good v1 is enough.
        let several = format!("v1a,AAAA v1,Zm9v nonsense {good}");
        assert!(verify(&key, SPEC_ID, SPEC_TS, SPEC_BODY, &several));
        assert!(!verify(&key, SPEC_ID, SPEC_TS, SPEC_BODY, "v2,x v1,"));
    }

    #[test]
    fn secrets_are_random_and_round_trip() {
        let a = new_secret().expect("random");
        let b = new_secret().expect("random");
        assert_eq!(a.len(), SECRET_BYTES);
        assert_ne!(a, b);
        let shown = format_secret(&a);
        assert!(shown.starts_with("whsec_"));
        assert_eq!(parse_secret(&shown), Some(a));
        assert_eq!(parse_secret("whsec_"), None);
        assert_eq!(parse_secret("whsec_!!"), None);
        assert_eq!(parse_secret("C2FVsBQIhrscChlQIMV+b5sSYspob7oD"), None);
    }
}
