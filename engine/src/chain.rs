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

/// A check of a whole log, page by page from its first entry: every entry follows the one
/// before and matches its hash. It notes the hash at `device_at`, the entry a device's copy
/// reaches, so the device's copy can be compared with the log it checked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChainCheck {
    /// The last entry checked.
    pub checked: u64,
    /// Its hash.
    pub head: String,
    device_at: u64,
    hash_at_device: Option<String>,
}

impl ChainCheck {
    pub fn new(device_at: u64) -> ChainCheck {
        ChainCheck {
            checked: 0,
            head: GENESIS.to_owned(),
            device_at,
            hash_at_device: (device_at == 0).then(|| GENESIS.to_owned()),
        }
    }

    /// Checks the next page of the log.
    pub fn add<K: serde::Serialize>(&mut self, entries: &[LogEntry<K>]) -> Result<(), ChainError> {
        self.head = verify(self.checked, &self.head, entries)?;
        if let Some(entry) = entries.iter().find(|e| e.seq == self.device_at) {
            self.hash_at_device = Some(entry.hash.clone());
        }
        self.checked = entries.last().map_or(self.checked, |e| e.seq);
        Ok(())
    }

    /// What the check found, in words, given the hash the device holds at its entry.
    pub fn words(&self, device_hash: &str) -> String {
        let short = |hash: &str| hash.chars().take(16).collect::<String>();
        let checked = format!(
            "Checked all {} entries of the organisation's log, from the first: each follows the one before and matches its hash. The head is entry {}, hash {}.",
            self.checked,
            self.checked,
            short(&self.head)
        );
        let device = match &self.hash_at_device {
            Some(hash) if hash == device_hash => format!(
                " This device's copy, up to entry {}, is that same history.",
                self.device_at
            ),
            Some(_) => format!(
                " This device's copy differs from it at entry {}: the two histories are not the same.",
                self.device_at
            ),
            None => format!(
                " This device's copy reaches entry {}, which the log does not hold.",
                self.device_at
            ),
        };
        checked + &device
    }
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

    #[test]
    fn a_whole_log_is_checked_page_by_page_and_compared_with_the_devices_copy() {
        let entries = chain(25);
        let mut check = ChainCheck::new(20);
        for page in entries.chunks(10) {
            check.add(page).unwrap();
        }
        assert_eq!(
            (check.checked, check.head.as_str()),
            (25, entries[24].hash.as_str())
        );
        let words = check.words(&entries[19].hash);
        assert!(words.starts_with("Checked all 25 entries"), "{words}");
        assert!(
            words.ends_with("up to entry 20, is that same history."),
            "{words}"
        );
        assert!(
            check
                .words(&entries[18].hash)
                .contains("differs from it at entry 20")
        );
        assert!(
            ChainCheck::new(30)
                .words("x")
                .contains("reaches entry 30, which the log does not hold")
        );

        let mut altered = entries.clone();
        altered[12].op.value = crate::Value::Text("forged".into());
        let mut check = ChainCheck::new(0);
        check.add(&altered[..10]).unwrap();
        assert_eq!(
            check.add(&altered[10..]),
            Err(ChainError::Mismatch { seq: 13 })
        );
        let mut gapped = ChainCheck::new(0);
        assert_eq!(
            gapped.add(&entries[1..3]),
            Err(ChainError::Gap {
                previous: 0,
                found: 2
            })
        );
    }
}
