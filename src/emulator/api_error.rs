//! The errors the emulated Flex answers with: HTTP status, Twilio error code and message, in
//! Twilio's standard error body.

use crate::flex::wire::ErrorBody;

/// Body failed validation (missing key, wrong type, enum, limit).
pub const VALIDATION: i64 = 45004;
pub const NOT_FOUND: i64 = 20404;
pub const AUTHENTICATE: i64 = 20003;
pub const TOO_MANY_REQUESTS: i64 = 20429;
pub const INTERNAL: i64 = 20500;
pub const UNAVAILABLE: i64 = 20503;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: i64,
    pub message: String,
    pub detail: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// 400 / 45004: the request body is not acceptable.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(400, VALIDATION, message)
    }

    /// 404 / 20404 for the resource at `path`.
    pub fn not_found(path: &str) -> Self {
        ApiError::new(
            404,
            NOT_FOUND,
            format!("The requested resource {path} was not found"),
        )
    }

    pub fn unauthorized() -> Self {
        ApiError {
            detail: Some("Your AccountSid or AuthToken was incorrect.".to_owned()),
            ..ApiError::new(401, AUTHENTICATE, "Authenticate")
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: Some(self.code),
            detail: self.detail.clone(),
            message: self.message.clone(),
            more_info: Some(format!("https://www.twilio.com/docs/errors/{}", self.code)),
            status: self.status,
        }
    }
}
