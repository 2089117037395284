//! Removing metadata from photos before they are stored: EXIF (with its GPS position,
//! camera serial numbers, time), XMP, IPTC and comments in JPEG; text, EXIF and time
//! chunks in PNG; EXIF and XMP in WebP. The containers are rewritten segment by segment
//! (the `img-parts` crate); the pixels are never decoded or re-encoded. A JPEG's
//! orientation survives as a minimal EXIF block holding nothing else, so portrait
//! photos stay upright. Pure: unit-tested here, and against a real phone photo with GPS
//! tags in `tests/it/attachments.rs`.

use img_parts::Bytes;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;

use super::kind::Kind;

/// PNG chunks that carry metadata rather than the image.
const PNG_METADATA: [&[u8; 4]; 5] = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"];

/// The bytes to store for a file of `kind`: without metadata for JPEG, PNG and WebP,
/// unchanged otherwise. `None` when an image's container is broken (refused).
pub fn strip(kind: Kind, bytes: Vec<u8>) -> Option<Vec<u8>> {
    match kind {
        Kind::Jpeg => strip_jpeg(bytes),
        Kind::Png => strip_png(bytes),
        Kind::Webp => strip_webp(bytes),
        Kind::Gif | Kind::Heic | Kind::Pdf | Kind::Office(_) | Kind::Text | Kind::Csv => {
            Some(bytes)
        }
    }
}

fn strip_jpeg(bytes: Vec<u8>) -> Option<Vec<u8>> {
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).ok()?;
    let orientation = jpeg
        .segments()
        .iter()
        .filter(|s| s.marker() == markers::APP1)
        .find_map(|s| exif_orientation(s.contents()));
    jpeg.segments_mut().retain(|segment| {
        let contents = segment.contents();
        match segment.marker() {
            markers::COM => false,
            markers::APP0 => true,
            markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
            markers::APP14 => contents.starts_with(b"Adobe"),
            marker => !(markers::APP0..=markers::APP15).contains(&marker),
        }
    });
    if let Some(orientation) = orientation.filter(|o| (2..=8).contains(o)) {
        let at = usize::from(
            jpeg.segments()
                .first()
                .is_some_and(|s| s.marker() == markers::APP0),
        );
        let exif = JpegSegment::new_with_contents(markers::APP1, orientation_exif(orientation));
        jpeg.segments_mut().insert(at, exif);
    }
    Some(jpeg.encoder().bytes().to_vec())
}

fn strip_png(bytes: Vec<u8>) -> Option<Vec<u8>> {
    let mut png = Png::from_bytes(Bytes::from(bytes)).ok()?;
    png.chunks_mut()
        .retain(|chunk| !PNG_METADATA.contains(&&chunk.kind()));
    Some(png.encoder().bytes().to_vec())
}

fn strip_webp(bytes: Vec<u8>) -> Option<Vec<u8>> {
    use img_parts::ImageEXIF;
    let mut webp = WebP::from_bytes(Bytes::from(bytes)).ok()?;
    webp.set_exif(None);
    webp.remove_chunks_by_id(*b"XMP ");
    Some(webp.encoder().bytes().to_vec())
}

/// The orientation tag (0x0112) of IFD0 in an APP1 `Exif` block, if any.
fn exif_orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let big_endian = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd)?);
    (0..entries.min(512))
        .map(|i| ifd + 2 + 12 * i)
        .find(|&entry| u16_at(entry) == Some(0x0112))
        .and_then(|entry| u16_at(entry + 8))
}

/// An APP1 `Exif` block whose only entry is the orientation.
fn orientation_exif(orientation: u16) -> Bytes {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // one value
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // padding of the value field
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    Bytes::from(exif)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG: SOI, segments, SOS with two entropy bytes, EOI.
    fn jpeg(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = vec![0xff, 0xd8];
        for (marker, contents) in segments {
            out.extend_from_slice(&[0xff, *marker]);
            out.extend_from_slice(&u16::try_from(contents.len() + 2).unwrap_or(0).to_be_bytes());
            out.extend_from_slice(contents);
        }
        out.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xff, 0xd9]);
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_metadata_goes_and_the_orientation_stays() {
        // Little-endian EXIF: IFD0 with orientation 6 and a GPS pointer.
        let mut exif = b"Exif\0\0II\x2a\0\x08\0\0\0\x02\0".to_vec();
        exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        exif.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0x26, 0, 0, 0]);
        exif.extend_from_slice(b"\0\0\0\0GPS-SECRET");
        let input = jpeg(&[
            (markers::APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            (markers::APP1, &exif),
            (
                markers::APP1,
                b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret",
            ),
            (markers::APP13, b"Photoshop 3.0\0IPTC secret"),
            (markers::COM, b"comment secret"),
            (markers::APP2, b"ICC_PROFILE\0\x01\x01colours"),
            (markers::DQT, &[0; 65]),
        ]);
        let out = strip(Kind::Jpeg, input).expect("a JPEG");
        assert!(!contains(&out, b"secret"), "metadata left");
        assert!(contains(&out, b"ICC_PROFILE"), "colour profile kept");
        assert!(contains(&out, b"JFIF"));
        let app1 = Jpeg::from_bytes(Bytes::from(out))
            .expect("still a JPEG")
            .segment_by_marker(markers::APP1)
            .map(|s| s.contents().clone())
            .expect("orientation block");
        assert_eq!(exif_orientation(&app1), Some(6));
    }

    #[test]
    fn png_text_chunks_go() {
        let mut png = Png::from_bytes(Bytes::from_static(
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x00\0\0\0\x3a\x7e\x9b\x55\0\0\0\0IEND\xae\x42\x60\x82",
        ))
        .expect("png");
        let at = png.chunks().len() - 1;
        for kind in [b"tEXt", b"iTXt", b"eXIf"] {
            png.chunks_mut().insert(
                at,
                img_parts::png::PngChunk::new(*kind, Bytes::from_static(b"GPS secret")),
            );
        }
        let input = png.encoder().bytes().to_vec();
        assert!(contains(&input, b"secret"));
        let out = strip(Kind::Png, input).expect("a PNG");
        assert!(!contains(&out, b"secret"));
        assert!(Png::from_bytes(Bytes::from(out)).is_ok());
    }

    #[test]
    fn broken_images_are_refused_and_documents_untouched() {
        assert_eq!(strip(Kind::Jpeg, b"\xff\xd8\xff\xe1\xff".to_vec()), None);
        assert_eq!(
            strip(Kind::Pdf, b"%PDF-1.4".to_vec()),
            Some(b"%PDF-1.4".to_vec())
        );
    }
}
