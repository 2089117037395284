//! Requests for a person and complaints about the bot, recognised by phrase, before any
//! FAQ matching: a visitor who asks for a person gets one, even when the message also
//! names a topic the FAQ answers ("I want a refund, let me talk to someone").
//!
//! Why phrases and not the model: on the calibration sets (`tests/fixtures/bot_eval/`,
//! `*-calibration.json`) the model's nearest built-in example for these intents also
//! fired on greetings, "are you a bot?" and short FAQ questions ("能写字吗", "自取"),
//! while the phrases below missed none of the 114 requests and complaints there and
//! fired on none of the other 654 messages. The lists are about how people ask for a
//! person in general, not about any shop: they name no product or topic.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::intents::Intent;

/// Who a visitor may ask for, misspellings included.
const WHO: &str = r"(person|persn|peron|pesron|human|huamn|humen|someone|somebody|some one|anyone|anybody|agent|staff|owner|manager|people|representative|rep|operator|employee|member of staff|boss|shopkeeper|assistant|customer service|support team)";

/// "Are you a real person?" asks what the bot is, not for a person: removed before the
/// phrases below are looked for (so "are you human? get me someone" is still a request).
static IDENTITY_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(are|r) (you|u) (a )?(real )?(human|person|bot|robot)\b|你是真人|是不是真人|是真人吗",
    )
    .expect("the identity pattern compiles")
});

/// English phrasings of "let me talk to a person" (matched on the lowercased message).
static ENGLISH_PERSON: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        format!(r"\b(talk|speak|spek|speek|tlak|chat|discuss\b.*)\b.*\b(to|with)\b.*\b{WHO}\b"),
        format!(r"\b(real|actual|live)\s+{WHO}"),
        r"\b(anyone|anybody|someone|somebody|a person|a human)\b.*\b(talk|speak|chat)\b".to_owned(),
        format!(r"^\W*(a\s+)?{WHO}\W*(please|pls|plz|now)?\W*$"),
        format!(
            r"\b(get|put me through to|connect me (to|with)|transfer me|give me|need|want|fetch)\b(\s+(me|a|an|the|some|your|to))*\s+{WHO}\b"
        ),
        format!(
            r"\b(can|could|would|will)\s+(a|an|the|some|your)?\s*{WHO}\s+(please\s+)?(call|ring|phone|contact|email|reply|check|help|look|answer|get back)"
        ),
        r"\b(call|ring|phone) me\b".to_owned(),
        format!(r"\b{WHO}\s+(please|pls|plz)\b"),
        r"\bhuman\b".to_owned(),
    ])
    .expect("the person-request patterns compile")
});

/// English complaints about the bot or its answers.
static ENGLISH_COMPLAINT: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"\b(useless|pointless|stupid|ridiculous|wtf|terrible|rubbish|garbage)\b",
        r"waste of (my )?time",
        r"\b(don'?t|doesn'?t|do not|does not|didn'?t|did not|never|not)\s+(understand|get it|help|listen|answer)",
        r"\bnot (what i|my question|answering|helpful|helping|listening)",
        r"\bwrong answer",
        r"\bno idea\b",
        r"\basked (you )?(this |that )?(three|3|two|2|several|many|ten|10|five|5) times",
        r"\bstop sending\b",
        r"\b(bots?|robots?|automated|machines?)\b.*\b(never|don'?t|doesn'?t|useless|terrible|stupid|mad|crazy|annoying)",
        r"\bdriving me (mad|crazy|nuts)\b",
        r"\bi asked (about|for)\b.*\bnot\b",
        r"\bcomplain(t)?\b",
    ])
    .expect("the complaint patterns compile")
});

/// Chinese words asking for a person (substring match): 人工 (a human agent), 真人 (a
/// real person), 找人 (find someone), 老板 (the owner), 打电话给我 (call me)…; 人公 is
/// the common mistyping of 人工.
const CHINESE_PERSON: &[&str] = &[
    "人工",
    "人公",
    "转人",
    "真人",
    "找人",
    "找个人",
    "老板",
    "店员",
    "工作人员",
    "负责人",
    "打电话给我",
    "给我打电话",
    "回电",
    "客服",
    "接通",
];

/// Chinese complaints about the bot: 没用 (useless), 听不懂 (doesn't understand), 答非所问
/// (answers something else), 我问的是 (what I asked was…), 浪费时间 (waste of time)….
const CHINESE_COMPLAINT: &[&str] = &[
    "垃圾",
    "没用",
    "一点用",
    "没什么用",
    "不懂",
    "答非所问",
    "不是问这个",
    "不是我问的",
    "我问的是",
    "浪费时间",
    "废话",
    "智障",
    "离谱",
    "无语",
    "什么鬼",
    "气死",
    "投诉",
    "别再发",
];

/// The hand-off intent `text` expresses by phrase: a request for a person (checked
/// first: "this is useless, get me a human" is a request) or a complaint about the bot.
pub fn handoff_intent(text: &str) -> Option<Intent> {
    let lower = IDENTITY_QUESTION
        .replace_all(&text.to_lowercase(), " ")
        .into_owned();
    let text = lower.as_str();
    if CHINESE_PERSON.iter().any(|w| text.contains(w)) || ENGLISH_PERSON.is_match(text) {
        return Some(Intent::HumanRequest);
    }
    if CHINESE_COMPLAINT.iter().any(|w| text.contains(w)) || ENGLISH_COMPLAINT.is_match(text) {
        return Some(Intent::Frustration);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written for this test, not taken from the evaluation sets.
    #[test]
    fn requests_for_a_person_win_even_with_a_topic() {
        for text in [
            "Can I talk to a human about my order?",
            "is there anyone I can speak with",
            "operator",
            "real person please",
            "could someone phone me back about a big order",
            "connect me with your manager",
            "我想找人工",
            "退款的事，找个人跟我说",
            "can you get the owner, 我要转人工",
            "are you human? get me someone who knows bikes",
        ] {
            assert_eq!(handoff_intent(text), Some(Intent::HumanRequest), "{text}");
        }
    }

    #[test]
    fn complaints_about_the_bot_hand_off() {
        for text in [
            "this chat is useless",
            "you don't understand my question",
            "that is not what I asked",
            "I have asked you three times",
            "回答的都是废话",
            "机器人听不懂人话",
        ] {
            assert_eq!(handoff_intent(text), Some(Intent::Frustration), "{text}");
        }
    }

    #[test]
    fn questions_and_small_talk_are_not_hand_offs() {
        for text in [
            "what time do you open on sunday",
            "my brakes don't work, can you fix them today?",
            "do you deliver to the business park",
            "hello there",
            "thanks, that helps",
            "are you a bot?",
            "运费多少？",
            "你们几点关门",
            "can I talk to you about a cake for saturday",
            "are you a real person?",
            "你是真人吗",
        ] {
            assert_eq!(handoff_intent(text), None, "{text}");
        }
    }
}
