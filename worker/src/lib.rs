//! The sync server's entry point. Wrangler's `[assets]` serves the app for every path except
//! `/api/*`, which reaches this worker. Errors are turned into JSON in one place (`error.rs`).

mod error;
mod health;

use error::ApiError;
use worker::{Context, Env, Method, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    let outcome = match (req.method(), path.as_str()) {
        (Method::Get, "/api/health") => health::get(),
        (_, "/api/health") => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    };
    outcome.or_else(|error| error.into_response())
}
