//! The WebSocket protocol: frame types (defined once), their two encodings and the stable
//! error codes. Pure data; no I/O. `docs/PROTOCOL.md` documents it for client authors.

mod codec;
mod error_code;
mod frame_weight;
mod frames;
mod server_frames;

pub use codec::{BINARY_SUBPROTOCOL, DecodeError, Encoded, Encoding, JSON_SUBPROTOCOL};
pub use error_code::ErrorCode;
pub use frames::*;
pub use server_frames::*;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;
