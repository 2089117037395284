//! Integrators' actions in a conversation over the HTTP API (`http::v1_actions`):
//! posting a message (as an agent, as the bot, or an internal note), assigning,
//! transferring and closing. Each takes the path the same WebSocket frame takes
//! (`agent_send`, `agent_note`, `claim_for`, `transfer_to`, `close_as`), with an
//! [`Asker::Api`] in place of the connection: the answer goes back on the request's
//! channel once the commit returns (the same moment a connection gets its `ack`), or at
//! once when the action is refused. Retries are deduplicated by the store's client ids,
//! as for WebSocket sends.
//!
//! What the API adds to the WebSocket rules, checked here: the conversation must be
//! open (the HTTP layer has already answered 404 for one that does not exist or
//! belongs to another site), and the agent named in the body must exist and not be
//! disabled.

use std::time::Instant;

use crate::protocol::{AuthorKind, ConversationEvent, ErrorCode, Note, Send};
use crate::search::tokens::TermCounts;
use crate::store::{NewMessage, WriteOp};
use crate::timer::unix_ms;

use super::Hub;
use super::acts::{ActRefusal, ActReply, Acted, ApiAction, ApiAuthor};
use super::event::{Asker, WriteTag};

impl Hub {
    /// An integrator's action (`Event::Act`).
    pub(super) async fn on_act(
        &mut self,
        conversation: u64,
        action: ApiAction,
        reply: async_channel::Sender<ActReply>,
    ) {
        let asker = Asker::Api(reply);
        let open = self
            .conversations
            .get(&conversation)
            .is_some_and(|c| !c.closing);
        if !open {
            let why = "the conversation is closed";
            return self.refuse_to(&asker, ErrorCode::Conflict, why, None, Some(conversation));
        }
        let agent = match &action {
            ApiAction::Post {
                author: ApiAuthor::Agent(agent),
                ..
            }
            | ApiAction::Post {
                author:
                    ApiAuthor::Note {
                        agent: Some(agent), ..
                    },
                ..
            }
            | ApiAction::Assign { agent }
            | ApiAction::Transfer { agent }
            | ApiAction::Close { agent } => Some(*agent),
            ApiAction::Post { .. } => None,
        };
        if let Some(agent) = agent
            && let Err(why) = self.usable_agent(agent)
        {
            return self.refuse_to(&asker, ErrorCode::InvalidField, why, None, None);
        }
        let received = Instant::now();
        match action {
            ApiAction::Post {
                author,
                client_id,
                body,
                terms,
            } => match author {
                ApiAuthor::Agent(agent) => {
                    let send = Send {
                        conversation: Some(conversation),
                        client_id,
                        body,
                    };
                    let sending = super::messages::Sending::plain(send, terms);
                    self.agent_send(asker, agent, sending, received).await
                }
                ApiAuthor::Note {
                    agent: Some(agent), ..
                } => {
                    let note = Note {
                        conversation,
                        client_id,
                        body,
                    };
                    self.agent_note(asker, agent, (note, terms), received).await
                }
                ApiAuthor::Note {
                    agent: None,
                    key_name,
                } => {
                    let message = NewMessage {
                        attachments: Vec::new(),
                        author_kind: AuthorKind::System.into(),
                        author_id: 0,
                        author_name: key_name,
                        body,
                        client_id: Some(client_id),
                        event: Some(ConversationEvent::Note.into()),
                        at_ms: unix_ms(),
                    };
                    self.append_sent(asker, conversation, (message, terms), received)
                        .await
                }
                ApiAuthor::Bot => {
                    let mut message = Hub::bot_message(body, None);
                    message.client_id = Some(client_id);
                    self.append_sent(asker, conversation, (message, terms), received)
                        .await
                }
            },
            ApiAction::Assign { agent } => self.claim_for(asker, conversation, agent, agent).await,
            ApiAction::Transfer { agent } => self.transfer_to(asker, conversation, agent, 0).await,
            ApiAction::Close { agent } => self.close_as(asker, conversation, agent).await,
        }
    }

    /// Whether `agent` may be named in an API action: an account that is not disabled.
    fn usable_agent(&self, agent: u64) -> Result<(), String> {
        match self.agents.get(&agent) {
            None => Err(format!("there is no agent {agent}")),
            Some(live) if live.account.disabled => Err(format!("agent {agent} is disabled")),
            Some(_) => Ok(()),
        }
    }

    /// Appends a message to an open conversation, acknowledged to `asker` like a
    /// send once committed (an agent's send or note, the API's bot message or note),
    /// with its search terms when its connection counted them.
    pub(super) async fn append_sent(
        &mut self,
        asker: Asker,
        conversation: u64,
        (message, terms): (NewMessage, Option<TermCounts>),
        received: Instant,
    ) {
        let client_id = message.client_id.clone().unwrap_or_default();
        let tag = WriteTag::Send {
            from: asker,
            client_id,
            received,
            opened: false,
        };
        let op = WriteOp::Append {
            conversation,
            message,
        };
        self.write_counted(op, tag, terms).await;
    }

    /// Tells whoever asked that it was refused: an error frame to a connection, the
    /// refusal to an API request.
    pub(super) fn refuse_to(
        &mut self,
        asker: &Asker,
        code: ErrorCode,
        message: impl Into<String>,
        client_id: Option<String>,
        conversation: Option<u64>,
    ) {
        match asker {
            Asker::Conn(conn) => self.refuse(*conn, code, message, client_id, conversation),
            Asker::Api(reply) => {
                let message = message.into();
                // The request may have gone (its caller hung up): nothing to tell.
                let _ = reply.try_send(Err(ActRefusal { code, message }));
            }
        }
    }

    /// Tells an API request its change was committed (a connection learns it from the
    /// frames that announce the change).
    pub(super) fn tell_committed(asker: &Asker, conversation: u64, seq: u64) {
        if let Asker::Api(reply) = asker {
            let _ = reply.try_send(Ok(Acted {
                conversation,
                seq,
                duplicate: false,
            }));
        }
    }
}
