//! Stable error codes sent to clients in `error` frames and HTTP error bodies.

use super::server_frames::ErrorFrame;

/// A refusal reason. The numbers and names are part of the protocol and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The frame could not be decoded (bad JSON/postcard, unknown frame or field).
    BadFrame,
    /// The frame or message body is larger than allowed.
    TooLarge,
    /// The frame is valid but not allowed now (e.g. `send` before a hello).
    UnexpectedFrame,
    /// A field has an invalid value (empty body, overlong client id…).
    InvalidField,
    /// Missing or wrong credentials or token.
    Unauthorized,
    /// Not allowed for this identity (someone else's conversation, not an admin).
    Forbidden,
    /// The conversation is assigned to another agent.
    NotAssigned,
    /// No such conversation or agent.
    NotFound,
    /// The action conflicts with the current state (already closed, already assigned…).
    Conflict,
    /// Too many requests; slow down.
    RateLimited,
    /// The server could not store the message (disk full, I/O error); retry later.
    StorageUnavailable,
    /// The server is shutting down or overloaded; reconnect later.
    Unavailable,
    /// An unexpected server fault.
    Internal,
    /// The HTTP method is not one this path answers (the `Allow` header lists them).
    MethodNotAllowed,
    /// The request body did not arrive in time.
    Timeout,
    /// An uploaded file's bytes are not of a type on the allow-list.
    UnsupportedType,
    /// This visitor or address has uploaded as much as it may this hour.
    UploadQuota,
    /// The space for attachments (`--files-quota-mb`) is full.
    StorageFull,
    /// This visitor or address has sent as much message text as it may this hour.
    TextQuota,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::BadFrame,
        ErrorCode::TooLarge,
        ErrorCode::UnexpectedFrame,
        ErrorCode::InvalidField,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotAssigned,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::StorageUnavailable,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Timeout,
        ErrorCode::UnsupportedType,
        ErrorCode::UploadQuota,
        ErrorCode::StorageFull,
        ErrorCode::TextQuota,
    ];

    /// The stable number (first three digits follow the HTTP status it resembles).
    pub fn number(self) -> u16 {
        match self {
            ErrorCode::BadFrame => 4000,
            ErrorCode::TooLarge => 4130,
            ErrorCode::UnexpectedFrame => 4001,
            ErrorCode::InvalidField => 4002,
            ErrorCode::Unauthorized => 4010,
            ErrorCode::Forbidden => 4030,
            ErrorCode::NotAssigned => 4031,
            ErrorCode::NotFound => 4040,
            ErrorCode::Conflict => 4090,
            ErrorCode::RateLimited => 4290,
            ErrorCode::StorageUnavailable => 5070,
            ErrorCode::Unavailable => 5030,
            ErrorCode::Internal => 5000,
            ErrorCode::MethodNotAllowed => 4050,
            ErrorCode::Timeout => 4080,
            ErrorCode::UnsupportedType => 4150,
            ErrorCode::UploadQuota => 4291,
            ErrorCode::StorageFull => 5071,
            ErrorCode::TextQuota => 4292,
        }
    }

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnexpectedFrame => "unexpected_frame",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotAssigned => "not_assigned",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UnsupportedType => "unsupported_type",
            ErrorCode::UploadQuota => "upload_quota",
            ErrorCode::StorageFull => "storage_full",
            ErrorCode::TextQuota => "text_quota",
        }
    }

    /// The HTTP status used when this code is returned by the HTTP API.
    pub fn http_status(self) -> u16 {
        self.number() / 10
    }

    /// Builds an error frame with this code.
    pub fn frame(self, message: impl Into<String>) -> ErrorFrame {
        ErrorFrame {
            code: self.number(),
            error: self.name().to_string(),
            message: message.into(),
            client_id: None,
            conversation: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique() {
        let mut numbers: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.number()).collect();
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        numbers.sort_unstable();
        names.sort_unstable();
        numbers.dedup();
        names.dedup();
        assert_eq!(numbers.len(), ErrorCode::ALL.len());
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn http_status_is_a_real_status() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.http_status()), "{code:?}");
        }
    }
}
