//! How a device's records are laid out in storage: in buckets of a few dozen records, each
//! bucket one compact JSON text, kept as UTF-8 bytes. Browsers pay a large cost per stored row (reading 20,000
//! one-record rows from IndexedDB took 150–230 ms) and per byte converted, so a register loads
//! from few, small rows, while an edit rewrites only its record's bucket.
//!
//! A record's bucket is its id's random low bits modulo the bucket count, a power of two. The
//! count doubles as the register grows, keeping buckets near `TARGET` records; the caller
//! then rewrites every bucket at once.
//!
//! A bucket is `{"c":[client ids],"r":[records]}`; a record is
//! `[id, kind, local fields, confirmed fields, confirmed is local]` and a field
//! `[name, value, wall, counter, client index]`: about half the size of the records'
//! own JSON, which repeats every client id and key name.

use crate::{
    ClientId, FieldState, Hlc, RecordId, RecordKind, RecordState, Stamp, Value,
    device::{Device, RecordRow},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The records a bucket aims to hold on average.
pub const TARGET: usize = 64;
/// The fewest buckets: small registers still spread out, so an edit rewrites little.
pub const MIN_BUCKETS: u32 = 16;

/// The bucket count for a register of `records` records.
pub fn buckets_for(records: usize) -> u32 {
    let wanted = records.div_ceil(TARGET).next_power_of_two();
    u32::try_from(wanted).unwrap_or(1 << 31).max(MIN_BUCKETS)
}

/// Whether `buckets` have grown too full for `records` (twice the target on average).
pub fn outgrown(records: usize, buckets: u32) -> bool {
    records > 2 * TARGET * buckets as usize
}

/// The bucket of a record: its id's low bits modulo the count (`Replica::with_low_bits`
/// lists a bucket's records by the same rule).
pub fn bucket_of(id: RecordId, buckets: u32) -> u32 {
    id.low_bits() % buckets
}

#[derive(Serialize, Deserialize)]
struct Field<S, V>(S, V, u64, u32, u32);

#[derive(Serialize, Deserialize)]
struct Packed<K, F>(RecordId, K, Option<Vec<F>>, Option<Vec<F>>, u8);

#[derive(Serialize, Deserialize)]
struct Bucket<K, F> {
    c: Vec<ClientId>,
    r: Vec<Packed<K, F>>,
}

/// Builds one bucket's text, numbering its clients as they appear.
struct BucketWriter<'a, K> {
    clients: Vec<ClientId>,
    records: Vec<Packed<K, Field<&'a str, &'a Value>>>,
}

impl<'a, K: RecordKind> BucketWriter<'a, K> {
    fn new() -> Self {
        Self {
            clients: Vec::new(),
            records: Vec::new(),
        }
    }

    fn fields(&mut self, record: &'a RecordState<K>) -> Vec<Field<&'a str, &'a Value>> {
        record
            .fields
            .iter()
            .map(|(name, state)| {
                let client = &state.stamp.client;
                let index = match self.clients.iter().position(|c| c == client) {
                    Some(index) => index,
                    None => {
                        self.clients.push(*client);
                        self.clients.len() - 1
                    }
                };
                let hlc = state.stamp.hlc;
                Field(
                    name.as_str(),
                    &state.value,
                    hlc.wall,
                    hlc.counter,
                    index as u32,
                )
            })
            .collect()
    }

    fn add(
        &mut self,
        id: RecordId,
        local: Option<&'a RecordState<K>>,
        confirmed: Option<&'a RecordState<K>>,
    ) {
        let Some(kind) = local.or(confirmed).map(|r| r.kind) else {
            return;
        };
        let same = confirmed.is_some() && confirmed == local;
        let local_fields = local.map(|r| self.fields(r));
        let confirmed_fields = confirmed.filter(|_| !same).map(|r| self.fields(r));
        self.records.push(Packed(
            id,
            kind,
            local_fields,
            confirmed_fields,
            u8::from(same),
        ));
    }

    fn finish(self) -> Option<Vec<u8>> {
        (!self.records.is_empty()).then(|| {
            let bucket = Bucket {
                c: self.clients,
                r: self.records,
            };
            serde_json::to_vec(&bucket).expect("records always serialise")
        })
    }
}

impl<K: RecordKind> Device<K> {
    /// The stored bytes of each of `which` buckets, or None when the bucket is empty and its
    /// row should go.
    pub fn packed_buckets(
        &self,
        which: &BTreeSet<u32>,
        buckets: u32,
    ) -> Vec<(u32, Option<Vec<u8>>)> {
        which
            .iter()
            .map(|&bucket| {
                let mut writer = BucketWriter::new();
                for (id, local) in self.local.with_low_bits(bucket, buckets) {
                    writer.add(id, Some(local), self.confirmed.record(id));
                }
                for (id, confirmed) in self.confirmed.with_low_bits(bucket, buckets) {
                    if self.local.record(id).is_none() {
                        writer.add(id, None, Some(confirmed));
                    }
                }
                (bucket, writer.finish())
            })
            .collect()
    }

    /// How many records the device holds (for choosing the bucket count).
    pub fn record_count(&self) -> usize {
        self.local.len().max(self.confirmed.len())
    }
}

/// Reads every stored record from the bucket texts.
pub fn unpack<'a, K: RecordKind>(
    buckets: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<RecordRow<K>>, serde_json::Error> {
    let mut rows = Vec::new();
    for text in buckets {
        let bucket: Bucket<K, Field<String, Value>> = serde_json::from_slice(text)?;
        let state = |kind: K,
                     fields: Vec<Field<String, Value>>|
         -> Result<RecordState<K>, serde_json::Error> {
            let fields = fields
                .into_iter()
                .map(|Field(name, value, wall, counter, client)| {
                    let client = *bucket.c.get(client as usize).ok_or_else(|| {
                        serde::de::Error::custom(format!("no client number {client} in its bucket"))
                    })?;
                    let stamp = Stamp {
                        hlc: Hlc { wall, counter },
                        client,
                    };
                    Ok((name, FieldState { value, stamp }))
                })
                .collect::<Result<_, serde_json::Error>>()?;
            Ok(RecordState { kind, fields })
        };
        for Packed(id, kind, local, confirmed, same) in bucket.r {
            let local = local.map(|f| state(kind, f)).transpose()?;
            let confirmed = match confirmed {
                Some(fields) => Some(state(kind, fields)?),
                None if same == 1 => local.clone(),
                None => None,
            };
            rows.push(RecordRow {
                id,
                local,
                confirmed,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClientId, Value,
        device::Stored,
        testing::{Device, Kind, NOW},
    };

    fn device_with(records: usize) -> (Device, Vec<RecordId>) {
        let mut device = Device::new(ClientId::new());
        let ids: Vec<RecordId> = (0..records).map(|_| RecordId::new()).collect();
        for (i, id) in ids.iter().enumerate() {
            device.edit(
                *id,
                Kind::Note,
                "title",
                format!("Risk “{i}”\n").into(),
                NOW,
            );
            device.edit(*id, Kind::Note, "inherent_impact", Value::Int(3), NOW);
        }
        (device, ids)
    }

    fn all_buckets(buckets: u32) -> BTreeSet<u32> {
        (0..buckets).collect()
    }

    #[test]
    fn every_record_is_stored_once_and_reads_back_unchanged() {
        let (device, _) = device_with(300);
        let buckets = buckets_for(device.record_count());
        let packed = device.packed_buckets(&all_buckets(buckets), buckets);
        assert_eq!(packed.len(), buckets as usize);
        let texts = || packed.iter().filter_map(|(_, t)| t.as_deref());
        let rows = unpack::<Kind>(texts()).unwrap();
        assert_eq!(rows.len(), 300);
        let packed_bytes: usize = texts().map(<[u8]>::len).sum();
        let plain_bytes: usize = rows
            .iter()
            .map(|r| serde_json::to_string(&r.local).unwrap().len())
            .sum();
        assert!(
            packed_bytes * 100 < plain_bytes * 55,
            "{packed_bytes} bytes packed, {plain_bytes} as plain JSON"
        );
        let restored = Device::restore(Stored {
            meta: device.meta(),
            records: rows,
            queue: Vec::new(),
            refused: Vec::new(),
        });
        assert_eq!(restored.local, device.local);
        assert_eq!(restored.confirmed, device.confirmed);
    }

    #[test]
    fn a_bucket_holds_exactly_its_records_and_an_empty_one_is_removed() {
        let (device, ids) = device_with(40);
        let buckets = 16;
        let target = bucket_of(ids[0], buckets);
        let packed = device.packed_buckets(&BTreeSet::from([target]), buckets);
        let [(bucket, Some(text))] = packed.as_slice() else {
            panic!("one bucket with records: {packed:?}")
        };
        assert_eq!(*bucket, target);
        let rows = unpack::<Kind>([text.as_slice()]).unwrap();
        let expected: Vec<RecordId> = ids
            .iter()
            .copied()
            .filter(|id| bucket_of(*id, buckets) == target)
            .collect();
        let mut got: Vec<RecordId> = rows.iter().map(|r| r.id).collect();
        got.sort();
        assert_eq!(got, expected);

        let empty = Device::new(ClientId::new());
        assert_eq!(
            empty.packed_buckets(&BTreeSet::from([3]), 16),
            vec![(3, None)]
        );
    }

    #[test]
    fn the_bucket_count_grows_with_the_register() {
        assert_eq!(buckets_for(0), MIN_BUCKETS);
        assert_eq!(buckets_for(1_000), MIN_BUCKETS);
        assert_eq!(buckets_for(20_000), 512);
        assert!(!outgrown(2_000, 16));
        assert!(outgrown(2_049, 16));
        assert!(!outgrown(20_000, buckets_for(20_000)));
    }

    #[test]
    fn records_spread_evenly_over_buckets() {
        let buckets = 16;
        let mut counts = vec![0usize; buckets as usize];
        for _ in 0..16_000 {
            counts[bucket_of(RecordId::new(), buckets) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&n| (800..1200).contains(&n)),
            "{counts:?}"
        );
    }

    #[test]
    fn unreadable_text_is_an_error() {
        assert!(unpack::<Kind>([b"[1,2".as_slice()]).is_err());
        let unknown_client = format!(
            r#"{{"c":[],"r":[["{}","note",[["title","x",1,0,0]],null,0]]}}"#,
            RecordId::new()
        );
        assert!(unpack::<Kind>([unknown_client.as_bytes()]).is_err());
    }
}
