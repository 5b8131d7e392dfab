//! One error type for every route, mapped once to a status and a JSON body.

use engine::{ErrorBody, server::PushRefusal};
use worker::Response;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    MethodNotAllowed,
    /// A refusal with its own status, code and message (bad input, auth, permissions).
    Refused {
        status: u16,
        body: ErrorBody,
    },
    /// A failure inside the runtime (storage, serialisation). Details go to the log only.
    Internal(String),
}

impl ApiError {
    pub fn refused(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self::Refused {
            status,
            body: ErrorBody::new(code, message),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::refused(400, code, message)
    }

    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::refused(401, code, message)
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::refused(403, code, message)
    }

    /// 429: a limit was reached; nothing was stored. Try again after `seconds`.
    pub fn rate_limited(seconds: u64, message: impl Into<String>) -> Self {
        Self::Refused {
            status: 429,
            body: ErrorBody {
                retry_after_seconds: Some(seconds),
                ..ErrorBody::new("rate_limited", message)
            },
        }
    }

    fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Refused { status, .. } => *status,
            Self::Internal(_) => 500,
        }
    }

    fn body(self) -> ErrorBody {
        match self {
            Self::NotFound => ErrorBody::new("not_found", "There is no such API route."),
            Self::MethodNotAllowed => ErrorBody::new(
                "method_not_allowed",
                "This route does not accept that method.",
            ),
            Self::Refused { body, .. } => body,
            Self::Internal(_) => ErrorBody::new(
                "internal",
                "The server could not complete the request; nothing was changed.",
            ),
        }
    }

    pub fn into_response(self) -> worker::Result<Response> {
        if let Self::Internal(detail) = &self {
            worker::console_error!("internal error: {detail}");
        }
        let status = self.status();
        let body = self.body();
        let mut response = Response::from_json(&body)?.with_status(status);
        response.headers_mut().set("cache-control", "no-store")?;
        if let Some(seconds) = body.retry_after_seconds {
            response
                .headers_mut()
                .set("retry-after", &seconds.to_string())?;
        }
        Ok(response)
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<PushRefusal> for ApiError {
    fn from(refusal: PushRefusal) -> Self {
        Self::Refused {
            status: refusal.status(),
            body: refusal.body(),
        }
    }
}

/// A JSON response that intermediaries must not cache.
pub fn json<T: serde::Serialize>(value: &T, status: u16) -> Result<Response, ApiError> {
    let mut response = Response::from_json(value)?.with_status(status);
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}
