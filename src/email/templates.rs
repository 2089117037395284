//! The shape of an email language: every fixed text the emails use, filled in by
//! `templates_en` and `templates_zh` (a missing text does not compile).

/// Every fixed text of the emails, in one language.
#[derive(Debug)]
pub struct Strings {
    /// Subject of the test email.
    pub test_subject: &'static str,
    /// Body of the test email (followed by the server's name).
    pub test_body: &'static str,
    /// Subject of "a visitor is waiting", before the visitor's name.
    pub waiting_subject: &'static str,
    /// Subject when more messages came in a conversation already announced.
    pub waiting_more_subject: &'static str,
    /// First line of "a visitor is waiting".
    pub waiting_intro: &'static str,
    /// First line when more messages came.
    pub waiting_more_intro: &'static str,
    /// Heading of the visitor's details.
    pub visitor_heading: &'static str,
    /// Heading of the messages.
    pub messages_heading: &'static str,
    /// Label: the visitor's name.
    pub label_name: &'static str,
    /// Label: the visitor's email.
    pub label_email: &'static str,
    /// Label: the page the visitor is on.
    pub label_page: &'static str,
    /// Label: the visitor's browser language.
    pub label_language: &'static str,
    /// Label: the conversation number.
    pub label_conversation: &'static str,
    /// A visitor without a name ("Visitor").
    pub visitor: &'static str,
    /// Author of bot messages.
    pub bot: &'static str,
    /// Author of system messages.
    pub system: &'static str,
    /// The link that opens the conversation in the console.
    pub open_conversation: &'static str,
    /// Said when there is no link (no `--public-url`).
    pub open_console: &'static str,
    /// Messages left out because the email would be too long.
    pub earlier_left_out: &'static str,
    /// Why the agent gets this email, before the link to their choices.
    pub agent_footer: &'static str,
    /// The link to the profile's notification choices.
    pub change_choices: &'static str,
}
