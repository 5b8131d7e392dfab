//! A replica of the register: the merge of a set of ops. Each field holds the value of the op
//! with the greatest (hlc, client); applying ops in any order, any number of times, gives the
//! same state.

use crate::{Op, RecordId, RecordKind, Stamp, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct FieldState {
    pub value: Value,
    pub stamp: Stamp,
}

/// The field that marks a record deleted: deleting is setting it, so a deletion merges like
/// any other change (and a later change of another field does not bring the record back).
pub const DELETED: &str = "deleted";

/// A typed view of one kind of record.
pub trait View<K>: Sized {
    const KIND: K;
    fn from_record(id: RecordId, record: &RecordState<K>) -> Self;
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RecordState<K> {
    pub kind: K,
    pub fields: BTreeMap<String, FieldState>,
}

impl<K> RecordState<K> {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|f| &f.value)
    }

    pub fn is_deleted(&self) -> bool {
        self.get(DELETED).and_then(Value::as_bool).unwrap_or(false)
    }
}

#[derive(Clone, PartialEq, Debug)]
pub struct Replica<K> {
    records: BTreeMap<RecordId, RecordState<K>>,
    /// Every id keyed by its low bits reversed, so the ids of one storage bucket (equal low
    /// bits modulo a power of two) are one range: an edit packs its bucket without
    /// visiting the whole register.
    by_low_bits: BTreeSet<(u32, RecordId)>,
    /// Every id under its record's kind, so reading one kind visits only its records.
    by_kind: BTreeSet<(K, RecordId)>,
}

impl<K> Default for Replica<K> {
    fn default() -> Self {
        Self {
            records: BTreeMap::new(),
            by_low_bits: BTreeSet::new(),
            by_kind: BTreeSet::new(),
        }
    }
}

impl<K: RecordKind> Replica<K> {
    /// Merges one op; returns whether the state changed.
    pub fn apply(&mut self, op: &Op<K>) -> bool {
        let record = self.entry(op.record, op.kind);
        let incoming = FieldState {
            value: op.value.clone(),
            stamp: op.stamp(),
        };
        match record.fields.get_mut(&op.field) {
            Some(current) if current.stamp >= incoming.stamp => false,
            Some(current) => {
                *current = incoming;
                true
            }
            None => {
                record.fields.insert(op.field.clone(), incoming);
                true
            }
        }
    }

    /// Puts a stored record back as it was (when loading a replica from storage).
    pub fn restore(&mut self, id: RecordId, record: RecordState<K>) {
        self.by_low_bits.insert(low_bits_key(id));
        if let Some(replaced) = self.records.get(&id) {
            self.by_kind.remove(&(replaced.kind, id));
        }
        self.by_kind.insert((record.kind, id));
        self.records.insert(id, record);
    }

    /// The record, created empty if it does not exist yet.
    fn entry(&mut self, id: RecordId, kind: K) -> &mut RecordState<K> {
        self.records.entry(id).or_insert_with(|| {
            self.by_low_bits.insert(low_bits_key(id));
            self.by_kind.insert((kind, id));
            RecordState {
                kind,
                fields: BTreeMap::new(),
            }
        })
    }

    /// Sets one field to exactly this state, even if it is older (undoing a refused change).
    pub fn reset_field(&mut self, id: RecordId, kind: K, field: &str, state: Option<FieldState>) {
        let record = self.entry(id, kind);
        match state {
            Some(state) => {
                record.fields.insert(field.to_owned(), state);
            }
            None => {
                record.fields.remove(field);
            }
        }
        if record.fields.is_empty() {
            let kind = record.kind;
            self.records.remove(&id);
            self.by_low_bits.remove(&low_bits_key(id));
            self.by_kind.remove(&(kind, id));
        }
    }

    pub fn record(&self, id: RecordId) -> Option<&RecordState<K>> {
        self.records.get(&id)
    }

    pub fn records(&self) -> impl Iterator<Item = (RecordId, &RecordState<K>)> {
        self.records.iter().map(|(id, record)| (*id, record))
    }

    /// The records whose ids' low bits equal `remainder` modulo `modulus`, a power of two:
    /// one storage bucket (`layout::bucket_of`).
    pub fn with_low_bits(
        &self,
        remainder: u32,
        modulus: u32,
    ) -> impl Iterator<Item = (RecordId, &RecordState<K>)> {
        assert!(
            modulus.is_power_of_two() && remainder < modulus,
            "{remainder} modulo {modulus}"
        );
        // Reversed, the low bits that decide the remainder lead, and the others follow.
        let first = remainder.reverse_bits();
        let last = first | (u32::MAX >> modulus.trailing_zeros());
        self.by_low_bits
            .range((first, RecordId::MIN)..=(last, RecordId::MAX))
            .map(|(_, id)| (*id, &self.records[id]))
    }

    /// The records of one kind (deleted ones too), oldest first.
    pub fn of_kind(&self, kind: K) -> impl Iterator<Item = (RecordId, &RecordState<K>)> {
        self.by_kind
            .range((kind, RecordId::MIN)..=(kind, RecordId::MAX))
            .map(|(_, id)| (*id, &self.records[id]))
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// A typed view of one record, if it exists and is of that kind.
    pub fn view<V: View<K>>(&self, id: RecordId) -> Option<V> {
        self.records
            .get(&id)
            .filter(|r| r.kind == V::KIND)
            .map(|r| V::from_record(id, r))
    }

    /// Every live (not deleted) record of one kind, oldest first.
    pub fn all<V: View<K>>(&self) -> Vec<V> {
        self.of_kind(V::KIND)
            .filter(|(_, r)| !r.is_deleted())
            .map(|(id, r)| V::from_record(id, r))
            .collect()
    }
}

fn low_bits_key(id: RecordId) -> (u32, RecordId) {
    (id.low_bits().reverse_bits(), id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClientId, Hlc,
        testing::{Kind, Note, Op},
    };

    fn op(client: u128, wall: u64, record: RecordId, field: &str, value: Value) -> Op {
        Op {
            client: ClientId::from_u128(client),
            mid: 1,
            record,
            kind: if field == "due" {
                Kind::Task
            } else {
                Kind::Note
            },
            field: field.into(),
            value,
            hlc: Hlc { wall, counter: 0 },
        }
    }

    #[test]
    fn the_greatest_stamp_wins_in_any_order() {
        let id = RecordId::new();
        let ops = [
            op(1, 10, id, "title", "first".into()),
            op(2, 30, id, "title", "latest".into()),
            op(3, 30, id, "title", "tie, higher client".into()),
            op(1, 20, id, "owner", "x".into()),
        ];
        let mut forward = Replica::default();
        ops.iter().for_each(|o| {
            forward.apply(o);
        });
        let mut backward = Replica::default();
        ops.iter().rev().for_each(|o| {
            backward.apply(o);
        });
        assert_eq!(forward, backward);
        assert_eq!(
            forward.record(id).unwrap().get("title"),
            Some(&Value::from("tie, higher client"))
        );
        assert!(!forward.apply(&ops[0]), "re-applying an op changes nothing");
    }

    #[test]
    fn typed_views_read_fields_and_hide_deleted_records() {
        let (a, b) = (RecordId::new(), RecordId::new());
        let mut replica = Replica::default();
        let task = RecordId::new();
        replica.apply(&op(1, 1, a, "title", "Phishing".into()));
        replica.apply(&op(1, 1, b, "title", "Gone".into()));
        replica.apply(&op(1, 2, b, DELETED, Value::Bool(true)));
        replica.apply(&op(1, 1, task, "due", "2026-12-31".into()));
        let note: Note = replica.view(a).unwrap();
        assert_eq!(note.title.as_deref(), Some("Phishing"));
        assert_eq!(
            replica.view::<Note>(b).unwrap().title.as_deref(),
            Some("Gone")
        );
        let live: Vec<Note> = replica.all();
        assert_eq!(live, vec![note]);
        assert!(replica.view::<Note>(task).is_none(), "wrong kind");
    }

    #[test]
    fn a_bucket_lists_exactly_the_records_with_its_low_bits() {
        let mut replica = Replica::default();
        let ids: Vec<RecordId> = (0..500).map(|_| RecordId::new()).collect();
        for id in &ids {
            replica.apply(&op(1, 1, *id, "title", "x".into()));
        }
        let gone = ids[7];
        replica.reset_field(gone, Kind::Note, "title", None);
        for modulus in [1, 2, 16, 512, 1 << 31] {
            let mut listed = Vec::new();
            for remainder in (0..modulus).take(600) {
                let mut ids: Vec<RecordId> = replica
                    .with_low_bits(remainder, modulus)
                    .map(|(id, _)| id)
                    .collect();
                assert!(ids.iter().all(|id| id.low_bits() % modulus == remainder));
                listed.append(&mut ids);
            }
            listed.sort();
            let mut expected: Vec<RecordId> = if modulus <= 600 {
                ids.iter().copied().filter(|id| *id != gone).collect()
            } else {
                ids.iter()
                    .copied()
                    .filter(|id| *id != gone && id.low_bits() % modulus < 600)
                    .collect()
            };
            expected.sort();
            assert_eq!(listed, expected, "modulo {modulus}");
        }
    }

    #[test]
    fn a_kind_lists_exactly_its_records_however_they_came() {
        let mut replica = Replica::default();
        let notes: Vec<RecordId> = (0..50).map(|_| RecordId::new()).collect();
        let tasks: Vec<RecordId> = (0..30).map(|_| RecordId::new()).collect();
        for id in &notes {
            replica.apply(&op(1, 1, *id, "title", "x".into()));
        }
        for id in &tasks {
            replica.apply(&op(1, 1, *id, "due", "2026-12-31".into()));
        }
        // Emptied, restored as another kind, restored as it was.
        replica.reset_field(notes[0], Kind::Note, "title", None);
        let as_task = replica.record(tasks[0]).unwrap().clone();
        replica.restore(notes[1], as_task);
        let as_note = replica.record(notes[2]).unwrap().clone();
        replica.restore(notes[2], as_note);
        let listed = |kind| -> Vec<RecordId> { replica.of_kind(kind).map(|(id, _)| id).collect() };
        let scanned = |kind| -> Vec<RecordId> {
            replica
                .records()
                .filter(|(_, r)| r.kind == kind)
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(listed(Kind::Note), scanned(Kind::Note));
        assert_eq!(listed(Kind::Task), scanned(Kind::Task));
        assert_eq!(listed(Kind::Note).len(), 48);
        assert_eq!(listed(Kind::Task).len(), 31);
    }
}
