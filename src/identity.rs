//! Verified customers (issue #14), the pure part: the per-site identity secret, the
//! check of an identify call's hash (`hex(HMAC-SHA256(secret, user id))`, compared in
//! constant time) and the limits on what a customer carries (user id, name, email,
//! avatar, attributes). `ws::customer` uses it at hello, `http::identity` for the
//! admin endpoints and `PATCH /api/visitors/ID`. No I/O, no clock. `docs/IDENTITY.md`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Most attributes a visitor carries.
pub const MAX_ATTRIBUTES: usize = 30;
/// Longest attribute key, in characters.
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 64;
/// Longest attribute value, in characters.
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 200;
/// Longest user id, in bytes.
pub const MAX_USER_ID_BYTES: usize = 128;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address, in bytes.
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest avatar URL, in bytes.
pub const MAX_AVATAR_BYTES: usize = 2048;

/// A new identity secret: 32 random bytes as 64 lowercase hex digits. The shop uses
/// the text itself (its ASCII bytes) as the HMAC key, as PHP's `hash_hmac` would.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn mac(secret: &str, user_id: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| {
        unreachable!("HMAC accepts keys of every length");
    });
    mac.update(user_id.as_bytes());
    mac
}

/// `hex(HMAC-SHA256(secret, user_id))`, lowercase: what the shop's server computes.
pub fn expected_hash(secret: &str, user_id: &str) -> String {
    mac(secret, user_id)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True when `hash` (64 hex digits, either case) is the HMAC of `user_id` under
/// `secret`. The comparison runs in constant time (`hmac`'s `verify_slice`).
pub fn hash_matches(secret: &str, user_id: &str, hash: &str) -> bool {
    if secret.is_empty() {
        return false;
    }
    let Some(tag) = crate::auth::token::lower_hex_bytes::<32>(&hash.to_ascii_lowercase()) else {
        return false;
    };
    mac(secret, user_id).verify_slice(&tag).is_ok()
}

/// A user id of 1–128 bytes with no control characters.
pub fn check_user_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_USER_ID_BYTES {
        return Err(format!("the user id must be 1-{MAX_USER_ID_BYTES} bytes"));
    }
    if id.chars().any(char::is_control) {
        return Err("the user id must not contain control characters".into());
    }
    Ok(())
}

/// A name of at most 100 characters with no control characters (empty: none).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "the name must be at most {MAX_NAME_CHARS} characters, without control characters"
        ));
    }
    Ok(())
}

/// An email address: at most 254 bytes, one `@` with text on both sides, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    let ok = email.len() <= MAX_EMAIL_BYTES
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if ok {
        Ok(())
    } else {
        Err("the email must be an address like name@example.com".into())
    }
}

/// An avatar: an `https://` URL of at most 2048 bytes (shown as an image to agents).
pub fn check_avatar(url: &str) -> Result<(), String> {
    let ok = url.len() <= MAX_AVATAR_BYTES
        && url.starts_with("https://")
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the avatar must be an https:// URL of at most {MAX_AVATAR_BYTES} bytes"
        ))
    }
}

/// Attributes: at most 30, keys of 1–64 characters (letters, digits, `_`, `-`, `.`,
/// unique), values of at most 200 characters without control characters.
pub fn check_attributes(attributes: &[(String, String)]) -> Result<(), String> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(format!(
            "at most {MAX_ATTRIBUTES} attributes (got {})",
            attributes.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (key, value) in attributes {
        let key_ok = (1..=MAX_ATTRIBUTE_KEY_CHARS).contains(&key.chars().count())
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !key_ok {
            return Err(format!(
                "attribute key {key:?}: 1-{MAX_ATTRIBUTE_KEY_CHARS} letters, digits, '_', '-' or '.'"
            ));
        }
        if !seen.insert(key.as_str()) {
            return Err(format!("attribute key {key:?} appears twice"));
        }
        if value.chars().count() > MAX_ATTRIBUTE_VALUE_CHARS || value.chars().any(char::is_control)
        {
            return Err(format!(
                "attribute {key:?}: the value must be at most {MAX_ATTRIBUTE_VALUE_CHARS} characters, without control characters"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    const RFC4231_2: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn the_hash_is_the_published_hmac_sha256() {
        assert_eq!(
            expected_hash("Jefe", "what do ya want for nothing?"),
            RFC4231_2
        );
        assert!(hash_matches(
            "Jefe",
            "what do ya want for nothing?",
            RFC4231_2
        ));
        let upper = RFC4231_2.to_uppercase();
        assert!(hash_matches("Jefe", "what do ya want for nothing?", &upper));
    }

    #[test]
    fn forged_replayed_or_malformed_hashes_do_not_match() {
        let secret = "s3cret";
        let good = expected_hash(secret, "42");
        assert!(hash_matches(secret, "42", &good));
        assert!(
            !hash_matches(secret, "43", &good),
            "replayed for another id"
        );
        assert!(!hash_matches("other", "42", &good), "another site's secret");
        assert!(
            !hash_matches("", "42", &expected_hash("", "42")),
            "no secret"
        );
        for bad in ["", "00", &good[..62], &format!("{good}00"), &"g".repeat(64)] {
            assert!(!hash_matches(secret, "42", bad), "{bad:?}");
        }
        let mut flipped = good.into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert!(!hash_matches(secret, "42", &flipped));
    }

    #[test]
    fn secrets_are_64_hex_digits_and_differ() {
        let a = new_secret().expect("random");
        let b = new_secret().expect("random");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn attributes_are_bounded_with_clear_errors() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert!(check_attributes(&[pair("vip", "gold"), pair("orders", "12")]).is_ok());
        let many: Vec<_> = (0..31).map(|i| pair(&format!("k{i}"), "v")).collect();
        assert!(
            check_attributes(&many)
                .expect_err("refused")
                .contains("at most 30")
        );
        assert!(check_attributes(&many[..30]).is_ok());
        let long = "x".repeat(201);
        assert!(
            check_attributes(&[pair("a", &long)])
                .expect_err("refused")
                .contains("200")
        );
        assert!(check_attributes(&[pair("a", &"好".repeat(200))]).is_ok());
        assert!(check_attributes(&[pair("", "v")]).is_err());
        assert!(check_attributes(&[pair("a b", "v")]).is_err());
        assert!(
            check_attributes(&[pair("a", "1"), pair("a", "2")])
                .expect_err("refused")
                .contains("twice")
        );
        assert!(check_attributes(&[pair("a", "line\nbreak")]).is_err());
    }

    #[test]
    fn fields_are_checked() {
        assert!(check_user_id("").is_err());
        assert!(check_user_id(&"1".repeat(129)).is_err());
        assert!(check_user_id("user-42@shop").is_ok());
        assert!(check_email("a@b").is_ok());
        assert!(check_email("nope").is_err());
        assert!(check_avatar("https://cdn.example/a.png").is_ok());
        assert!(check_avatar("javascript:alert(1)").is_err());
        assert!(check_avatar("http://cdn.example/a.png").is_err());
        assert!(check_name(&"n".repeat(101)).is_err());
    }
}
