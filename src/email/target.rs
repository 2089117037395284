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
        let samples = [EmailTarget::AgentWaiting {
            agent: 2,
            conversation: 300,
            again: true,
        }];
        for sample in samples {
            let golden: &[u8] = match sample {
                EmailTarget::AgentWaiting { .. } => &[0, 2, 0xac, 0x02, 1],
            };
            assert_eq!(sample.encode(), golden);
            assert_eq!(EmailTarget::decode(golden), Some(sample));
        }
        assert_eq!(EmailTarget::decode(&[9]), None);
    }
}
