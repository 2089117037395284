//! What goes over the wire to a responder and what its answer means. Pure: the
//! request bodies of both forms from an [`Asked`] question with its context, and the
//! [`Verdict`] of a response body (an answer, or a hand-off with its reason).
//!
//! # Rules for an answer
//! 1. An empty answer, the hand-off word [`HANDOFF_WORD`] the system prompt asks for,
//!    or an "I don't know"-style answer hands off.
//! 2. An answer longer than the chat's message limit hands off (never cut: a cut
//!    answer may say the wrong thing).
//! 3. A body that is not the expected JSON is an error (which hands off too).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What the system prompt asks a model to say when the FAQ does not answer.
pub const HANDOFF_WORD: &str = "HANDOFF";

/// A question for the responder, with everything the call needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asked {
    /// The conversation.
    pub conversation: u64,
    /// The visitor message asked about.
    pub seq: u64,
    /// The visitor.
    pub visitor: u64,
    /// The widget's site.
    pub site: String,
    /// The visitor's message.
    pub query: String,
    /// The visitor's language (`en`, `zh`).
    pub language: String,
    /// The conversation so far, oldest first, ending with `query`.
    pub history: Vec<Turn>,
    /// The shop's FAQ in the visitor's language.
    #[serde(skip)]
    pub faq: Vec<FaqContext>,
}

/// One message of the conversation so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    /// `visitor`, `bot` or `agent`.
    pub role: &'static str,
    /// The text.
    pub text: String,
}

/// One FAQ entry as context.
#[derive(Debug, Clone, PartialEq)]
pub struct FaqContext {
    /// Its example questions.
    pub questions: Vec<String>,
    /// Its answer in the visitor's language.
    pub answer: String,
}

/// What a response means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Post this as the bot.
    Answer(String),
    /// Hand the conversation to the agents, for this reason.
    Handoff(String),
}

/// The system message of a chat completion: the rules and the shop's FAQ.
pub fn system_prompt(asked: &Asked) -> String {
    let mut prompt = format!(
        "You are the support assistant of a small shop, answering its website visitors \
         in their language ({}). Answer briefly and only from the shop's FAQ below. If \
         the FAQ does not answer the question, or the visitor asks for a person, reply \
         with exactly {HANDOFF_WORD} and nothing else.\n\nThe shop's FAQ:\n",
        asked.language
    );
    for entry in &asked.faq {
        prompt.push_str("\nQ: ");
        prompt.push_str(&entry.questions.join(" / "));
        prompt.push_str("\nA: ");
        prompt.push_str(&entry.answer);
        prompt.push('\n');
    }
    prompt
}

/// The body of `POST {url}/chat/completions`.
pub fn openai_body(asked: &Asked, model: &str) -> Value {
    let mut messages = vec![json!({"role": "system", "content": system_prompt(asked)})];
    for turn in &asked.history {
        let role = if turn.role == "visitor" {
            "user"
        } else {
            "assistant"
        };
        messages.push(json!({"role": role, "content": turn.text}));
    }
    json!({"model": model, "messages": messages, "stream": false, "temperature": 0.2})
}

/// The body of the signed call.
pub fn signed_body(asked: &Asked) -> Value {
    json!({
        "type": "responder.ask",
        "conversation": asked.conversation,
        "seq": asked.seq,
        "visitor": asked.visitor,
        "site": asked.site,
        "query": asked.query,
        "language": asked.language,
        "history": asked.history,
    })
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

/// The verdict of a chat completion's body; Err says why it is malformed.
pub fn openai_verdict(body: &[u8], max_answer: usize) -> Result<Verdict, String> {
    let parsed: Completion =
        serde_json::from_slice(body).map_err(|e| format!("not a chat completion: {e}"))?;
    let first = parsed.choices.into_iter().next().ok_or("no choices")?;
    Ok(judge(first.message.content.unwrap_or_default(), max_answer))
}

#[derive(Deserialize)]
struct SignedReply {
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    handoff: Option<Value>,
}

/// The verdict of the signed call's body: `{"answer": …}` or `{"handoff": reason}`.
pub fn signed_verdict(body: &[u8], max_answer: usize) -> Result<Verdict, String> {
    let parsed: SignedReply =
        serde_json::from_slice(body).map_err(|e| format!("not a responder reply: {e}"))?;
    match (parsed.handoff, parsed.answer) {
        (Some(reason), _) => {
            let reason = match reason {
                Value::String(s) => s,
                other => other.to_string(),
            };
            Ok(Verdict::Handoff(reason.chars().take(200).collect()))
        }
        (None, Some(answer)) => Ok(judge(answer, max_answer)),
        (None, None) => Err("neither answer nor handoff".into()),
    }
}

/// Phrases that mean "I don't know" at the start of an answer (lower case).
const NOT_KNOWN: [&str; 10] = [
    "i don't know",
    "i do not know",
    "i'm not sure",
    "i am not sure",
    "sorry, i don't",
    "i cannot answer",
    "i can't answer",
    "我不知道",
    "不清楚",
    "无法回答",
];

/// Rules 1 and 2 on an answer's text.
fn judge(answer: String, max_answer: usize) -> Verdict {
    let text = answer.trim();
    let lower = text.to_lowercase().replace('’', "'");
    if text.is_empty() {
        return Verdict::Handoff("empty answer".into());
    }
    if text.trim_matches(|c: char| !c.is_alphanumeric()) == HANDOFF_WORD {
        return Verdict::Handoff("the model does not know".into());
    }
    if NOT_KNOWN.iter().any(|p| lower.starts_with(p)) {
        return Verdict::Handoff("an \"I don't know\" answer".into());
    }
    if text.len() > max_answer {
        return Verdict::Handoff(format!("answer longer than {max_answer} bytes"));
    }
    Verdict::Answer(text.to_owned())
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
