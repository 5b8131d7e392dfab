//! Registers built record by record for tests, as a user fills them in.

use crate::{ClientId, Kind, RecordId, Value, dates, sync::Device};
use chrono::NaiveDate;

pub struct Fixture(pub Device);

impl Default for Fixture {
    fn default() -> Fixture {
        Fixture(Device::new(ClientId::new()))
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::default()
    }

    /// A new record with these fields.
    pub fn add(&mut self, kind: Kind, fields: &[(&str, Value)]) -> RecordId {
        let id = RecordId::new();
        self.set(id, kind, fields);
        id
    }

    /// Changes to a record.
    pub fn set(&mut self, id: RecordId, kind: Kind, fields: &[(&str, Value)]) {
        self.set_at(id, kind, fields, 1);
    }

    /// Changes to a record made at `now_ms` (the stamps say when a record last changed).
    pub fn set_at(&mut self, id: RecordId, kind: Kind, fields: &[(&str, Value)], now_ms: u64) {
        for (field, value) in fields {
            self.0.edit(id, kind, field, value.clone(), now_ms);
        }
    }

    pub fn register(&self) -> &crate::Replica {
        &self.0.local
    }
}

pub fn text(value: &str) -> Value {
    Value::Text(value.into())
}

/// A reference to a record.
pub fn link(id: RecordId) -> Value {
    Value::Text(id.to_string())
}

pub fn day(text: &str) -> NaiveDate {
    dates::date(text).unwrap()
}
