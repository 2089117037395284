//! Keyword overlap between a message and each FAQ entry (its questions and its answer),
//! weighted by how rare each term is among the entries. It complements the embedding:
//! a shop's own words ("Klarna", "customs", "station") often appear only in an answer,
//! and the small model knows them poorly.
//!
//! Terms: English (and other space-separated) words, lowercased, stop words dropped, a
//! plural or `-ing`/`-ed` ending cut ("rentals" and "rental" meet); Chinese, which has no
//! spaces, as overlapping character pairs ("几天到" → 几天, 天到), a lone character as
//! itself unless it is a particle. A mixed message ("DHL 几天到") gets both kinds.

use std::collections::{HashMap, HashSet};

use super::lang::is_han;

/// Words too common to say anything about the topic.
const STOP_WORDS: &[&str] = &[
    "a", "am", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "did", "do",
    "does", "for", "from", "get", "got", "has", "have", "how", "i", "if", "im", "in", "is", "it",
    "its", "just", "me", "my", "no", "not", "of", "ok", "on", "or", "our", "pls", "plz", "please",
    "r", "so", "some", "still", "that", "the", "there", "this", "to", "u", "ur", "us", "we",
    "what", "whats", "when", "where", "which", "who", "why", "will", "with", "would", "yes", "you",
    "your",
];

/// Chinese characters too common to mark a topic on their own (particles, pronouns,
/// "is", "have", "please ask").
const STOP_CHARS: &str = "的了吗呢吧啊是我你们有在要这那么什怎样请问";

/// Word endings cut before comparing, longest first, when at least three letters stay.
const SUFFIXES: &[&str] = &["ing", "ed", "s"];

/// The content terms of `text` (see the module header).
pub fn words(text: &str) -> HashSet<String> {
    let mut terms = HashSet::new();
    let lower = text.to_lowercase();
    for run in lower.split(|c: char| !c.is_alphanumeric() || is_han(c)) {
        if !run.is_empty() && !STOP_WORDS.contains(&run) {
            terms.insert(stem(run).to_owned());
        }
    }
    for run in lower.split(|c: char| !is_han(c)).filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        if let [single] = chars[..]
            && !STOP_CHARS.contains(single)
        {
            terms.insert(single.to_string());
        }
        for pair in chars.windows(2) {
            terms.insert(pair.iter().collect());
        }
    }
    terms
}

/// `word` without a plural or `-ing`/`-ed` ending.
fn stem(word: &str) -> &str {
    SUFFIXES
        .iter()
        .find_map(|s| {
            word.strip_suffix(s)
                .filter(|rest| rest.chars().count() >= 3)
        })
        .unwrap_or(word)
}

/// Inverse document frequencies over the FAQ entries' word sets.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    /// `ln(1 + N / df)` per word.
    weights: HashMap<String, f32>,
    /// The weight of a word no entry uses: `ln(1 + N / 0.5)`.
    unseen: f32,
}

impl Idf {
    /// Weights for `docs`, one word set per entry.
    pub fn new<'a>(docs: impl Iterator<Item = &'a HashSet<String>>) -> Idf {
        let mut df: HashMap<&str, u32> = HashMap::new();
        let mut n = 0u32;
        for doc in docs {
            n += 1;
            for w in doc {
                *df.entry(w).or_default() += 1;
            }
        }
        let n = n as f32;
        let weights = df
            .into_iter()
            .map(|(w, c)| (w.to_owned(), (1.0 + n / c as f32).ln()))
            .collect();
        Idf {
            weights,
            unseen: (1.0 + n / 0.5).ln(),
        }
    }

    /// The share of the message's word weight that `doc` contains, in `[0, 1]`.
    pub fn overlap(&self, message: &HashSet<String>, doc: &HashSet<String>) -> f32 {
        let weight = |w: &String| self.weights.get(w).copied().unwrap_or(self.unseen);
        let total: f32 = message.iter().map(weight).sum();
        if total <= 0.0 {
            return 0.0;
        }
        message.intersection(doc).map(weight).sum::<f32>() / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_shared_words_count_and_stop_words_do_not() {
        assert_eq!(
            words("Can I pay with Klarna?"),
            ["pay", "klarna"].map(String::from).into()
        );
        let docs = [
            words("pay with Klarna or PayPal"),
            words("shipping costs, pay less"),
        ];
        let idf = Idf::new(docs.iter());
        let message = words("do you take klarna");
        assert!(idf.overlap(&message, &docs[0]) > 0.4);
        assert_eq!(idf.overlap(&message, &docs[1]), 0.0);
        assert_eq!(idf.overlap(&words("is it the"), &docs[0]), 0.0);
    }

    #[test]
    fn endings_are_cut_and_chinese_is_read_in_character_pairs() {
        let set = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        assert_eq!(words("Rentals renting rented"), set(&["rental", "rent"]));
        assert_eq!(words("DHL 几天到？"), set(&["dhl", "几天", "天到"]));
        assert_eq!(words("的 蛋 糕"), set(&["蛋", "糕"]));
        assert_eq!(words("bus"), set(&["bus"]));
    }
}
