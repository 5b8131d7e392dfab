//! A register of two kinds for the engine's own tests, and judges for its pushes: the
//! engine is tested without any ISMS.

use crate::{
    ClientId, RecordId, RecordKind, Value,
    server::{Judge, Judgement, ServerView},
};
use serde::{Deserialize, Serialize};

pub const NOW: u64 = 1_800_000_000_000;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Note,
    Task,
}

impl RecordKind for Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Task => "task",
        }
    }
}

pub type Op = crate::Op<Kind>;
pub type Device = crate::device::Device<Kind>;
pub type MemoryServer = crate::server::MemoryServer<Kind>;

/// Refuses a change whose value is the text `REFUSED`, and accepts everything else the
/// engine's own checks pass.
pub struct Judged;

pub const REFUSED: &str = "refused";

impl<V: ServerView<Kind> + ?Sized> Judge<V> for Judged {
    type Kind = Kind;
    type Author = ClientId;

    fn judge(&self, _: &ClientId, ops: &[&Op], _: &V) -> Vec<Judgement> {
        ops.iter()
            .enumerate()
            .filter(|(_, op)| op.value == Value::from(REFUSED))
            .map(|(at, _)| Judgement {
                at,
                code: "refused".to_owned(),
                message: "This value is refused.".to_owned(),
            })
            .collect()
    }
}

/// A note of three fields with a title, made on `device`.
pub fn new_note(device: &mut Device, title: &str) -> RecordId {
    let id = RecordId::new();
    device.edit(id, Kind::Note, "title", title.into(), NOW);
    device.edit(id, Kind::Note, "likelihood", Value::Int(3), NOW);
    device.edit(id, Kind::Note, "impact", Value::Int(4), NOW);
    id
}

/// A note as a page would read it.
#[derive(Debug, PartialEq)]
pub struct Note {
    pub id: RecordId,
    pub title: Option<String>,
}

impl crate::View<Kind> for Note {
    const KIND: Kind = Kind::Note;

    fn from_record(id: RecordId, record: &crate::RecordState<Kind>) -> Self {
        Note {
            id,
            title: record
                .get("title")
                .and_then(Value::as_text)
                .map(str::to_owned),
        }
    }
}
