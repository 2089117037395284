//! Ratings in the hub: a visitor's `rate` frame (checked at the edge by
//! `ws::frame_check`, refused there when the shop does not ask) becomes a write; the store refuses another visitor's conversation,
//! an open one and a second rating. Once committed, the visitor's connections and every
//! agent connection get `rating`; the outbox has `conversation.rated` from the same
//! commit. Nothing of it is live state.

use crate::protocol::{ErrorCode, Rate, Rating, ServerFrame};
use crate::store::rating_records::RatingV1;
use crate::store::{Outcome, StoreError, WriteOp};
use crate::timer::unix_ms;

use super::Hub;
use super::event::{ConnId, WriteTag};

impl Hub {
    /// A visitor rates their closed conversation.
    pub(super) async fn rate(&mut self, conn: ConnId, visitor: u64, rate: Rate) {
        let comment = rate.comment.unwrap_or_default().trim().to_string();
        let op = WriteOp::Rate {
            conversation: rate.conversation,
            visitor,
            rating: RatingV1 {
                score: u8::try_from(rate.score).unwrap_or(5).clamp(1, 5),
                comment,
                at_ms: unix_ms(),
            },
        };
        self.write(op, WriteTag::Rated { conn }).await;
    }

    /// A rating write came back.
    pub(super) fn on_rated(&mut self, conn: ConnId, result: Result<Outcome, StoreError>) {
        match result {
            Ok(Outcome::Rated {
                conversation,
                visitor,
                rating,
            }) => {
                let frame = ServerFrame::Rating(Rating {
                    conversation,
                    score: u32::from(rating.score),
                    comment: (!rating.comment.is_empty()).then_some(rating.comment),
                });
                self.send_to_visitor(visitor, frame.clone());
                self.send_to_agents(frame);
            }
            Ok(other) => tracing::error!(?other, "unexpected outcome of a rating"),
            Err(e) => {
                let code = match &e {
                    StoreError::NotFound(_) => ErrorCode::NotFound,
                    StoreError::Conflict(_) => ErrorCode::Conflict,
                    _ => ErrorCode::StorageUnavailable,
                };
                self.refuse(conn, code, e.to_string(), None, None);
            }
        }
    }
}
