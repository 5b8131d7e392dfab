//! Ratchet's sync engine: hybrid logical clocks, ops and their field-level merge, the
//! hash-chained log, the wire shapes, and both sides of the protocol (the server's push
//! planning and pull paging, the device's outbox and write sets), how much a device may write,
//! how long it waits and how much it sends at once (`pace`), the server's signed organisation
//! ids, and what it takes as an evidence file (`files`).
//!
//! It knows no ISMS: a record's kind is a type parameter (`RecordKind`), and what a push may
//! change is judged by whoever plans it, through `server::Judge`.

pub mod chain;
pub mod client;
pub mod device;
pub mod files;
pub mod hlc;
pub mod id;
pub mod layout;
pub mod limits;
pub mod op;
pub mod org_id;
pub mod pace;
pub mod replica;
pub mod server;
pub mod value;
pub mod wire;

#[cfg(test)]
mod testing;

pub use chain::{ChainError, LogEntry};
pub use client::{ClientId, InvalidClientId};
pub use hlc::{Hlc, HlcClock, Stamp};
pub use id::{InvalidRecordId, RecordId};
pub use op::Op;
pub use replica::{FieldState, RecordState, Replica, View};
pub use value::Value;
pub use wire::ErrorBody;

/// The kinds of record a register holds, as the engine needs them: compared, ordered, sent
/// over the wire and named to a person in a refusal.
pub trait RecordKind:
    Copy
    + Eq
    + Ord
    + std::hash::Hash
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + 'static
{
    /// The kind's name for people ("risk").
    fn label(self) -> &'static str;
}
