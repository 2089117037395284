//! The shop's widget settings as stored (`name_settings`, key `"widget"`): a record of
//! versions like every other (see `records.rs`), read as the latest version.

use serde::{Deserialize, Serialize};

/// The shop's widget settings as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum SettingsRecord {
    /// Version 1.
    V1(SettingsV1),
    /// Version 2: adds the title, greeting and away message per language.
    V2(SettingsV2),
    /// Version 3: adds a named time zone (issue #13).
    V3(SettingsV3),
}

/// Opening hours on one weekday, in the shop's local time.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours {
    /// 0 = Sunday … 6 = Saturday.
    pub day: u8,
    /// Opening time, minutes after midnight.
    pub open_min: u16,
    /// Closing time, minutes after midnight (up to 1440), after the opening time.
    pub close_min: u16,
}

/// Version 1 of the widget settings.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SettingsV1 {
    /// Panel title.
    pub title: String,
    /// First line shown to a visitor.
    pub greeting: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// `left` or `right`.
    pub position: String,
    /// Ask name and email before the chat.
    pub prechat: bool,
    /// Shown outside business hours or when nobody is online.
    pub away_message: String,
    /// The shop's time zone as minutes east of UTC.
    pub utc_offset_min: i32,
    /// Business hours; empty = always open.
    pub business_hours: Vec<OpeningHours>,
    /// Websites allowed to open visitor chats; empty = any.
    pub allowed_origins: Vec<String>,
}

impl Default for SettingsV1 {
    fn default() -> Self {
        SettingsV1 {
            // Empty texts mean "the widget's own text, in the visitor's language".
            title: String::new(),
            greeting: String::new(),
            colour: "#2563eb".into(),
            position: "right".into(),
            prechat: false,
            away_message: String::new(),
            utc_offset_min: 0,
            business_hours: Vec::new(),
            allowed_origins: Vec::new(),
        }
    }
}

/// The widget's texts in one language; an empty text falls back to the default one
/// (and an empty default to the widget's own text in the visitor's language).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalTexts {
    /// The language: `en` or `zh` (the widget's languages).
    pub language: String,
    /// Panel title.
    pub title: String,
    /// First line shown to a visitor.
    pub greeting: String,
    /// Shown outside business hours or when nobody is online.
    pub away_message: String,
}

/// Version 2 of the widget settings: version 1 plus texts per language.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SettingsV2 {
    /// Panel title (the default for every language).
    pub title: String,
    /// First line shown to a visitor (the default for every language).
    pub greeting: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// `left` or `right`.
    pub position: String,
    /// Ask name and email before the chat.
    pub prechat: bool,
    /// Shown outside business hours or when nobody is online (the default).
    pub away_message: String,
    /// The shop's time zone as minutes east of UTC.
    pub utc_offset_min: i32,
    /// Business hours; empty = always open.
    pub business_hours: Vec<OpeningHours>,
    /// Websites allowed to open visitor chats; empty = any.
    pub allowed_origins: Vec<String>,
    /// Texts per language, at most one entry per language (none: the defaults only).
    pub texts: Vec<LocalTexts>,
}

impl From<SettingsV1> for SettingsV2 {
    fn from(s: SettingsV1) -> Self {
        SettingsV2 {
            title: s.title,
            greeting: s.greeting,
            colour: s.colour,
            position: s.position,
            prechat: s.prechat,
            away_message: s.away_message,
            utc_offset_min: s.utc_offset_min,
            business_hours: s.business_hours,
            allowed_origins: s.allowed_origins,
            texts: Vec::new(),
        }
    }
}

/// Version 3 of the widget settings: version 2 plus a named time zone.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SettingsV3 {
    /// Panel title (the default for every language).
    pub title: String,
    /// First line shown to a visitor (the default for every language).
    pub greeting: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// `left` or `right`.
    pub position: String,
    /// Ask name and email before the chat.
    pub prechat: bool,
    /// Shown outside business hours or when nobody is online (the default).
    pub away_message: String,
    /// A fixed offset, minutes east of UTC: used only while `time_zone` is empty.
    pub utc_offset_min: i32,
    /// Business hours; empty = always open.
    pub business_hours: Vec<OpeningHours>,
    /// Websites allowed to open visitor chats; empty = any.
    pub allowed_origins: Vec<String>,
    /// Texts per language, at most one entry per language (none: the defaults only).
    pub texts: Vec<LocalTexts>,
    /// The shop's IANA time zone (`Europe/London`), with its daylight saving; empty: the
    /// fixed `utc_offset_min` (what every record written before version 3 keeps: an
    /// offset cannot tell which zone it was meant to be).
    pub time_zone: String,
}

impl From<SettingsV2> for SettingsV3 {
    fn from(s: SettingsV2) -> Self {
        SettingsV3 {
            title: s.title,
            greeting: s.greeting,
            colour: s.colour,
            position: s.position,
            prechat: s.prechat,
            away_message: s.away_message,
            utc_offset_min: s.utc_offset_min,
            business_hours: s.business_hours,
            allowed_origins: s.allowed_origins,
            texts: s.texts,
            time_zone: String::new(),
        }
    }
}

impl Default for SettingsV3 {
    fn default() -> Self {
        SettingsV2::from(SettingsV1::default()).into()
    }
}

impl SettingsV3 {
    /// The texts of `language`, if the owner wrote any.
    pub fn texts_of(&self, language: &str) -> Option<&LocalTexts> {
        self.texts.iter().find(|t| t.language == language)
    }
}

impl SettingsRecord {
    /// The record in the current version's shape.
    pub fn into_latest(self) -> SettingsV3 {
        match self {
            SettingsRecord::V1(s) => SettingsV2::from(s).into(),
            SettingsRecord::V2(s) => s.into(),
            SettingsRecord::V3(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::{decode, encode};

    #[test]
    fn version_1_settings_written_by_an_older_build_read_with_no_texts_per_language() {
        let v1 = SettingsV1 {
            title: "Chat".into(),
            greeting: "Hi".into(),
            ..SettingsV1::default()
        };
        let bytes = encode(&SettingsRecord::V1(v1));
        let latest = decode::<SettingsRecord>(&bytes, "settings")
            .expect("decodes")
            .into_latest();
        assert_eq!(
            (latest.title.as_str(), latest.greeting.as_str()),
            ("Chat", "Hi")
        );
        assert!(latest.texts.is_empty());
        assert!(latest.texts_of("zh").is_none());
    }

    #[test]
    fn settings_written_before_version_3_keep_their_fixed_offset() {
        let v2 = SettingsV2 {
            utc_offset_min: 330,
            ..SettingsV2::from(SettingsV1::default())
        };
        let bytes = encode(&SettingsRecord::V2(v2));
        let latest = decode::<SettingsRecord>(&bytes, "settings")
            .expect("decodes")
            .into_latest();
        assert_eq!(
            (latest.utc_offset_min, latest.time_zone.as_str()),
            (330, "")
        );
    }
}
