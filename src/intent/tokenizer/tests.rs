//! Tests of the tokenizer: golden ids from the reference tokenizer, special-token text,
//! truncation, linear time on huge input, vocabulary errors, and the character tables.

use std::time::{Duration, Instant};

use super::*;

const VOCAB: &str = include_str!("../../../models/vocab.txt");
const GOLDEN: &str = include_str!("../../../tests/fixtures/tokenizer_golden.tsv");

fn tokenizer() -> Tokenizer {
    Tokenizer::from_vocab(VOCAB).expect("models/vocab.txt loads")
}

/// Id of `token` in models/vocab.txt, looked up independently of the tokenizer.
fn vocab_id(token: &str) -> u32 {
    let line = VOCAB
        .lines()
        .position(|l| l == token)
        .expect("token in vocab");
    u32::try_from(line).expect("small id")
}

/// One row of the golden file: the text and the reference ids.
struct Golden {
    line: usize,
    text: String,
    ids: Vec<u32>,
}

fn golden() -> Vec<Golden> {
    let rows = GOLDEN
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'));
    rows.map(|(index, row)| {
        let mut cols = row.split('\t');
        let text = unescape(cols.next().expect("text column"));
        let ids = cols.next().expect("ids column").split(' ');
        let ids = ids.map(|id| id.parse().expect("numeric id")).collect();
        Golden {
            line: index + 1,
            text,
            ids,
        }
    })
    .collect()
}

/// Undoes the fixture's escaping: `\\`, `\t`, `\n`, `\r`, `\u{HEX}`.
fn unescape(escaped: &str) -> String {
    let mut out = String::new();
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                assert_eq!(chars.next(), Some('{'), "bad \\u escape in {escaped:?}");
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let code = u32::from_str_radix(&hex, 16).expect("hex code point");
                out.push(char::from_u32(code).expect("valid code point"));
            }
            other => panic!("unknown escape {other:?} in {escaped:?}"),
        }
    }
    out
}

#[test]
fn golden_ids_match_the_reference_tokenizer() {
    let tokenizer = tokenizer();
    let cases = golden();
    assert!(cases.len() >= 60, "only {} golden sentences", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = tokenizer.encode(&case.text, DEFAULT_MAX_LEN);
            (got != case.ids).then(|| {
                let (line, text, want) = (case.line, &case.text, &case.ids);
                format!("line {line}: {text:?}\n  want {want:?}\n  got  {got:?}")
            })
        })
        .collect();
    let (failed, total) = (failures.len(), cases.len());
    assert!(
        failures.is_empty(),
        "{failed}/{total} differ:\n{}",
        failures.join("\n")
    );
}

#[test]
fn special_token_text_never_yields_special_ids() {
    let tokenizer = tokenizer();
    let special = tokenizer.special_ids();
    let (open, close) = (vocab_id("["), vocab_id("]"));
    let sep_text = [special.cls, open, vocab_id("sep"), close, special.sep];
    assert_eq!(tokenizer.encode("[SEP]", DEFAULT_MAX_LEN), sep_text);
    assert_eq!(
        tokenizer.encode("[MASK]", DEFAULT_MAX_LEN)[2],
        vocab_id("mask")
    );

    let tricky = [
        "[CLS]",
        "[SEP]",
        "[PAD]",
        "[MASK]",
        "[UNK]",
        "[CLS][SEP][PAD][MASK][UNK]",
        "##[SEP]",
        "[[SEP]]",
        "x[SEP]y",
        "[sep]",
        "[ SEP ]",
        "[SEP\u{200b}]",
        "［SEP］",
        "[unused0]",
        "<s></s><pad><mask>",
        "\u{0}[SEP]\u{0}",
    ];
    let golden = golden();
    let texts = tricky
        .iter()
        .copied()
        .chain(golden.iter().map(|g| g.text.as_str()));
    for text in texts {
        let ids = tokenizer.encode(text, DEFAULT_MAX_LEN);
        assert_eq!(ids.first(), Some(&special.cls));
        assert_eq!(ids.last(), Some(&special.sep));
        let inner = &ids[1..ids.len() - 1];
        let leaked = [special.pad, special.cls, special.sep, special.mask];
        assert!(
            !inner.iter().any(|id| leaked.contains(id)),
            "{text:?} gave {ids:?}"
        );
    }
}

#[test]
fn truncation_keeps_cls_first_and_sep_last() {
    let tokenizer = tokenizer();
    let special = tokenizer.special_ids();
    let text = "one two three unbelievably four five six seven eight nine ten";
    let full = tokenizer.encode(text, DEFAULT_MAX_LEN);
    for max_len in 0..full.len() + 3 {
        let ids = tokenizer.encode(text, max_len);
        let want = max_len.clamp(2, full.len());
        assert_eq!(ids.len(), want, "max_len {max_len}");
        assert_eq!(ids.last(), Some(&special.sep), "max_len {max_len}");
        assert_eq!(ids[..want - 1], full[..want - 1], "max_len {max_len}");
    }
}

#[test]
fn huge_input_takes_linear_time() {
    let tokenizer = tokenizer();
    let special = tokenizer.special_ids();
    let started = Instant::now();

    let chatter = "Where is my order?? Café 营业时间 😀 e\u{301}\u{200b} ".repeat(25_000);
    assert_eq!(
        tokenizer.encode(&chatter, DEFAULT_MAX_LEN).len(),
        DEFAULT_MAX_LEN
    );
    let all = tokenizer.encode(&chatter[..chatter.len() / 5], usize::MAX);
    assert!(all.len() > 50_000, "{} ids", all.len());

    let one_word = "a".repeat(1_000_000);
    let unk = [special.cls, special.unk, special.sep];
    assert_eq!(tokenizer.encode(&one_word, usize::MAX), unk);
    let zalgo = format!("a{}", "\u{301}\u{316}".repeat(200_000));
    assert_eq!(
        tokenizer.encode(&zalgo, 8),
        [special.cls, vocab_id("a"), special.sep]
    );
    let bangs = "!".repeat(500_000);
    assert_eq!(tokenizer.encode(&bangs, usize::MAX).len(), 500_002);

    // A quadratic step would take minutes here; debug builds on a busy machine take ~1 s.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn wordpiece_rules_on_a_tiny_vocabulary() {
    let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\naff\n!\na\n##a\n";
    let tokenizer = Tokenizer::from_vocab(vocab).expect("tiny vocab loads");
    assert_eq!(tokenizer.vocab_size(), 12);
    let encode = |text: &str| tokenizer.encode(text, DEFAULT_MAX_LEN);
    // Longest match first, "##" continuations, lowercase, accents stripped.
    assert_eq!(encode("UNAFFÄBLE"), [2, 5, 6, 7, 3]);
    // A word with an unmatched piece is one [UNK]; punctuation is its own word.
    assert_eq!(encode("unaffx!aff"), [2, 1, 9, 8, 3]);
    // 100 characters are spelled out, 101 are [UNK].
    assert_eq!(encode(&"a".repeat(100)).len(), 102);
    assert_eq!(encode(&"a".repeat(101)), [2, 1, 3]);
}

#[test]
fn bad_vocabularies_are_rejected() {
    let err = |text: &str| Tokenizer::from_vocab(text).err();
    let specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    assert_eq!(
        err("[PAD]\n[UNK]\n[CLS]\n[SEP]\n"),
        Some(TokenizerError::MissingSpecial("[MASK]"))
    );
    assert_eq!(
        err("[PAD]\n\n[UNK]\n"),
        Some(TokenizerError::EmptyToken { line: 2 })
    );
    let duplicate = TokenizerError::DuplicateToken {
        line: 7,
        token: "hi".into(),
    };
    assert_eq!(err(&format!("{specials}hi\nhi\n")), Some(duplicate));
    assert_eq!(err(&format!("{specials}hi\r\nho\r\n")), None);
}

#[test]
fn char_tables_are_sorted_and_agree_with_ascii_fast_paths() {
    for table in [REMOVED, NONSPACING_MARK, PUNCTUATION, CJK] {
        assert!(table.iter().all(|&(lo, hi)| lo <= hi));
        assert!(
            table.windows(2).all(|w| w[0].1 < w[1].0),
            "ranges overlap or unsorted"
        );
    }
    for c in (0u8..128).map(char::from) {
        assert_eq!(is_removed(c), charclass::contains(REMOVED, c), "{c:?}");
        assert_eq!(
            is_punctuation(c),
            charclass::contains(PUNCTUATION, c),
            "{c:?}"
        );
        assert!(!charclass::contains(NONSPACING_MARK, c) && !charclass::contains(CJK, c));
    }
}
