//! Email 1, "a visitor is waiting and nobody is online", for one agent: the visitor's
//! details, the messages so far (newest [`MAX_LINES`]; agents-only notes left out), a
//! link that opens the conversation in the console, and a link to the agent's email
//! choices (also `List-Unsubscribe`). Pure: data in, [`Rendered`] out.

use std::fmt::Write as _;

use super::render::{Language, Rendered, escape, link};
use crate::store::records::{MessageV1, VisitorV2};
use crate::store::values::{StoredAuthorKind, StoredEvent};

/// Most messages one email lists.
pub const MAX_LINES: usize = 30;

/// Everything email 1 shows.
#[derive(Debug, Clone)]
pub struct Waiting<'a> {
    /// The conversation's id.
    pub conversation: u64,
    /// Its visitor's id.
    pub visitor_id: u64,
    /// The visitor, if stored.
    pub visitor: Option<&'a VisitorV2>,
    /// The messages so far, ascending, with their sequence numbers.
    pub messages: &'a [(u64, MessageV1)],
    /// True when an earlier email about this conversation went to this agent.
    pub again: bool,
    /// `--public-url`, without a trailing slash (None: no links).
    pub public_url: Option<&'a str>,
}

impl Waiting<'_> {
    /// The console's link to the conversation.
    pub fn conversation_link(&self) -> Option<String> {
        self.public_url
            .map(|u| format!("{u}/console/#/c/{}", self.conversation))
    }

    /// The console's link to the agent's email choices.
    pub fn choices_link(&self) -> Option<String> {
        self.public_url.map(|u| format!("{u}/console/#/profile"))
    }
}

/// `HH:MM` UTC of a Unix time in ms.
fn clock(at_ms: u64) -> String {
    let minutes = at_ms / 60_000;
    format!("{:02}:{:02} UTC", (minutes / 60) % 24, minutes % 60)
}

/// The visitor's display name.
fn visitor_name(w: &Waiting<'_>, language: Language) -> String {
    crate::visitor_alias::visitor_display_name(
        w.visitor_id,
        w.visitor.and_then(|v| v.name.as_deref()),
        language == Language::Zh,
    )
}

/// Who wrote a message, as the email shows it.
fn author(m: &MessageV1, language: Language, visitor: &str) -> String {
    let s = language.strings();
    match m.author_kind {
        StoredAuthorKind::Visitor => visitor.to_string(),
        StoredAuthorKind::Agent => m.author_name.clone(),
        StoredAuthorKind::Bot => s.bot.to_string(),
        StoredAuthorKind::System => s.system.to_string(),
    }
}

/// The email for one agent in `language`.
pub fn render(w: &Waiting<'_>, language: Language) -> Rendered {
    let s = language.strings();
    let name = visitor_name(w, language);
    let subject_head = if w.again {
        s.waiting_more_subject
    } else {
        s.waiting_subject
    };
    let subject = format!("{subject_head}: {name}");
    let intro = if w.again {
        s.waiting_more_intro
    } else {
        s.waiting_intro
    };
    let mut details: Vec<(&str, String)> = vec![(s.label_name, name.clone())];
    if let Some(v) = w.visitor {
        if let Some(email) = &v.email {
            details.push((s.label_email, email.clone()));
        }
        if let Some(page) = &v.page {
            details.push((s.label_page, page.clone()));
        }
        if let Some(lang) = &v.language {
            details.push((s.label_language, lang.clone()));
        }
    }
    details.push((s.label_conversation, format!("#{}", w.conversation)));
    // Agents-only notes never go by email.
    let shown: Vec<&(u64, MessageV1)> = w
        .messages
        .iter()
        .filter(|(_, m)| m.event != Some(StoredEvent::Note))
        .collect();
    let skipped = shown.len().saturating_sub(MAX_LINES);
    let lines = &shown[skipped..];

    let mut text = format!("{intro}\n\n{}\n", s.visitor_heading);
    let mut html = format!(
        "<p style=\"margin-top:0\">{}</p>\n<h3 style=\"margin-bottom:4px\">{}</h3>\n\
         <table style=\"border-collapse:collapse\">",
        escape(intro),
        escape(s.visitor_heading)
    );
    for (label, value) in &details {
        let _ = writeln!(text, "  {label}: {value}");
        let _ = write!(
            html,
            "<tr><td style=\"color:#6b7280;padding-right:12px\">{}</td><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    html.push_str("</table>\n");
    let _ = write!(text, "\n{}\n", s.messages_heading);
    let _ = writeln!(
        html,
        "<h3 style=\"margin-bottom:4px\">{}</h3>",
        escape(s.messages_heading)
    );
    if skipped > 0 {
        let _ = writeln!(text, "  ({skipped} {})", s.earlier_left_out);
        let _ = writeln!(
            html,
            "<p style=\"color:#6b7280\">({skipped} {})</p>",
            escape(s.earlier_left_out)
        );
    }
    for (_, m) in lines {
        let who = author(m, language, &name);
        let when = clock(m.at_ms);
        let _ = writeln!(text, "[{when}] {who}: {}", m.body);
        let _ = writeln!(
            html,
            "<p style=\"margin:6px 0\"><span style=\"color:#6b7280\">{}</span> \
             <b>{}</b><br><span style=\"white-space:pre-wrap\">{}</span></p>",
            escape(&when),
            escape(&who),
            escape(&m.body)
        );
    }
    match w.conversation_link() {
        Some(url) => {
            let _ = write!(text, "\n{}: {url}\n", s.open_conversation);
            let _ = writeln!(
                html,
                "<p style=\"margin:20px 0\"><a href=\"{}\" style=\"background:#2563eb;\
                 color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>",
                escape(&url),
                escape(s.open_conversation)
            );
        }
        None => {
            let _ = write!(text, "\n{}\n", s.open_console);
            let _ = writeln!(html, "<p>{}</p>", escape(s.open_console));
        }
    }
    let choices = w.choices_link();
    let _ = write!(text, "\n--\n{}", s.agent_footer);
    let _ = write!(
        html,
        "<hr style=\"border:none;border-top:1px solid #e5e7eb\">\
         <p style=\"color:#6b7280;font-size:13px\">{}",
        escape(s.agent_footer)
    );
    if let Some(url) = &choices {
        let _ = write!(text, "\n{}: {url}", s.change_choices);
        let _ = write!(html, " {}", link(url, s.change_choices));
    }
    text.push('\n');
    html.push_str("</p>");
    Rendered {
        subject,
        text,
        html,
        unsubscribe: choices,
        one_click: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: StoredAuthorKind, body: &str, event: Option<StoredEvent>) -> MessageV1 {
        MessageV1 {
            at_ms: 1_795_338_445_376,
            author_kind: kind,
            author_id: 1,
            author_name: "Alice".into(),
            body: body.into(),
            client_id: None,
            event,
        }
    }

    #[test]
    fn every_user_string_is_escaped_and_notes_are_left_out() {
        let visitor = VisitorV2 {
            name: Some("<b>Eve</b>".into()),
            email: Some("eve@x.example".into()),
            page: Some("https://shop.example/?a=<script>".into()),
            ..VisitorV2::default()
        };
        let messages = vec![
            (
                1,
                message(
                    StoredAuthorKind::Visitor,
                    "<img src=x onerror=alert(1)>",
                    None,
                ),
            ),
            (
                2,
                message(
                    StoredAuthorKind::Agent,
                    "secret note",
                    Some(StoredEvent::Note),
                ),
            ),
        ];
        let w = Waiting {
            conversation: 9,
            visitor_id: 4,
            visitor: Some(&visitor),
            messages: &messages,
            again: false,
            public_url: Some("https://chat.shop.example"),
        };
        let r = render(&w, Language::En);
        assert!(
            !r.html.contains("<img") && !r.html.contains("<script") && !r.html.contains("<b>Eve")
        );
        assert!(r.html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!r.text.contains("secret note") && !r.html.contains("secret note"));
        assert!(
            r.text.contains("<img src=x onerror=alert(1)>"),
            "plain text stays plain"
        );
        assert!(r.text.contains("https://chat.shop.example/console/#/c/9"));
        assert_eq!(
            r.unsubscribe.as_deref(),
            Some("https://chat.shop.example/console/#/profile")
        );
        assert_eq!(r.subject, "A visitor is waiting: <b>Eve</b>");
        let zh = render(
            &Waiting {
                again: true,
                public_url: None,
                ..w
            },
            Language::Zh,
        );
        assert!(zh.subject.starts_with("等待中的访客发来了新消息"));
        assert!(zh.text.contains("请打开 deskbell 控制台回复"));
        assert_eq!(zh.unsubscribe, None);
    }

    #[test]
    fn long_conversations_show_the_newest_lines() {
        let messages: Vec<_> = (1..=40)
            .map(|i| {
                (
                    i,
                    message(StoredAuthorKind::Visitor, &format!("line {i}"), None),
                )
            })
            .collect();
        let w = Waiting {
            conversation: 1,
            visitor_id: 1,
            visitor: None,
            messages: &messages,
            again: false,
            public_url: None,
        };
        let r = render(&w, Language::En);
        assert!(r.text.contains("(10 earlier messages left out)"));
        assert!(!r.text.contains("line 10\n") && r.text.contains("line 40"));
        let alias = crate::visitor_alias::visitor_alias(1);
        assert!(r.text.contains(&alias.en), "the visitor's friendly name");
    }
}
