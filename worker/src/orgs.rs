//! Routes that pick an organisation's Durable Object: creating one (behind the operator's
//! setup code), joining one with an invite, and forwarding everything else to the object
//! named by the caller's credential. Organisation ids are signed with the operator's key
//! (`engine::org_id`), so a made-up id is refused here and never reaches an object.

use crate::{body::read_json, error::ApiError, token};
use engine::org_id;
use register::api::{CreateOrgRequest, JoinRequest};
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

const BINDING: &str = "ORGS";
const SIGNUP_LIMIT: &str = "SIGNUP_LIMIT";
/// The operator's secret that signs organisation ids.
const ORG_KEY: &str = "RATCHET_ORG_KEY";
/// Organisations this server serves whose ids its key did not sign (made before ids were
/// signed, or under an earlier key), comma-separated.
const OLDER_ORGS: &str = "RATCHET_OLDER_ORGS";

fn org_key(env: &Env) -> Result<String, ApiError> {
    env.secret(ORG_KEY).map(|key| key.to_string()).map_err(|_| {
        ApiError::refused(
            503,
            "server_not_configured",
            "This server has no key for organisation ids yet. Its operator sets one with `wrangler secret put RATCHET_ORG_KEY`.",
        )
    })
}

/// The Durable Object of one organisation, once its id is known to be this server's: signed
/// with the operator's key, or listed by the operator. Anything else is `refusal`, and no
/// object is touched.
fn organisation_object(env: &Env, org: &str, refusal: fn() -> ApiError) -> Result<Stub, ApiError> {
    let signed = org_id::is_signed(org_key(env)?.as_bytes(), org);
    let listed = || {
        env.var(OLDER_ORGS)
            .is_ok_and(|list| list.to_string().split(',').any(|id| id.trim() == org))
    };
    if !signed && !listed() {
        return Err(refusal());
    }
    Ok(env.durable_object(BINDING)?.id_from_name(org)?.get_stub()?)
}

fn invalid_invite() -> ApiError {
    ApiError::unauthorized("invalid_invite", "This invite code is not valid.")
}

fn invalid_credential() -> ApiError {
    ApiError::unauthorized("invalid_credential", "This credential is not valid.")
}

/// Counts a request that creates an organisation or joins one against its client address's
/// limit (`SIGNUP_LIMIT` in `wrangler.toml`), before anything else is looked at, so guessing
/// setup codes or invites is slow too.
async fn within_address_limit(req: &Request, env: &Env) -> Result<(), ApiError> {
    // On Cloudflare this header is the platform's: it replaces any value a client sends.
    // Under `wrangler dev` nothing does, so a local client can choose it (SECURITY.md); a
    // request without it counts under one shared key.
    let address = req.headers().get("cf-connecting-ip")?.unwrap_or_default();
    let key = engine::limits::address_key(&address);
    let outcome = env.rate_limiter(SIGNUP_LIMIT)?.limit(key).await?;
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
    let org = org_id::mint(org_key(env)?.as_bytes(), token::random_bytes()?);
    let object = organisation_object(env, &org, || {
        ApiError::Internal("a freshly minted organisation id did not verify".into())
    })?;
    internal(object, &org, "create", &body).await
}

/// `POST /api/join`: the invite code names its organisation.
pub async fn join(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    within_address_limit(&req, env).await?;
    let body: JoinRequest = read_json(&mut req).await?;
    let code = token::Token::parse(&body.code).ok_or_else(invalid_invite)?;
    let object = organisation_object(env, &code.org, invalid_invite)?;
    internal(object, &code.org, "join", &body).await
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
    Ok(
        organisation_object(env, &credential.org, invalid_credential)?
            .fetch_with_request(req)
            .await?,
    )
}

fn no_such_feed() -> ApiError {
    ApiError::refused(404, "no_such_feed", "There is no such calendar feed.")
}

/// `GET /api/orgs/{org}/calendar/{secret}.ics`: a calendar program sends no credential; the
/// organisation checks the feed's secret address itself (a forged organisation id reaches no
/// object, as everywhere).
pub async fn calendar_feed(req: Request, env: &Env, org: &str) -> Result<Response, ApiError> {
    Ok(organisation_object(env, org, no_such_feed)?
        .fetch_with_request(req)
        .await?)
}

/// A request only the worker can make: its path is never forwarded from outside.
async fn internal<T: serde::Serialize>(
    object: Stub,
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
    Ok(object.fetch_with_request(request).await?)
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
