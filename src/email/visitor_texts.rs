//! The fixed texts of the emails visitors get (confirmation, reply, transcript) and of
//! the pages their links open, in English and Chinese (a missing text does not compile).

use super::render::Language;

/// Every fixed text of visitors' emails and link pages, in one language.
#[derive(Debug)]
pub struct VisitorStrings {
    /// Subject of the confirmation email.
    pub confirm_subject: &'static str,
    /// First paragraph of the confirmation email (before the address).
    pub confirm_intro: &'static str,
    /// The confirmation link's text.
    pub confirm_button: &'static str,
    /// Said when somebody else typed the address.
    pub confirm_not_you: &'static str,
    /// Subject of a reply email.
    pub reply_subject: &'static str,
    /// First line of a reply email.
    pub reply_intro: &'static str,
    /// The link back to the conversation.
    pub reply_button: &'static str,
    /// Said under the link: who has the link can read the conversation.
    pub reply_link_note: &'static str,
    /// Subject of a transcript.
    pub transcript_subject: &'static str,
    /// First line of a transcript.
    pub transcript_intro: &'static str,
    /// The visitor's own name in a transcript.
    pub you: &'static str,
    /// Author of bot messages.
    pub bot: &'static str,
    /// Author of system messages.
    pub system: &'static str,
    /// Footer of every visitor email, before the unsubscribe link.
    pub footer: &'static str,
    /// The unsubscribe link's text.
    pub unsubscribe: &'static str,
    /// Page: title and button of the confirmation page.
    pub page_confirm: &'static str,
    /// Page: done confirming.
    pub page_confirmed: &'static str,
    /// Page: title and button of the unsubscribe page.
    pub page_unsubscribe: &'static str,
    /// Page: done unsubscribing.
    pub page_unsubscribed: &'static str,
    /// Page: the link is broken or expired.
    pub page_bad_link: &'static str,
}

/// English.
pub const EN: VisitorStrings = VisitorStrings {
    confirm_subject: "Please confirm your email address",
    confirm_intro: "You left this address in a chat on our website, so that we can email you our replies:",
    confirm_button: "Confirm my address",
    confirm_not_you: "If this was not you, ignore this email: we will not write to you.",
    reply_subject: "You have a reply",
    reply_intro: "We answered you in the chat while you were away:",
    reply_button: "Continue the conversation",
    reply_link_note: "Anyone with this email can open the conversation with this link for 30 days.",
    transcript_subject: "Your conversation with us",
    transcript_intro: "Here is the conversation you asked for:",
    you: "You",
    bot: "Bot",
    system: "Chat",
    footer: "You get this email because you left your address in our chat.",
    unsubscribe: "Unsubscribe",
    page_confirm: "Confirm your email address",
    page_confirmed: "Thanks, your address is confirmed.",
    page_unsubscribe: "Stop all emails to this address",
    page_unsubscribed: "Done: we will not email this address again.",
    page_bad_link: "This link is broken or has expired.",
};

/// 简体中文。
pub const ZH: VisitorStrings = VisitorStrings {
    confirm_subject: "请确认您的邮箱地址",
    confirm_intro: "您在我们网站的聊天中留下了这个地址，以便我们通过邮件回复您：",
    confirm_button: "确认我的邮箱",
    confirm_not_you: "如果这不是您本人的操作，请忽略此邮件：我们不会再给您写信。",
    reply_subject: "您有一条新回复",
    reply_intro: "您离开后，我们在聊天中回复了您：",
    reply_button: "继续对话",
    reply_link_note: "30 天内，任何拿到这封邮件的人都可以通过此链接打开这段对话。",
    transcript_subject: "您与我们的对话记录",
    transcript_intro: "这是您要求发送的对话记录：",
    you: "您",
    bot: "机器人",
    system: "聊天",
    footer: "您收到这封邮件，是因为您在我们的聊天中留下了邮箱地址。",
    unsubscribe: "退订",
    page_confirm: "确认您的邮箱地址",
    page_confirmed: "谢谢，您的邮箱地址已确认。",
    page_unsubscribe: "停止向此地址发送任何邮件",
    page_unsubscribed: "完成：我们不会再向此地址发送邮件。",
    page_bad_link: "此链接无效或已过期。",
};

impl Language {
    /// The visitor texts in this language.
    pub fn visitor_strings(self) -> &'static VisitorStrings {
        match self {
            Language::En => &EN,
            Language::Zh => &ZH,
        }
    }
}
