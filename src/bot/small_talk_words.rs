//! Small talk recognised by word before the model: short thanks and goodbyes in
//! English and Chinese, Chinese greetings and "are you a bot".
//!
//! The Chinese table was written when the model read English only; it stays as a sure
//! first pass. The English words are for thanks and goodbyes that name a day or a
//! place ("see you saturday, bye!"), which the model ranked closer to the FAQ entry
//! about opening hours than to its goodbye examples on the calibration sets. Requests
//! for a person and complaints, in either language, are [`super::person_rules`]' and
//! are checked before this table. Anything else goes to the model ([`super::Matcher`]).

use super::intents::Intent;

/// Keywords per intent, checked in this order (first match wins).
const TABLE: &[(Intent, &[&str])] = &[
    (Intent::BotIdentity, &["机器人", "真人吗", "是真人"]),
    (Intent::Thanks, &["谢谢", "多谢", "感谢", "谢了"]),
    (Intent::Goodbye, &["再见", "拜拜", "回头见", "下次见"]),
    (
        Intent::Greeting,
        &["你好", "您好", "哈喽", "在吗", "早上好", "晚上好", "嗨"],
    ),
];

/// Small talk is only recognised in messages of at most this many characters
/// (punctuation and spaces not counted): "你好，请问运费多少？" is a question.
const SMALL_TALK_MAX_CHARS: usize = 6;

/// English thanks and goodbyes, as whole words.
const ENGLISH: &[(Intent, &[&str])] = &[
    (Intent::Thanks, &["thanks", "thank", "thx", "ty", "cheers"]),
    (
        Intent::Goodbye,
        &["bye", "goodbye", "cya", "see you", "see ya"],
    ),
];

/// English small talk is only recognised in messages of at most this many words, with
/// no question mark: "thanks, and do you deliver?" is a question.
const ENGLISH_MAX_WORDS: usize = 6;

/// The small-talk intent `text` expresses by word, if any (in either language).
pub fn intent(text: &str) -> Option<Intent> {
    chinese(text).or_else(|| english(text))
}

/// English thanks and goodbyes in short messages that ask nothing.
fn english(text: &str) -> Option<Intent> {
    if text.contains('?') || text.contains('？') {
        return None;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > ENGLISH_MAX_WORDS {
        return None;
    }
    let says = |phrase: &str| {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        words.windows(phrase.len()).any(|w| w == phrase.as_slice())
    };
    ENGLISH
        .iter()
        .find(|(_, phrases)| phrases.iter().any(|p| says(p)))
        .map(|(intent, _)| *intent)
}

/// The built-in intent a Chinese message expresses, if the table knows it; a short
/// message ending in 见 ("周六见", "明天见～") is a goodbye.
fn chinese(text: &str) -> Option<Intent> {
    let length = text.chars().filter(|c| c.is_alphanumeric()).count();
    TABLE
        .iter()
        .filter(|(intent, _)| {
            !intent.is_small_talk()
                || *intent == Intent::BotIdentity
                || length <= SMALL_TALK_MAX_CHARS
        })
        .find(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map(|(intent, _)| *intent)
        .or_else(|| {
            let last = text
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .chars()
                .last();
            (length <= SMALL_TALK_MAX_CHARS && last == Some('见')).then_some(Intent::Goodbye)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_recognises_short_small_talk_and_any_request_for_a_person() {
        assert_eq!(intent("你好"), Some(Intent::Greeting));
        assert_eq!(intent("您好，在吗？"), Some(Intent::Greeting));
        assert_eq!(intent("谢谢！"), Some(Intent::Thanks));
        assert_eq!(intent("拜拜"), Some(Intent::Goodbye));
        assert_eq!(intent("你是机器人吗？"), Some(Intent::BotIdentity));
        assert_eq!(intent("你是真人还是机器人？"), Some(Intent::BotIdentity));
        assert_eq!(intent("你好，请问运费多少？"), None);
        assert_eq!(intent("运费多少？"), None);
        assert_eq!(intent("明天见～"), Some(Intent::Goodbye));
        assert_eq!(intent("看见了吗"), None);
    }

    #[test]
    fn short_english_thanks_and_goodbyes_are_recognised_questions_are_not() {
        assert_eq!(intent("see you on friday, bye!"), Some(Intent::Goodbye));
        assert_eq!(intent("Thank you so much"), Some(Intent::Thanks));
        assert_eq!(intent("thanks, and do you deliver?"), None);
        assert_eq!(
            intent("thank you for the cake last week it was lovely and the kids loved it"),
            None
        );
        assert_eq!(intent("bye-bye"), Some(Intent::Goodbye));
        assert_eq!(intent("hello"), None);
    }
}
