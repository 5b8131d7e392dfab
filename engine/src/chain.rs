//! The tamper-evident log: entry n carries sha256(hash of entry n−1 ‖ canonical bytes of op n).
//! Anyone holding the log can recompute the chain; changing any op changes every later hash.

use crate::Op;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry<K> {
    pub seq: u64,
    pub hash: String,
    pub op: Op<K>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("log entry {found} follows {previous}; the log must be gapless")]
    Gap { previous: u64, found: u64 },
    #[error("log entry {seq} does not match its hash: the history was altered")]
    Mismatch { seq: u64 },
    #[error("“{0}” is not a SHA-256 hash")]
    BadHash(String),
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The hash of the entry holding `op`, given the previous entry's hash.
pub fn link<K: serde::Serialize>(previous: &str, op: &Op<K>) -> Result<String, ChainError> {
    let previous = from_hex(previous).ok_or_else(|| ChainError::BadHash(previous.to_owned()))?;
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(op.canonical_bytes());
    Ok(to_hex(&hasher.finalize()))
}

/// Checks that `entries` continue the chain after (`seq`, `hash`); returns the new head hash.
pub fn verify<K: serde::Serialize>(
    seq: u64,
    hash: &str,
    entries: &[LogEntry<K>],
) -> Result<String, ChainError> {
    let mut previous = (seq, hash.to_owned());
    for entry in entries {
        if entry.seq != previous.0 + 1 {
            return Err(ChainError::Gap {
                previous: previous.0,
                found: entry.seq,
            });
        }
        if link(&previous.1, &entry.op)? != entry.hash {
            return Err(ChainError::Mismatch { seq: entry.seq });
        }
        previous = (entry.seq, entry.hash.clone());
    }
    Ok(previous.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Hlc, RecordId, Value, testing::Kind};

    fn chain(n: u64) -> Vec<LogEntry<Kind>> {
        let client = ClientId::from_u128(7);
        let record = RecordId::new();
        let mut hash = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let op = Op {
                    client,
                    mid: seq,
                    record,
                    kind: Kind::Note,
                    field: "title".into(),
                    value: Value::Text(format!("v{seq}")),
                    hlc: Hlc {
                        wall: seq,
                        counter: 0,
                    },
                };
                hash = link(&hash, &op).unwrap();
                LogEntry {
                    seq,
                    hash: hash.clone(),
                    op,
                }
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_in_pieces() {
        let entries = chain(5);
        let head = verify(0, GENESIS, &entries[..2]).unwrap();
        let end = verify(2, &head, &entries[2..]).unwrap();
        assert_eq!(end, entries[4].hash);
    }

    #[test]
    fn any_alteration_is_detected() {
        let mut entries = chain(4);
        entries[2].op.value = Value::Text("forged".into());
        assert_eq!(
            verify(0, GENESIS, &entries),
            Err(ChainError::Mismatch { seq: 3 })
        );

        let mut entries = chain(4);
        entries.remove(1);
        assert_eq!(
            verify(0, GENESIS, &entries),
            Err(ChainError::Gap {
                previous: 1,
                found: 3
            })
        );
        assert!(matches!(
            verify(0, "zz", &chain(1)),
            Err(ChainError::BadHash(_))
        ));
    }
}
