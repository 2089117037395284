//! Grouping the questions the bot could not answer, so the owner sees which FAQ entry
//! to write next: by normalized text (case folded, whitespace collapsed, punctuation
//! at the ends dropped, full-width forms folded by Unicode lower-casing only). Cheap
//! and exact; questions worded differently stay apart (the bot's embeddings could
//! group those, at the cost of running the model over every question).

use std::collections::HashMap;

use super::sections::QuestionRow;

/// The text questions are grouped by.
pub fn normalized(text: &str) -> String {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let joined = words.join(" ");
    let trimmed = joined
        .trim_matches(|c: char| c.is_ascii_punctuation() || "？！。，、…：；“”‘’「」".contains(c));
    trimmed.to_string()
}

/// Questions grouped by their normalized text.
#[derive(Debug, Default)]
pub struct QuestionGroups {
    /// Normalized text → (latest wording, when it was asked, times asked).
    groups: HashMap<String, (String, u64, u64)>,
}

impl QuestionGroups {
    /// Counts one question asked at `at_ms`.
    pub fn add(&mut self, text: &str, at_ms: u64) {
        let key = normalized(text);
        if key.is_empty() {
            return;
        }
        let entry = self
            .groups
            .entry(key)
            .or_insert_with(|| (text.to_string(), at_ms, 0));
        entry.2 += 1;
        if at_ms >= entry.1 {
            entry.0 = text.to_string();
            entry.1 = at_ms;
        }
    }

    /// The groups, most asked first (then alphabetically), at most `max`.
    pub fn finish(self, max: usize) -> Vec<QuestionRow> {
        let mut rows: Vec<(String, QuestionRow)> = self
            .groups
            .into_iter()
            .map(|(key, (question, _, count))| (key, QuestionRow { question, count }))
            .collect();
        rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        rows.into_iter().take(max).map(|(_, row)| row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordings_that_differ_in_case_space_and_end_punctuation_group_together() {
        assert_eq!(
            normalized("  Do you sell  GIFT cards?? "),
            "do you sell gift cards"
        );
        assert_eq!(normalized("你们卖礼品卡吗？"), "你们卖礼品卡吗");
        assert_eq!(normalized("?!"), "");
        let mut groups = QuestionGroups::default();
        groups.add("Do you sell gift cards?", 1);
        groups.add("do you sell GIFT cards", 3);
        groups.add("Pizza?", 2);
        groups.add("???", 4);
        let rows = groups.finish(10);
        assert_eq!(
            rows,
            [
                QuestionRow {
                    question: "do you sell GIFT cards".into(),
                    count: 2
                },
                QuestionRow {
                    question: "Pizza?".into(),
                    count: 1
                },
            ]
        );
    }
}
