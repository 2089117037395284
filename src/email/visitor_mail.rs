//! The emails a visitor gets, rendered: the address confirmation, an agent's replies
//! (email 2) with the link back to the conversation, and the transcript (email 3).
//! Each ends with the unsubscribe link (also `List-Unsubscribe`). Only messages the
//! visitor sees are shown (no notes, suggestions or feedback); every string is escaped.
//! Pure: data in, [`Rendered`] out.

use std::fmt::Write as _;

use super::render::{Language, Rendered, escape, link};
use crate::store::records::MessageV1;
use crate::store::values::StoredAuthorKind;

/// Most messages a transcript lists (the newest).
pub const MAX_TRANSCRIPT: usize = 500;

/// `YYYY-MM-DD HH:MM` UTC of a Unix time in ms.
fn when(at_ms: u64) -> String {
    let iso = crate::store::iso_time(at_ms);
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

/// Whether the visitor sees `m` in the widget.
pub fn visible(m: &MessageV1) -> bool {
    !m.event.as_ref().is_some_and(|e| e.agents_only())
}

/// The messages as text and HTML lines.
fn lines(messages: &[&MessageV1], language: Language, text: &mut String, html: &mut String) {
    let s = language.visitor_strings();
    for m in messages {
        let who = match m.author_kind {
            StoredAuthorKind::Visitor => s.you,
            StoredAuthorKind::Agent => m.author_name.as_str(),
            StoredAuthorKind::Bot => s.bot,
            StoredAuthorKind::System => s.system,
        };
        let at = when(m.at_ms);
        let _ = writeln!(text, "[{at}] {who}: {}", m.body);
        let _ = writeln!(
            html,
            "<p style=\"margin:6px 0\"><span style=\"color:#6b7280\">{}</span> \
             <b>{}</b><br><span style=\"white-space:pre-wrap\">{}</span></p>",
            escape(&at),
            escape(who),
            escape(&m.body)
        );
    }
}

/// A big link button (HTML) and its plain-text line.
fn button(url: &str, label: &str, text: &mut String, html: &mut String) {
    let _ = write!(text, "\n{label}: {url}\n");
    let _ = writeln!(
        html,
        "<p style=\"margin:20px 0\"><a href=\"{}\" style=\"background:#2563eb;\
         color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>",
        escape(url),
        escape(label)
    );
}

/// The footer with the unsubscribe link, and the finished [`Rendered`].
fn finish(
    subject: &str,
    mut text: String,
    mut html: String,
    unsubscribe: Option<&str>,
    language: Language,
) -> Rendered {
    let s = language.visitor_strings();
    let _ = write!(text, "\n--\n{}", s.footer);
    let _ = write!(
        html,
        "<hr style=\"border:none;border-top:1px solid #e5e7eb\">\
         <p style=\"color:#6b7280;font-size:13px\">{}",
        escape(s.footer)
    );
    if let Some(url) = unsubscribe {
        let _ = write!(text, "\n{}: {url}", s.unsubscribe);
        let _ = write!(html, " {}", link(url, s.unsubscribe));
    }
    text.push('\n');
    html.push_str("</p>");
    Rendered {
        subject: subject.to_string(),
        text,
        html,
        unsubscribe: unsubscribe.map(str::to_string),
        one_click: unsubscribe.is_some(),
    }
}

/// The confirmation email for `address`, with its link.
pub fn confirmation(
    address: &str,
    confirm_url: &str,
    unsubscribe: Option<&str>,
    language: Language,
) -> Rendered {
    let s = language.visitor_strings();
    let mut text = format!("{}\n\n  {address}\n", s.confirm_intro);
    let mut html = format!(
        "<p style=\"margin-top:0\">{}</p><p><b>{}</b></p>",
        escape(s.confirm_intro),
        escape(address)
    );
    button(confirm_url, s.confirm_button, &mut text, &mut html);
    let _ = writeln!(text, "\n{}", s.confirm_not_you);
    let _ = writeln!(html, "<p>{}</p>", escape(s.confirm_not_you));
    finish(s.confirm_subject, text, html, unsubscribe, language)
}

/// Email 2: the agents' replies the visitor has not read, and the link back.
pub fn reply(
    replies: &[&MessageV1],
    resume_url: Option<&str>,
    unsubscribe: Option<&str>,
    language: Language,
) -> Rendered {
    let s = language.visitor_strings();
    let mut text = format!("{}\n\n", s.reply_intro);
    let mut html = format!("<p style=\"margin-top:0\">{}</p>\n", escape(s.reply_intro));
    lines(replies, language, &mut text, &mut html);
    if let Some(url) = resume_url {
        button(url, s.reply_button, &mut text, &mut html);
        let _ = writeln!(text, "{}", s.reply_link_note);
        let _ = writeln!(
            html,
            "<p style=\"color:#6b7280;font-size:13px\">{}</p>",
            escape(s.reply_link_note)
        );
    }
    finish(s.reply_subject, text, html, unsubscribe, language)
}

/// Email 3: the conversation (the newest [`MAX_TRANSCRIPT`] messages the visitor sees).
pub fn transcript(
    messages: &[&MessageV1],
    unsubscribe: Option<&str>,
    language: Language,
) -> Rendered {
    let s = language.visitor_strings();
    let start = messages.len().saturating_sub(MAX_TRANSCRIPT);
    let mut text = format!("{}\n\n", s.transcript_intro);
    let mut html = format!(
        "<p style=\"margin-top:0\">{}</p>\n",
        escape(s.transcript_intro)
    );
    lines(&messages[start..], language, &mut text, &mut html);
    finish(s.transcript_subject, text, html, unsubscribe, language)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::values::StoredEvent;

    fn message(kind: StoredAuthorKind, body: &str) -> MessageV1 {
        MessageV1 {
            at_ms: 1_795_338_445_376,
            author_kind: kind,
            author_id: 1,
            author_name: "Alice <admin>".into(),
            body: body.into(),
            client_id: None,
            event: None,
        }
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_795_338_445_376), "2026-11-22 09:07 UTC");
    }

    #[test]
    fn everything_is_escaped_and_linked_safely() {
        let m = message(StoredAuthorKind::Agent, "<script>x</script>");
        let r = reply(
            &[&m],
            Some("https://shop.example/p#deskbell-resume=abc"),
            Some("https://chat.example/email/unsubscribe?token=t"),
            Language::En,
        );
        assert!(!r.html.contains("<script>") && !r.html.contains("<admin>"));
        assert!(r.text.contains("Alice <admin>: <script>x</script>"));
        assert!(
            r.html
                .contains("href=\"https://shop.example/p#deskbell-resume=abc\"")
        );
        assert_eq!(
            r.unsubscribe.as_deref(),
            Some("https://chat.example/email/unsubscribe?token=t")
        );
        let c = confirmation("\"e\"@x.example", "https://c/e?t=1", None, Language::Zh);
        assert_eq!(c.subject, "请确认您的邮箱地址");
        assert!(c.html.contains("&quot;e&quot;@x.example"));
    }

    #[test]
    fn transcripts_hide_what_is_for_agents() {
        let mut note = message(StoredAuthorKind::Agent, "internal");
        note.event = Some(StoredEvent::Note);
        let hello = message(StoredAuthorKind::Visitor, "hello");
        assert!(!visible(&note) && visible(&hello));
        let r = transcript(&[&hello], None, Language::En);
        assert!(r.text.contains("You: hello"));
    }
}
