//! The one tokenizer of full-text search, used alike when text is indexed, when a query
//! is read and when matches are highlighted, so the three always agree.
//!
//! - **Words** (letters and digits outside CJK scripts) are lower-cased, simple
//!   diacritics are folded (`é` → `e`, `ß` → `ss`) and a light English stemmer drops a
//!   plural ending (`teapots` → `teapot`, `boxes` → `box`, `parties` → `party`). Words of
//!   one letter are not terms; words longer than [`MAX_WORD`] bytes are cut.
//! - **CJK runs** (Han, kana, Hangul) have no spaces: each run gives its character
//!   bigrams and its single characters, so a query of one character finds it and a
//!   longer one finds every pair it is made of (`破损茶壶` → `破损` `损茶` `茶壶`).
//!
//! Pure: no I/O. Offsets are byte offsets into the text given.

/// Longest word term, in bytes (longer words are cut at a character boundary).
pub const MAX_WORD: usize = 40;

/// What kind of term a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A folded, stemmed word.
    Word,
    /// One CJK character.
    CjkUnigram,
    /// Two adjacent CJK characters.
    CjkBigram,
}

/// One term found in a text, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The term as indexed.
    pub term: String,
    /// What kind of term it is.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just after its last character.
    pub end: usize,
}

/// Whether `c` belongs to a script written without spaces (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF      // CJK Extension A
        | 0x4E00..=0x9FFF      // CJK Unified Ideographs
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B–F, compatibility supplement
}

/// Folds one lower-case character's simple diacritics (Latin-1 and Latin Extended-A).
fn fold(c: char, out: &mut String) {
    let folded = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Drops an English plural ending from a folded word (`teapots` → `teapot`,
/// `boxes` → `box`, `parties` → `party`); leaves `glass`, `bus`, `this` alone.
pub fn stem(word: &str) -> String {
    let mut stemmed = word.to_string();
    stem_in_place(&mut stemmed);
    stemmed
}

/// [`stem`] without a new string: cuts (or for `ies`, replaces) the ending in place.
fn stem_in_place(word: &mut String) {
    let n = word.len();
    if n <= 3 || !word.is_ascii() {
        return;
    }
    if word.ends_with("ies") {
        word.truncate(n - 3);
        word.push('y');
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|ending| word.ends_with(ending))
    {
        word.truncate(n - 2);
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.truncate(n - 1);
    }
}

/// The term of one word as written: lower-cased, folded, stemmed, cut to [`MAX_WORD`].
pub fn word_term(word: &str) -> String {
    let mut term = String::with_capacity(word.len());
    word_term_into(word, &mut term);
    term
}

/// [`word_term`] into a reused buffer (cleared first). A word of ASCII letters and
/// digits, most words of most chats, is only lower-cased: folding changes nothing in it.
fn word_term_into(word: &str, term: &mut String) {
    term.clear();
    if word.is_ascii() {
        term.push_str(word);
        term.make_ascii_lowercase();
    } else {
        for c in word.chars().flat_map(char::to_lowercase) {
            fold(c, term);
        }
    }
    stem_in_place(term);
    if term.len() > MAX_WORD {
        let mut cut = MAX_WORD;
        while !term.is_char_boundary(cut) {
            cut -= 1;
        }
        term.truncate(cut);
    }
}

/// A run of characters of one kind, by byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Letters and digits outside CJK.
    Word(usize, usize),
    /// CJK characters.
    Cjk(usize, usize),
}

/// The word and CJK runs of `text`, in order; everything else separates them.
pub fn runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current: Option<Run> = None;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        let next = match (is_cjk(c), c.is_alphanumeric()) {
            (true, _) => Some(Run::Cjk(at, end)),
            (false, true) => Some(Run::Word(at, end)),
            _ => None,
        };
        current = match (current, next) {
            (Some(Run::Word(s, _)), Some(Run::Word(..))) => Some(Run::Word(s, end)),
            (Some(Run::Cjk(s, _)), Some(Run::Cjk(..))) => Some(Run::Cjk(s, end)),
            (previous, next) => {
                runs.extend(previous);
                next
            }
        };
    }
    runs.extend(current);
    runs
}

/// Calls `found(term, kind, start, end)` for every term of `text`, in order (a CJK
/// character's unigram before the bigram it starts): the one walk over a text that
/// [`tokens`] and [`term_counts`] share, so the two always agree. `term` is only
/// borrowed: a caller that keeps it copies it.
fn each_term(text: &str, mut found: impl FnMut(&str, TokenKind, usize, usize)) {
    let mut word = String::new();
    for run in runs(text) {
        match run {
            Run::Word(s, e) => {
                word_term_into(&text[s..e], &mut word);
                if word.chars().nth(1).is_some() {
                    found(&word, TokenKind::Word, s, e);
                }
            }
            Run::Cjk(s, e) => {
                let run = &text[s..e];
                for (at, c) in run.char_indices() {
                    let one = at + c.len_utf8();
                    found(&run[at..one], TokenKind::CjkUnigram, s + at, s + one);
                    if let Some(d) = run[one..].chars().next() {
                        let two = one + d.len_utf8();
                        found(&run[at..two], TokenKind::CjkBigram, s + at, s + two);
                    }
                }
            }
        }
    }
}

/// Every term of `text` with its place, in order (a CJK character's unigram before
/// the bigram it starts).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_term(text, |term, kind, start, end| {
        out.push(Token {
            term: term.to_string(),
            kind,
            start,
            end,
        })
    });
    out
}

/// A text's terms with how often each occurs, in term order ([`term_counts`]).
pub type TermCounts = Vec<(String, u32)>;

/// Each distinct term of `text` with how often it occurs, sorted by term: the terms
/// of [`tokens`], counted. Runs for every stored message (on its connection's task,
/// `ws::frame_terms`, or its sender's, `store::writer::prepare`), so it writes every
/// term into one buffer and allocates a string only per distinct term, not per token.
pub fn term_counts(text: &str) -> TermCounts {
    let mut all = String::with_capacity(2 * text.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    each_term(text, |term, _, _, _| {
        let start = all.len();
        all.push_str(term);
        spans.push((start, all.len()));
    });
    // Bytes order as the strings do (UTF-8 keeps code point order), without the
    // character-boundary checks of slicing a `str`.
    let bytes = all.as_bytes();
    spans.sort_unstable_by(|a, b| bytes[a.0..a.1].cmp(&bytes[b.0..b.1]));
    let mut counts: TermCounts = Vec::new();
    for (s, e) in spans {
        let term = &all[s..e];
        match counts.last_mut() {
            Some((last, n)) if last == term => *n += 1,
            _ => counts.push((term.to_string(), 1)),
        }
    }
    counts
}

/// Two texts' counts as one: the terms of both, a term in both counted once with the
/// sum (both sorted by term, as [`term_counts`] gives them; so is the result).
pub fn merge_counts(a: TermCounts, b: TermCounts) -> TermCounts {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => match x.0.as_bytes().cmp(y.0.as_bytes()) {
                std::cmp::Ordering::Less => a.next(),
                std::cmp::Ordering::Greater => b.next(),
                std::cmp::Ordering::Equal => {
                    let (term, n) = a.next().expect("peeked");
                    let (_, m) = b.next().expect("peeked");
                    Some((term, n + m))
                }
            },
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(pair) => merged.push(pair),
            None => return merged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn words_are_lowercased_folded_and_stemmed() {
        assert_eq!(
            terms("Crème BRÛLÉE teapots, Boxes & parties; glass a"),
            ["creme", "brulee", "teapot", "box", "party", "glass"]
        );
        assert_eq!(terms("Straße"), ["strasse"]);
        assert_eq!(terms("maria@example.com"), ["maria", "example", "com"]);
    }

    #[test]
    fn cjk_runs_give_unigrams_and_bigrams_with_their_places() {
        let text = "茶壶坏了 ok";
        let t = tokens(text);
        let pairs: Vec<(&str, &str)> = t
            .iter()
            .map(|t| (t.term.as_str(), &text[t.start..t.end]))
            .collect();
        assert_eq!(
            pairs,
            [
                ("茶", "茶"),
                ("茶壶", "茶壶"),
                ("壶", "壶"),
                ("壶坏", "壶坏"),
                ("坏", "坏"),
                ("坏了", "坏了"),
                ("了", "了"),
                ("ok", "ok"),
            ]
        );
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        assert_eq!(
            terms("iPhone手机壳"),
            ["iphone", "手", "手机", "机", "机壳", "壳"]
        );
    }

    #[test]
    fn counts_are_per_distinct_term() {
        assert_eq!(
            term_counts("tea Tea teas cup"),
            [("cup".to_string(), 1), ("tea".to_string(), 3)]
        );
    }

    /// The counts the module's promise asks for: [`tokens`]' terms, counted one by one.
    fn counted_tokens(text: &str) -> TermCounts {
        let mut counts = std::collections::BTreeMap::<String, u32>::new();
        for token in tokens(text) {
            *counts.entry(token.term).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    #[test]
    fn merged_counts_are_the_counts_of_both_texts() {
        let a = "tea cups, more tea 茶壺";
        let b = "cups of 茶 and Coffee";
        let merged = merge_counts(term_counts(a), term_counts(b));
        assert_eq!(merged, term_counts(&format!("{a}\n{b}")));
        assert_eq!(merge_counts(Vec::new(), term_counts(b)), term_counts(b));
        assert_eq!(merge_counts(term_counts(a), Vec::new()), term_counts(a));
    }

    #[test]
    fn term_counts_agree_with_the_tokens_on_mixed_texts() {
        // Pieces that exercise every path: ASCII words and their plural endings, upper
        // case, diacritics and characters that lower-case to two (`İ`), CJK runs next
        // to words, digits, separators, one-letter words and words past MAX_WORD.
        let pieces = [
            "Teapots",
            "boxes",
            "PARTIES",
            "glass",
            "bus",
            "this",
            "a",
            "I",
            "tea",
            "Tea",
            "crème",
            "BRÛLÉE",
            "Straße",
            "İstanbul",
            "ÆON",
            "naïve",
            "茶壶",
            "坏了",
            "手机壳",
            "iPhone",
            "42",
            "x9",
            " ",
            ", ",
            "; ",
            "\n",
            "-",
            "@",
            "é",
            "supercalifragilisticexpialidociousteapotses",
            "ééééééééééééééééééééééé",
            "dishes",
            "quizzes",
            "churches",
            "ies",
            "sss",
        ];
        let mut rng = fastrand::Rng::with_seed(16);
        for _ in 0..2_000 {
            let text: String = (0..rng.usize(0..24))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            assert_eq!(term_counts(&text), counted_tokens(&text), "text {text:?}");
        }
    }

    #[test]
    fn long_words_are_cut_on_a_character_boundary() {
        let long = "é".repeat(60);
        let t = word_term(&long);
        assert!(t.len() <= MAX_WORD && t.chars().all(|c| c == 'e'));
    }
}
