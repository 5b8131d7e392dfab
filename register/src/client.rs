//! Client (device) ids: every op names the device that wrote it; a device belongs to one member.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(Uuid);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a client id")]
pub struct InvalidClientId(String);

impl ClientId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// A fixed id, for tests and simulations that must be reproducible.
    pub fn from_u128(n: u128) -> Self {
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
        Uuid::parse_str(s)
            .ok()
            .filter(|uuid| uuid.hyphenated().to_string() == s)
            .map(Self)
            .ok_or_else(|| InvalidClientId(s.to_owned()))
    }
}

impl TryFrom<String> for ClientId {
    type Error = InvalidClientId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.to_string()
    }
}
