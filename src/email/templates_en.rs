//! The emails' texts in English.

use super::templates::Strings;

/// English.
pub const STRINGS: Strings = Strings {
    test_subject: "deskbell test email",
    test_body: "This is a test email from deskbell. If you can read it, email works. Sent through:",
    waiting_subject: "A visitor is waiting",
    waiting_more_subject: "More messages from a waiting visitor",
    waiting_intro: "A visitor wrote while no agent was online. Nobody has answered yet.",
    waiting_more_intro: "The visitor wrote again, and nobody has answered yet.",
    visitor_heading: "Visitor",
    messages_heading: "Messages",
    label_name: "Name",
    label_email: "Email",
    label_page: "Page",
    label_language: "Language",
    label_conversation: "Conversation",
    visitor: "Visitor",
    bot: "Bot",
    system: "deskbell",
    open_conversation: "Open the conversation",
    open_console: "Open the deskbell console to answer.",
    earlier_left_out: "earlier messages left out",
    agent_footer: "You get this email because your deskbell profile asks for \"a visitor is waiting\" emails.",
    change_choices: "Change your email choices",
};
