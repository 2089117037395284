//! The visitor's language, as far as the bot's short replies need it: Chinese if the
//! message is mostly Han characters, English otherwise.

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

/// CJK Unified Ideographs (main block and extension A) and the compatibility block.
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
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
}
