//! Fills a freshly started, empty deskbell with a small known data set through its
//! public HTTP API and WebSocket, and writes what it stored (as the server reported it
//! back) to a JSON file. `scripts/make-data-fixture.sh` runs it to produce
//! `tests/fixtures/data-v2/` (an earlier version of it made `data-v1/`, before the FAQ
//! bot), which `tests/it/old_data.rs` opens with newer builds.
//!
//! Run: `make_data_fixture ADDR SETUP_CODE OUT.json` against a server on loopback.

use std::collections::BTreeMap;
use std::io::{Read as _, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::{Message as WsMessage, http::HeaderValue};
use deskbell::protocol::*;
use futures_lite::StreamExt;
use serde_json::{Value, json};

#[path = "make_data_fixture/bot.rs"]
mod bot;

/// The fixture's admin (documented in the fixture's README).
const ADMIN: (&str, &str) = ("owner", "fixture-owner-pass-1");
/// The fixture's agent.
const AGENT: (&str, &str) = ("Alice", "fixture-alice-pass-1");
/// The only website allowed to open visitor chats in the fixture's settings.
const ORIGIN: &str = "https://bakery.example";

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, code, out] = args.as_slice() else {
        return Err("usage: make_data_fixture ADDR SETUP_CODE OUT.json".into());
    };
    let addr: SocketAddr = addr.parse()?;
    let fixture = fill(addr, code)?;
    std::fs::write(out, serde_json::to_string_pretty(&fixture)? + "\n")?;
    Ok(())
}

/// Writes the data set and returns what the server reports back about it.
fn fill(addr: SocketAddr, code: &str) -> Result<Value, Error> {
    let setup = json!({"code": code, "name": ADMIN.0, "password": ADMIN.1});
    expect(http(addr, "POST", "/api/setup", None, &setup)?, 201)?;
    let admin = login(addr, ADMIN)?;
    let agent = json!({"name": AGENT.0, "password": AGENT.1, "capacity": 5});
    let alice_id = expect(
        http(addr, "POST", "/api/agents", Some(&admin), &agent)?,
        201,
    )?["id"]
        .as_u64()
        .ok_or("agent id")?;
    let settings = json!({
        "title": "Ask the bakery", "greeting": "Hello! Fresh bread since 6 am.",
        "colour": "#aa3300", "position": "left", "prechat": true,
        "away_message": "We are baking. Leave your email and we will write back.",
        "utc_offset_min": 60,
        "business_hours": [{"day": 1, "open": "07:00", "close": "18:00"},
                           {"day": 6, "open": "08:00", "close": "12:30"}],
        "allowed_origins": [ORIGIN],
    });
    expect(
        http(addr, "PUT", "/api/settings", Some(&admin), &settings)?,
        200,
    )?;
    for (shortcut, text) in [
        ("hours", "We are open Monday 7-18 and Saturday 8-12:30."),
        ("rye", "Rye bread comes out of the oven at 9."),
    ] {
        let canned = json!({"shortcut": shortcut, "text": text});
        expect(
            http(addr, "POST", "/api/canned", Some(&admin), &canned)?,
            201,
        )?;
    }

    let alice_token = login(addr, AGENT)?;
    let mut alice = Client::agent(addr, &alice_token)?;

    // 1. Open, with a visitor name and a few messages both ways.
    let (mut maria, maria_token) = Client::visitor(addr, Encoding::Binary)?;
    let open = maria.say(None, "m1", "Hi! Do you have rye bread today?")?;
    alice.assigned(open, alice_id)?;
    alice.sync(open)?;
    maria.send(&ClientFrame::Profile(Profile {
        name: Some("Maria".into()),
        email: Some("maria@example.com".into()),
    }))?;
    alice.say(Some(open), "a1", "Yes, two loaves left.")?;
    maria.say(Some(open), "m2", "Great, please keep one for me.")?;
    alice.say(Some(open), "a2", "Done, it is under your name.")?;
    // Read receipts both ways (stored in the read-state table; the next acked write
    // is committed after them).
    maria.send(&ClientFrame::Read(Read {
        conversation: Some(open),
        seq: 5,
    }))?;
    alice.send(&ClientFrame::Read(Read {
        conversation: Some(open),
        seq: 4,
    }))?;

    // 2. Closed.
    let (mut bob, bob_token) = Client::visitor(addr, Encoding::Json)?;
    let closed = bob.say(None, "b1", "Where is my order #1042?")?;
    alice.assigned(closed, alice_id)?;
    alice.sync(closed)?;
    alice.say(Some(closed), "a3", "It left this morning.")?;
    bob.say(Some(closed), "b2", "Thanks!")?;
    alice.send(&ClientFrame::Close(ConversationRef {
        conversation: closed,
    }))?;
    alice.wait("close", |f| {
        matches!(f, ServerFrame::Conversation(c)
            if c.id == closed && c.status == ConversationStatus::Closed)
    })?;

    // 3. Open, with an internal note.
    let (mut chen, chen_token) = Client::visitor(addr, Encoding::Json)?;
    let noted = chen.say(None, "c1", "Can I pay by invoice?")?;
    alice.assigned(noted, alice_id)?;
    alice.sync(noted)?;
    alice.send(&ClientFrame::Note(Note {
        conversation: noted,
        client_id: "n1".into(),
        body: "Regular customer: invoice is fine up to 200 EUR".into(),
    }))?;
    alice.ack("n1")?;
    alice.say(Some(noted), "a4", "Yes, you can.")?;

    // 4-6. The FAQ bot (saved after the first three, so they were handed over untouched).
    let bot = bot::fill(addr, &admin, &mut alice, alice_id)?;

    // What the server now reports, as a fresh agent connection and the API see it.
    let (mut alice, welcome) = Client::agent_with_welcome(addr, &alice_token)?;
    let mut messages = BTreeMap::new();
    for id in [open, closed, noted, bot.answered, bot.handed, bot.suggested] {
        messages.insert(id.to_string(), serde_json::to_value(alice.sync(id)?)?);
    }
    let mut open_conversations = welcome.conversations.clone();
    open_conversations.sort_by_key(|c| c.id);
    let get = |path: &str| expect(http(addr, "GET", path, Some(&admin), &Value::Null)?, 200);
    Ok(json!({
        "admin": {"name": ADMIN.0, "password": ADMIN.1},
        "agent": {"id": alice_id, "name": AGENT.0, "password": AGENT.1},
        "origin": ORIGIN,
        "visitors": [
            {"name": "Maria", "token": maria_token, "conversation": open},
            {"name": null, "token": bob_token, "conversation": closed},
            {"name": null, "token": chen_token, "conversation": noted},
            {"name": null, "token": bot.answered_token, "conversation": bot.answered},
            {"name": null, "token": bot.handed_token, "conversation": bot.handed},
            {"name": null, "token": bot.suggested_token, "conversation": bot.suggested},
        ],
        "conversations": {"open": open, "closed": closed, "noted": noted,
                          "answered": bot.answered, "handed": bot.handed,
                          "suggested": bot.suggested},
        "faq_ids": bot.faq_ids,
        "faq_try": bot.tried,
        "open_conversations": serde_json::to_value(open_conversations)?,
        "messages": messages,
        "api": {
            "agents": get("/api/agents")?,
            "canned": get("/api/canned")?,
            "faq": get("/api/faq")?,
            "settings": get("/api/settings")?,
            "closed": get("/api/conversations?status=closed")?,
            "visitor_open": get(&format!("/api/visitors/{}", maria.id))?,
        },
    }))
}

fn login(addr: SocketAddr, (name, password): (&str, &str)) -> Result<String, Error> {
    let body = json!({"name": name, "password": password});
    let answer = expect(http(addr, "POST", "/api/login", None, &body)?, 200)?;
    Ok(answer["token"].as_str().ok_or("token")?.to_string())
}

fn expect((status, body): (u16, Value), want: u16) -> Result<Value, Error> {
    if status != want {
        return Err(format!("HTTP {status} (wanted {want}): {body}").into());
    }
    Ok(body)
}

/// One blocking HTTP/1.1 request with a JSON body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<(u16, Value), Error> {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: fixture\r\nConnection: close\r\n\
         Content-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no HTTP head")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// A WebSocket client, just enough for the fixture.
struct Client {
    ws: WebSocketStream<smol::net::TcpStream>,
    encoding: Encoding,
    /// Visitor or agent id from the welcome.
    id: u64,
}

impl Client {
    fn connect(addr: SocketAddr, encoding: Encoding, origin: Option<&str>) -> Result<Self, Error> {
        smol::block_on(async {
            let stream = smol::net::TcpStream::connect(addr).await?;
            let mut request = format!("ws://{addr}/ws").into_client_request()?;
            let headers = request.headers_mut();
            headers.insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_static(encoding.subprotocol()),
            );
            if let Some(origin) = origin {
                headers.insert("Origin", HeaderValue::from_str(origin)?);
            }
            let (ws, _) = async_tungstenite::client_async(request, stream).await?;
            Ok(Client {
                ws,
                encoding,
                id: 0,
            })
        })
    }

    /// A new visitor from the allowed website; returns it and its token.
    fn visitor(addr: SocketAddr, encoding: Encoding) -> Result<(Self, String), Error> {
        let mut client = Self::connect(addr, encoding, Some(ORIGIN))?;
        client.send(&ClientFrame::HelloVisitor(HelloVisitor {
            site: "default".into(),
            token: None,
            page: Some(format!("{ORIGIN}/bread")),
            referrer: None,
            language: Some("en-GB".into()),
            utc_offset_min: Some(60),
        }))?;
        let welcome = client.welcome()?;
        Ok((client, welcome.visitor_token.ok_or("visitor token")?))
    }

    fn agent(addr: SocketAddr, token: &str) -> Result<Self, Error> {
        Ok(Self::agent_with_welcome(addr, token)?.0)
    }

    fn agent_with_welcome(addr: SocketAddr, token: &str) -> Result<(Self, Welcome), Error> {
        let mut client = Self::connect(addr, Encoding::Json, None)?;
        client.send(&ClientFrame::HelloAgent(HelloAgent {
            token: Some(token.into()),
        }))?;
        let welcome = client.welcome()?;
        Ok((client, welcome))
    }

    fn welcome(&mut self) -> Result<Welcome, Error> {
        let welcome = self.wait_for("welcome", |f| match f {
            ServerFrame::Welcome(w) => Some(w.clone()),
            _ => None,
        })?;
        self.id = welcome.id;
        Ok(welcome)
    }

    fn send(&mut self, frame: &ClientFrame) -> Result<(), Error> {
        let message = match self.encoding.encode(frame) {
            Encoded::Binary(b) => WsMessage::binary(b),
            Encoded::Text(t) => WsMessage::text(t),
        };
        Ok(smol::block_on(self.ws.send(message))?)
    }

    /// Sends a chat message and waits for its ack; returns the conversation.
    fn say(
        &mut self,
        conversation: Option<u64>,
        client_id: &str,
        body: &str,
    ) -> Result<u64, Error> {
        self.send(&ClientFrame::Send(Send {
            conversation,
            client_id: client_id.into(),
            body: body.into(),
        }))?;
        self.ack(client_id)
    }

    fn ack(&mut self, client_id: &str) -> Result<u64, Error> {
        self.wait_for(&format!("ack {client_id}"), |f| match f {
            ServerFrame::Ack(a) if a.client_id == client_id => Some(Ok(a.conversation)),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id) => {
                Some(Err(format!("refused: {e:?}")))
            }
            _ => None,
        })?
        .map_err(Into::into)
    }

    fn assigned(&mut self, conversation: u64, agent: u64) -> Result<(), Error> {
        self.wait("assignment", |f| {
            matches!(f, ServerFrame::Conversation(c)
                if c.id == conversation && c.agent == Some(agent)
                    && c.status == ConversationStatus::Assigned)
        })
    }

    /// Follows a conversation; returns its whole history.
    fn sync(&mut self, conversation: u64) -> Result<Vec<Message>, Error> {
        self.send(&ClientFrame::Sync(Sync {
            conversation,
            after_seq: 0,
        }))?;
        let mut replayed = Vec::new();
        self.wait_for("synced", |f| match f {
            ServerFrame::Message(m) if m.conversation == conversation => {
                replayed.push(m.clone());
                None
            }
            ServerFrame::Synced(s) if s.conversation == conversation => Some(()),
            _ => None,
        })?;
        Ok(replayed)
    }

    fn wait(
        &mut self,
        what: &str,
        mut matches: impl FnMut(&ServerFrame) -> bool,
    ) -> Result<(), Error> {
        self.wait_for(what, |f| matches(f).then_some(()))
    }

    /// Receives frames until `pick` returns Some (10 s at most).
    fn wait_for<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&ServerFrame) -> Option<T>,
    ) -> Result<T, Error> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let next = smol::block_on(futures_lite::future::or(
                async { Some(self.ws.next().await) },
                async {
                    smol::Timer::after(remaining).await;
                    None
                },
            ));
            let frame = match next {
                None => return Err(format!("timed out waiting for {what}").into()),
                Some(None) => return Err(format!("closed while waiting for {what}").into()),
                Some(Some(message)) => match message? {
                    WsMessage::Binary(b) => self.encoding.decode_binary(&b)?,
                    WsMessage::Text(t) => self.encoding.decode_text(t.as_str())?,
                    _ => continue,
                },
            };
            if let ServerFrame::Error(e) = &frame
                && e.client_id.is_none()
            {
                return Err(format!("error while waiting for {what}: {e:?}").into());
            }
            if let Some(found) = pick(&frame) {
                return Ok(found);
            }
        }
    }
}
