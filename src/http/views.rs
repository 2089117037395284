//! What the API shows of stored records: agents, canned replies, conversations with
//! their labels and rating, as JSON, shared by the endpoints that return them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::label_records::LabelV1;
use crate::store::records::{AgentRole, AgentV4, ConversationV1};
use crate::store::{Store, StoreError};
use crate::webhooks::payload::{rfc3339_ms, status_name};

/// An agent as the API shows it.
#[derive(Serialize)]
pub struct AgentView {
    /// The agent's id.
    id: u64,
    /// Login and display name.
    name: String,
    /// True for an admin.
    admin: bool,
    /// Most conversations at once (None: the server's default).
    capacity: Option<u32>,
    /// True when the account may no longer log in.
    disabled: bool,
    /// Where notification emails go (None: no email).
    email: Option<String>,
    /// Language of the emails (`en` or `zh`).
    language: &'static str,
    /// Gets "a visitor is waiting" emails.
    notify_waiting_email: bool,
    /// Language of the console (`en` or `zh-CN`; None: the browser's).
    console_language: Option<String>,
    /// Initials on a colour: the one the agent chose, else the default.
    avatar: crate::avatar::AvatarView,
}

/// The API's view of agent `id`.
pub fn view(id: u64, a: &AgentV4) -> AgentView {
    AgentView {
        id,
        name: a.name.clone(),
        admin: a.role == AgentRole::Admin,
        capacity: a.capacity,
        disabled: a.disabled,
        email: a.email.clone(),
        language: crate::email::Language::of_agent(a).code(),
        notify_waiting_email: a.notify_waiting_email,
        console_language: a.console_language.clone(),
        avatar: crate::avatar::agent_avatar(id, a),
    }
}

/// A canned reply as the API shows it.
#[derive(Serialize)]
pub struct CannedView {
    /// The reply's id.
    pub id: u64,
    /// What an agent types to find it.
    pub shortcut: String,
    /// The text it inserts.
    pub text: String,
}

/// A label on a conversation, as conversation views show it.
#[derive(Serialize, Debug, Clone)]
pub struct LabelRef {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// The labels of these conversations (those that have any), for their views. Blocking:
/// call it on the reader pool.
pub fn labels_for(
    store: &Store,
    conversations: &[u64],
) -> Result<BTreeMap<u64, Vec<LabelRef>>, StoreError> {
    let carried = store.labels_of(conversations)?;
    if carried.is_empty() {
        return Ok(BTreeMap::new());
    }
    let defined: BTreeMap<u64, LabelV1> = store.labels()?.into_iter().collect();
    Ok(carried
        .into_iter()
        .map(|(conversation, ids)| {
            let refs = ids
                .into_iter()
                .filter_map(|id| {
                    defined.get(&id).map(|l| LabelRef {
                        id,
                        name: l.name.clone(),
                        colour: l.colour.clone(),
                    })
                })
                .collect();
            (conversation, refs)
        })
        .collect())
}

/// A visitor's rating of a conversation, as conversation views show it.
#[derive(Serialize, Debug, Clone)]
pub struct RatingView {
    /// 1 (bad) to 5 (very good).
    pub score: u8,
    /// What the visitor added (null: nothing).
    pub comment: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// The ratings of those of these conversations that were rated. Blocking: call it on
/// the reader pool.
pub fn ratings_for(
    store: &Store,
    conversations: &[u64],
) -> Result<BTreeMap<u64, RatingView>, StoreError> {
    Ok(store
        .ratings_of(conversations)?
        .into_iter()
        .map(|(id, r)| {
            let view = RatingView {
                score: r.score,
                comment: (!r.comment.is_empty()).then_some(r.comment),
                at: crate::webhooks::payload::rfc3339_ms(r.at_ms),
            };
            (id, view)
        })
        .collect())
}

/// A conversation as the API shows it.
#[derive(Serialize)]
pub struct ConversationView {
    /// Its id.
    id: u64,
    /// The visitor's id.
    visitor: u64,
    /// The site it started on.
    site: String,
    /// `bot`, `queued`, `assigned` or `closed`.
    status: &'static str,
    /// The assigned (or, when closed, last) agent.
    agent: Option<u64>,
    /// When it started (RFC 3339).
    created_at: String,
    /// Its last status change (RFC 3339).
    updated_at: String,
    /// The labels it carries.
    labels: Vec<LabelRef>,
    /// Its visitor's rating, once given.
    rating: Option<RatingView>,
}

/// The view of conversation `id`, with its labels and rating.
pub fn conversation_view(
    id: u64,
    c: &ConversationV1,
    (labels, rating): (Vec<LabelRef>, Option<RatingView>),
) -> ConversationView {
    ConversationView {
        labels,
        rating,
        id,
        visitor: c.visitor,
        site: c.site.clone(),
        status: status_name(c.status),
        agent: c.agent,
        created_at: rfc3339_ms(c.created_ms),
        updated_at: rfc3339_ms(c.updated_ms),
    }
}
