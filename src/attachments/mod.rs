//! Attachments (issue #13): what may be uploaded and how it is made safe to keep, apart
//! from HTTP and storage. `kind` the allow-list decided from the bytes, `strip` the
//! removal of photo metadata, `budget` the hourly budgets per visitor and address (`gate` holds them, with
//! the count of uploads in flight and the download rate, for `App`),
//! `sweep` the background task that expires unsent uploads and removes files nothing
//! names. The endpoints are `http::uploads` and `http::files`; the records and files
//! are `store::file_records` and `store::files`.

pub mod budget;
pub mod gate;
pub mod kind;
pub mod strip;
pub mod sweep;

use sha2::{Digest, Sha256};

pub use kind::{Kind, shown_inline};

/// The limits on uploads (flags `--max-upload-mb`, `--files-quota-mb`,
/// `--upload-mb-per-hour`).
#[derive(Debug, Clone)]
pub struct UploadLimits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Most bytes all stored files may take together.
    pub quota_bytes: u64,
    /// Bytes one visitor, and one client address, may upload per hour.
    pub bytes_per_hour: u64,
    /// Files one visitor, and one client address, may upload per hour.
    pub files_per_hour: u32,
    /// An upload that sends nothing for this long is cut off (408).
    pub idle_timeout_ms: u64,
    /// An upload must be complete within this time (408).
    pub total_timeout_ms: u64,
    /// Uploads being received at once, server-wide (each holds its body in memory).
    pub at_once: usize,
    /// Downloads one client address may start per minute.
    pub downloads_per_minute: u32,
    /// Unsent uploads are deleted after this long: two hours, plenty for a send that
    /// follows its upload, and short enough that uploads never sent (which count
    /// against the quota) cannot hold the shop's space for long: one address can park
    /// at most two hours of its hourly budget.
    pub upload_ttl_ms: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_file_bytes: 10 * 1024 * 1024,
            quota_bytes: 2048 * 1024 * 1024,
            bytes_per_hour: 100 * 1024 * 1024,
            files_per_hour: 60,
            idle_timeout_ms: 30_000,
            total_timeout_ms: 600_000,
            at_once: 8,
            downloads_per_minute: 600,
            upload_ttl_ms: 2 * 3_600_000,
        }
    }
}

/// A file ready to store: its kind, its bytes without metadata, their SHA-256.
#[derive(Debug)]
pub struct Prepared {
    /// What it is.
    pub kind: Kind,
    /// The bytes to store.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub digest: [u8; 32],
}

/// Checks and cleans an uploaded file (CPU work: run it off the executor). None when
/// its bytes are not on the allow-list or an image's container is broken.
pub fn prepare(bytes: Vec<u8>, declared: &str, name: &str) -> Option<Prepared> {
    let kind = kind::sniff(&bytes, declared, name)?;
    let bytes = strip::strip(kind, bytes)?;
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    Some(Prepared {
        kind,
        bytes,
        digest,
    })
}

/// A file name fit to keep and show: the last path component, without control
/// characters, quotes or backslashes, at most 120 characters; `file` when nothing is
/// left.
pub fn clean_name(given: &str) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '\u{202e}' | '\u{202d}'))
        .take(120)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_tricks() {
        assert_eq!(clean_name("C:\\Users\\me\\photo.jpg"), "photo.jpg");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_name("evil\u{202e}gpj.exe"), "evilgpj.exe");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name(&"x".repeat(500)).len(), 120);
    }

    #[test]
    fn the_same_text_gives_the_same_digest() {
        let a = prepare(b"hello".to_vec(), "text/plain", "a.txt").expect("text");
        let b = prepare(b"hello".to_vec(), "", "b.txt").expect("text");
        assert_eq!(a.digest, b.digest);
        assert!(prepare(b"\x7fELF".to_vec(), "text/plain", "a.txt").is_none());
    }
}
