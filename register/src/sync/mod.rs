//! The sync engine: hybrid logical clocks, ops and their field-level merge, the hash-chained
//! log, the wire shapes, and both sides of the protocol (the server's push planning and pull
//! paging, the device's outbox and write sets), how much a device may write, how long it
//! waits and how much it sends at once (`pace`), the server's signed organisation ids, and
//! what it takes as an evidence file (`files`). It knows record kinds only through the
//! schema's validation.

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
