//! Random 128-bit ids for uploads and attachments, and their text form (32 lower-case
//! hex digits). Pure apart from [`new`], which asks the OS for randomness.

use super::StoreError;

/// A fresh random id.
pub fn new() -> Result<[u8; 16], StoreError> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
    Ok(id)
}

/// The id as 32 lower-case hex digits.
pub fn format(id: &[u8; 16]) -> String {
    hex(id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses 32 hex digits (either case); None for anything else.
pub fn parse(text: &str) -> Option<[u8; 16]> {
    parse_hex(text)
}

/// A SHA-256 digest as 64 lower-case hex digits (file names under `files/`).
pub fn format_digest(digest: &[u8; 32]) -> String {
    hex(digest)
}

/// Parses 64 hex digits back into a digest.
pub fn parse_digest(text: &str) -> Option<[u8; 32]> {
    parse_hex(text)
}

/// `2 * N` hex digits as `N` bytes.
fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; N];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_anything_else() {
        let id = [0xab; 16];
        assert_eq!(parse(&format(&id)), Some(id));
        assert_eq!(parse(&format(&id).to_uppercase()), Some(id));
        assert_eq!(parse("ab"), None);
        assert_eq!(parse(&"g".repeat(32)), None);
        assert_eq!(parse(&"é".repeat(16)), None);
        let digest = [7u8; 32];
        assert_eq!(parse_digest(&format_digest(&digest)), Some(digest));
        assert_eq!(parse_digest("+7"), None);
    }

    #[test]
    fn new_ids_differ() {
        assert_ne!(new().expect("random"), new().expect("random"));
    }
}
