//! Secrets handed to people (device credentials, invite codes). Each is
//! `<organisation>.<id>.<secret>` with a 256-bit random secret; the server keeps only the
//! SHA-256 of the secret, so a leaked database holds nothing that signs anyone in.

use crate::error::ApiError;
use engine::chain::to_hex;
use sha2::{Digest, Sha256};

pub struct Token {
    pub org: String,
    pub id: String,
    pub secret: String,
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

pub fn random_secret() -> Result<String, ApiError> {
    Ok(to_hex(&random_bytes::<32>()?))
}

pub fn hash_secret(secret: &str) -> String {
    to_hex(&Sha256::digest(secret.as_bytes()))
}

impl Token {
    pub fn new(org: &str, id: &str) -> Result<Self, ApiError> {
        Ok(Self {
            org: org.to_owned(),
            id: id.to_owned(),
            secret: random_secret()?,
        })
    }

    /// Splits a presented token; None when it does not have the expected shape.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.');
        let (org, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = parts.next().is_none()
            && uuid_like(org)
            && uuid_like(id)
            && secret.len() == 64
            && secret.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed.then(|| Self {
            org: org.to_owned(),
            id: id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.org, self.id, self.secret)
    }

    pub fn secret_hash(&self) -> String {
        hash_secret(&self.secret)
    }
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The bearer token of a request, or a 401 saying it is missing.
pub fn bearer(req: &worker::Request) -> Result<Token, ApiError> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let Some(raw) = header.strip_prefix("Bearer ") else {
        return Err(ApiError::unauthorized(
            "missing_credential",
            "Sign in first: this request needs the device's credential (Authorization: Bearer …).",
        ));
    };
    Token::parse(raw).ok_or_else(|| {
        ApiError::unauthorized("invalid_credential", "This credential is not valid.")
    })
}
