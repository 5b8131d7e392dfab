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
mod webpush;

use error::ApiError;
use worker::{Context, Env, Headers, Method, Request, Response, Result, event};

pub use organisation::Organisation;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let response = route(req, &env).await.or_else(ApiError::into_response)?;
    with_security_headers(response)
}

/// Every API answer is data, never a page: it may not be sniffed, framed or run as one (the
/// app's own files get theirs from `dist/_headers`, written by `cargo xtask post-build`).
/// Each also tells the server's time.
fn with_security_headers(response: Response) -> Result<Response> {
    // A response from a Durable Object may have immutable headers: copy them into new ones.
    let status = response.status_code();
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.set(&name, &value)?;
    }
    let (_, body) = response.into_parts();
    headers.set(
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    )?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("cache-control", "no-store")?;
    // The server's clock, so a device whose own clock is wrong stamps its edits right
    // (`Device::observe_server_time`).
    headers.set(
        engine::wire::SERVER_TIME_HEADER,
        &worker::Date::now().as_millis().to_string(),
    )?;
    Ok(Response::builder()
        .with_status(status)
        .with_headers(headers)
        .body(body))
}

async fn route(req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    // workers-rs reads any method it does not know as GET; such a request is refused here.
    if req.method().as_ref() != req.inner().method() {
        return Err(ApiError::MethodNotAllowed);
    }
    let path = req.path();
    // "/api/orgs/x/push" → ["orgs", "x", "push"]
    let segments: Vec<&str> = path.split('/').skip(2).collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["health"]) => health::get(),
        (Method::Post, ["orgs"]) => orgs::create(req, env).await,
        (Method::Post, ["join"]) => orgs::join(req, env).await,
        (_, ["health" | "orgs" | "join"]) => Err(ApiError::MethodNotAllowed),
        (Method::Get, ["orgs", org, "calendar", _]) => {
            let org = (*org).to_owned();
            orgs::calendar_feed(req, env, &org).await
        }
        (_, ["orgs", org, _, ..]) => {
            let org = (*org).to_owned();
            orgs::forward(req, env, &org).await
        }
        _ => Err(ApiError::NotFound),
    }
}
