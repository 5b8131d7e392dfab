//! Client (device) ids: every op names the device that wrote it; a device belongs to one member.

use crate::id::serde_as_text;
use std::{fmt, str::FromStr};
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ClientId(Uuid);

serde_as_text!(ClientId);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a client id")]
pub struct InvalidClientId(String);

impl ClientId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// A fixed id, for tests and simulations that must be reproducible.
    pub const fn from_u128(n: u128) -> Self {
        Self(Uuid::from_u128(n))
    }
}

impl Default for ClientId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for ClientId {
    type Err = InvalidClientId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Only the canonical spelling, so one device never appears under two names.
        Uuid::parse_str(s)
            .ok()
            .filter(|uuid| uuid.hyphenated().encode_lower(&mut Uuid::encode_buffer()) == s)
            .map(Self)
            .ok_or_else(|| InvalidClientId(s.to_owned()))
    }
}
