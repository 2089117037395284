//! The shop's widget settings: checking what an admin submits (also the title, greeting
//! and away message per language, the time zone). Pure; whether the shop is open is
//! [`crate::business_hours`], and the settings themselves are stored by [`crate::store`].

use serde::{Deserialize, Serialize};

use crate::business_hours::checked_time_zone;
use crate::store::records::{LocalTexts, OpeningHours, SettingsV3};

/// Settings as the HTTP API shows and accepts them (times as `"HH:MM"`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// Panel title.
    pub title: String,
    /// First line shown to a visitor.
    pub greeting: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// `left` or `right`.
    pub position: String,
    /// Ask name and email first.
    pub prechat: bool,
    /// Shown when closed or nobody is online.
    pub away_message: String,
    /// A fixed offset, minutes east of UTC: used only when `time_zone` is empty.
    #[serde(default)]
    pub utc_offset_min: i32,
    /// The shop's IANA time zone (`Europe/London`); empty or absent: the fixed offset.
    #[serde(default)]
    pub time_zone: String,
    /// Opening hours per weekday.
    pub business_hours: Vec<HoursBody>,
    /// Websites allowed to open visitor chats.
    pub allowed_origins: Vec<String>,
    /// Title, greeting and away message per language; absent in a `PUT`: kept as stored.
    #[serde(default)]
    pub texts: Option<TextsBody>,
}

/// The languages the widget speaks, as `texts` keys: English and Simplified Chinese.
pub const TEXT_LANGUAGES: [&str; 2] = ["en", "zh"];

/// The shop's texts per widget language; an empty text means "the default one".
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct TextsBody {
    /// For visitors whose widget speaks English.
    #[serde(default)]
    pub en: LanguageTexts,
    /// For visitors whose widget speaks Chinese.
    #[serde(default)]
    pub zh: LanguageTexts,
}

/// One language's texts as the API shows them (empty: the default text).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct LanguageTexts {
    /// Panel title.
    #[serde(default)]
    pub title: String,
    /// First line shown to a visitor.
    #[serde(default)]
    pub greeting: String,
    /// Shown when closed or nobody is online.
    #[serde(default)]
    pub away_message: String,
}

impl TextsBody {
    /// Checked like the default texts, and stored only for languages with some text.
    fn validate(self) -> Result<Vec<LocalTexts>, String> {
        let mut stored = Vec::new();
        for (language, t) in TEXT_LANGUAGES.into_iter().zip([self.en, self.zh]) {
            let local = LocalTexts {
                language: language.to_string(),
                title: text(&format!("texts.{language}.title"), &t.title, TITLE_MAX)?,
                greeting: text(
                    &format!("texts.{language}.greeting"),
                    &t.greeting,
                    GREETING_MAX,
                )?,
                away_message: text(
                    &format!("texts.{language}.away_message"),
                    &t.away_message,
                    AWAY_MAX,
                )?,
            };
            if !(local.title.is_empty()
                && local.greeting.is_empty()
                && local.away_message.is_empty())
            {
                stored.push(local);
            }
        }
        Ok(stored)
    }

    /// The API form of stored texts (both languages, empty where none are set).
    pub fn from_stored(s: &SettingsV3) -> TextsBody {
        let of = |language: &str| {
            s.texts_of(language)
                .map(|t| LanguageTexts {
                    title: t.title.clone(),
                    greeting: t.greeting.clone(),
                    away_message: t.away_message.clone(),
                })
                .unwrap_or_default()
        };
        TextsBody {
            en: of("en"),
            zh: of("zh"),
        }
    }
}

/// Most characters of a title, a greeting and an away message.
const TITLE_MAX: usize = 60;
const GREETING_MAX: usize = 300;
const AWAY_MAX: usize = 500;

/// One weekday's hours as the API shows them.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// 0 = Sunday … 6 = Saturday.
    pub day: u8,
    /// `"09:00"`.
    pub open: String,
    /// `"17:30"` (up to `"24:00"`).
    pub close: String,
}

fn parse_time(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

fn format_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn valid_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty() && !host.contains('/') && !host.contains(char::is_whitespace)
    })
}

fn text(field: &str, value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!(
            "{field} must be at most {max} printable characters"
        ));
    }
    Ok(value.to_string())
}

impl SettingsBody {
    /// Checks every field and converts to the stored form, or says what is wrong;
    /// `kept`: the stored texts per language, kept when the body has no `texts`.
    pub fn validate(self, kept: &[LocalTexts]) -> Result<SettingsV3, String> {
        let colour_ok = self.colour.len() == 7
            && self.colour.starts_with('#')
            && self.colour[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !colour_ok {
            return Err("colour must look like #2563eb".into());
        }
        if self.position != "left" && self.position != "right" {
            return Err("position must be left or right".into());
        }
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_min) {
            return Err("utc_offset_min must be between -840 and 840".into());
        }
        let time_zone = match self.time_zone.trim() {
            "" => String::new(),
            name => checked_time_zone(name)?,
        };
        let mut business_hours = Vec::new();
        for hours in &self.business_hours {
            let (Some(open_min), Some(close_min)) =
                (parse_time(&hours.open), parse_time(&hours.close))
            else {
                return Err(format!(
                    "business hours must be HH:MM, got {} - {}",
                    hours.open, hours.close
                ));
            };
            if hours.day > 6 || close_min <= open_min {
                return Err("each business-hours entry needs a day 0-6 and a closing time after the opening time".into());
            }
            business_hours.push(OpeningHours {
                day: hours.day,
                open_min,
                close_min,
            });
        }
        let mut allowed_origins = Vec::new();
        for origin in self
            .allowed_origins
            .iter()
            .map(|o| o.trim().trim_end_matches('/'))
        {
            if !valid_origin(origin) {
                return Err(format!(
                    "{origin:?} is not an origin like https://shop.example"
                ));
            }
            allowed_origins.push(origin.to_string());
        }
        Ok(SettingsV3 {
            title: text("title", &self.title, TITLE_MAX)?,
            greeting: text("greeting", &self.greeting, GREETING_MAX)?,
            colour: self.colour.to_lowercase(),
            position: self.position,
            prechat: self.prechat,
            away_message: text("away_message", &self.away_message, AWAY_MAX)?,
            // A named zone makes the offset meaningless: stored as 0 so it never misleads.
            utc_offset_min: if time_zone.is_empty() {
                self.utc_offset_min
            } else {
                0
            },
            time_zone,
            business_hours,
            allowed_origins,
            texts: match self.texts {
                Some(texts) => texts.validate()?,
                None => kept.to_vec(),
            },
        })
    }

    /// The API form of stored settings.
    pub fn from_stored(s: &SettingsV3) -> SettingsBody {
        SettingsBody {
            title: s.title.clone(),
            greeting: s.greeting.clone(),
            colour: s.colour.clone(),
            position: s.position.clone(),
            prechat: s.prechat,
            away_message: s.away_message.clone(),
            utc_offset_min: s.utc_offset_min,
            time_zone: s.time_zone.clone(),
            business_hours: s
                .business_hours
                .iter()
                .map(|h| HoursBody {
                    day: h.day,
                    open: format_time(h.open_min),
                    close: format_time(h.close_min),
                })
                .collect(),
            allowed_origins: s.allowed_origins.clone(),
            texts: Some(TextsBody::from_stored(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> SettingsBody {
        SettingsBody::from_stored(&SettingsV3::default())
    }

    #[test]
    fn submitted_settings_are_checked() {
        assert!(body().validate(&[]).is_ok());
        let bad_colour = SettingsBody {
            colour: "blue".into(),
            ..body()
        };
        assert!(
            bad_colour
                .validate(&[])
                .expect_err("refused")
                .contains("colour")
        );
        let bad_hours = SettingsBody {
            business_hours: vec![HoursBody {
                day: 1,
                open: "17:00".into(),
                close: "09:00".into(),
            }],
            ..body()
        };
        assert!(bad_hours.validate(&[]).is_err());
        let bad_origin = SettingsBody {
            allowed_origins: vec!["shop.example".into()],
            ..body()
        };
        assert!(bad_origin.validate(&[]).is_err());
        let bad_zone = SettingsBody {
            time_zone: "Europe/Bristol".into(),
            ..body()
        };
        let why = bad_zone.validate(&[]).expect_err("refused");
        assert!(why.contains("time zone"), "{why}");
        let named = SettingsBody {
            time_zone: "europe/london".into(),
            utc_offset_min: 60,
            ..body()
        };
        let stored = named.validate(&[]).expect("valid");
        assert_eq!(
            (stored.time_zone.as_str(), stored.utc_offset_min),
            ("Europe/London", 0)
        );
        let good = SettingsBody {
            business_hours: vec![HoursBody {
                day: 6,
                open: "10:00".into(),
                close: "24:00".into(),
            }],
            allowed_origins: vec!["https://shop.example/".into()],
            ..body()
        };
        let stored = good.validate(&[]).expect("valid");
        assert_eq!(stored.allowed_origins, ["https://shop.example"]);
        assert_eq!(
            SettingsBody::from_stored(&stored).business_hours[0].close,
            "24:00"
        );
    }

    #[test]
    fn texts_per_language_are_checked_stored_only_when_written_and_kept_when_absent() {
        let zh = LanguageTexts {
            title: " 在线客服 ".into(),
            ..LanguageTexts::default()
        };
        let with_texts = SettingsBody {
            texts: Some(TextsBody {
                zh: zh.clone(),
                ..TextsBody::default()
            }),
            ..body()
        };
        let stored = with_texts.validate(&[]).expect("valid");
        assert_eq!(stored.texts.len(), 1, "English has no text of its own");
        assert_eq!(
            stored.texts_of("zh").map(|t| t.title.as_str()),
            Some("在线客服")
        );
        let shown = SettingsBody::from_stored(&stored).texts.expect("shown");
        assert_eq!(
            (shown.en.title.as_str(), shown.zh.title.as_str()),
            ("", "在线客服")
        );

        let without = SettingsBody {
            texts: None,
            ..body()
        };
        assert_eq!(
            without.validate(&stored.texts).expect("valid").texts,
            stored.texts
        );

        let too_long = SettingsBody {
            texts: Some(TextsBody {
                en: LanguageTexts {
                    greeting: "x".repeat(GREETING_MAX + 1),
                    ..LanguageTexts::default()
                },
                ..TextsBody::default()
            }),
            ..body()
        };
        let why = too_long.validate(&[]).expect_err("refused");
        assert!(why.contains("texts.en.greeting"), "{why}");
        let unknown: Result<TextsBody, _> = serde_json::from_str(r#"{"fr":{"title":"Bonjour"}}"#);
        assert!(unknown.is_err(), "only the widget's languages");
    }
}
