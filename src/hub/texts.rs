//! The English texts of system messages, in one table, out of the hub's logic. Agents'
//! names are looked up by the caller and passed in.

use crate::protocol::{ConversationEvent, HandoffReason};

/// The text of the system message recording `event`; `name` gives an agent's display
/// name, `by` is who acted (for a reopen).
pub fn describe(event: &ConversationEvent, by: u64, name: impl Fn(u64) -> String) -> String {
    match event {
        ConversationEvent::Queued => "Waiting for the next available agent".into(),
        ConversationEvent::Assigned { agent } => {
            format!("{} joined the conversation", name(*agent))
        }
        ConversationEvent::Transferred { from, to } => {
            format!("{} handed the conversation to {}", name(*from), name(*to))
        }
        ConversationEvent::Closed { by: 0 } => "Closed after a period of inactivity".into(),
        ConversationEvent::Closed { by } => format!("{} closed the conversation", name(*by)),
        ConversationEvent::Reopened { .. } => format!("{} reopened the conversation", name(by)),
        ConversationEvent::Note => "Internal note".into(),
        ConversationEvent::HandedOff { reason } => match reason {
            HandoffReason::HumanRequested => "The visitor asked for a person".into(),
            HandoffReason::Frustrated => {
                "Handed to the team: the visitor was unhappy with the bot".into()
            }
            HandoffReason::LowConfidence => {
                "Handed to the team: the bot did not know the answer".into()
            }
            HandoffReason::BotUnavailable => "Handed to the team".into(),
        },
        ConversationEvent::Feedback { helpful: true, .. } => {
            "The visitor found the bot's answer helpful".into()
        }
        ConversationEvent::Feedback { helpful: false, .. } => {
            "The visitor did not find the bot's answer helpful".into()
        }
        ConversationEvent::BotAnswer { .. } => "Answer from the FAQ".into(),
        ConversationEvent::Suggestions { .. } => "Suggested replies".into(),
        ConversationEvent::Choices { .. } => "Did you mean one of these?".into(),
        ConversationEvent::Attachments { files } => match files.len() {
            1 => "Sent a file".into(),
            n => format!("Sent {n} files"),
        },
    }
}

/// The agent a system message about `event` introduces to the visitor (who joined, who
/// took a transferred conversation): their display name goes in the message's
/// `author.name`, so a widget can name them in its own language (docs/PROTOCOL.md).
pub fn named_agent(event: &ConversationEvent) -> Option<u64> {
    match event {
        ConversationEvent::Assigned { agent } => Some(*agent),
        ConversationEvent::Transferred { to, .. } => Some(*to),
        _ => None,
    }
}

/// The text of the bot's message carrying `count` suggested replies (agents only).
pub fn suggestions(count: usize) -> String {
    format!("{count} suggested replies from the FAQ")
}

/// An agent's name when their account is unknown.
pub fn unknown_agent(agent: u64) -> String {
    format!("agent {agent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_name_who_acted() {
        let name = |id: u64| format!("A{id}");
        assert_eq!(
            describe(&ConversationEvent::Closed { by: 3 }, 3, name),
            "A3 closed the conversation"
        );
        assert_eq!(
            describe(&ConversationEvent::Closed { by: 0 }, 0, name),
            "Closed after a period of inactivity"
        );
        assert_eq!(
            describe(&ConversationEvent::Transferred { from: 1, to: 2 }, 1, name),
            "A1 handed the conversation to A2"
        );
    }

    #[test]
    fn joins_and_transfers_name_the_agent_who_now_answers() {
        assert_eq!(
            named_agent(&ConversationEvent::Assigned { agent: 4 }),
            Some(4)
        );
        assert_eq!(
            named_agent(&ConversationEvent::Transferred { from: 1, to: 2 }),
            Some(2)
        );
        assert_eq!(named_agent(&ConversationEvent::Closed { by: 2 }), None);
    }
}
