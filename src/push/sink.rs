//! [`Push`] as an outbox [`Sink`]: plans one job per device of each agent [`rules`]
//! says should hear of an event, and delivers a job after checking again that it is
//! still wanted. A device the push service calls gone (404, 410) is removed.

use std::sync::atomic::Ordering;

use super::Push;
use super::rules::{self, ConversationState, Reason};
use super::send::Sent;
use crate::outbox::{Attempt, Delivery, OutboxEvent, Planned, Sink, SinkId};
use crate::store::push_records::{PushOp, PushTargetRecord};
use crate::store::records::{decode, encode};
use crate::store::values::StoredAuthorKind;
use crate::store::{StoreError, WriteOp};
use crate::timer::unix_ms;

impl Sink for Push {
    fn id(&self) -> SinkId {
        SinkId::Push
    }

    fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    fn plan(&self, event: &OutboxEvent, _now_ms: u64, out: &mut Vec<Planned>) {
        let Some(reason) = Reason::of(event) else {
            return;
        };
        if let Err(e) = self.plan_for(reason, event, out) {
            // The outbox retries nothing here: a store that fails now fails the
            // outbox's own commit as well, and the entry is planned again then.
            tracing::warn!(event = event.id, error = %e, "planning pushes failed");
        }
    }

    fn deliver(&self, delivery: &Delivery) -> Attempt {
        match self.try_deliver(delivery) {
            Ok(attempt) => attempt,
            Err(e) => Attempt::Retry {
                error: format!("reading the store: {e}"),
                status: None,
                latency_ms: 0,
            },
        }
    }
}

impl Push {
    fn plan_for(
        &self,
        reason: Reason,
        event: &OutboxEvent,
        out: &mut Vec<Planned>,
    ) -> Result<(), StoreError> {
        let Some(conversation) = self.conversation_state(event.conversation)? else {
            return Ok(());
        };
        let devices = self.store.push_subscriptions(None)?;
        let mut decided: Vec<(u64, bool)> = Vec::new();
        for device in devices {
            let agent = device.record.agent;
            let wanted = match decided.iter().find(|(a, _)| *a == agent) {
                Some((_, wanted)) => *wanted,
                None => {
                    let wanted = self.wanted(reason, conversation, agent)?;
                    decided.push((agent, wanted));
                    wanted
                }
            };
            if wanted {
                out.push(Planned {
                    target: encode(&PushTargetRecord::V1 {
                        subscription: device.id,
                    }),
                    not_before_ms: 0,
                    log_key: None,
                });
            }
        }
        Ok(())
    }

    fn try_deliver(&self, delivery: &Delivery) -> Result<Attempt, StoreError> {
        let event = &delivery.event;
        let Ok(PushTargetRecord::V1 { subscription }) =
            decode::<PushTargetRecord>(&delivery.target, "push target")
        else {
            return Ok(failed("the job's target is not a push subscription", None));
        };
        let Some(device) = self.store.push_subscription(subscription)? else {
            return Ok(skipped("the device no longer asks to be notified"));
        };
        let Some(reason) = Reason::of(event) else {
            return Ok(skipped("not an event that is pushed"));
        };
        let Some(conversation) = self.conversation_state(event.conversation)? else {
            return Ok(skipped("the conversation is gone"));
        };
        if !self.wanted(reason, conversation, device.agent)? {
            return Ok(skipped(
                "no longer needed (taken, closed, or the agent is looking)",
            ));
        }
        let (name, words) = self.what_the_visitor_said(reason, event)?;
        let language = self
            .store
            .agent(device.agent)?
            .map(|a| crate::email::Language::of_console(&a))
            .unwrap_or_default();
        let message = rules::message(reason, event, name.as_deref(), words.as_deref(), language);
        let now_s = unix_ms() / 1000;
        let sent = self
            .sender
            .send(&device, &message, &self.vapid, &self.contact, now_s);
        Ok(match sent {
            Sent::Accepted { status, latency_ms } => Attempt::Delivered {
                status: Some(status),
                latency_ms,
            },
            Sent::Gone { status } => {
                let removed =
                    smol::block_on(self.writer.call(WriteOp::Push(PushOp::Unsubscribe {
                        id: subscription,
                        agent: None,
                    })));
                if let Err(e) = removed
                    && !matches!(e, StoreError::NotFound(_))
                {
                    tracing::warn!(subscription, error = %e, "removing a gone push subscription failed");
                }
                self.unsubscribed();
                tracing::info!(
                    subscription,
                    agent = device.agent,
                    status,
                    "push subscription gone; removed"
                );
                failed(
                    &format!("the push service says the device is gone ({status}); removed it"),
                    Some(status),
                )
            }
            Sent::Retry {
                error,
                status,
                latency_ms,
            } => Attempt::Retry {
                error,
                status,
                latency_ms,
            },
            Sent::Refused { error, status } => failed(&error, status),
        })
    }

    /// The conversation's status and assignee, None if it does not exist.
    fn conversation_state(&self, id: u64) -> Result<Option<ConversationState>, StoreError> {
        Ok(self.store.conversation(id)?.map(|c| ConversationState {
            status: c.status,
            agent: c.agent,
        }))
    }

    /// [`rules::wanted`] for `agent`, reading their account and presence.
    fn wanted(
        &self,
        reason: Reason,
        conversation: ConversationState,
        agent: u64,
    ) -> Result<bool, StoreError> {
        let enabled = self.store.agent(agent)?.is_some_and(|a| !a.disabled);
        let visible = self.presence.agent_visible(agent);
        Ok(rules::wanted(reason, conversation, agent, enabled, visible))
    }

    /// The visitor's name (if given) and the words the push shows: the message of a
    /// visitor event, else the visitor's latest message before the event.
    fn what_the_visitor_said(
        &self,
        reason: Reason,
        event: &OutboxEvent,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let name = self.store.visitor(event.visitor)?.and_then(|v| v.name);
        let upto = event.seq.unwrap_or(0);
        let words = match (reason, upto) {
            (_, 0) => None,
            (Reason::VisitorMessage, seq) => self
                .store
                .messages_between(event.conversation, seq - 1, seq)?
                .pop()
                .map(|(_, m)| m.body),
            (Reason::Waiting, seq) => self
                .store
                .messages_before(event.conversation, seq + 1, 20)?
                .0
                .into_iter()
                .rev()
                .find(|(_, m)| m.author_kind == StoredAuthorKind::Visitor)
                .map(|(_, m)| m.body),
        };
        Ok((name, words))
    }
}

fn skipped(reason: &str) -> Attempt {
    Attempt::Skipped {
        reason: reason.to_string(),
    }
}

fn failed(error: &str, status: Option<u16>) -> Attempt {
    Attempt::Failed {
        error: error.to_string(),
        status,
    }
}
