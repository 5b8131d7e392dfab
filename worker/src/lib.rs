//! The sync server's entry point. Wrangler's `[assets]` serves the app for every path except
//! `/api/*`, which reaches this worker. The worker stays thin: it routes, checks what can be
//! checked without the organisation's state, and hands each request to the Durable Object of
//! the organisation named by the request's credential (`organisation/`). Errors become JSON in
//! one place (`error.rs`).

mod body;
mod error;
mod health;
mod organisation;
mod orgs;
mod token;

use error::ApiError;
use worker::{Context, Env, Method, Request, Response, Result, event};

pub use organisation::Organisation;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    route(req, &env).await.or_else(ApiError::into_response)
}

async fn route(req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    let path = req.path();
    // "/api/orgs/x/push" → ["orgs", "x", "push"]
    let segments: Vec<&str> = path.split('/').skip(2).collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["health"]) => health::get(),
        (Method::Post, ["orgs"]) => orgs::create(req, env).await,
        (Method::Post, ["join"]) => orgs::join(req, env).await,
        (_, ["health" | "orgs" | "join"]) => Err(ApiError::MethodNotAllowed),
        (_, ["orgs", org, _, ..]) => {
            let org = (*org).to_owned();
            orgs::forward(req, env, &org).await
        }
        _ => Err(ApiError::NotFound),
    }
}
