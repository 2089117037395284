//! The built-in intents every shop gets: small talk the bot answers itself, and the two
//! reasons to hand a conversation to a person at once. Each has example phrasings the
//! visitor's message is compared with, and short replies in English and Chinese.
//!
//! The examples are English and never copied from the evaluation sets; the multilingual
//! model compares Chinese messages with them too. The two hand-off intents' scores are
//! shown in the console's "Try a question" box but do not decide: requests for a person
//! and complaints are recognised by phrase (`super::person_rules`, see `docs/BOT.md`).

use serde::{Deserialize, Serialize};

use super::lang::Lang;

/// A built-in intent. Its one name table is [`Intent::name`]: serde writes and reads
/// that name (the API's `/api/faq/try`, the evaluation set, logs all agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Intent {
    /// "hi", "hello there": answered briefly.
    Greeting,
    /// "thanks, that helped": answered briefly.
    Thanks,
    /// "bye": answered briefly.
    Goodbye,
    /// "am I talking to a bot?": says what it is and how to reach a person.
    BotIdentity,
    /// "can I talk to a person": hand off.
    HumanRequest,
    /// "this is ridiculous, nobody helps": hand off.
    Frustration,
}

impl Intent {
    /// Every built-in intent.
    pub const ALL: [Intent; 6] = [
        Intent::Greeting,
        Intent::Thanks,
        Intent::Goodbye,
        Intent::BotIdentity,
        Intent::HumanRequest,
        Intent::Frustration,
    ];

    /// Stable lowercase name (the API, logs, the evaluation set, the console).
    pub fn name(self) -> &'static str {
        match self {
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Goodbye => "goodbye",
            Intent::BotIdentity => "bot_identity",
            Intent::HumanRequest => "human_request",
            Intent::Frustration => "frustration",
        }
    }

    /// The intent called `name` (see [`Intent::name`]).
    pub fn from_name(name: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Whether the bot answers this intent itself (rather than handing off).
    pub fn is_small_talk(self) -> bool {
        !matches!(self, Intent::HumanRequest | Intent::Frustration)
    }

    /// The bot's reply to small talk in `lang` (`None` for the hand-off intents).
    pub fn reply(self, lang: Lang) -> Option<&'static str> {
        let (en, zh) = match self {
            Intent::Greeting => (
                "Hello! Ask me anything about the shop, or write \"person\" to reach someone.",
                "您好！请问有什么可以帮您？如需人工服务，请回复“人工”。",
            ),
            Intent::Thanks => ("You're welcome!", "不客气！"),
            Intent::Goodbye => ("Goodbye, have a nice day!", "再见，祝您愉快！"),
            Intent::BotIdentity => (
                "I'm the shop's automatic assistant: I answer common questions. Write \"person\" \
                 at any time to reach someone from the shop.",
                "我是本店的自动助手，可以回答常见问题。如需人工服务，请随时回复“人工”。",
            ),
            Intent::HumanRequest | Intent::Frustration => return None,
        };
        Some(match lang {
            Lang::En => en,
            Lang::Zh => zh,
        })
    }

    /// Example phrasings in English: what a visitor with this intent typically writes.
    pub fn examples(self) -> &'static [&'static str] {
        match self {
            Intent::Greeting => &[
                "hi",
                "hi!",
                "hello",
                "hey there",
                "hiya",
                "greetings",
                "good morning",
                "good afternoon",
                "good evening",
                "hi, anyone here?",
                "hello, is anybody there?",
                "hello, I have a question",
                "howdy",
                "yo",
            ],
            Intent::Thanks => &[
                "thanks",
                "thank you",
                "thank u",
                "thank you very much",
                "thanks so much",
                "thanks a lot, that helps",
                "thanks for your help",
                "great, thanks for the help",
                "cool, thanks",
                "ok thank you",
                "perfect, cheers",
                "brilliant, thank you",
                "that answers my question, thank you",
                "much appreciated",
                "appreciate it",
                "ty",
                "tysm",
            ],
            Intent::Goodbye => &[
                "bye",
                "goodbye",
                "see you",
                "see you later",
                "catch you later",
                "later!",
                "bye then",
                "gotta go",
                "good night",
                "have a nice day, bye",
                "that's all, bye",
                "talk to you later",
                "ok bye now",
            ],
            Intent::BotIdentity => &[
                "are you a bot?",
                "am I talking to a robot?",
                "is this an automated chat?",
                "is this a chatbot?",
                "are you a real person or a machine?",
                "are you human?",
                "am I talking to a computer?",
                "are you an AI assistant?",
                "is this AI?",
                "who am I talking to?",
            ],
            Intent::HumanRequest => &[
                "I want to talk to a human",
                "I want to speak to a real person",
                "can I speak to a real person?",
                "talk to a person",
                "real human please",
                "connect me with an agent",
                "I need someone from customer service",
                "customer support please",
                "let me talk to a staff member",
                "get me a human please",
                "is there a person I can chat with?",
                "transfer me to a representative",
                "put me through to someone",
                "can I talk to the manager?",
                "I'd rather talk to someone",
                "I don't want a bot, I want a person",
                "person",
                "human",
                "agent please",
                "can someone call me back?",
            ],
            Intent::Frustration => &[
                "this is ridiculous",
                "this is unacceptable",
                "this is so frustrating",
                "I'm very angry",
                "I am so frustrated with this",
                "I'm annoyed",
                "I'm sick of waiting",
                "I'm very disappointed",
                "you are useless",
                "this bot is useless",
                "you're not listening",
                "that doesn't help at all",
                "that's not what I asked",
                "I've asked this already",
                "this is a waste of time",
                "worst service ever",
                "I've been waiting forever and nobody answers",
                "nobody is answering me",
                "I want to complain",
                "I'm going to report you",
                "you people are a joke",
                "are you serious?",
                "this is a scam",
                "what rubbish",
                "ugh",
            ],
        }
    }
}

impl From<Intent> for &'static str {
    fn from(intent: Intent) -> &'static str {
        intent.name()
    }
}

impl TryFrom<String> for Intent {
    type Error = String;

    fn try_from(name: String) -> Result<Intent, String> {
        Intent::from_name(&name).ok_or_else(|| format!("unknown intent {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::HandoffReason;

    /// The API (`/api/faq/try`), the evaluation set and logs read one name per intent.
    #[test]
    fn serde_writes_and_reads_the_one_name() {
        for intent in Intent::ALL {
            let json = serde_json::to_value(intent).expect("serialize");
            assert_eq!(json, serde_json::json!(intent.name()));
            let back: Intent = serde_json::from_value(json).expect("deserialize");
            assert_eq!(back, intent);
        }
        assert_eq!(Intent::HumanRequest.name(), "human_request");
        assert!(serde_json::from_str::<Intent>("\"HumanRequest\"").is_err());
    }

    /// The hand-off reasons the API gives are the wire's own (`docs/API.md`).
    #[test]
    fn hand_off_reasons_have_the_api_names() {
        let names = [
            (HandoffReason::HumanRequested, "human_requested"),
            (HandoffReason::Frustrated, "frustrated"),
            (HandoffReason::LowConfidence, "low_confidence"),
        ];
        for (reason, name) in names {
            assert_eq!(
                serde_json::to_value(reason).expect("serialize"),
                serde_json::json!(name)
            );
        }
    }
}
