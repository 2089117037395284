//! What an email job is for, as the outbox stores it: [`EmailTarget`], a postcard enum
//! whose variants are appended, never changed (golden bytes below), like a stored record.

use serde::{Deserialize, Serialize};

/// One email to send.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum EmailTarget {
    /// Email 1: tell `agent` that the visitor of `conversation` is waiting.
    AgentWaiting {
        /// The agent to tell.
        agent: u64,
        /// The conversation.
        conversation: u64,
        /// An earlier email about this conversation was planned for this agent.
        again: bool,
    },
    /// The confirmation email for an address `visitor` typed.
    VisitorConfirm {
        /// The visitor.
        visitor: u64,
        /// The address to confirm.
        address: String,
    },
    /// Email 2: the agents' replies in `conversation` its visitor has not read.
    VisitorReply {
        /// The visitor.
        visitor: u64,
        /// The conversation.
        conversation: u64,
    },
    /// Email 3: the transcript of `conversation` for its visitor.
    VisitorTranscript {
        /// The visitor.
        visitor: u64,
        /// The conversation.
        conversation: u64,
        /// The confirmed address it goes to.
        address: String,
    },
    /// Tell admin `admin` that webhook endpoint `endpoint` was disabled.
    WebhookDisabled {
        /// The endpoint.
        endpoint: u64,
        /// The admin to tell.
        admin: u64,
    },
}

impl EmailTarget {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The target of stored bytes; None for bytes of a newer build (skipped).
    pub fn decode(bytes: &[u8]) -> Option<EmailTarget> {
        postcard::from_bytes(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_bytes() {
        // Matched without a wildcard: a new variant needs its golden bytes here.
        let samples = [
            EmailTarget::AgentWaiting {
                agent: 2,
                conversation: 300,
                again: true,
            },
            EmailTarget::VisitorConfirm {
                visitor: 5,
                address: "a@b.c".into(),
            },
            EmailTarget::VisitorReply {
                visitor: 5,
                conversation: 300,
            },
            EmailTarget::VisitorTranscript {
                visitor: 5,
                conversation: 7,
                address: "a@b.c".into(),
            },
            EmailTarget::WebhookDisabled {
                endpoint: 3,
                admin: 1,
            },
        ];
        for sample in samples {
            let golden: &[u8] = match sample {
                EmailTarget::AgentWaiting { .. } => &[0, 2, 0xac, 0x02, 1],
                EmailTarget::VisitorConfirm { .. } => &[1, 5, 5, b'a', b'@', b'b', b'.', b'c'],
                EmailTarget::VisitorReply { .. } => &[2, 5, 0xac, 0x02],
                EmailTarget::VisitorTranscript { .. } => {
                    &[3, 5, 7, 5, b'a', b'@', b'b', b'.', b'c']
                }
                EmailTarget::WebhookDisabled { .. } => &[4, 3, 1],
            };
            assert_eq!(sample.encode(), golden);
            assert_eq!(EmailTarget::decode(golden), Some(sample));
        }
        assert_eq!(EmailTarget::decode(&[9]), None);
    }
}
