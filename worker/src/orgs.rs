//! Routes that pick an organisation's Durable Object: creating one (behind the operator's
//! setup code), joining one with an invite, and forwarding everything else to the object
//! named by the caller's credential.

use crate::{body::read_json, error::ApiError, token};
use register::{
    RecordId,
    wire::{CreateOrgRequest, JoinRequest},
};
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

const BINDING: &str = "ORGS";
const SIGNUP_LIMIT: &str = "SIGNUP_LIMIT";

/// The Durable Object of one organisation, named by its id.
fn organisation_object(env: &Env, org: &str) -> Result<Stub, ApiError> {
    Ok(env.durable_object(BINDING)?.id_from_name(org)?.get_stub()?)
}

/// Counts a request that creates an organisation or joins one against its client address's
/// limit (`SIGNUP_LIMIT` in `wrangler.toml`), before anything else is looked at, so guessing
/// setup codes or invites is slow too.
async fn within_address_limit(req: &Request, env: &Env) -> Result<(), ApiError> {
    // Cloudflare sets this header; locally every request shares one key.
    let address = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "local".to_owned());
    let outcome = env.rate_limiter(SIGNUP_LIMIT)?.limit(address).await?;
    if outcome.success {
        Ok(())
    } else {
        Err(ApiError::rate_limited(
            60,
            "Too many organisations were created or joined from this address in the last minute; try again in a minute.",
        ))
    }
}

/// `POST /api/orgs`.
pub async fn create(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    within_address_limit(&req, env).await?;
    let body: CreateOrgRequest = read_json(&mut req).await?;
    check_setup_code(env, body.setup_code.as_deref())?;
    let org = RecordId::new().to_string();
    internal(env, &org, "create", &body).await
}

/// `POST /api/join`: the invite code names its organisation.
pub async fn join(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    within_address_limit(&req, env).await?;
    let body: JoinRequest = read_json(&mut req).await?;
    let code = token::Token::parse(&body.code).ok_or_else(|| {
        ApiError::unauthorized("invalid_invite", "This invite code is not valid.")
    })?;
    internal(env, &code.org, "join", &body).await
}

/// `/api/orgs/{org}/…`: only the organisation the credential belongs to is ever reached.
pub async fn forward(req: Request, env: &Env, org: &str) -> Result<Response, ApiError> {
    let credential = token::bearer(&req)?;
    if credential.org != org {
        return Err(ApiError::forbidden(
            "other_organisation",
            "This credential belongs to another organisation.",
        ));
    }
    Ok(organisation_object(env, &credential.org)?
        .fetch_with_request(req)
        .await?)
}

/// A request only the worker can make: its path is never forwarded from outside.
async fn internal<T: serde::Serialize>(
    env: &Env,
    org: &str,
    action: &str,
    body: &T,
) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("x-ratchet-org", org)?;
    let json = serde_json::to_string(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(json.into()));
    let request =
        Request::new_with_init(&format!("https://organisation/internal/{action}"), &init)?;
    Ok(organisation_object(env, org)?
        .fetch_with_request(request)
        .await?)
}

fn check_setup_code(env: &Env, given: Option<&str>) -> Result<(), ApiError> {
    let open = env
        .var("RATCHET_OPEN_SIGNUP")
        .is_ok_and(|v| v.to_string() == "true");
    if open {
        return Ok(());
    }
    let Ok(expected) = env.secret("RATCHET_SETUP_CODE") else {
        return Err(ApiError::forbidden(
            "signup_closed",
            "This server does not accept new organisations. Its operator can set a setup code (secret RATCHET_SETUP_CODE) or open sign-up (RATCHET_OPEN_SIGNUP = \"true\").",
        ));
    };
    match given {
        None => Err(ApiError::forbidden(
            "setup_code_required",
            "Creating an organisation on this server needs the operator's setup code.",
        )),
        Some(code) if token::hash_secret(code) == token::hash_secret(&expected.to_string()) => {
            Ok(())
        }
        Some(_) => Err(ApiError::forbidden(
            "setup_code_wrong",
            "That setup code is not this server's.",
        )),
    }
}
