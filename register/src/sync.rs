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

/// The point of the organisation's hash-chained log a device has reached: the entry it last
/// verified and that entry's hash. An approval made on the device reflects the register as
/// of this point (and the device's own changes not yet sent).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LogPoint {
    pub position: u64,
    pub hash: String,
}

impl LogPoint {
    /// Where `device` stands, once it has pulled anything from an organisation's log.
    pub fn of(device: &Device) -> Option<LogPoint> {
        (device.cursor > 0).then(|| LogPoint {
            position: device.cursor,
            hash: device.head_hash.clone(),
        })
    }

    /// The fields a frozen version records it in.
    pub fn fields(
        point: Option<&LogPoint>,
        position: &'static str,
        hash: &'static str,
    ) -> Vec<(&'static str, engine::Value)> {
        point
            .into_iter()
            .flat_map(|p| {
                [
                    (position, engine::Value::Int(p.position as i64)),
                    (hash, engine::Value::from(p.hash.as_str())),
                ]
            })
            .collect()
    }
}
