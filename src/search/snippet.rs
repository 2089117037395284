//! Matches in context: the piece of a text around its first match, with the matched
//! ranges as offsets (never markup), so a client builds the highlighted text itself
//! (the console with `textContent` and `<mark>` elements) and a visitor's words can
//! never become HTML. Offsets count UTF-16 code units, as JavaScript's `slice` does.

use super::query::QueryTerm;
use super::tokens::{TokenKind, tokens};

/// Characters of context kept before the first match.
const BEFORE: usize = 40;
/// Most characters in a snippet.
const MAX_CHARS: usize = 180;

/// A piece of text with its matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    /// The piece of text (`…` marks where it was cut).
    pub text: String,
    /// Matched ranges `[start, end)` in UTF-16 code units of `text`, ascending,
    /// not overlapping.
    pub marks: Vec<[usize; 2]>,
}

/// Whether the indexed `term` matches a query term.
fn matches(term: &str, kind: TokenKind, query: &[QueryTerm]) -> bool {
    query.iter().any(|q| {
        q.text == term || (q.prefix && kind == TokenKind::Word && term.starts_with(&q.text))
    })
}

/// The byte ranges of `text` that match `query`, ascending and merged.
pub fn match_ranges(text: &str, query: &[QueryTerm]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = tokens(text)
        .into_iter()
        .filter(|t| matches(&t.term, t.kind, query))
        .map(|t| (t.start, t.end))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The piece of `text` around its first match (its start when nothing matches).
pub fn snippet(text: &str, query: &[QueryTerm]) -> Snippet {
    let ranges = match_ranges(text, query);
    let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let first_char = ranges
        .first()
        .map_or(0, |r| offsets.partition_point(|&o| o < r.0));
    let start_char = first_char.saturating_sub(BEFORE);
    let end_char = (start_char + MAX_CHARS).min(offsets.len());
    let start = offsets.get(start_char).copied().unwrap_or(text.len());
    let end = offsets.get(end_char).copied().unwrap_or(text.len());
    let mut out = String::new();
    let mut units = 0usize;
    if start > 0 {
        out.push('…');
        units += 1;
    }
    let utf16_at = |byte: usize| -> usize {
        units + text[start..byte.clamp(start, end)].encode_utf16().count()
    };
    let marks = ranges
        .iter()
        .filter(|(s, e)| *e > start && *s < end)
        .map(|&(s, e)| [utf16_at(s), utf16_at(e)])
        .collect();
    out.push_str(&text[start..end]);
    if end < text.len() {
        out.push('…');
    }
    Snippet { text: out, marks }
}

#[cfg(test)]
mod tests {
    use super::super::query::parse;
    use super::*;

    fn marked(s: &Snippet) -> Vec<String> {
        let units: Vec<u16> = s.text.encode_utf16().collect();
        s.marks
            .iter()
            .map(|[a, b]| String::from_utf16_lossy(&units[*a..*b]))
            .collect()
    }

    #[test]
    fn words_and_prefixes_are_marked_in_utf16_units() {
        let q = parse("broken tea").unwrap_or_default();
        let s = snippet("😀 My Teapot is BROKEN, teas too", &q);
        assert_eq!(marked(&s), ["Teapot", "BROKEN", "teas"]);
    }

    #[test]
    fn cjk_bigrams_merge_into_one_mark() {
        let q = parse("茶壶坏").unwrap_or_default();
        let s = snippet("我的茶壶坏了", &q);
        assert_eq!(marked(&s), ["茶壶坏"]);
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!("{} needle {}", "hay ".repeat(100), "hay ".repeat(100));
        let q = parse("needle ").unwrap_or_default();
        let s = snippet(&text, &q);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(s.text.chars().count() <= MAX_CHARS + 2);
        assert_eq!(marked(&s), ["needle"]);
    }
}
