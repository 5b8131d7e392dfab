//! Ratchet's ISMS register: the record types both the browser app and the sync worker use,
//! with one validation. Pure Rust: nothing here knows about a browser or a worker.

pub mod id;
pub mod risk;
pub mod wire;

pub use id::{InvalidRecordId, RecordId};
pub use risk::{FieldError, Rating, Risk, RiskDraft};
