//! The allow-list of attachment types, decided from the bytes (magic numbers through
//! the `infer` crate; plain text by its content), never from the declared type alone.
//! Pure: unit-tested here.

/// A type deskbell accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// WebP image.
    Webp,
    /// GIF image.
    Gif,
    /// HEIC/HEIF photo (iPhones): accepted as a file, never shown inline.
    Heic,
    /// PDF document.
    Pdf,
    /// Word, Excel or PowerPoint (Office Open XML) or OpenDocument files: its type.
    Office(&'static str),
    /// Plain UTF-8 text.
    Text,
    /// Comma-separated values (UTF-8 text declared or named as CSV).
    Csv,
}

impl Kind {
    /// The media type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Gif => "image/gif",
            Kind::Heic => "image/heic",
            Kind::Pdf => "application/pdf",
            Kind::Office(mime) => mime,
            Kind::Text => "text/plain; charset=utf-8",
            Kind::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// True when a stored media type may be shown inline (an `<img>`): the raster images
/// browsers decode safely. Everything else is served as a download.
pub fn shown_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/png" | "image/webp" | "image/gif"
    )
}

/// The kind of `bytes`, or None when it is not on the allow-list. `declared` (the
/// upload's `Content-Type`) and `name` only tell CSV from other text.
pub fn sniff(bytes: &[u8], declared: &str, name: &str) -> Option<Kind> {
    if let Some(found) = infer::get(bytes) {
        return match found.mime_type() {
            "image/jpeg" => Some(Kind::Jpeg),
            "image/png" => Some(Kind::Png),
            "image/webp" => Some(Kind::Webp),
            "image/gif" => Some(Kind::Gif),
            "image/heif" => Some(Kind::Heic),
            "application/pdf" => Some(Kind::Pdf),
            mime @ ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            | "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.spreadsheet"
            | "application/vnd.oasis.opendocument.presentation") => Some(Kind::Office(mime)),
            _ => None,
        };
    }
    if !is_plain_text(bytes) {
        return None;
    }
    let csv = declared.trim().to_ascii_lowercase().starts_with("text/csv")
        || name.to_ascii_lowercase().ends_with(".csv");
    Some(if csv { Kind::Csv } else { Kind::Text })
}

/// UTF-8 without control characters other than tab, line feed, carriage return and
/// form feed, and not markup a browser would render (HTML, SVG, XML).
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    {
        return false;
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let head: String = start
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    !(head.starts_with('<')
        && (head.contains("html")
            || head.contains("svg")
            || head.starts_with("<?xml")
            || head.starts_with("<!doctype")
            || head.starts_with("<script")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F', b'I', b'F', 0];
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];

    #[test]
    fn images_and_documents_are_known_by_their_bytes() {
        assert_eq!(sniff(JPEG, "text/plain", "a.txt"), Some(Kind::Jpeg));
        assert_eq!(sniff(PNG, "", "x"), Some(Kind::Png));
        assert_eq!(sniff(b"GIF89a\x01\x00", "", ""), Some(Kind::Gif));
        assert_eq!(sniff(b"%PDF-1.7\n", "", ""), Some(Kind::Pdf));
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        assert_eq!(sniff(&heic, "", ""), Some(Kind::Heic));
        let mut webp = b"RIFF\x24\0\0\0WEBPVP8 ".to_vec();
        webp.extend_from_slice(&[0; 16]);
        assert_eq!(sniff(&webp, "", ""), Some(Kind::Webp));
    }

    #[test]
    fn text_is_text_and_csv_by_declaration_or_name() {
        assert_eq!(sniff(b"hello\n", "text/plain", "a.txt"), Some(Kind::Text));
        assert_eq!(sniff(b"a,b\n1,2\n", "text/csv", "x"), Some(Kind::Csv));
        assert_eq!(sniff(b"a,b\n1,2\n", "", "prices.CSV"), Some(Kind::Csv));
        assert_eq!(sniff("Grüße".as_bytes(), "", ""), Some(Kind::Text));
    }

    #[test]
    fn markup_executables_and_binary_noise_are_refused() {
        for refused in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
            b"  <!DOCTYPE html><html><script>alert(1)</script>",
            b"<html><body>hi",
            b"<?xml version='1.0'?><svg/>",
            b"MZ\x90\x00\x03\x00\x00\x00",
            b"\x7fELF\x02\x01\x01",
            b"PK\x03\x04\x14\x00\x00\x00",
            b"\x00\x01\x02binary",
            b"",
        ] {
            assert_eq!(sniff(refused, "image/png", "cat.png"), None, "{refused:?}");
        }
    }

    #[test]
    fn only_raster_images_show_inline() {
        assert!(shown_inline(Kind::Png.content_type()));
        assert!(shown_inline(Kind::Jpeg.content_type()));
        for other in [Kind::Heic, Kind::Pdf, Kind::Text, Kind::Csv] {
            assert!(!shown_inline(other.content_type()), "{other:?}");
        }
        assert!(!shown_inline("image/svg+xml"));
        assert!(!shown_inline("text/html"));
    }
}
