//! How much message text one visitor, and one client address, may send per hour.
//! Every acknowledged text is stored for good, so without a budget one stranger could
//! fill the disk through the chat alone: at the default limits (128 connections per
//! address, 20 frames a second each, 8 KiB per text) about 20 MB a second. The same
//! hourly windows as uploads (`attachments::budget`), charged with each `send`'s and
//! `send_files`' text by the connection (`ws::session`) before it goes to the hub;
//! agents have no budget.

use std::net::IpAddr;
use std::sync::Mutex;

use crate::attachments::budget::{Payer, UploadBudget};
use crate::protocol::{ClientFrame, ErrorCode, ErrorFrame};

/// Visitors and addresses remembered at once (a window each).
const MAX_PAYERS: usize = 100_000;

/// The budget (None: `--text-kb-per-hour 0`, no limit).
#[derive(Debug)]
pub struct TextBudget {
    /// Bytes of text per visitor and per address per hour, and their use.
    budget: Option<Mutex<UploadBudget>>,
    /// The limit, for the refusal's message.
    bytes_per_hour: u64,
}

impl TextBudget {
    /// `bytes_per_hour` for each visitor and each address; 0 for none.
    pub fn new(bytes_per_hour: u64) -> TextBudget {
        TextBudget {
            budget: (bytes_per_hour > 0)
                .then(|| Mutex::new(UploadBudget::new(bytes_per_hour, u32::MAX, MAX_PAYERS))),
            bytes_per_hour,
        }
    }

    /// Charges a visitor's `frame` (when it carries text) to the visitor and their
    /// address, or refuses it with `text_quota`, saying when they may write again.
    pub fn charge(
        &self,
        frame: &ClientFrame,
        visitor: u64,
        address: IpAddr,
        now_ms: u64,
    ) -> Result<(), ErrorFrame> {
        let (text, client_id, conversation) = match frame {
            ClientFrame::Send(s) => (&s.body, &s.client_id, s.conversation),
            ClientFrame::SendFiles(f) => (&f.body, &f.client_id, f.conversation),
            _ => return Ok(()),
        };
        let Some(budget) = &self.budget else {
            return Ok(());
        };
        let payers = [Payer::Visitor(visitor), Payer::address(address)];
        // A panic elsewhere while holding it leaves the counts usable.
        let mut budget = budget.lock().unwrap_or_else(|e| e.into_inner());
        let over = match budget.charge(&payers, text.len() as u64, now_ms) {
            Ok(()) => return Ok(()),
            Err(over) => over,
        };
        let minutes = over.retry_after_secs.div_ceil(60);
        let mut error = ErrorCode::TextQuota.frame(format!(
            "you, or others at your address, have sent {} KB of text this hour, as much as \
             this shop allows; try again in {minutes} min",
            self.bytes_per_hour / 1024
        ));
        error.client_id = Some(client_id.clone());
        error.conversation = conversation;
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Send, Typing};

    fn send(client_id: &str, bytes: usize) -> ClientFrame {
        ClientFrame::Send(Send {
            conversation: Some(3),
            client_id: client_id.into(),
            body: "x".repeat(bytes),
        })
    }

    #[test]
    fn texts_are_charged_to_the_visitor_and_the_address_until_the_hour_ends() {
        let budget = TextBudget::new(2048);
        let home: IpAddr = "192.0.2.1".parse().expect("ip");
        let office: IpAddr = "198.51.100.7".parse().expect("ip");
        assert!(budget.charge(&send("a", 1500), 1, home, 0).is_ok());
        let refused = budget
            .charge(&send("b", 600), 1, home, 1000)
            .expect_err("over");
        assert_eq!(refused.code, ErrorCode::TextQuota.number());
        assert_eq!(
            (refused.client_id.as_deref(), refused.conversation),
            (Some("b"), Some(3))
        );
        assert!(refused.message.contains("2 KB"), "{}", refused.message);
        assert!(refused.message.contains("60 min"), "{}", refused.message);
        // What still fits is taken; another visitor at the same address shares its budget.
        assert!(budget.charge(&send("c", 500), 1, home, 2000).is_ok());
        assert!(budget.charge(&send("d", 100), 2, home, 3000).is_err());
        // The same visitor from another address is still held by their own budget.
        assert!(budget.charge(&send("e", 100), 1, office, 4000).is_err());
        assert!(budget.charge(&send("f", 100), 2, office, 5000).is_ok());
        // Frames without text cost nothing; an hour later the window starts again.
        let typing = ClientFrame::Typing(Typing {
            conversation: Some(3),
            on: true,
        });
        assert!(budget.charge(&typing, 1, home, 6000).is_ok());
        assert!(budget.charge(&send("g", 2000), 1, home, 3_600_000).is_ok());
    }

    #[test]
    fn zero_means_no_budget() {
        let budget = TextBudget::new(0);
        let home: IpAddr = "192.0.2.1".parse().expect("ip");
        for i in 0..100 {
            assert!(budget.charge(&send("a", 8192), 1, home, i).is_ok());
        }
    }
}
