//! The admin's input for a new endpoint (`POST /api/webhooks`) and its one check, made
//! at the edge: URL form (see [`super::address`]), known event names, bounds. Where the
//! host resolves to is checked next, off the executor ([`super::address::resolve`]).

use serde::Deserialize;

use super::address::{Target, check_url};
use crate::outbox::EventKind;

/// Most endpoints a shop may have.
pub const MAX_ENDPOINTS: usize = 20;

/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// The request body; unknown fields are refused.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    /// Where to POST.
    pub url: String,
    /// Public event names to receive (at least one).
    pub events: Vec<String>,
    /// What it is for (optional).
    #[serde(default)]
    pub description: String,
}

/// A checked endpoint, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEndpoint {
    /// The URL as given (trimmed).
    pub url: String,
    /// Its parsed parts.
    pub target: Target,
    /// Known event names, each once, in [`EventKind::ALL`] order.
    pub events: Vec<String>,
    /// Trimmed description.
    pub description: String,
}

impl EndpointBody {
    /// Checks everything but name resolution; the message says what is wrong.
    pub fn check(self, allow_private: bool) -> Result<CheckedEndpoint, String> {
        let url = self.url.trim().to_string();
        let target = check_url(&url, allow_private)?;
        if self.events.is_empty() {
            return Err("choose at least one event".into());
        }
        let mut kinds = Vec::new();
        for name in &self.events {
            match EventKind::from_name(name) {
                Some(kind) => kinds.push(kind),
                None => {
                    let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
                    let shown: String = name.chars().take(40).collect();
                    return Err(format!(
                        "unknown event {shown:?}; known: {}",
                        known.join(", ")
                    ));
                }
            }
        }
        let events = EventKind::ALL
            .into_iter()
            .filter(|k| kinds.contains(k))
            .map(|k| k.name().to_string())
            .collect();
        let description = self.description.trim().to_string();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(format!(
                "the description is longer than {MAX_DESCRIPTION_CHARS} characters"
            ));
        }
        if description.chars().any(char::is_control) {
            return Err("the description must be one line of text".into());
        }
        Ok(CheckedEndpoint {
            url,
            target,
            events,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(url: &str, events: &[&str], description: &str) -> EndpointBody {
        EndpointBody {
            url: url.into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            description: description.into(),
        }
    }

    #[test]
    fn a_good_endpoint_is_normalised() {
        let checked = body(
            " https://hooks.example.com/deskbell ",
            &["message.visitor", "conversation.created", "message.visitor"],
            " CRM ",
        )
        .check(false)
        .expect("ok");
        assert_eq!(checked.url, "https://hooks.example.com/deskbell");
        assert_eq!(checked.events, ["conversation.created", "message.visitor"]);
        assert_eq!(checked.description, "CRM");
    }

    #[test]
    fn bad_input_is_refused() {
        let ok = "https://hooks.example.com/";
        assert!(body(ok, &[], "").check(false).is_err());
        assert!(body(ok, &["message.created"], "").check(false).is_err());
        assert!(body(ok, &["*"], "").check(false).is_err());
        let long = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert!(body(ok, &["message.agent"], &long).check(false).is_err());
        assert!(body(ok, &["message.agent"], "a\nb").check(false).is_err());
        assert!(
            body("http://127.0.0.1/", &["message.agent"], "")
                .check(false)
                .is_err()
        );
        assert!(
            body("http://127.0.0.1/", &["message.agent"], "")
                .check(true)
                .is_ok()
        );
        let json = r#"{"url":"https://e.com/","events":["message.bot"],"secret":"x"}"#;
        assert!(serde_json::from_str::<EndpointBody>(json).is_err());
    }
}
