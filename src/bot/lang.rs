//! The visitor's language: [`Lang::detect`] tells a message's language as far as the
//! bot's short replies need it (Chinese if the message is mostly Han characters, English
//! otherwise), and [`answer_language`] combines it with the language the visitor's browser
//! reports to choose the language of everything the bot says to that visitor.

use serde::{Deserialize, Serialize};

/// A language the bot has small-talk replies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// English (also the default for any other language).
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Guesses the language of `text`: Chinese when Han characters outnumber the words
    /// written in Latin letters.
    pub fn detect(text: &str) -> Lang {
        let han = text.chars().filter(|&c| is_han(c)).count();
        let latin_words = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .count();
        if han > 0 && han >= latin_words {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

impl Lang {
    /// The language with this code's replies: Chinese for `zh` (any region), English for
    /// any other.
    pub fn from_code(code: &str) -> Lang {
        if primary_subtag(code).as_deref() == Some("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// The language the bot answers a visitor in, as a lower-case language code (`zh`,
/// `en`, `fr`…): `zh` when the message itself is Chinese ([`Lang::detect`]: a visitor
/// who writes Chinese reads it, whatever the browser says); otherwise the language the
/// visitor's browser reports (`browser`, e.g. `en-GB` or `zh-CN`, sent in the widget's
/// hello; the widget speaks that language too); without one, `en`. A Latin-letter
/// message is weak evidence (product names, order numbers, "DHL?"), so it does not
/// override the browser. The FAQ answer in that language is sent when the owner wrote
/// one, the entry's default answer otherwise.
pub fn answer_language(text: &str, browser: Option<&str>) -> String {
    if Lang::detect(text) == Lang::Zh {
        return "zh".to_string();
    }
    browser
        .and_then(primary_subtag)
        .unwrap_or_else(|| "en".to_string())
}

/// `en` from `en-GB` (or `EN_gb`): 2 or 3 ASCII letters, lower-cased; `None` for anything
/// else.
fn primary_subtag(tag: &str) -> Option<String> {
    let first = tag.trim().split(['-', '_']).next()?;
    let valid = (2..=3).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic());
    valid.then(|| first.to_ascii_lowercase())
}

/// CJK Unified Ideographs (main block, extension A, the supplementary plane's
/// extensions) and the compatibility block: the characters Chinese is written in (also
/// the keyword score's test for "read in character pairs", `super::keywords`).
pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_chinese_and_defaults_to_english() {
        assert_eq!(Lang::detect("你好"), Lang::Zh);
        assert_eq!(Lang::detect("请问周日营业吗？"), Lang::Zh);
        assert_eq!(Lang::detect("hi 你好"), Lang::Zh);
        assert_eq!(Lang::detect("Is the café open on Sundays? 周日"), Lang::En);
        assert_eq!(Lang::detect("hello"), Lang::En);
        assert_eq!(Lang::detect("¿Hola, qué tal?"), Lang::En);
        assert_eq!(Lang::detect(""), Lang::En);
    }

    #[test]
    fn a_chinese_message_is_answered_in_chinese_else_in_the_browsers_language() {
        // Chinese text wins over any browser.
        assert_eq!(answer_language("周日营业吗？", Some("en-US")), "zh");
        assert_eq!(answer_language("DHL 几天到", Some("en-GB")), "zh");
        assert_eq!(answer_language("周日营业吗？", None), "zh");
        // Otherwise the browser's language, region dropped.
        assert_eq!(
            answer_language("are you open on sunday?", Some("en-GB")),
            "en"
        );
        assert_eq!(answer_language("iPhone 15 case", Some("zh-CN")), "zh");
        assert_eq!(answer_language("12345", Some("zh_TW")), "zh");
        assert_eq!(answer_language("hola", Some("ES")), "es");
        // No browser language, or a malformed one: English.
        assert_eq!(answer_language("are you open?", None), "en");
        assert_eq!(answer_language("are you open?", Some("")), "en");
        assert_eq!(answer_language("are you open?", Some("x-klingon")), "en");
        assert_eq!(answer_language("are you open?", Some("<b>")), "en");
        assert_eq!(Lang::from_code("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_code("en"), Lang::En);
        assert_eq!(Lang::from_code("fr"), Lang::En);
    }
}
