//! The bot's "Did you mean…?" choices. When the bot is not sure enough to answer
//! ([`Decision::Suggest`]) it hands the conversation to the agents as before, and it also
//! posts the likely entries' questions to the visitor as a [`ConversationEvent::Choices`]
//! message. A widget shows them as buttons; a tap sends the question as an ordinary
//! visitor message (client id, acknowledgement and replay as for any message), and the
//! hub answers it with that entry as a bot message.
//!
//! # Rules
//! 1. The offer enters live state when its message is committed ([`WriteTag::Choices`]),
//!    never before; a visitor message counts as a tap only if its text is exactly one of
//!    the offered questions (trimmed).
//! 2. The offer ends when an agent writes in the conversation (a person is answering
//!    now), when the conversation closes, or when the server restarts (live state only):
//!    after that the same text is an ordinary message for the agents.
//! 3. A tap is answered even though the conversation is with the agents: the visitor
//!    asked the bot for that entry explicitly; the bot does not speak otherwise.
//!
//! [`Decision::Suggest`]: crate::bot::Decision::Suggest

use crate::bot::{Candidate, Lang};
use crate::protocol::{Choice, ConversationEvent};
use crate::store::WriteOp;

use super::Hub;
use super::event::{OfferedChoice, WriteTag};

/// What the bot says above its choices, in the choices' language.
pub fn prompt(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I'm not sure I understood. Did you mean one of these?",
        Lang::Zh => "我不太确定您的意思。您是想问以下哪个问题？",
    }
}

impl Hub {
    /// Posts the candidates' questions to the visitor (nothing when none has one).
    pub(super) async fn offer_choices(&mut self, conversation: u64, candidates: &[Candidate]) {
        let offered: Vec<OfferedChoice> = candidates
            .iter()
            .filter(|c| !c.question.trim().is_empty())
            .map(|c| OfferedChoice {
                faq_id: c.faq_id,
                question: c.question.trim().to_owned(),
                answer: c.answer.clone(),
            })
            .collect();
        let Some(first) = offered.first() else {
            return;
        };
        let body = prompt(Lang::detect(&first.question)).to_owned();
        let event = ConversationEvent::Choices {
            choices: offered
                .iter()
                .map(|o| Choice {
                    faq_id: o.faq_id,
                    question: o.question.clone(),
                })
                .collect(),
        };
        let message = Self::bot_message(body, Some(event));
        let op = WriteOp::Append {
            conversation,
            message,
        };
        let tag = WriteTag::Choices {
            conversation,
            offered,
        };
        self.write(op, tag).await;
    }

    /// The committed choices message's offer replaces any earlier one.
    pub(super) fn remember_choices(&mut self, conversation: u64, offered: Vec<OfferedChoice>) {
        if let Some(live) = self.conversations.get_mut(&conversation) {
            live.choices = offered;
        }
    }

    /// The offered choice a committed visitor message `text` taps, if any.
    pub(super) fn tapped_choice(&self, conversation: u64, text: &str) -> Option<OfferedChoice> {
        let text = text.trim();
        self.conversations
            .get(&conversation)?
            .choices
            .iter()
            .find(|c| c.question == text)
            .cloned()
    }

    /// Answers a tapped choice with its entry, as the bot.
    pub(super) async fn answer_choice(&mut self, conversation: u64, choice: OfferedChoice) {
        self.metrics.bot_answers_total.inc();
        let event = Some(ConversationEvent::BotAnswer {
            faq_id: choice.faq_id,
        });
        self.post_as_bot(conversation, choice.answer, event).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_speaks_the_choices_language() {
        assert!(prompt(Lang::En).starts_with("I'm not sure"));
        assert_eq!(Lang::detect(prompt(Lang::Zh)), Lang::Zh);
    }
}
