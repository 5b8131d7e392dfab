//! An op is one field of one record set to one value at one hybrid-clock instant.

use crate::{ClientId, Hlc, RecordId, Stamp, Value};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op<K> {
    pub client: ClientId,
    /// Per-client sequence number, from 1 and without gaps: the server's dedup key.
    pub mid: u64,
    pub record: RecordId,
    pub kind: K,
    pub field: String,
    pub value: Value,
    pub hlc: Hlc,
}

impl<K: serde::Serialize> Op<K> {
    pub fn stamp(&self) -> Stamp {
        Stamp {
            hlc: self.hlc,
            client: self.client,
        }
    }

    /// The bytes hashed into the log chain: compact JSON in the struct's field order.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an op always serialises")
    }
}
