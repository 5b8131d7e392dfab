//! A replica of the register: the merge of a set of ops. Each field holds the value of the op
//! with the greatest (hlc, client); applying ops in any order, any number of times, gives the
//! same state.

use crate::{Kind, Op, RecordId, Stamp, Value, View, schema::DELETED};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct FieldState {
    pub value: Value,
    pub stamp: Stamp,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RecordState {
    pub kind: Kind,
    pub fields: BTreeMap<String, FieldState>,
}

impl RecordState {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|f| &f.value)
    }

    pub fn is_deleted(&self) -> bool {
        self.get(DELETED).and_then(Value::as_bool).unwrap_or(false)
    }
}

#[derive(Clone, PartialEq, Debug, Default)]
pub struct Replica {
    records: BTreeMap<RecordId, RecordState>,
}

impl Replica {
    /// Merges one op; returns whether the state changed.
    pub fn apply(&mut self, op: &Op) -> bool {
        let record = self
            .records
            .entry(op.record)
            .or_insert_with(|| RecordState {
                kind: op.kind,
                fields: BTreeMap::new(),
            });
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
    pub fn restore(&mut self, id: RecordId, record: RecordState) {
        self.records.insert(id, record);
    }

    /// Sets one field to exactly this state, even if it is older (undoing a refused change).
    pub fn reset_field(
        &mut self,
        id: RecordId,
        kind: Kind,
        field: &str,
        state: Option<FieldState>,
    ) {
        let record = self.records.entry(id).or_insert_with(|| RecordState {
            kind,
            fields: BTreeMap::new(),
        });
        match state {
            Some(state) => {
                record.fields.insert(field.to_owned(), state);
            }
            None => {
                record.fields.remove(field);
            }
        }
        if record.fields.is_empty() {
            self.records.remove(&id);
        }
    }

    pub fn record(&self, id: RecordId) -> Option<&RecordState> {
        self.records.get(&id)
    }

    pub fn records(&self) -> impl Iterator<Item = (RecordId, &RecordState)> {
        self.records.iter().map(|(id, record)| (*id, record))
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// A typed view of one record, if it exists and is of that kind.
    pub fn view<V: View>(&self, id: RecordId) -> Option<V> {
        self.records
            .get(&id)
            .filter(|r| r.kind == V::KIND)
            .map(|r| V::from_record(id, r))
    }

    /// Every live (not deleted) record of one kind, oldest first.
    pub fn all<V: View>(&self) -> Vec<V> {
        self.records
            .iter()
            .filter(|(_, r)| r.kind == V::KIND && !r.is_deleted())
            .map(|(id, r)| V::from_record(*id, r))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Hlc, views};

    fn op(client: u128, wall: u64, record: RecordId, field: &str, value: Value) -> Op {
        Op {
            client: ClientId::from_u128(client),
            mid: 1,
            record,
            kind: Kind::Risk,
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
        replica.apply(&op(1, 1, a, "title", "Phishing".into()));
        replica.apply(&op(1, 1, a, "inherent_likelihood", Value::Int(4)));
        replica.apply(&op(1, 1, b, "title", "Gone".into()));
        replica.apply(&op(1, 2, b, "deleted", Value::Bool(true)));
        let risk: views::Risk = replica.view(a).unwrap();
        assert_eq!(risk.title.as_deref(), Some("Phishing"));
        assert_eq!(risk.inherent_likelihood, Some(4));
        assert_eq!(risk.inherent_impact, None);
        let live: Vec<views::Risk> = replica.all();
        assert_eq!(live.len(), 1);
        assert!(replica.view::<views::Control>(a).is_none(), "wrong kind");
    }
}
