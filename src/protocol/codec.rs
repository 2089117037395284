//! The two encodings of the protocol (compact postcard, readable JSON), chosen per
//! connection by WebSocket subprotocol.

use serde::{Serialize, de::DeserializeOwned};

/// Subprotocol name for the binary (postcard) encoding.
pub const BINARY_SUBPROTOCOL: &str = "deskbell.v1.postcard";
/// Subprotocol name for the JSON encoding.
pub const JSON_SUBPROTOCOL: &str = "deskbell.v1.json";

/// How a connection's frames are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// postcard in binary WebSocket messages.
    Binary,
    /// JSON in text WebSocket messages.
    Json,
}

/// An encoded frame, ready to become a WebSocket message of the right kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoded {
    /// For a binary WebSocket message.
    Binary(Vec<u8>),
    /// For a text WebSocket message.
    Text(String),
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Binary message on a JSON connection or the reverse.
    #[error("this connection speaks {expected}; got a {got} message")]
    WrongMessageKind {
        /// What the connection negotiated.
        expected: &'static str,
        /// What arrived.
        got: &'static str,
    },
    /// The bytes are not a valid frame.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

impl Encoding {
    /// Picks the encoding from the client's `Sec-WebSocket-Protocol` offer: the first
    /// deskbell subprotocol it lists. `None` when it offered subprotocols but none of ours.
    /// A client that offers none gets JSON (handy with command-line WebSocket tools).
    pub fn negotiate(offer: Option<&str>) -> Option<Encoding> {
        let Some(offer) = offer else {
            return Some(Encoding::Json);
        };
        offer.split(',').map(str::trim).find_map(|p| match p {
            BINARY_SUBPROTOCOL => Some(Encoding::Binary),
            JSON_SUBPROTOCOL => Some(Encoding::Json),
            _ => None,
        })
    }

    /// The subprotocol name to echo back in the handshake.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Encoding::Binary => BINARY_SUBPROTOCOL,
            Encoding::Json => JSON_SUBPROTOCOL,
        }
    }

    /// Encodes a frame. Serialising our own frame types cannot fail for either format.
    pub fn encode<T: Serialize>(self, frame: &T) -> Encoded {
        match self {
            Encoding::Binary => Encoded::Binary(postcard::to_allocvec(frame).unwrap_or_default()),
            Encoding::Json => Encoded::Text(serde_json::to_string(frame).unwrap_or_default()),
        }
    }

    /// Decodes a binary WebSocket message.
    pub fn decode_binary<T: DeserializeOwned>(self, bytes: &[u8]) -> Result<T, DecodeError> {
        match self {
            Encoding::Binary => {
                let (frame, rest) = postcard::take_from_bytes(bytes)
                    .map_err(|e| DecodeError::Malformed(e.to_string()))?;
                if rest.is_empty() {
                    Ok(frame)
                } else {
                    Err(DecodeError::Malformed(format!(
                        "{} trailing bytes after the frame",
                        rest.len()
                    )))
                }
            }
            Encoding::Json => Err(DecodeError::WrongMessageKind {
                expected: "JSON (text messages)",
                got: "binary",
            }),
        }
    }

    /// Decodes a text WebSocket message.
    pub fn decode_text<T: DeserializeOwned>(self, text: &str) -> Result<T, DecodeError> {
        match self {
            Encoding::Json => {
                serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))
            }
            Encoding::Binary => Err(DecodeError::WrongMessageKind {
                expected: "postcard (binary messages)",
                got: "text",
            }),
        }
    }
}
