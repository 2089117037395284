//! Tests of the tokenizer: golden ids from Google's sentencepiece library, special-piece
//! text, truncation, huge input, the Unigram rules on a tiny vocabulary, normalisation,
//! and load errors.

use std::time::{Duration, Instant};

use super::*;

const VOCAB: &str = include_str!("../../../models/use-m-en-zh-vocab.tsv");
const CHARSMAP: &[u8] = include_bytes!("../../../models/use-m-charsmap.bin");
const GOLDEN: &str = include_str!("../../../tests/fixtures/tokenizer_golden.jsonl");

fn tokenizer() -> Tokenizer {
    Tokenizer::new(VOCAB, CHARSMAP).expect("models/use-m-en-zh-vocab.tsv loads")
}

/// Id of `piece` in the vocabulary file, looked up independently of the tokenizer.
fn vocab_id(piece: &str) -> u32 {
    let line = VOCAB
        .lines()
        .position(|l| l.split('\t').next() == Some(piece))
        .expect("piece in vocab");
    u32::try_from(line).expect("small id")
}

/// One line of the golden file: the text and the reference ids (`<s> … </s>`, uncut).
struct Golden {
    line: usize,
    text: String,
    ids: Vec<u32>,
}

fn golden() -> Vec<Golden> {
    GOLDEN
        .lines()
        .enumerate()
        .map(|(index, row)| {
            let value: serde_json::Value = serde_json::from_str(row).expect("a JSON line");
            let ids = value["ids"].as_array().expect("ids");
            Golden {
                line: index + 1,
                text: value["text"].as_str().expect("text").to_owned(),
                ids: ids
                    .iter()
                    .map(|id| u32::try_from(id.as_u64().expect("an id")).expect("u32"))
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn golden_ids_match_the_reference_tokenizer() {
    let tokenizer = tokenizer();
    let cases = golden();
    assert!(cases.len() >= 300, "only {} golden texts", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let got = tokenizer.encode(&case.text, usize::MAX);
        if got != case.ids {
            wrong.push(format!(
                "line {}: {:?}\n  want {:?}\n  got  {:?}",
                case.line, case.text, case.ids, got
            ));
        }
        // Cut to 128 ids: the reference's first 127, then </s>.
        let cut = tokenizer.encode(&case.text, 128);
        if case.ids.len() > 128 {
            assert_eq!(cut[..127], case.ids[..127], "line {}", case.line);
            assert_eq!(cut.len(), 128);
        } else {
            assert_eq!(cut, case.ids, "line {}", case.line);
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_golden_set_covers_what_visitors_write() {
    let cases = golden();
    let has = |f: &dyn Fn(&str) -> bool| cases.iter().filter(|c| f(&c.text)).count();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    assert!(has(&|t| t.chars().any(han)) >= 80, "Chinese");
    assert!(has(&|t| t.is_ascii() && !t.is_empty()) >= 150, "English");
    assert!(
        has(&|t| t.chars().any(han) && t.chars().any(|c| c.is_ascii_alphabetic())) >= 20,
        "mixed"
    );
    assert!(has(&|t| t.chars().any(|c| c > '\u{1f000}')) >= 10, "emoji");
    assert!(has(&|t| t.chars().count() > 500) >= 3, "long");
    let unk = tokenizer().special_ids().unk;
    assert!(cases.iter().filter(|c| c.ids.contains(&unk)).count() >= 10);
}

#[test]
fn special_piece_text_never_yields_control_ids() {
    let tokenizer = tokenizer();
    let special = tokenizer.special_ids();
    for text in [
        "<s> hi </s>",
        "<s></s><unk>",
        "</s>",
        "▁<s>",
        "extra_token_id_1",
    ] {
        let ids = tokenizer.encode(text, 128);
        let (first, rest) = ids.split_first().expect("ids");
        let (last, inner) = rest.split_last().expect("ids");
        assert_eq!((*first, *last), (special.bos, special.eos));
        assert!(
            inner
                .iter()
                .all(|&id| !special.is_control(id) && id != special.unk),
            "{text:?}: {ids:?}"
        );
    }
}

#[test]
fn truncation_keeps_bos_first_and_eos_last() {
    let tokenizer = tokenizer();
    let special = tokenizer.special_ids();
    let text = "many words in a row ".repeat(20);
    for max_len in [0, 1, 2, 3, 10] {
        let ids = tokenizer.encode(&text, max_len);
        assert_eq!(ids.len(), max_len.max(2), "max_len {max_len}");
        assert_eq!(ids[0], special.bos);
        assert_eq!(ids[ids.len() - 1], special.eos);
    }
    assert_eq!(tokenizer.encode("", 128), [special.bos, special.eos]);
    assert_eq!(tokenizer.encode(" \t\n ", 128), [special.bos, special.eos]);
}

#[test]
fn huge_input_is_cut_and_stays_fast() {
    let tokenizer = tokenizer();
    let started = Instant::now();
    for text in [
        "x".repeat(4 << 20),
        "好".repeat(1 << 20),
        "ab ".repeat(1 << 20),
    ] {
        let ids = tokenizer.encode(&text, 128);
        assert_eq!(ids.len(), 128);
        // A space (1 byte) becomes `▁` (3 bytes), plus the leading `▁`.
        assert!(tokenizer.normalize(&text).len() <= 3 * MAX_INPUT_BYTES + 3);
    }
    assert!(started.elapsed() < Duration::from_secs(10), "too slow");
}

/// A tiny vocabulary over the real charsmap: scores chosen so each rule shows.
#[test]
fn unigram_rules_on_a_tiny_vocabulary() {
    let vocab = "<unk>\t0\n<s>\t0\n</s>\t0\n▁\t-1\na\t-2\nb\t-2\nab\t-3\n▁a\t-2.5\nc\t-9\n";
    let t = Tokenizer::new(vocab, CHARSMAP).expect("loads");
    // ▁ + ab (−4) beats ▁a + b (−4.5) and ▁ + a + b (−5).
    assert_eq!(t.encode("ab", 16), [1, 3, 6, 2]);
    // "x" and "y" are covered by no piece: one <unk> for the run, score min − 10.
    assert_eq!(t.encode("axyb", 16), [1, 7, 0, 5, 2]);
    assert_eq!(t.encode("a x", 16), [1, 7, 3, 0, 2]);
    // Full-width letters are normalised to ASCII first.
    assert_eq!(t.encode("ａｂ", 16), t.encode("ab", 16));
}

#[test]
fn normalisation_follows_nmt_nfkc_and_whitespace_rules() {
    let t = tokenizer();
    assert_eq!(t.normalize("  Hello \t  World  "), "▁Hello▁World");
    assert_eq!(t.normalize("ＡＢＣ１２３"), "▁ABC123");
    assert_eq!(t.normalize("ﬁne"), "▁fine");
    assert_eq!(t.normalize("Café"), "▁Café");
    assert_eq!(t.normalize("运费 多少"), "▁运费▁多少");
    assert_eq!(t.normalize(""), "");
    assert_eq!(t.normalize(" \u{3000} "), "");
    assert_eq!(
        t.encode("Hello world", 16)[1..3],
        [vocab_id("▁Hello"), vocab_id("▁world")]
    );
}

#[test]
fn bad_vocabularies_and_charsmaps_are_rejected() {
    let err = |vocab: &str| Tokenizer::new(vocab, CHARSMAP).err();
    assert_eq!(
        err("<unk>\t0\n<s>\t0\n"),
        Some(TokenizerError::MissingSpecial("</s>"))
    );
    assert_eq!(
        err("<s>\t0\n<unk>\t0\n</s>\t0\n"),
        Some(TokenizerError::MissingSpecial("<unk>"))
    );
    assert_eq!(
        err("<unk>\t0\n<s>\t0\n</s>\t0\na\tx\n"),
        Some(TokenizerError::BadLine { line: 4 })
    );
    assert_eq!(
        err("<unk>\t0\n<s>\t0\n</s>\t0\na\n"),
        Some(TokenizerError::BadLine { line: 4 })
    );
    assert_eq!(
        err("<unk>\t0\n<s>\t0\n</s>\t0\na\t-1\na\t-2\n"),
        Some(TokenizerError::DuplicatePiece {
            line: 5,
            piece: "a".into()
        })
    );
    for charsmap in [&b""[..], b"\x08\0\0\0abc", b"\x03\0\0\0abcd"] {
        let result = Tokenizer::new("<unk>\t0\n<s>\t0\n</s>\t0\n", charsmap);
        assert!(
            matches!(result, Err(TokenizerError::BadCharsmap(_))),
            "{result:?}"
        );
    }
}
