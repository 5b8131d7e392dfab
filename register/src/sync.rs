//! The sync engine's generic types, for this register's record kinds.

use crate::Kind;

pub type Op = engine::Op<Kind>;
pub type LogEntry = engine::LogEntry<Kind>;
pub type RecordState = engine::RecordState<Kind>;
pub type Replica = engine::Replica<Kind>;
pub type Device = engine::device::Device<Kind>;
pub type Pending = engine::device::Pending<Kind>;
pub type RecordRow = engine::device::RecordRow<Kind>;
pub type Changes = engine::device::Changes<Kind>;
pub type Stored = engine::device::Stored<Kind>;
pub type MemoryServer = engine::server::MemoryServer<Kind>;
pub type PushPlan = engine::server::PushPlan<Kind>;
pub type PushRequest = engine::wire::PushRequest<Kind>;
pub type PullResponse = engine::wire::PullResponse<Kind>;
pub type HistoryResponse = engine::wire::HistoryResponse<Kind>;
pub type Logged = engine::wire::Logged<Kind>;
