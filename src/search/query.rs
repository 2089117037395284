//! Reading a search query into terms: the one check of a query, called once at the
//! edge. Every term must match (AND); the last word also matches as a prefix, so a
//! query finds results while it is being typed (`tea` finds `teapot`). A CJK run of
//! one character is that character; a longer run is its bigrams, all of which must
//! match (the index does not keep positions, so `茶壶坏` also finds a text holding
//! `茶壶` and `壶坏` apart: rare in practice, and ranked lower than nothing).

use super::tokens::{Run, runs, word_term};

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most terms in a query.
pub const MAX_QUERY_TERMS: usize = 10;

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The term, as the tokenizer indexes it.
    pub text: String,
    /// Whether any indexed term starting with `text` matches too.
    pub prefix: bool,
}

/// Why a query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing searchable in it (empty, or only punctuation and single letters).
    #[error("the query has no word to search for")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("a query has at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    /// More than [`MAX_QUERY_TERMS`] terms.
    #[error(
        "a query has at most {MAX_QUERY_TERMS} words (a Chinese run of n characters counts n − 1)"
    )]
    TooManyTerms,
}

/// The terms of `query`, in the order written, without repeats.
pub fn parse(query: &str) -> Result<Vec<QueryTerm>, QueryError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut terms: Vec<QueryTerm> = Vec::new();
    let runs = runs(query);
    let last_word = runs.iter().rposition(|r| matches!(r, Run::Word(..)));
    for (i, run) in runs.iter().enumerate() {
        match *run {
            Run::Word(s, e) => {
                let text = word_term(&query[s..e]);
                // A single letter is no term, unless it is the start of a word being typed.
                let prefix = Some(i) == last_word && e == query.len();
                if text.chars().count() > 1 || (prefix && !text.is_empty()) {
                    terms.push(QueryTerm { text, prefix });
                }
            }
            Run::Cjk(s, e) => {
                let chars: Vec<char> = query[s..e].chars().collect();
                match chars.as_slice() {
                    [one] => terms.push(QueryTerm {
                        text: one.to_string(),
                        prefix: false,
                    }),
                    _ => {
                        for pair in chars.windows(2) {
                            terms.push(QueryTerm {
                                text: pair.iter().collect(),
                                prefix: false,
                            });
                        }
                    }
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert((t.text.clone(), t.prefix)));
    if terms.is_empty() {
        return Err(QueryError::Empty);
    }
    if terms.len() > MAX_QUERY_TERMS {
        return Err(QueryError::TooManyTerms);
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(q: &str) -> Vec<(String, bool)> {
        parse(q)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.text, t.prefix))
            .collect()
    }

    #[test]
    fn the_last_word_is_a_prefix_when_the_query_ends_in_it() {
        assert_eq!(
            texts("Broken tea"),
            [("broken".into(), false), ("tea".into(), true)]
        );
        assert_eq!(
            texts("broken teapots "),
            [("broken".into(), false), ("teapot".into(), false)]
        );
    }

    #[test]
    fn cjk_runs_become_bigrams_or_one_character() {
        assert_eq!(
            texts("茶壶坏"),
            [("茶壶".into(), false), ("壶坏".into(), false)]
        );
        assert_eq!(texts("茶"), [("茶".into(), false)]);
        assert_eq!(
            texts("iPhone 手机"),
            [("iphone".into(), false), ("手机".into(), false)]
        );
    }

    #[test]
    fn bad_queries_are_refused() {
        assert_eq!(parse("  ,; "), Err(QueryError::Empty));
        assert_eq!(parse(&"x".repeat(201)), Err(QueryError::TooLong));
        assert_eq!(
            parse("one two three four five six seven eight nine ten eleven"),
            Err(QueryError::TooManyTerms)
        );
        assert!(parse("a b c").is_ok(), "the last letter is a prefix");
    }
}
