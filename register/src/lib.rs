//! Ratchet's ISMS register, shared by the browser app and the worker; nothing here knows
//! about a browser or a worker. Two halves:
//! - `sync`: the engine (clocks, ops, merge, the tamper-evident log, wire types, both sides of
//!   the protocol);
//! - `isms`: the domain (the one schema with its validation and record rules, the ISO/IEC
//!   27001 catalogue, and what each register computes).
//!
//! Each module is also reachable from the crate root (`register::device`, `register::schema`).

pub mod isms;
pub mod sync;

#[cfg(test)]
pub use isms::fixture;
pub use isms::{
    audits, catalogue, dates, demo, evidence, findings, gate, import, indicators, maturity,
    membership, metrics, policy, reviews, risk, rules, schema, walkthrough, work,
};
pub use sync::{
    chain, client, device, files, hlc, id, layout, limits, op, org_id, pace, replica, server,
    value, wire,
};

pub use chain::{ChainError, LogEntry};
pub use client::{ClientId, InvalidClientId};
pub use hlc::{Hlc, HlcClock, Stamp};
pub use id::{InvalidRecordId, RecordId};
pub use op::Op;
pub use replica::{FieldState, RecordState, Replica};
pub use risk::Rating;
pub use schema::{FieldError, FieldSpec, FieldType, Kind, KindSpec, Role, Section, View, views};
pub use value::Value;
pub use wire::ErrorBody;
