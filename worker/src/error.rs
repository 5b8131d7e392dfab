//! One error type for every route, mapped once to a status and a JSON body.

use register::wire::ErrorBody;
use worker::Response;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    MethodNotAllowed,
    /// A failure inside the runtime (storage, serialisation). Details go to the log only.
    Internal(worker::Error),
}

impl ApiError {
    fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Internal(_) => 500,
        }
    }

    fn body(&self) -> ErrorBody {
        match self {
            Self::NotFound => ErrorBody::new("not_found", "There is no such API route."),
            Self::MethodNotAllowed => ErrorBody::new(
                "method_not_allowed",
                "This route does not accept that method.",
            ),
            Self::Internal(_) => ErrorBody::new(
                "internal",
                "The server could not complete the request; nothing was changed.",
            ),
        }
    }

    pub fn into_response(self) -> worker::Result<Response> {
        if let Self::Internal(error) = &self {
            worker::console_error!("internal error: {error}");
        }
        Ok(Response::from_json(&self.body())?.with_status(self.status()))
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::Internal(error)
    }
}
