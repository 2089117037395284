//! Turning what an email says into a message: the language ([`Language`]), HTML
//! escaping of every user-provided string ([`escape`]), the HTML frame (inline styles, no
//! script, no remote images), and [`build`], which makes the multipart plain + HTML
//! message with `List-Unsubscribe`. The texts themselves are in `templates_en` and
//! `templates_zh`; the emails' contents in `waiting`.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::Mailer;
use super::templates::Strings;

/// The languages emails are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Language {
    /// The language of a code such as `zh`, `zh-CN`, `en-GB`; None for others.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::En),
            "zh" => Some(Language::Zh),
            _ => None,
        }
    }

    /// The language of a browser's language (Chinese or else English).
    pub fn of_browser(code: Option<&str>) -> Language {
        code.and_then(Language::from_code).unwrap_or_default()
    }

    /// The language an agent chose on their profile.
    pub fn of_agent(agent: &crate::store::records::AgentV4) -> Language {
        Language::of_browser(agent.language.as_deref())
    }

    /// The language an agent reads the console in: their console language, else the
    /// language of their emails (for what the server writes to them outside an email,
    /// such as a push notification).
    pub fn of_console(agent: &crate::store::records::AgentV4) -> Language {
        agent
            .console_language
            .as_deref()
            .and_then(Language::from_code)
            .unwrap_or_else(|| Language::of_agent(agent))
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }

    /// The texts in this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Language::En => &super::templates_en::STRINGS,
            Language::Zh => &super::templates_zh::STRINGS,
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What one email says, in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line (plain text).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body's inside (already escaped), put into [`page`] by [`build`].
    pub html: String,
    /// Where one click unsubscribes or changes the choice (`List-Unsubscribe`).
    pub unsubscribe: Option<String>,
    /// True when a POST to `unsubscribe` unsubscribes at once (RFC 8058:
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
    pub one_click: bool,
}

/// A whole HTML document around `body`: inline styles only, nothing remote, no script.
pub fn page(language: Language, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"margin:0;padding:16px;background:#f6f7f9;\
         font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;\
         color:#1f2937;font-size:15px;line-height:1.5\">\
         <div style=\"max-width:600px;margin:0 auto;background:#ffffff;\
         border:1px solid #e5e7eb;border-radius:8px;padding:20px\">\n{body}\n</div>\
         </body></html>\n",
        language.code()
    )
}

/// A link as HTML: only `http(s)` URLs become links; the text is escaped.
pub fn link(url: &str, text: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!(
            "<a href=\"{}\" style=\"color:#2563eb\">{}</a>",
            escape(url),
            escape(text)
        )
    } else {
        escape(text)
    }
}

/// The multipart message (`text/plain` then `text/html`) from the mailer's sender to
/// `to`, with `List-Unsubscribe` when there is a link for it.
pub fn build(
    mailer: &Mailer,
    to: &str,
    language: Language,
    rendered: Rendered,
) -> Result<Message, String> {
    let to: Mailbox = to
        .parse()
        .map_err(|e| format!("{to:?} is not an email address ({e})"))?;
    let mut builder = Message::builder()
        .from(mailer.from().clone())
        .to(to)
        .subject(rendered.subject);
    if let Some(url) = &rendered.unsubscribe {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
        if rendered.one_click {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
        }
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(rendered.text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(page(language, &rendered.html)),
                ),
        )
        .map_err(|e| format!("building the email: {e}"))
}

/// The short email of "send a test email".
pub fn test_email(mailer: &Mailer, to: &str, language: Language) -> Result<Message, String> {
    let s = language.strings();
    let rendered = Rendered {
        subject: s.test_subject.to_string(),
        text: format!("{}\n\n{}\n", s.test_body, mailer.server()),
        html: format!(
            "<p>{}</p><p style=\"color:#6b7280\">{}</p>",
            escape(s.test_body),
            escape(mailer.server())
        ),
        unsubscribe: None,
        one_click: false,
    };
    build(mailer, to, language, rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(link("javascript:alert(1)", "x"), "x");
        assert!(link("https://a.example/?q=\"><b>", "t").contains("&quot;&gt;&lt;b&gt;"));
    }

    #[test]
    fn languages_from_browser_codes() {
        assert_eq!(Language::of_browser(Some("zh-CN")), Language::Zh);
        assert_eq!(Language::of_browser(Some("en-GB")), Language::En);
        assert_eq!(Language::of_browser(Some("fr")), Language::En);
        assert_eq!(Language::of_browser(None), Language::En);
        assert_eq!(Language::from_code("de"), None);
    }
}
