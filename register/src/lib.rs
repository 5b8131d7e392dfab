//! Ratchet's ISMS register: the schema of every record kind with one validation, hybrid
//! logical clocks, ops and their merge, the tamper-evident log, the sync wire types, and both
//! sides of the sync protocol as pure logic. The browser app and the worker share all of it;
//! nothing here knows about a browser or a worker.

pub mod catalogue;
pub mod chain;
pub mod client;
pub mod dates;
pub mod device;
pub mod hlc;
pub mod id;
pub mod import;
pub mod layout;
pub mod metrics;
pub mod op;
pub mod replica;
pub mod risk;
pub mod schema;
pub mod server;
pub mod value;
pub mod wire;

pub use chain::{ChainError, LogEntry};
pub use client::{ClientId, InvalidClientId};
pub use hlc::{Hlc, HlcClock, Stamp};
pub use id::{InvalidRecordId, RecordId};
pub use op::Op;
pub use replica::{FieldState, RecordState, Replica};
pub use risk::Rating;
pub use schema::{FieldError, FieldSpec, FieldType, Kind, KindSpec, Role, View, views};
pub use value::Value;
pub use wire::ErrorBody;
