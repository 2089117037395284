//! The emails a visitor gets, rendered: the address confirmation, an agent's replies
//! (email 2) with the link back to the conversation, and the transcript (email 3).
//! Each ends with the unsubscribe link (also `List-Unsubscribe`). Only messages the
//! visitor sees are shown (no notes, suggestions or feedback); every string is escaped.
//! A message's files are listed under it, each a link to its download when the public
//! address is known (`files_base`). Pure: data in, [`Rendered`] out.

use std::fmt::Write as _;

use super::render::{Language, Rendered, escape, link};
use crate::store::records::MessageV1;
use crate::store::values::{StoredAuthorKind, StoredEvent};

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

/// The files of message `m`, one line each: the name and size, and the download link
/// under `files_base` (`…/api/files/`) when given.
fn files(m: &MessageV1, files_base: Option<&str>, text: &mut String, html: &mut String) {
    let Some(StoredEvent::Attachments { files }) = &m.event else {
        return;
    };
    for f in files {
        let size = format!("{} kB", f.size.div_ceil(1000));
        let url =
            files_base.map(|base| format!("{base}{}", crate::store::file_token::format(&f.token)));
        let _ = match &url {
            Some(url) => writeln!(text, "  📎 {} ({size}): {url}", f.name),
            None => writeln!(text, "  📎 {} ({size})", f.name),
        };
        let name = match &url {
            Some(url) => link(url, &f.name),
            None => escape(&f.name),
        };
        let _ = writeln!(
            html,
            "<p style=\"margin:2px 0 6px 12px\">📎 {name} <span style=\"color:#6b7280\">({})</span></p>",
            escape(&size)
        );
    }
}

/// The messages as text and HTML lines.
fn lines(
    messages: &[&MessageV1],
    files_base: Option<&str>,
    language: Language,
    text: &mut String,
    html: &mut String,
) {
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
        files(m, files_base, text, html);
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
    files_base: Option<&str>,
    resume_url: Option<&str>,
    unsubscribe: Option<&str>,
    language: Language,
) -> Rendered {
    let s = language.visitor_strings();
    let mut text = format!("{}\n\n", s.reply_intro);
    let mut html = format!("<p style=\"margin-top:0\">{}</p>\n", escape(s.reply_intro));
    lines(replies, files_base, language, &mut text, &mut html);
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
    files_base: Option<&str>,
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
    lines(
        &messages[start..],
        files_base,
        language,
        &mut text,
        &mut html,
    );
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
            None,
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
        let r = transcript(&[&hello], None, None, Language::En);
        assert!(r.text.contains("You: hello"));
    }

    #[test]
    fn files_are_listed_with_their_links() {
        let mut receipt = message(StoredAuthorKind::Agent, "");
        receipt.event = Some(StoredEvent::Attachments {
            files: vec![crate::store::values::StoredAttachment {
                token: [0xab; 16],
                name: "receipt <1>.pdf".into(),
                content_type: "application/pdf".into(),
                size: 1_500,
            }],
        });
        let base = "https://chat.example/api/files/";
        let r = reply(&[&receipt], Some(base), None, None, Language::En);
        let url = format!("{base}{}", "ab".repeat(16));
        assert!(
            r.text
                .contains(&format!("📎 receipt <1>.pdf (2 kB): {url}")),
            "{}",
            r.text
        );
        assert!(r.html.contains(&format!("href=\"{url}\"")), "{}", r.html);
        assert!(r.html.contains("receipt &lt;1&gt;.pdf") && !r.html.contains("<1>"));
        let without = transcript(&[&receipt], None, None, Language::En);
        assert!(
            without.text.contains("📎 receipt <1>.pdf (2 kB)\n"),
            "no address: no link"
        );
    }
}
