//! JSON shapes that cross the network between the app and the worker. Unknown fields are
//! refused everywhere, so a typo in a client is an error rather than silently ignored data.

use crate::{ClientId, LogEntry, Op};
use serde::{Deserialize, Serialize};

/// Most ops in one push.
pub const PUSH_MAX_OPS: usize = 500;
/// Largest request body the API reads.
pub const BODY_MAX_BYTES: usize = 1024 * 1024;
/// Every API answer's header with the server's time, in milliseconds since the epoch.
pub const SERVER_TIME_HEADER: &str = "x-ratchet-time";

/// Most log entries in one pull page.
pub const PULL_MAX: u64 = 1000;
/// Most bytes of stored values in one pull page, counting `PULL_ENTRY_BYTES` more for the
/// rest of each entry: long texts make a page shorter, never larger.
pub const PULL_MAX_BYTES: u64 = 4 * 1024 * 1024;
pub const PULL_ENTRY_BYTES: u64 = 256;

/// `GET /api/health`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub ok: bool,
    pub service: String,
    pub version: String,
}

/// Every refusal from the API: a stable machine-readable code and a sentence for people.
/// A refused push also says how far the server got and which ops were refused, and why.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked_mid: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejections: Vec<Rejection>,
    /// When a limit was reached: how long to wait before trying again (also `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
            },
            acked_mid: None,
            rejections: Vec::new(),
            retry_after_seconds: None,
        }
    }
}

/// One refused op: which one (its mid and clock, so a stale answer can't match a later op),
/// a machine-readable reason and a sentence for the person who made the change.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub mid: u64,
    pub hlc_wall: u64,
    pub hlc_counter: u32,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// `POST /api/orgs/{org}/push`. `withdrawn` lists mids whose ops the client gave up after a
/// refusal: the server consumes them without effect so mids stay gapless.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest<K> {
    pub client: ClientId,
    pub ops: Vec<Op<K>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<u64>,
}

/// A push that was stored: every mid up to `acked_mid` is now safe on the server.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub acked_mid: u64,
    /// The log's last seq after this push.
    pub head: u64,
}

/// `GET /api/orgs/{org}/pull?since=seq&limit=n`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse<K> {
    pub ops: Vec<LogEntry<K>>,
    /// The cursor to ask from next time (the last seq returned, or `since` if none).
    pub next: u64,
    pub more: bool,
    /// The log's last seq, for progress indication.
    pub head: u64,
}

/// Most log entries a record's history returns (the latest ones), within `PULL_MAX_BYTES`.
pub const HISTORY_MAX: u64 = 1000;

/// `GET /api/orgs/{org}/records/{id}/history`: who changed which field of one record, when,
/// oldest first.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryResponse<K> {
    pub changes: Vec<Logged<K>>,
    /// Whether older changes were left out.
    pub more: bool,
}

/// A change in the log, with the server's own time of receipt: the client's clock orders
/// the merge, but any writer could set it to any time. None for changes received before
/// the server kept the time.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logged<K> {
    pub entry: LogEntry<K>,
    pub received_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_a_stable_shape() {
        let body = ErrorBody::new("not_found", "No such route.");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"No such route."}}"#
        );
    }

    #[test]
    fn requests_with_unknown_fields_are_refused() {
        let json = r#"{"client":"018f0000-0000-7000-8000-000000000001","ops":[],"extra":1}"#;
        assert!(serde_json::from_str::<PushRequest<crate::testing::Kind>>(json).is_err());
        let json = r#"{"client":"018f0000-0000-7000-8000-000000000001","ops":[]}"#;
        assert!(
            serde_json::from_str::<PushRequest<crate::testing::Kind>>(json)
                .unwrap()
                .withdrawn
                .is_empty()
        );
    }
}
