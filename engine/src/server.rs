//! What the organisation's server does with a push, as pure logic: the worker's Durable Object
//! runs exactly this against its SQLite tables, and the simulation runs it against memory.
//!
//! A push is atomic: either every new op in it is valid and all are appended to the log, or
//! nothing is stored and the refusal lists each refused op with its reason.

use crate::{
    ClientId, ErrorBody, LogEntry, Op, RecordId, RecordKind, Replica, Value,
    chain::{self, GENESIS},
    hlc::MAX_WALL_MS,
    wire::{
        PULL_ENTRY_BYTES, PULL_MAX, PULL_MAX_BYTES, PUSH_MAX_OPS, PullResponse, PushRequest,
        PushResponse, Rejection,
    },
};
use std::collections::BTreeMap;

/// How far ahead of the server's clock an op's time may be.
pub const CLOCK_AHEAD_MAX_MS: u64 = 5 * 60 * 1000;

/// What push planning needs to read from the server's state. What a judge reads beyond it
/// (the records a push touches and those linked to them) is the judge's own business.
pub trait ServerView<K> {
    /// Highest mid already consumed for this client (0 if none).
    fn acked_mid(&self, client: ClientId) -> u64;
    /// The kind of a record the log already holds.
    fn record_kind(&self, record: RecordId) -> Option<K>;
    /// Last seq and hash of the log.
    fn head(&self) -> (u64, String);
}

/// The authenticated writer of a push, as a judge knows them: the engine needs only the
/// device, whose ops the push must carry.
pub trait Pusher {
    fn client(&self) -> ClientId;
}

/// A device pushing for no one in particular (the engine's own tests and tools).
impl Pusher for ClientId {
    fn client(&self) -> ClientId {
        *self
    }
}

/// What to store for an accepted push.
#[derive(Clone, PartialEq, Debug)]
pub struct PushPlan<K> {
    pub client: ClientId,
    pub entries: Vec<LogEntry<K>>,
    pub acked_mid: u64,
    pub head: u64,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PushRefusal {
    WrongClient,
    TooManyOps(usize),
    DuplicateMid(u64),
    /// Change number `expected` is missing: the push goes on with `found`.
    MidGap {
        acked_mid: u64,
        expected: u64,
        found: u64,
    },
    Rejected {
        acked_mid: u64,
        rejections: Vec<Rejection>,
        forbidden: bool,
    },
}

impl PushRefusal {
    pub fn status(&self) -> u16 {
        match self {
            Self::WrongClient => 403,
            Self::TooManyOps(_) => 413,
            Self::DuplicateMid(_) => 400,
            Self::MidGap { .. } => 409,
            Self::Rejected {
                forbidden: true, ..
            } => 403,
            Self::Rejected { .. } => 422,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            Self::WrongClient => ErrorBody::new(
                "wrong_client",
                "These changes name a device other than the one this credential belongs to.",
            ),
            Self::TooManyOps(n) => ErrorBody::new(
                "too_many_ops",
                format!("A push holds at most {PUSH_MAX_OPS} changes; this one has {n}."),
            ),
            Self::DuplicateMid(mid) => ErrorBody::new(
                "duplicate_mid",
                format!("Change number {mid} appears twice in this push."),
            ),
            Self::MidGap {
                acked_mid,
                expected,
                found,
            } => ErrorBody {
                acked_mid: Some(*acked_mid),
                ..ErrorBody::new(
                    "mid_gap",
                    format!(
                        "Change number {expected} is missing: the server has changes up to number {acked_mid}, and this push goes on with {found}."
                    ),
                )
            },
            Self::Rejected {
                acked_mid,
                rejections,
                forbidden,
            } => ErrorBody {
                acked_mid: Some(*acked_mid),
                rejections: rejections.clone(),
                ..ErrorBody::new(
                    if *forbidden {
                        "forbidden"
                    } else {
                        "invalid_ops"
                    },
                    format!(
                        "{} of the changes were refused; nothing from this push was stored.",
                        rejections.len()
                    ),
                )
            },
        }
    }
}

fn reject<K>(op: &Op<K>, code: &str, message: impl Into<String>) -> Rejection {
    Rejection {
        mid: op.mid,
        hlc_wall: op.hlc.wall,
        hlc_counter: op.hlc.counter,
        field: op.field.clone(),
        code: code.into(),
        message: message.into(),
    }
}

/// Checks a push against the server's state and builds the log entries to append.
pub fn plan_push<V, J>(
    view: &V,
    judge: &J,
    author: &J::Author,
    request: &PushRequest<J::Kind>,
    now_ms: u64,
) -> Result<PushPlan<J::Kind>, PushRefusal>
where
    V: ServerView<J::Kind>,
    J: Judge<V> + ?Sized,
{
    let client = author.client();
    let count = request.ops.len() + request.withdrawn.len();
    if count > PUSH_MAX_OPS {
        return Err(PushRefusal::TooManyOps(count));
    }
    if request.client != client || request.ops.iter().any(|op| op.client != client) {
        return Err(PushRefusal::WrongClient);
    }
    let mut items: Vec<(u64, Option<&Op<J::Kind>>)> = request
        .ops
        .iter()
        .map(|op| (op.mid, Some(op)))
        .chain(request.withdrawn.iter().map(|&mid| (mid, None)))
        .collect();
    items.sort_by_key(|(mid, _)| *mid);
    if let Some(pair) = items.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(PushRefusal::DuplicateMid(pair[0].0));
    }
    let acked_mid = view.acked_mid(client);
    let fresh: Vec<(u64, Option<&Op<J::Kind>>)> = items
        .into_iter()
        .filter(|(mid, _)| *mid > acked_mid)
        .collect();
    for (i, (mid, _)) in fresh.iter().enumerate() {
        let expected = acked_mid + 1 + i as u64;
        if *mid != expected {
            return Err(PushRefusal::MidGap {
                acked_mid,
                expected,
                found: *mid,
            });
        }
    }
    let ops: Vec<&Op<J::Kind>> = fresh.iter().filter_map(|(_, op)| *op).collect();
    let rejections = validate(view, judge, author, &ops, now_ms);
    if !rejections.is_empty() {
        let forbidden = rejections.iter().any(|r| r.code == "forbidden");
        return Err(PushRefusal::Rejected {
            acked_mid,
            rejections,
            forbidden,
        });
    }
    let (mut seq, mut hash) = view.head();
    let mut entries = Vec::with_capacity(ops.len());
    for op in ops {
        seq += 1;
        hash = chain::link(&hash, op).expect("the server's head hash is well-formed");
        entries.push(LogEntry {
            seq,
            hash: hash.clone(),
            op: op.clone(),
        });
    }
    Ok(PushPlan {
        client,
        entries,
        acked_mid: fresh.last().map_or(acked_mid, |(mid, _)| *mid),
        head: seq,
    })
}

/// Judges the ops of a push that passed the engine's own checks: everything the register's
/// rules say of them, over the server's stored state `V`. Each refusal names the op by its
/// position in `ops`, with a code and a message.
pub trait Judge<V: ?Sized> {
    type Kind: RecordKind;
    /// Who pushes, as the judge knows them.
    type Author: Pusher;
    fn judge(&self, author: &Self::Author, ops: &[&Op<Self::Kind>], view: &V) -> Vec<Judgement>;
}

/// One op refused by a `Judge`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Judgement {
    pub at: usize,
    pub code: String,
    pub message: String,
}

fn validate<V, J>(
    view: &V,
    judge: &J,
    author: &J::Author,
    ops: &[&Op<J::Kind>],
    now_ms: u64,
) -> Vec<Rejection>
where
    V: ServerView<J::Kind>,
    J: Judge<V> + ?Sized,
{
    let mut rejections = Vec::new();
    // Kind of each record as established by the log or by an earlier op of this push.
    let mut kinds: BTreeMap<RecordId, J::Kind> = BTreeMap::new();
    for &op in ops {
        if op.hlc.wall > now_ms.saturating_add(CLOCK_AHEAD_MAX_MS) || op.hlc.wall > MAX_WALL_MS {
            rejections.push(reject(
                op,
                "clock_ahead",
                "This device's clock is more than five minutes ahead of the server's; correct the device's time and try again.",
            ));
            continue;
        }
        let known = view
            .record_kind(op.record)
            .or_else(|| kinds.get(&op.record).copied());
        if let Some(kind) = known
            && kind != op.kind
        {
            rejections.push(reject(
                op,
                "kind_mismatch",
                format!(
                    "Record {} is a {}, not a {}.",
                    op.record,
                    kind.label(),
                    op.kind.label()
                ),
            ));
            continue;
        }
        kinds.insert(op.record, op.kind);
    }
    let judged: Vec<&Op<J::Kind>> = ops
        .iter()
        .copied()
        .filter(|op| !rejections.iter().any(|r| r.mid == op.mid))
        .collect();
    rejections.extend(
        judge
            .judge(author, &judged, view)
            .into_iter()
            .map(|j| reject(judged[j.at], &j.code, j.message)),
    );
    rejections.sort_by_key(|r| r.mid);
    rejections
}

/// How many entries a page holds (of a pull, after its `since`; of a record's history, before
/// its `before`), given the sizes of their stored values in the page's order (up to
/// `limit + 1` of them): at most `limit` entries and `PULL_MAX_BYTES`, but at least one, so
/// paging always moves on. Also whether more follow.
pub fn page_length(value_bytes: impl IntoIterator<Item = u64>, limit: u64) -> (usize, bool) {
    let limit = limit.clamp(1, PULL_MAX) as usize;
    let mut total = 0;
    let mut length = 0;
    for bytes in value_bytes {
        total += bytes + PULL_ENTRY_BYTES;
        if length == limit || (length > 0 && total > PULL_MAX_BYTES) {
            return (length, true);
        }
        length += 1;
    }
    (length, false)
}

/// One page of the log after `since`: `entries`, as many as `page_length` allows.
pub fn pull_page<K>(
    since: u64,
    entries: Vec<LogEntry<K>>,
    more: bool,
    head: u64,
) -> PullResponse<K> {
    PullResponse {
        next: entries.last().map_or(since, |e| e.seq),
        ops: entries,
        more,
        head,
    }
}

/// The size of a value as the log stores it (its JSON text).
pub fn stored_value_bytes(value: &Value) -> u64 {
    serde_json::to_string(value).map_or(0, |json| json.len() as u64)
}

/// The server's state held in memory: the reference the simulation checks the protocol with.
#[derive(Clone, Debug)]
pub struct MemoryServer<K> {
    pub log: Vec<LogEntry<K>>,
    pub state: Replica<K>,
    acked: BTreeMap<ClientId, u64>,
}

impl<K> Default for MemoryServer<K> {
    fn default() -> Self {
        Self {
            log: Vec::new(),
            state: Replica::default(),
            acked: BTreeMap::new(),
        }
    }
}

impl<K: RecordKind> ServerView<K> for MemoryServer<K> {
    fn acked_mid(&self, client: ClientId) -> u64 {
        self.acked.get(&client).copied().unwrap_or(0)
    }

    fn record_kind(&self, record: RecordId) -> Option<K> {
        self.state.record(record).map(|r| r.kind)
    }

    fn head(&self) -> (u64, String) {
        self.log
            .last()
            .map_or((0, GENESIS.to_owned()), |e| (e.seq, e.hash.clone()))
    }
}

impl<K: RecordKind> MemoryServer<K> {
    pub fn push<J: Judge<Self, Kind = K> + ?Sized>(
        &mut self,
        judge: &J,
        author: &J::Author,
        request: &PushRequest<K>,
        now_ms: u64,
    ) -> Result<PushResponse, PushRefusal> {
        let plan = plan_push(self, judge, author, request, now_ms)?;
        for entry in &plan.entries {
            self.state.apply(&entry.op);
        }
        self.log.extend(plan.entries);
        self.acked.insert(plan.client, plan.acked_mid);
        Ok(PushResponse {
            acked_mid: plan.acked_mid,
            head: plan.head,
        })
    }

    pub fn pull(&self, since: u64, limit: u64) -> PullResponse<K> {
        let after = &self.log[(since as usize).min(self.log.len())..];
        let (length, more) =
            page_length(after.iter().map(|e| stored_value_bytes(&e.op.value)), limit);
        pull_page(since, after[..length].to_vec(), more, self.head().0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Device, Judged, Kind, MemoryServer, NOW, REFUSED, new_note};

    fn refusal_codes(refusal: &PushRefusal) -> Vec<String> {
        refusal
            .body()
            .rejections
            .iter()
            .map(|r| r.code.clone())
            .collect()
    }

    #[test]
    fn an_accepted_push_is_chained_and_replays_are_idempotent() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        new_note(&mut device, "Phishing");
        let request = device.push_request(500).unwrap();
        let first = server.push(&Judged, &device.client, &request, NOW).unwrap();
        assert_eq!(
            first,
            PushResponse {
                acked_mid: 3,
                head: 3
            }
        );
        let again = server.push(&Judged, &device.client, &request, NOW).unwrap();
        assert_eq!(
            again, first,
            "a replayed push is acknowledged, not stored twice"
        );
        assert_eq!(server.log.len(), 3);
        chain::verify(0, GENESIS, &server.log).unwrap();
        device.on_pushed(&first);
        assert_eq!(device.pending(), 0);
    }

    #[test]
    fn request_level_problems_are_refused_before_any_op_is_read() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        new_note(&mut device, "Phishing");
        let mut request = device.push_request(500).unwrap();

        assert_eq!(
            server.push(&Judged, &ClientId::new(), &request, NOW),
            Err(PushRefusal::WrongClient)
        );

        let mut gap = request.clone();
        gap.ops.remove(0);
        assert_eq!(
            server.push(&Judged, &device.client, &gap, NOW),
            Err(PushRefusal::MidGap {
                acked_mid: 0,
                expected: 1,
                found: 2
            })
        );
        let mut later_gap = request.clone();
        later_gap.ops.remove(1);
        let refusal = server
            .push(&Judged, &device.client, &later_gap, NOW)
            .unwrap_err();
        assert_eq!(
            refusal,
            PushRefusal::MidGap {
                acked_mid: 0,
                expected: 2,
                found: 3
            }
        );
        assert!(
            refusal
                .body()
                .error
                .message
                .starts_with("Change number 2 is missing"),
            "{:?}",
            refusal.body()
        );

        let mut duplicate = request.clone();
        duplicate.withdrawn.push(2);
        assert_eq!(
            server.push(&Judged, &device.client, &duplicate, NOW),
            Err(PushRefusal::DuplicateMid(2))
        );

        let op = request.ops[0].clone();
        request.ops = (1..=501).map(|mid| Op { mid, ..op.clone() }).collect();
        assert_eq!(
            server.push(&Judged, &device.client, &request, NOW),
            Err(PushRefusal::TooManyOps(501))
        );
        assert!(server.log.is_empty());
    }

    #[test]
    fn pull_pages_through_the_log() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        for i in 0..5 {
            new_note(&mut device, &format!("risk {i}"));
        }
        server
            .push(
                &Judged,
                &device.client,
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap();
        let first = server.pull(0, 10);
        assert_eq!(
            (first.ops.len(), first.next, first.more, first.head),
            (10, 10, true, 15)
        );
        let last = server.pull(10, 10);
        assert_eq!((last.ops.len(), last.next, last.more), (5, 15, false));
        let empty = server.pull(15, 10);
        assert_eq!((empty.ops.len(), empty.next, empty.more), (0, 15, false));
        let mut reader = Device::new(ClientId::new());
        reader.on_pulled(&first).unwrap();
        reader.on_pulled(&last).unwrap();
        assert_eq!(reader.confirmed, server.state);
    }

    #[test]
    fn a_pull_page_is_capped_by_bytes_as_well_as_entries() {
        let small = 100;
        assert_eq!(page_length([small; 5], 10), (5, false));
        assert_eq!(page_length([small; 11], 10), (10, true));
        assert_eq!(page_length([small; 3], 0), (1, true), "at least one entry");
        let big = PULL_MAX_BYTES / 3;
        assert_eq!(page_length([big; 5], 1000), (2, true));
        assert_eq!(
            page_length([PULL_MAX_BYTES * 2, small], 1000),
            (1, true),
            "one oversized entry still makes a page"
        );
        assert_eq!(page_length([big, big], 1000), (2, false));

        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let long = "x".repeat(60_000);
        for _ in 0..100 {
            let id = new_note(&mut device, "Long");
            device.edit(id, Kind::Note, "description", long.as_str().into(), NOW);
        }
        // Each push stays within a request body (1 MiB), so the 6 MB take several.
        for _ in 0..100 {
            let Some(request) = device.push_request(500) else {
                break;
            };
            let response = server.push(&Judged, &device.client, &request, NOW).unwrap();
            device.on_pushed(&response);
        }
        assert_eq!(device.pending(), 0);
        let mut reader = Device::new(ClientId::new());
        let mut pages = 0;
        loop {
            let page = server.pull(reader.cursor, PULL_MAX);
            let bytes: u64 = page
                .ops
                .iter()
                .map(|e| stored_value_bytes(&e.op.value) + PULL_ENTRY_BYTES)
                .sum();
            assert!(bytes <= PULL_MAX_BYTES, "{bytes} bytes in one page");
            reader.on_pulled(&page).unwrap();
            pages += 1;
            if !page.more {
                break;
            }
        }
        assert!(pages > 1, "the log's 6 MB came in {pages} page(s)");
        assert_eq!(reader.confirmed, server.state);
    }

    #[test]
    fn one_refused_op_refuses_the_whole_push_and_lists_every_reason() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let id = new_note(&mut device, "Phishing");
        device.edit(id, Kind::Note, "colour", REFUSED.into(), NOW);
        device.edit(id, Kind::Note, "size", REFUSED.into(), NOW);
        device.edit(id, Kind::Task, "due", "2026-12-31".into(), NOW);
        let request = device.push_request(500).unwrap();
        let refusal = server
            .push(&Judged, &device.client, &request, NOW)
            .unwrap_err();
        assert_eq!(refusal.status(), 422);
        assert_eq!(
            refusal_codes(&refusal),
            ["refused", "refused", "kind_mismatch"]
        );
        assert_eq!(
            refusal.body().rejections[2].message,
            format!("Record {id} is a note, not a task.")
        );
        assert!(server.log.is_empty(), "nothing is stored");

        // The device gives the refused changes up; the valid ones then go through.
        device.on_refused(&refusal.body());
        assert_eq!(device.refused.len(), 3);
        let retry = device.push_request(500).unwrap();
        assert_eq!(retry.withdrawn, [4, 5, 6]);
        let stored = server.push(&Judged, &device.client, &retry, NOW).unwrap();
        assert_eq!(
            stored,
            PushResponse {
                acked_mid: 6,
                head: 3
            }
        );
    }

    #[test]
    fn a_clock_more_than_five_minutes_ahead_is_refused() {
        let mut server = MemoryServer::default();
        let mut ahead = Device::new(ClientId::new());
        new_note(&mut ahead, "From the future");
        let request = ahead.push_request(500).unwrap();
        let six_minutes_before = NOW - 6 * 60 * 1000;
        let refusal = server
            .push(&Judged, &ahead.client, &request, six_minutes_before)
            .unwrap_err();
        assert!(refusal_codes(&refusal).iter().all(|c| c == "clock_ahead"));
        let four_minutes_before = NOW - 4 * 60 * 1000;
        assert!(
            server
                .push(&Judged, &ahead.client, &request, four_minutes_before)
                .is_ok()
        );
    }
}
