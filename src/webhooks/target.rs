//! What the outbox stores for one webhook delivery ([`crate::outbox::Planned::target`]):
//! the endpoint's id, as a versioned postcard enum owned by this sink. Its bytes are
//! stored in the outbox's jobs, so they never change without a new variant.

use serde::{Deserialize, Serialize};

/// Where one webhook delivery goes.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookTarget {
    /// Version 1: an endpoint of the `webhookid_webhook` table.
    V1 {
        /// The endpoint's id.
        endpoint: u64,
    },
}

impl WebhookTarget {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        // A plain enum of one integer always serialises.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Reads stored bytes; None for bytes this build cannot read.
    pub fn decode(bytes: &[u8]) -> Option<WebhookTarget> {
        postcard::from_bytes(bytes).ok()
    }

    /// The endpoint's id.
    pub fn endpoint(&self) -> u64 {
        match self {
            WebhookTarget::V1 { endpoint } => *endpoint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden bytes: a new variant does not compile until it has a vector here.
    fn golden(target: &WebhookTarget) -> &'static [u8] {
        match target {
            WebhookTarget::V1 { .. } => &[0x00, 0xac, 0x02],
        }
    }

    #[test]
    fn every_variant_keeps_its_bytes() {
        let target = WebhookTarget::V1 { endpoint: 300 };
        assert_eq!(target.encode(), golden(&target));
        assert_eq!(WebhookTarget::decode(golden(&target)), Some(target));
        assert_eq!(target.endpoint(), 300);
        assert_eq!(WebhookTarget::decode(&[0x07]), None);
    }
}
