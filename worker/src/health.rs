//! `GET /api/health`: lets the app and the test harness know the server is up.

use crate::error::ApiError;
use engine::wire::Health;
use worker::Response;

pub fn get() -> Result<Response, ApiError> {
    let health = Health {
        ok: true,
        service: "ratchet".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let mut response = Response::from_json(&health)?;
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}
