//! Random session tokens, their stored digests, and one-time setup codes.
//!
//! A session token is shown to the client once; the server keeps only
//! [`token_digest`] of it, so a leaked database does not leak live sessions.

use sha2::{Digest, Sha256};

use super::AuthError;

/// Random bytes in a session token (256 bits).
const TOKEN_BYTES: usize = 32;
/// Setup-code alphabet: digits and capitals without the look-alikes 0/O, 1/I/L.
const SETUP_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a setup code.
///
/// Entropy: 31^12 ≈ 7.9 × 10^17 codes (59.5 bits). Wrong codes are throttled per
/// address (`ThrottlePolicy::setup_code`: 5 free, then 1 s doubling to 15 min, forgotten
/// after 15 quiet minutes; IPv6 counted per /64). The best strategy against that makes
/// about 1,100 guesses a day from one address (the throttle's unit tests simulate it),
/// about 400,000 a year. A 50 % chance needs 3.9 × 10^17 guesses: about 10^12
/// address-years, so a million addresses guessing together need about a million
/// years, and the code is only valid until the first admin exists. No account-wide
/// guard is needed, so a stranger cannot lock the owner out of setup either.
const SETUP_CODE_CHARS: usize = 12;
/// Characters between dashes when a setup code is displayed.
const SETUP_GROUP: usize = 4;

/// Makes a new session token: 32 random bytes as 64 lowercase hex characters.
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(AuthError::Random)?;
    Ok(to_hex(&bytes))
}

/// SHA-256 of a token: the only form in which tokens are stored or compared.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Makes a one-time setup code such as `7KQP-MX3D-9HWZ`, for the shop owner to
/// copy from the log when creating the first admin account.
///
/// Twelve characters from a 31-symbol alphabet without 0/O/1/I/L, chosen
/// uniformly (rejection sampling, no modulo bias). Compare input with
/// [`normalize_setup_code`] and [`constant_time_eq`].
pub fn new_setup_code() -> Result<String, AuthError> {
    // 248 = 8 * 31: bytes at or above it would favour the first symbols.
    const LIMIT: u8 = (256 / SETUP_ALPHABET.len() * SETUP_ALPHABET.len()) as u8;
    let mut code = String::with_capacity(SETUP_CODE_CHARS + SETUP_CODE_CHARS / SETUP_GROUP);
    let mut taken = 0;
    let mut pool = [0u8; 32];
    while taken < SETUP_CODE_CHARS {
        getrandom::fill(&mut pool).map_err(AuthError::Random)?;
        for &byte in pool.iter().filter(|&&b| b < LIMIT) {
            if taken == SETUP_CODE_CHARS {
                break;
            }
            if taken > 0 && taken % SETUP_GROUP == 0 {
                code.push('-');
            }
            code.push(char::from(
                SETUP_ALPHABET[usize::from(byte) % SETUP_ALPHABET.len()],
            ));
            taken += 1;
        }
    }
    Ok(code)
}

/// Canonical form of a typed setup code: uppercase, with spaces and dashes
/// removed, so `7kqp mx3d-9hwz` matches `7KQP-MX3D-9HWZ`.
pub fn normalize_setup_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The `N` bytes written as exactly `2 * N` lower-case hex digits (the MAC part of a
/// signed token), or None for any other text: one spelling per token.
pub fn lower_hex_bytes<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != N * 2 || hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut bytes = [0u8; N];
    for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
        bytes[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(bytes)
}

/// Compares two byte strings in time that depends only on their lengths, not on
/// where they differ. Lengths are not secret (digests and codes have fixed size).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Lowercase hex encoding.
pub(super) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_encoding() {
        assert_eq!(to_hex(&[]), "");
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn tokens_are_64_lowercase_hex_and_unique() {
        let a = new_token().expect("token");
        let b = new_token().expect("token");
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{a}"
        );
        assert_ne!(a, b);
    }

    #[test]
    fn digest_is_sha256() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(
            to_hex(&token_digest("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = new_token().expect("token");
        assert_eq!(token_digest(&t), token_digest(&t));
        assert_ne!(token_digest(&t), token_digest(&new_token().expect("token")));
    }

    #[test]
    fn setup_code_shape() {
        for _ in 0..200 {
            let code = new_setup_code().expect("code");
            assert_eq!(code.len(), 14, "{code}");
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 3, "{code}");
            for group in groups {
                assert_eq!(group.len(), 4, "{code}");
                assert!(group.bytes().all(|c| SETUP_ALPHABET.contains(&c)), "{code}");
            }
        }
    }

    #[test]
    fn setup_alphabet_has_no_lookalikes() {
        for c in b"0O1IL" {
            assert!(!SETUP_ALPHABET.contains(c));
        }
        let mut sorted = SETUP_ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), SETUP_ALPHABET.len());
    }

    #[test]
    fn setup_codes_use_the_whole_alphabet() {
        let mut seen = [false; 256];
        for _ in 0..100 {
            for b in new_setup_code().expect("code").bytes() {
                seen[usize::from(b)] = true;
            }
        }
        assert!(SETUP_ALPHABET.iter().all(|&c| seen[usize::from(c)]));
    }

    #[test]
    fn normalizing_accepts_loose_typing() {
        let code = new_setup_code().expect("code");
        let canonical = normalize_setup_code(&code);
        assert_eq!(canonical.len(), 12);
        assert_eq!(normalize_setup_code(&code.to_lowercase()), canonical);
        assert_eq!(
            normalize_setup_code(&format!("  {} ", code.replace('-', " "))),
            canonical
        );
        assert_eq!(normalize_setup_code("7kqp-mx3d - 9hwz\n"), "7KQPMX3D9HWZ");
        assert_eq!(normalize_setup_code(""), "");
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"\x00", b"\x80"));
        let d = token_digest("x");
        assert!(constant_time_eq(&d, &token_digest("x")));
        assert!(!constant_time_eq(&d, &token_digest("y")));
    }
}
