//! Reading a JSON request body: content type checked, size capped while streaming, and a
//! parse error turned into a message that says what was wrong.

use crate::error::ApiError;
use engine::wire::BODY_MAX_BYTES;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use worker::Request;

pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    let content_type = req.headers().get("content-type")?.unwrap_or_default();
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    {
        return Err(ApiError::refused(
            415,
            "unsupported_media_type",
            "Send the request body as JSON (Content-Type: application/json).",
        ));
    }
    let too_large = || {
        ApiError::refused(
            413,
            "body_too_large",
            format!(
                "A request body may be at most {} KiB.",
                BODY_MAX_BYTES / 1024
            ),
        )
    };
    let declared = req.headers().get("content-length")?;
    if declared
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| n > BODY_MAX_BYTES)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    if let Ok(mut stream) = req.stream() {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if bytes.len() + chunk.len() > BODY_MAX_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    serde_json::from_slice(&bytes).map_err(|error| {
        let code = if error.is_syntax() || error.is_eof() {
            "malformed_json"
        } else {
            "invalid_request"
        };
        ApiError::bad_request(
            code,
            format!("The request body could not be read: {error}."),
        )
    })
}
