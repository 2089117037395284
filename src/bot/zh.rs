//! Chinese small talk: a keyword table checked before the model.
//!
//! It was written when the model read English only (all-MiniLM-L6-v2 spelled most
//! Chinese characters `[UNK]`); the multilingual model now reads Chinese, and the table
//! stays as a sure first pass for "are you a bot" and — in short messages only —
//! greetings, thanks and goodbyes. Requests for a person and complaints, in either
//! language, are [`super::person_rules`]' and are checked before this table. Anything
//! else in Chinese goes to the model ([`super::Matcher`]).

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

/// The built-in intent a Chinese message expresses, if the table knows it.
pub fn intent(text: &str) -> Option<Intent> {
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
    }
}
