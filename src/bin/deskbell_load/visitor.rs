//! The visitor side shared by the traffic scenarios: connecting (with a bound on
//! handshakes in flight), opening the conversation with a first message, and waiting
//! for a particular ack.

use std::net::SocketAddr;
use std::sync::Arc;

use deskbell::protocol::{ClientFrame, Send, ServerFrame};
use smol::lock::Semaphore;

use super::ws::{self, Epoch, Socket};

/// How a send ended.
pub enum Answer {
    /// Acknowledged: durably stored.
    Acked,
    /// Refused with an error frame (its name).
    Refused(String),
}

/// Sends one chat message (the visitor's open conversation is implied).
pub async fn say(socket: &mut Socket, client_id: String, body: &str) -> Result<(), String> {
    let frame = ClientFrame::Send(Send {
        conversation: None,
        client_id,
        body: body.to_string(),
    });
    ws::send(socket, &frame).await
}

/// Reads frames until the ack (or refusal) of `client_id`, skipping everything else.
pub async fn answer(socket: &mut Socket, client_id: &str) -> Result<Answer, String> {
    loop {
        match ws::recv(socket).await? {
            ServerFrame::Ack(a) if a.client_id == client_id => return Ok(Answer::Acked),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id) => {
                return Ok(Answer::Refused(e.error));
            }
            _ => {}
        }
    }
}

/// Connects visitor `index`, sends its first message (which opens its conversation and
/// gets it assigned to an agent) and waits for the ack.
pub async fn open(
    addr: SocketAddr,
    permits: &Arc<Semaphore>,
    epoch: Epoch,
    index: usize,
    body: &str,
) -> Result<Socket, String> {
    let permit = permits.acquire().await;
    let (mut socket, _) = ws::visitor(addr, 4096).await?;
    drop(permit);
    let id = ws::client_id(index, 0, epoch.us());
    say(&mut socket, id.clone(), body).await?;
    match answer(&mut socket, &id).await? {
        Answer::Acked => Ok(socket),
        Answer::Refused(why) => Err(format!("first message refused: {why}")),
    }
}
