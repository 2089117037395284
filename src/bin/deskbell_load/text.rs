//! Message bodies for the load generator. By default every message is the same phrase
//! (five distinct terms). With `--words N` each message is drawn from a pool of
//! chat-like texts whose words come from a vocabulary of N made-up words with Zipf
//! frequencies (the k-th most common word about 1/k as often as the first), so the
//! search index sees as many distinct terms per message, and as varied ones, as real
//! chat gives it (issue #16: the fixed phrase made every message's terms land on the
//! same few pages).

/// Texts in the pool: each visitor cycles through it from its own offset.
const POOL: usize = 4_096;

/// Syllables the made-up words are built from (none ends a word in an English
/// suffix the stemmer would strip, so two words rarely fold into one term).
const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "nu", "pe", "ro", "ta", "vi", "zu", "bo", "de", "fa", "gi", "ju", "ko", "lu",
];

/// The bodies a run sends.
pub struct Bodies {
    /// One text (the fixed phrase) or [`POOL`] texts.
    pool: Vec<String>,
}

impl Bodies {
    /// Every message the same phrase of `len` bytes.
    pub fn phrase(len: usize) -> Bodies {
        Bodies {
            pool: vec![super::ws::body(len)],
        }
    }

    /// Texts of about `len` bytes (never more) from a vocabulary of `words` words,
    /// the same for every run with the same arguments.
    pub fn words(len: usize, words: usize) -> Bodies {
        let mut rng = fastrand::Rng::with_seed(16);
        let cumulative: Vec<f64> = (1..=words.max(1))
            .scan(0.0, |sum, rank| {
                *sum += 1.0 / rank as f64;
                Some(*sum)
            })
            .collect();
        let total = cumulative.last().copied().unwrap_or(1.0);
        let pool = (0..POOL)
            .map(|_| {
                let mut text = String::with_capacity(len);
                loop {
                    let drawn = rng.f64() * total;
                    let rank = cumulative.partition_point(|c| *c < drawn);
                    let word = word(rank);
                    let room = len.saturating_sub(text.len() + usize::from(!text.is_empty()));
                    if word.len() > room {
                        break;
                    }
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&word);
                }
                text
            })
            .collect();
        Bodies { pool }
    }

    /// Visitor `visitor`'s `n`-th text.
    pub fn get(&self, visitor: usize, n: u64) -> &str {
        let at = (visitor as u64).wrapping_mul(7_919).wrapping_add(n) as usize % self.pool.len();
        &self.pool[at]
    }
}

/// The `rank`-th word of the vocabulary: its number in base 16, one syllable per digit
/// (at least two), so every rank has its own word.
fn word(rank: usize) -> String {
    let mut digits = Vec::new();
    let mut left = rank;
    while digits.len() < 2 || left > 0 {
        digits.push(left % 16);
        left /= 16;
    }
    digits.iter().rev().map(|d| SYLLABLES[*d]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_rank_has_its_own_word() {
        let words: HashSet<String> = (0..5_000).map(word).collect();
        assert_eq!(words.len(), 5_000);
        assert_eq!(word(0), "kaka");
    }

    #[test]
    fn texts_fit_their_length_and_common_words_come_first() {
        let bodies = Bodies::words(180, 5_000);
        assert_eq!(bodies.pool.len(), POOL);
        let mut seen = std::collections::HashMap::<&str, usize>::new();
        for text in &bodies.pool {
            assert!(text.len() <= 180 && text.len() > 150, "{text:?}");
            for w in text.split(' ') {
                *seen.entry(w).or_default() += 1;
            }
        }
        // Zipf: the most common word about twice as often as the second.
        let (first, second) = (seen[word(0).as_str()], seen[word(1).as_str()]);
        assert!(
            first > second * 3 / 2 && first < second * 5 / 2,
            "{first} {second}"
        );
        assert!(seen.len() > 2_000, "{} distinct words", seen.len());
        assert_ne!(bodies.get(0, 1), bodies.get(1, 1));
    }

    #[test]
    fn the_phrase_is_the_same_for_everyone() {
        let bodies = Bodies::phrase(180);
        assert_eq!(bodies.get(0, 1), bodies.get(9, 4));
        assert_eq!(bodies.get(0, 1).len(), 180);
    }
}
