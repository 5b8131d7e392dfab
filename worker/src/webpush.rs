//! Sending one Web Push message: the payload encrypted for the browser's keys (RFC 8291,
//! `aes128gcm`, by the `web-push-native` crate) and the request signed with the server's VAPID
//! key (RFC 8292: an ES256 JWT, signed by `p256`), posted to the browser's push service.

use crate::error::ApiError;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use web_push_native::{Auth, WebPushBuilder};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

/// The secret holding the server's VAPID private key: 32 bytes, base64url (as
/// `web-push generate-vapid-keys` prints it).
pub const VAPID_KEY: &str = "RATCHET_VAPID_KEY";
/// Who push services may contact about this server's pushes (`mailto:` or `https:`).
const VAPID_SUBJECT: &str = "RATCHET_VAPID_SUBJECT";
/// Where an organisation keeps the app's address its devices subscribed from.
pub const ORIGIN_KEY: &str = "app_origin";

/// The JWT's `sub`: the operator's contact, else the app's own `https://` address (Apple's
/// push service refuses a token without one).
pub fn subject(env: &Env, app_origin: Option<String>) -> Option<String> {
    env.var(VAPID_SUBJECT)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| app_origin.filter(|o| o.starts_with("https://")))
}

/// Why an endpoint cannot be posted to, in words: it must parse as an absolute address.
pub fn endpoint_problem(endpoint: &str) -> Option<String> {
    let parsed: Option<http::Uri> = endpoint.parse().ok();
    parsed
        .is_none_or(|uri| uri.scheme().is_none() || uri.authority().is_none())
        .then(|| "The push endpoint is not an address.".to_owned())
}

/// How long a push service should hold a reminder for a device that is off.
const TTL_SECONDS: u64 = 24 * 60 * 60;

/// The server's VAPID key, if it has one.
pub fn server_key(env: &Env) -> Result<Option<SigningKey>, ApiError> {
    let Ok(secret) = env.secret(VAPID_KEY) else {
        return Ok(None);
    };
    let bytes = B64
        .decode(secret.to_string().trim_end_matches('='))
        .map_err(|_| ApiError::Internal(format!("{VAPID_KEY} is not base64url")))?;
    SigningKey::from_slice(&bytes)
        .map(Some)
        .map_err(|_| ApiError::Internal(format!("{VAPID_KEY} is not a P-256 private key")))
}

/// The public half, as browsers take it (`applicationServerKey`): an uncompressed point.
pub fn public_key(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().to_encoded_point(false).as_bytes())
}

/// One device's push subscription, as its browser gave it.
pub struct Subscription<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// Why a subscription's keys are unusable, in words (checked when it is stored).
pub fn keys_problem(p256dh: &str, auth: &str) -> Option<String> {
    let public = B64.decode(p256dh).ok();
    if public
        .as_deref()
        .is_none_or(|bytes| p256::PublicKey::from_sec1_bytes(bytes).is_err())
    {
        return Some("The subscription's p256dh is not a P-256 public key.".into());
    }
    if B64.decode(auth).ok().is_none_or(|bytes| bytes.len() != 16) {
        return Some("The subscription's auth is not 16 bytes.".into());
    }
    None
}

/// What the push service answered.
pub enum Delivery {
    Accepted,
    /// The subscription no longer exists (404 or 410): forget it.
    Gone,
    Failed(String),
}

/// Encrypts `payload` for `to`, signs the request and posts it.
pub async fn send(
    subject: Option<&str>,
    key: &SigningKey,
    to: &Subscription<'_>,
    payload: &[u8],
    now_ms: u64,
) -> Result<Delivery, ApiError> {
    let bad = |what: &str| ApiError::Internal(format!("a stored subscription's {what}"));
    let public =
        p256::PublicKey::from_sec1_bytes(&B64.decode(to.p256dh).map_err(|_| bad("p256dh"))?)
            .map_err(|_| bad("p256dh"))?;
    let auth = B64.decode(to.auth).map_err(|_| bad("auth"))?;
    if auth.len() != 16 {
        return Err(bad("auth"));
    }
    let endpoint: http::Uri = to.endpoint.parse().map_err(|_| bad("endpoint"))?;
    let audience = format!(
        "{}://{}",
        endpoint.scheme_str().unwrap_or("https"),
        endpoint.authority().map(|a| a.as_str()).unwrap_or_default()
    );
    let encrypted = WebPushBuilder::new(endpoint, public, Auth::clone_from_slice(&auth))
        .with_valid_duration(std::time::Duration::from_secs(TTL_SECONDS))
        .build(payload.to_vec())
        .map_err(|e| ApiError::Internal(format!("encrypting a reminder: {e}")))?;
    let headers = Headers::new();
    for (name, value) in encrypted.headers() {
        headers.set(name.as_str(), value.to_str().unwrap_or_default())?;
    }
    headers.set(
        "authorization",
        &vapid_authorization(key, &audience, subject, now_ms / 1000),
    )?;
    headers.set("urgency", "normal")?;
    let body = js_sys::Uint8Array::from(encrypted.body().as_slice());
    let mut init = RequestInit::new();
    // A push service answers; it does not send the server elsewhere.
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(to.endpoint, &init)?;
    let response = match Fetch::Request(request).send().await {
        Ok(response) => response,
        Err(error) => return Ok(Delivery::Failed(error.to_string())),
    };
    Ok(match response.status_code() {
        200..=299 => Delivery::Accepted,
        404 | 410 => Delivery::Gone,
        status => Delivery::Failed(format!("the push service answered {status}")),
    })
}

/// `vapid t=<JWT>, k=<public key>` (RFC 8292 §3): a JWT for the push service's origin, valid
/// for twelve hours, ES256-signed.
fn vapid_authorization(
    key: &SigningKey,
    audience: &str,
    subject: Option<&str>,
    now_s: u64,
) -> String {
    let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let mut claims = serde_json::json!({ "aud": audience, "exp": now_s + 12 * 60 * 60 });
    if let Some(subject) = subject {
        claims["sub"] = subject.into();
    }
    let claims = B64.encode(claims.to_string());
    let signed = format!("{header}.{claims}");
    let signature: Signature = key.sign(signed.as_bytes());
    format!(
        "vapid t={signed}.{}, k={}",
        B64.encode(signature.to_bytes()),
        public_key(key)
    )
}
