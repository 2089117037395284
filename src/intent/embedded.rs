//! Reading a large deflated blob built into the binary (the model) without keeping its
//! pages mapped: the bytes are streamed from the executable file at the blob's offset,
//! instead of through the mapping, and inflated straight into a buffer of the known
//! final size.
//!
//! Why: reading a `static` through the mapping faults in every page, and those pages
//! then count in the process's resident set for as long as it runs, although they are
//! read only once at start (17.9 MB for the model; docs/BENCHMARKS.md, "Issue #9 item
//! 8"). Read through the file, they pass through the page cache, which the kernel
//! shares and drops at will, and the process keeps only the inflated copy it needs.
//!
//! How: `/proc/self/maps` names the mapping that holds the blob and its offset in the
//! file; the bytes are read from `/proc/self/exe` (the running file, even if it was
//! replaced or deleted since start). The file is first checked against the blob at
//! [`SAMPLES`] places spread over it (touching only those pages, and the kernel maps
//! the cached pages around each one too: see [`SAMPLES`]); any doubt (no `/proc`, an
//! unexpected layout, a mismatch) falls back to reading the blob through the mapping,
//! so the bytes are always the blob's.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Places compared between the file and the blob: the first and last byte and two
/// between. A wrong offset fails at the first one already; the others guard the rest.
///
/// Few, because each costs resident memory for as long as the process runs: reading a
/// byte of the blob faults its page in, and the kernel's fault-around maps the
/// neighbouring pages that are in the page cache with it (64 KB by default; the file
/// has just been read, so they all are). 64 samples kept 4.0 MB of the 16.4 MB blob
/// resident (docs/BENCHMARKS.md, "Issue #12").
pub const SAMPLES: usize = 4;

/// Input read per step while inflating.
const CHUNK: usize = 64 * 1024;

/// Where the bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Read from the executable file; the blob's pages were not faulted in.
    ExecutableFile,
    /// Read through the mapping (the fallback).
    Mapping,
}

/// A reader of `blob`, a static built into this binary: from the executable file when
/// it can be found and agrees with the blob, else through the mapping.
pub fn open_static(blob: &'static [u8]) -> (Box<dyn Read + Send>, Source) {
    match file_reader(blob) {
        Some(reader) => (Box::new(reader), Source::ExecutableFile),
        None => (Box::new(Cursor::new(blob)), Source::Mapping),
    }
}

/// Inflates raw deflate from `input` into exactly `len` bytes; anything else (bad data,
/// a shorter or longer result) is an error.
pub fn inflate_exact(mut input: impl Read, len: usize) -> Result<Vec<u8>, String> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut out = vec![0u8; len];
    let mut written = 0;
    let mut spill = [0u8; 1];
    let mut chunk = vec![0u8; CHUNK];
    let (mut from, mut to) = (0, 0);
    loop {
        if from == to {
            to = input
                .read(&mut chunk)
                .map_err(|e| format!("reading: {e}"))?;
            from = 0;
        }
        let eof = to == 0;
        let flush = if eof { MZFlush::Finish } else { MZFlush::None };
        // Once `out` is full, one byte more would mean the data is longer than `len`.
        let full = written == len;
        let target = if full {
            &mut spill[..]
        } else {
            &mut out[written..]
        };
        let step = inflate(&mut state, &chunk[from..to], target, flush);
        from += step.bytes_consumed;
        if full && step.bytes_written > 0 {
            return Err(format!("more than {len} bytes"));
        }
        written += step.bytes_written;
        match step.status {
            Ok(MZStatus::StreamEnd) if written == len => return Ok(out),
            Ok(MZStatus::StreamEnd) => return Err(format!("{written} bytes, not {len}")),
            Ok(_) | Err(MZError::Buf) => {}
            Err(e) => return Err(format!("bad data ({e:?})")),
        }
        if step.bytes_consumed == 0 && step.bytes_written == 0 && (eof || from < to) {
            return Err("the data ends too early".into());
        }
    }
}

/// The executable file positioned at the blob, if `/proc` tells where it is and the
/// file agrees with the blob at every sample.
fn file_reader(blob: &'static [u8]) -> Option<impl Read + Send> {
    if blob.is_empty() {
        return None;
    }
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let offset = file_offset(&maps, blob.as_ptr() as usize, blob.len())?;
    let mut file = File::open("/proc/self/exe").ok()?;
    let last = blob.len() - 1;
    for i in 0..SAMPLES {
        let at = last * i / (SAMPLES - 1);
        let mut byte = [0u8; 1];
        file.read_exact_at(&mut byte, offset + at as u64).ok()?;
        if byte[0] != blob[at] {
            return None;
        }
    }
    file.seek(SeekFrom::Start(offset)).ok()?;
    Some(file.take(blob.len() as u64))
}

/// The file offset of `len` bytes at address `start`, from the text of
/// `/proc/self/maps`: the one file mapping that holds them all.
pub fn file_offset(maps: &str, start: usize, len: usize) -> Option<u64> {
    let end = start.checked_add(len)?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (from, to) = fields.next()?.split_once('-')?;
        let from = usize::from_str_radix(from, 16).ok()?;
        let to = usize::from_str_radix(to, 16).ok()?;
        let _perms = fields.next()?;
        let offset = u64::from_str_radix(fields.next()?, 16).ok()?;
        let _device = fields.next()?;
        let inode = fields.next()?;
        let holds = from <= start && end <= to;
        (holds && inode != "0").then(|| offset + (start - from) as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    static BLOB: [u8; 20_000] = {
        let mut bytes = [0u8; 20_000];
        let mut i = 0;
        while i < bytes.len() {
            bytes[i] = (i * 7 % 251) as u8;
            i += 1;
        }
        bytes
    };

    #[test]
    fn a_static_is_read_from_the_executable_file() {
        let (mut reader, source) = open_static(&BLOB);
        assert_eq!(source, Source::ExecutableFile);
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).expect("reads");
        assert_eq!(bytes.as_slice(), BLOB.as_slice());
    }

    #[test]
    fn offsets_come_from_the_mapping_that_holds_the_whole_blob() {
        let maps = "\
5600000000-5600001000 r--p 00000000 fd:01 1234   /usr/bin/deskbell
5600001000-5600009000 r--p 00003000 fd:01 1234   /usr/bin/deskbell
7f0000000000-7f0000021000 rw-p 00000000 00:00 0
";
        assert_eq!(file_offset(maps, 0x5600001010, 0x100), Some(0x3010));
        assert_eq!(file_offset(maps, 0x5600000ff0, 0x20), None, "spans two");
        assert_eq!(file_offset(maps, 0x7f0000000010, 8), None, "anonymous");
        assert_eq!(file_offset(maps, 0x10, 8), None, "not mapped");
    }

    #[test]
    fn inflating_gives_exactly_the_original_or_an_error() {
        let original: Vec<u8> = (0..300_000u32).map(|i| (i % 97 * (i % 13)) as u8).collect();
        let deflated = miniz_oxide::deflate::compress_to_vec(&original, 9);
        let inflated = inflate_exact(deflated.as_slice(), original.len()).expect("inflates");
        assert_eq!(inflated, original);
        let short = inflate_exact(&deflated[..deflated.len() / 2], original.len());
        assert!(short.expect_err("truncated").contains("too early"));
        let long = inflate_exact(deflated.as_slice(), original.len() - 1);
        assert!(long.expect_err("too long").contains("more than"));
        let small = inflate_exact(deflated.as_slice(), original.len() + 1);
        assert!(small.expect_err("too short").contains("not"));
        assert!(
            inflate_exact(&[0xff, 0xff, 0xff][..], 10).is_err(),
            "garbage"
        );
    }
}
