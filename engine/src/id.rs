//! Record ids: UUID v7, generated on the client so records can be created offline.
//! Version 7 ids sort by creation time, which keeps IndexedDB and SQLite indexes append-mostly.

use std::{fmt, str::FromStr};
use uuid::Uuid;

/// Serde for ids written as their text form. They are parsed from a borrowed string and
/// written without an intermediate `String`: a large register holds hundreds of thousands.
macro_rules! serde_as_text {
    ($id:ty) => {
        impl serde::Serialize for $id {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Text;
                impl serde::de::Visitor<'_> for Text {
                    type Value = $id;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($id), " as text"))
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$id, E> {
                        text.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Text)
            }
        }
    };
}
pub(crate) use serde_as_text;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RecordId(Uuid);

serde_as_text!(RecordId);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a record id (expected a version 7 UUID)")]
pub struct InvalidRecordId(String);

impl RecordId {
    /// The least and greatest ids, as the bounds of a range.
    pub(crate) const MIN: Self = Self(Uuid::nil());
    pub(crate) const MAX: Self = Self(Uuid::max());

    /// A fresh id from the current clock and randomness.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// An id that is the same wherever it is made: a version 7 UUID whose time is fixed
    /// (the day ISO/IEC 27001:2022 was published) and whose random bits come from the
    /// SHA-256 of `namespace` and `name`.
    pub fn derived(namespace: &str, name: &str) -> Self {
        use sha2::{Digest, Sha256};
        const FIXED_MS: u64 = 1_666_656_000_000;
        let digest = Sha256::new()
            .chain_update(namespace.as_bytes())
            .chain_update([0])
            .chain_update(name.as_bytes())
            .finalize();
        let mut bits = [0u8; 10];
        bits.copy_from_slice(&digest[..10]);
        Self(uuid::Builder::from_unix_timestamp_millis(FIXED_MS, &bits).into_uuid())
    }

    /// The id's last 32 bits, which are random in a version 7 UUID.
    pub fn low_bits(&self) -> u32 {
        self.0.as_u128() as u32
    }

    /// Milliseconds since the Unix epoch at which the id was made.
    pub fn created_ms(&self) -> u64 {
        let (secs, nanos) = self
            .0
            .get_timestamp()
            .expect("a version 7 id always has a timestamp")
            .to_unix();
        secs * 1000 + u64::from(nanos) / 1_000_000
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = InvalidRecordId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Uuid::parse_str(s) {
            Ok(uuid) if uuid.get_version_num() == 7 => Ok(Self(uuid)),
            _ => Err(InvalidRecordId(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_7_and_sort_by_creation() {
        let ids: Vec<RecordId> = (0..1000).map(|_| RecordId::new()).collect();
        assert!(ids.iter().all(|id| id.0.get_version_num() == 7));
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(
            ids, sorted,
            "v7 ids made in sequence must already be in order"
        );
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn round_trips_through_text_and_json() {
        let id = RecordId::new();
        assert_eq!(id.to_string().parse::<RecordId>(), Ok(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<RecordId>(&json).unwrap(), id);
    }

    #[test]
    fn refuses_text_that_is_not_a_v7_uuid() {
        assert!("not-an-id".parse::<RecordId>().is_err());
        // A valid UUID, but version 4: ids must carry their creation time.
        let v4 = "9b2f8f64-55a1-4c6e-9d0a-2f1b7c3e4d5a";
        assert_eq!(v4.parse::<RecordId>(), Err(InvalidRecordId(v4.to_owned())));
        assert!(serde_json::from_str::<RecordId>("\"x\"").is_err());
    }

    #[test]
    fn derived_ids_are_stable_version_7_ids() {
        let id = RecordId::derived("org", "A.5.1");
        assert_eq!(id, RecordId::derived("org", "A.5.1"));
        assert_ne!(id, RecordId::derived("org", "A.5.2"));
        assert_ne!(RecordId::derived("ab", "c"), RecordId::derived("a", "bc"));
        assert_eq!(id.to_string().parse::<RecordId>(), Ok(id));
    }

    #[test]
    fn creation_time_is_close_to_now() {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let made = RecordId::new().created_ms();
        assert!(made.abs_diff(now_ms) < 5_000, "{made} vs {now_ms}");
    }
}
