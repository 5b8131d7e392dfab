//! Ratchet's ISMS register, shared by the browser app and the worker; nothing here knows
//! about a browser or a worker, and the sync engine (`engine`) knows nothing here. The
//! schema of every record kind and the one gate that judges every change to it, the
//! ISO/IEC 27001 catalogue, the workflow's verbs, and what the registers compute (risk
//! ratings, metric standings, indicators, maturity, the audit programme). Pages only display
//! what this computes and apply the change sets its verbs return.

pub mod api;
pub mod archive;
pub mod audits;
pub mod calendar;
pub mod catalogue;
pub mod choices;
pub mod dates;
pub mod demo;
pub mod documents;
pub mod events;
pub mod evidence;
pub mod findings;
#[cfg(test)]
pub mod fixture;
pub mod gate;
pub mod import;
pub mod indicators;
pub mod maturity;
pub mod membership;
pub mod metrics;
pub mod policy;
pub mod reminders;
pub mod reviews;
pub mod risk;
pub mod rules;
pub mod schema;
pub mod sheet;
pub mod soa;
pub mod summary;
pub mod sync;
pub mod walkthrough;
pub mod work;

// The register's vocabulary: the engine's ids, values and clocks, and its generic types for
// this register's kinds (`sync`).
pub use engine::{ChainError, ClientId, ErrorBody, Hlc, HlcClock, RecordId, Stamp, Value};
pub use risk::Rating;
pub use schema::{FieldError, FieldSpec, FieldType, Kind, KindSpec, Role, Section, View, views};
pub use sync::{LogEntry, Op, RecordState, Replica};
