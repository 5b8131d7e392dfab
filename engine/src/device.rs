//! One device's side of sync, as pure logic. The app keeps a `Device` in memory and, after
//! each operation, writes `take_changes()` to IndexedDB in one transaction; the simulation
//! keeps it in memory only. The outbox holds unacknowledged changes in mid order; `local` is
//! what the person sees: the server's state plus every change the server has not confirmed.

use crate::{
    ClientId, FieldState, Hlc, HlcClock, Op, RecordId, RecordKind, RecordState, Replica, Value,
    chain::{self, ChainError, GENESIS},
    pace::PUSH_MAX_BYTES,
    server::CLOCK_AHEAD_MAX_MS,
    wire::{ErrorBody, PUSH_MAX_OPS, PullResponse, PushRequest, PushResponse, Rejection},
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How much slower than it thought a device's clock may prove, when it learns the server's
/// time, before its unsent changes are sent again stamped later (a few seconds' difference is
/// the network's, not the clock's).
pub const CLOCK_SLOW_MS: i64 = 60_000;

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub enum Pending<K> {
    Op(Op<K>),
    /// Refused by the server and given up; sent so the server consumes the mid.
    Withdrawn,
}

/// The device's counters and cursor: everything but records and queues.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeviceMeta {
    pub client: ClientId,
    pub clock: Hlc,
    /// The server's clock minus this device's, as last learnt (0 until the first answer).
    #[serde(default)]
    pub clock_offset_ms: i64,
    pub next_mid: u64,
    pub acked_mid: u64,
    pub cursor: u64,
    pub head_hash: String,
}

/// One record as stored: what the person sees and what the server has confirmed.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RecordRow<K> {
    pub id: RecordId,
    pub local: Option<RecordState<K>>,
    pub confirmed: Option<RecordState<K>>,
}

/// Everything one operation changed, to be written in one storage transaction.
#[derive(Clone, PartialEq, Debug)]
pub struct Changes<K> {
    pub meta: DeviceMeta,
    pub records: Vec<RecordRow<K>>,
    /// Queue entries to write, and mids to delete (`None`). One queue holds both the outbox
    /// and the acknowledged-but-unconfirmed ops: entries at or below `meta.acked_mid` are the
    /// latter, so an acknowledgement writes only the counter.
    pub queue: Vec<(u64, Option<Pending<K>>)>,
    /// The full list of refused changes, when it changed.
    pub refused: Option<Vec<Rejection>>,
}

/// What a device loads from storage to carry on where it stopped.
pub struct Stored<K> {
    pub meta: DeviceMeta,
    pub records: Vec<RecordRow<K>>,
    pub queue: Vec<(u64, Pending<K>)>,
    pub refused: Vec<Rejection>,
}

#[derive(Clone, Debug, Default)]
struct Dirty {
    records: BTreeSet<RecordId>,
    queue: BTreeSet<u64>,
    refused: bool,
}

#[derive(Clone, Debug)]
pub struct Device<K> {
    pub client: ClientId,
    pub clock: HlcClock,
    /// Added to this device's clock when it stamps an edit (`observe_server_time`).
    clock_offset_ms: i64,
    next_mid: u64,
    acked_mid: u64,
    outbox: BTreeMap<u64, Pending<K>>,
    /// Acknowledged by the server but not yet seen in a pull.
    sent: BTreeMap<u64, Op<K>>,
    /// Only what the server's log says.
    pub confirmed: Replica<K>,
    /// What the person sees.
    pub local: Replica<K>,
    pub cursor: u64,
    pub head_hash: String,
    /// Changes the server refused, for the person to see.
    pub refused: Vec<Rejection>,
    dirty: Dirty,
}

impl<K: RecordKind> Device<K> {
    pub fn new(client: ClientId) -> Self {
        Self {
            client,
            clock: HlcClock::default(),
            clock_offset_ms: 0,
            next_mid: 1,
            acked_mid: 0,
            outbox: BTreeMap::new(),
            sent: BTreeMap::new(),
            confirmed: Replica::default(),
            local: Replica::default(),
            cursor: 0,
            head_hash: GENESIS.to_owned(),
            refused: Vec::new(),
            dirty: Dirty::default(),
        }
    }

    pub fn restore(stored: Stored<K>) -> Self {
        let mut device = Self::new(stored.meta.client);
        device.clock = HlcClock::new(stored.meta.clock);
        device.clock_offset_ms = stored.meta.clock_offset_ms;
        device.next_mid = stored.meta.next_mid;
        device.acked_mid = stored.meta.acked_mid;
        device.cursor = stored.meta.cursor;
        device.head_hash = stored.meta.head_hash;
        for row in stored.records {
            if let Some(local) = row.local {
                device.local.restore(row.id, local);
            }
            if let Some(confirmed) = row.confirmed {
                device.confirmed.restore(row.id, confirmed);
            }
        }
        for (mid, pending) in stored.queue {
            match pending {
                entry if mid > device.acked_mid => {
                    device.outbox.insert(mid, entry);
                }
                Pending::Op(op) => {
                    device.sent.insert(mid, op);
                }
                Pending::Withdrawn => {}
            }
        }
        device.refused = stored.refused;
        device
    }

    pub fn meta(&self) -> DeviceMeta {
        DeviceMeta {
            client: self.client,
            clock: self.clock.last(),
            clock_offset_ms: self.clock_offset_ms,
            next_mid: self.next_mid,
            acked_mid: self.acked_mid,
            cursor: self.cursor,
            head_hash: self.head_hash.clone(),
        }
    }

    /// What changed since the last call, as rows to write in one transaction.
    pub fn take_changes(&mut self) -> Changes<K> {
        let dirty = std::mem::take(&mut self.dirty);
        Changes {
            meta: self.meta(),
            records: dirty
                .records
                .into_iter()
                .map(|id| RecordRow {
                    id,
                    local: self.local.record(id).cloned(),
                    confirmed: self.confirmed.record(id).cloned(),
                })
                .collect(),
            queue: dirty
                .queue
                .into_iter()
                .map(|mid| {
                    let entry = self.outbox.get(&mid).cloned();
                    (
                        mid,
                        entry.or_else(|| self.sent.get(&mid).cloned().map(Pending::Op)),
                    )
                })
                .collect(),
            refused: dirty.refused.then(|| self.refused.clone()),
        }
    }

    /// Records a local change: stamps it, queues it and shows it at once.
    pub fn edit(
        &mut self,
        record: RecordId,
        kind: K,
        field: &str,
        value: Value,
        now_ms: u64,
    ) -> Op<K> {
        let op = Op {
            client: self.client,
            mid: self.next_mid,
            record,
            kind,
            field: field.to_owned(),
            value,
            hlc: self.clock.tick(self.corrected(now_ms)),
        };
        self.next_mid += 1;
        self.local.apply(&op);
        self.outbox.insert(op.mid, Pending::Op(op.clone()));
        self.dirty.records.insert(record);
        self.dirty.queue.insert(op.mid);
        op
    }

    /// Changes waiting for the server (withdrawn ones included until the server consumes them).
    pub fn pending(&self) -> usize {
        self.outbox.len()
    }

    /// The records this device changed that the server has not acknowledged yet, with how many
    /// changes each: what would be lost if the device's copy were wiped now.
    pub fn unsent_records(&self) -> BTreeMap<RecordId, usize> {
        let mut records = BTreeMap::new();
        for pending in self.outbox.values() {
            if let Pending::Op(op) = pending {
                *records.entry(op.record).or_insert(0) += 1;
            }
        }
        records
    }

    /// This device's changes to one record that the server has not acknowledged yet, oldest
    /// first: the part of its history only this device knows.
    pub fn unsent_ops(&self, record: RecordId) -> impl Iterator<Item = &Op<K>> {
        self.outbox
            .values()
            .filter_map(move |pending| match pending {
                Pending::Op(op) if op.record == record => Some(op),
                _ => None,
            })
    }

    /// Every change of this device that the log it holds does not have yet, oldest first:
    /// acknowledged but not yet pulled, then unsent. On a device kept on its own, every
    /// change it made since its log (an export chains them after it).
    pub fn ops_beyond_log(&self) -> impl Iterator<Item = &Op<K>> {
        self.sent
            .values()
            .chain(self.outbox.values().filter_map(|pending| match pending {
                Pending::Op(op) => Some(op),
                Pending::Withdrawn => None,
            }))
    }

    /// The next push: the oldest `max` outbox entries, or None if there is nothing to send.
    /// A run of changes to one record is never split across pushes, because the server
    /// needs a new record's required fields together.
    pub fn push_request(&self, max: usize) -> Option<PushRequest<K>> {
        self.push_request_within(max, PUSH_MAX_BYTES)
    }

    /// The next push of at most `max_ops` entries and, past its first, `max_bytes` of
    /// changes as sent (see `pace`). A run of changes to one record that starts the push is
    /// sent whole, as far as the server's own limits allow.
    pub fn push_request_within(&self, max_ops: usize, max_bytes: usize) -> Option<PushRequest<K>> {
        let record_of = |pending: &Pending<K>| match pending {
            Pending::Op(op) => Some(op.record),
            Pending::Withdrawn => None,
        };
        let mut entries = self.outbox.iter().map(|(mid, p)| (mid, p, sent_bytes(p)));
        let mut batch = Vec::new();
        let mut bytes = 0;
        let mut next = None;
        for entry in entries.by_ref() {
            let full = batch.len() >= max_ops.max(1) || bytes + entry.2 > max_bytes;
            if !batch.is_empty() && full {
                next = Some(entry);
                break;
            }
            bytes += entry.2;
            batch.push(entry);
        }
        if let (Some((_, last, _)), Some((_, following, _))) = (batch.last(), &next)
            && record_of(last).is_some()
            && record_of(last) == record_of(following)
        {
            let split = record_of(last);
            match batch.iter().rposition(|(_, p, _)| record_of(p) != split) {
                Some(i) => batch.truncate(i + 1),
                // The run starts the batch: send all of it, within the server's limits.
                None => {
                    for entry in next.into_iter().chain(entries) {
                        if record_of(entry.1) != split
                            || batch.len() >= PUSH_MAX_OPS
                            || bytes + entry.2 > PUSH_MAX_BYTES
                        {
                            break;
                        }
                        bytes += entry.2;
                        batch.push(entry);
                    }
                }
            }
        }
        let mut request = PushRequest {
            client: self.client,
            ops: Vec::new(),
            withdrawn: Vec::new(),
        };
        for (mid, pending, _) in batch {
            match pending {
                Pending::Op(op) => request.ops.push(op.clone()),
                Pending::Withdrawn => request.withdrawn.push(*mid),
            }
        }
        (!self.outbox.is_empty()).then_some(request)
    }

    fn acknowledge(&mut self, acked_mid: u64) {
        if acked_mid <= self.acked_mid {
            return;
        }
        self.acked_mid = acked_mid;
        let still_pending = self.outbox.split_off(&(acked_mid + 1));
        for (mid, pending) in std::mem::replace(&mut self.outbox, still_pending) {
            match pending {
                // Stays in the stored queue; the new acked mid makes it "sent".
                Pending::Op(op) => {
                    self.sent.insert(mid, op);
                }
                Pending::Withdrawn => {
                    self.dirty.queue.insert(mid);
                }
            }
        }
    }

    /// This device's clock put right by what it last learnt of the server's.
    fn corrected(&self, local_ms: u64) -> u64 {
        local_ms.saturating_add_signed(self.clock_offset_ms)
    }

    /// Learns the server's time from one of its answers (`server_ms`, read when it arrived,
    /// at this device's `local_ms`). Later edits are stamped from the corrected time. Unsent
    /// changes stamped further ahead of the server than it accepts (the clock was fast
    /// before the device first reached the server, or was put right since) are stamped again,
    /// in order, from the server's time: the server takes them instead of refusing them, and
    /// they do not win every later conflict. When the clock proves more than `CLOCK_SLOW_MS`
    /// slower than the device thought, each field's unsent change is sent again stamped that
    /// much later, when it was made: an edit made offline does not lose to one made elsewhere
    /// before it.
    pub fn observe_server_time(&mut self, server_ms: u64, local_ms: u64) {
        let offset = server_ms as i64 - local_ms as i64;
        let behind_by = offset - self.clock_offset_ms;
        self.clock_offset_ms = offset;
        if behind_by > CLOCK_SLOW_MS {
            self.send_unsent_again_later(behind_by.unsigned_abs(), server_ms);
        }
        let limit = server_ms.saturating_add(CLOCK_AHEAD_MAX_MS);
        if self.clock.last().wall <= limit {
            return;
        }
        // Every stamp the server has accepted stays below every new one: the log's (the
        // server refuses stamps far ahead, so none is later than it allows), those
        // acknowledged, and the unsent ones that are not too far ahead.
        let first_ahead = self
            .outbox
            .iter()
            .find(|(_, p)| matches!(p, Pending::Op(op) if op.hlc.wall > limit))
            .map(|(mid, _)| *mid);
        let kept = self
            .outbox
            .range(..first_ahead.unwrap_or(u64::MAX))
            .filter_map(|(_, p)| match p {
                Pending::Op(op) => Some(op.hlc),
                Pending::Withdrawn => None,
            });
        let base = self
            .confirmed
            .records()
            .flat_map(|(_, r)| r.fields.values().map(|f| f.stamp.hlc))
            .chain(self.sent.values().map(|op| op.hlc))
            .chain(kept)
            .chain([Hlc {
                wall: server_ms,
                counter: 0,
            }])
            .max()
            .unwrap_or_default();
        self.clock = HlcClock::new(base);
        let Some(first_ahead) = first_ahead else {
            return;
        };
        // Ticks keep the changes in the order they were made.
        let mut restamped = BTreeSet::new();
        for (mid, pending) in self.outbox.range_mut(first_ahead..) {
            if let Pending::Op(op) = pending {
                op.hlc = self.clock.tick(server_ms);
                restamped.insert((op.record, op.kind, op.field.clone()));
                self.dirty.queue.insert(*mid);
            }
        }
        for (record, kind, field) in restamped {
            self.recompute_field(record, kind, &field);
        }
    }

    /// Sends the latest unsent change to each field again, stamped `by` later (but not after
    /// the server's `now_ms`): as a change of its own (a new mid), not an altered one, because
    /// the first may already have reached the server (a push whose answer was lost) and a
    /// stored change is never changed.
    fn send_unsent_again_later(&mut self, by: u64, now_ms: u64) {
        let mut latest: BTreeMap<(RecordId, String), Op<K>> = BTreeMap::new();
        for pending in self.outbox.values() {
            if let Pending::Op(op) = pending {
                latest.insert((op.record, op.field.clone()), op.clone());
            }
        }
        let mut again: Vec<Op<K>> = latest.into_values().collect();
        again.sort_by_key(|op| op.mid);
        for mut op in again {
            op.hlc.wall = op.hlc.wall.saturating_add(by).min(now_ms);
            op.mid = self.next_mid;
            self.next_mid += 1;
            self.local.apply(&op);
            self.clock = HlcClock::new(self.clock.last().max(op.hlc));
            self.dirty.records.insert(op.record);
            self.dirty.queue.insert(op.mid);
            self.outbox.insert(op.mid, Pending::Op(op));
        }
    }

    /// The server stored the push (or had it already).
    pub fn on_pushed(&mut self, response: &PushResponse) {
        self.acknowledge(response.acked_mid);
    }

    /// The server refused the push. Refused changes are given up: their fields show the
    /// server's value again and the person is told why. Answers that arrive late match
    /// nothing, because a rejection names the op's clock as well as its mid.
    pub fn on_refused(&mut self, refusal: &ErrorBody) {
        if let Some(acked) = refusal.acked_mid {
            self.acknowledge(acked);
        }
        for rejection in &refusal.rejections {
            let hlc = Hlc {
                wall: rejection.hlc_wall,
                counter: rejection.hlc_counter,
            };
            let Some(pending) = self.outbox.get_mut(&rejection.mid) else {
                continue;
            };
            let Pending::Op(op) = pending else { continue };
            if op.hlc != hlc {
                continue;
            }
            let (record, kind, field) = (op.record, op.kind, op.field.clone());
            *pending = Pending::Withdrawn;
            self.dirty.queue.insert(rejection.mid);
            self.refused.push(rejection.clone());
            self.dirty.refused = true;
            self.recompute_field(record, kind, &field);
        }
    }

    /// The field as the server has it, with every change still in flight applied on top.
    fn recompute_field(&mut self, record: RecordId, kind: K, field: &str) {
        let mut best: Option<FieldState> = self
            .confirmed
            .record(record)
            .and_then(|r| r.fields.get(field))
            .cloned();
        let in_flight = self.outbox.values().filter_map(|p| match p {
            Pending::Op(op) => Some(op),
            Pending::Withdrawn => None,
        });
        for op in self.sent.values().chain(in_flight) {
            if op.record == record
                && op.field == field
                && best.as_ref().is_none_or(|b| b.stamp < op.stamp())
            {
                best = Some(FieldState {
                    value: op.value.clone(),
                    stamp: op.stamp(),
                });
            }
        }
        self.local.reset_field(record, kind, field, best);
        self.dirty.records.insert(record);
    }

    /// Applies a page of the log after checking that it continues the verified chain.
    pub fn on_pulled(&mut self, page: &PullResponse<K>) -> Result<(), ChainError> {
        let fresh: Vec<_> = page.ops.iter().filter(|e| e.seq > self.cursor).collect();
        let fresh_entries: Vec<_> = fresh.iter().map(|e| (*e).clone()).collect();
        let head = chain::verify(self.cursor, &self.head_hash, &fresh_entries)?;
        for entry in fresh {
            self.confirmed.apply(&entry.op);
            self.local.apply(&entry.op);
            self.clock.observe(entry.op.hlc);
            self.dirty.records.insert(entry.op.record);
            if entry.op.client == self.client {
                // The log holds this op, so the server has consumed every mid up to it: an
                // answer still on its way (a refusal of another copy of the same change, in
                // a larger batch) can no longer withdraw it.
                self.acknowledge(entry.op.mid);
                if self.sent.remove(&entry.op.mid).is_some() {
                    self.dirty.queue.insert(entry.op.mid);
                }
                // A copy of a refused push can still be stored if it arrived before the
                // withdrawal (a different batch, or a clock that caught up): the log wins.
                let before = self.refused.len();
                self.refused.retain(|r| {
                    (r.mid, r.hlc_wall, r.hlc_counter)
                        != (entry.op.mid, entry.op.hlc.wall, entry.op.hlc.counter)
                });
                self.dirty.refused |= self.refused.len() != before;
            }
        }
        if let Some(last) = fresh_entries.last() {
            self.cursor = last.seq;
            self.head_hash = head;
        }
        Ok(())
    }

    /// Forgets the list of refused changes once the person has seen it.
    pub fn clear_refused(&mut self) {
        self.refused.clear();
        self.dirty.refused = true;
    }
}

/// The bytes an outbox entry takes in a push's JSON (an op, or a withdrawn mid), with its
/// separator.
fn sent_bytes<K: RecordKind>(pending: &Pending<K>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    match pending {
        Pending::Op(op) => {
            let mut count = Count(1);
            serde_json::to_writer(&mut count, op).expect("an op serialises");
            count.0
        }
        Pending::Withdrawn => 21,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Device, Judged, Kind, MemoryServer, NOW, REFUSED};

    type PushRequest = crate::wire::PushRequest<Kind>;

    fn restore_from(changes: &[Changes<Kind>]) -> Device {
        // Replays write sets the way storage would keep them: last write per key wins.
        let mut records = BTreeMap::new();
        let mut queue = BTreeMap::new();
        let mut refused = Vec::new();
        for change in changes {
            for row in &change.records {
                records.insert(row.id, row.clone());
            }
            for (mid, pending) in &change.queue {
                match pending {
                    Some(p) => queue.insert(*mid, p.clone()),
                    None => queue.remove(mid),
                };
            }
            if let Some(list) = &change.refused {
                refused = list.clone();
            }
        }
        Device::restore(Stored {
            meta: changes.last().unwrap().meta.clone(),
            records: records.into_values().collect(),
            queue: queue.into_iter().collect(),
            refused,
        })
    }

    #[test]
    fn pushes_keep_within_bytes_and_never_split_a_record() {
        let mut device = Device::new(ClientId::new());
        let long = "x".repeat(60_000);
        let risks: Vec<RecordId> = (0..40).map(|_| RecordId::new()).collect();
        for &id in &risks {
            device.edit(id, Kind::Note, "title", "Long".into(), NOW);
            device.edit(id, Kind::Note, "description", long.clone().into(), NOW);
        }
        let size = |request: &PushRequest| serde_json::to_string(request).unwrap().len();
        // 40 records of ~60 KB do not fit in one request body: the push stops at a record's end.
        let full = device.push_request(500).unwrap();
        assert!(
            size(&full) <= crate::wire::BODY_MAX_BYTES,
            "{} bytes",
            size(&full)
        );
        assert_eq!(full.ops.len() % 2, 0, "no record split: {}", full.ops.len());
        assert!(full.ops.len() >= 30, "{}", full.ops.len());
        // A paced push is smaller still, but always carries a whole record.
        let paced = device.push_request_within(500, 100_000).unwrap();
        assert_eq!(paced.ops.len(), 2);
        let tiny = device.push_request_within(1, 10).unwrap();
        assert_eq!(
            tiny.ops.len(),
            2,
            "a run that starts the push is sent whole"
        );
        assert!(tiny.ops.iter().all(|op| op.record == risks[0]));
    }

    #[test]
    fn a_device_restored_from_its_write_sets_carries_on_identically() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let author = device.client;
        let mut writes = Vec::new();
        let id = RecordId::new();
        device.edit(id, Kind::Note, "title", "Phishing".into(), NOW);
        device.edit(id, Kind::Note, "inherent_likelihood", Value::Int(3), NOW);
        device.edit(id, Kind::Note, "inherent_impact", Value::Int(3), NOW);
        writes.push(device.take_changes());
        let response = server
            .push(&Judged, &author, &device.push_request(500).unwrap(), NOW)
            .unwrap();
        device.on_pushed(&response);
        writes.push(device.take_changes());
        assert_eq!(device.unsent_ops(id).count(), 0);
        assert!(device.unsent_records().is_empty());
        device.edit(id, Kind::Note, "colour", REFUSED.into(), NOW);
        device.edit(id, Kind::Note, "title", "Phishing of finance".into(), NOW);
        writes.push(device.take_changes());
        let unsent = |device: &Device| -> Vec<String> {
            device.unsent_ops(id).map(|op| op.field.clone()).collect()
        };
        assert_eq!(unsent(&device), ["colour", "title"]);
        let refusal = server
            .push(&Judged, &author, &device.push_request(500).unwrap(), NOW)
            .unwrap_err();
        device.on_refused(&refusal.body());
        writes.push(device.take_changes());
        assert_eq!(
            unsent(&device),
            ["title"],
            "a withdrawn change is no longer pending"
        );
        assert_eq!(device.unsent_records(), BTreeMap::from([(id, 1)]));

        let restored = restore_from(&writes);
        assert_eq!(restored.local, device.local);
        assert_eq!(restored.confirmed, device.confirmed);
        assert_eq!(restored.meta(), device.meta());
        assert_eq!(restored.refused.len(), 1);
        assert_eq!(restored.push_request(500), device.push_request(500));
        assert_eq!(
            restored.local.record(id).unwrap().get("colour"),
            None,
            "the refused value is gone from what the person sees"
        );
        assert_eq!(
            restored.local.record(id).unwrap().get("title"),
            Some(&Value::from("Phishing of finance")),
            "the other change in the refused push is still pending"
        );
    }

    #[test]
    fn a_refusal_that_arrives_after_the_op_was_pulled_from_the_log_withdraws_nothing() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let author = device.client;
        let id = RecordId::new();
        device.edit(id, Kind::Note, "title", "Phishing".into(), NOW);
        device.edit(id, Kind::Note, "inherent_likelihood", Value::Int(3), NOW);
        device.edit(id, Kind::Note, "inherent_impact", Value::Int(4), NOW);
        // One copy of the push is stored; its answer is lost, and the device pulls its ops.
        server
            .push(&Judged, &author, &device.push_request(500).unwrap(), NOW)
            .unwrap();
        device.on_pulled(&server.pull(0, 1000)).unwrap();
        // A refusal of another copy (a larger batch, say) then arrives: the log has won.
        let op = server.log[0].op.clone();
        let mut late = ErrorBody::new("invalid_ops", "refused");
        late.acked_mid = Some(0);
        late.rejections.push(crate::wire::Rejection {
            mid: op.mid,
            hlc_wall: op.hlc.wall,
            hlc_counter: op.hlc.counter,
            field: op.field.clone(),
            code: "record_rule".into(),
            message: "refused".into(),
        });
        device.on_refused(&late);
        assert!(device.refused.is_empty());
        assert_eq!(device.pending(), 0);
        assert_eq!(device.local, server.state);
    }

    #[test]
    fn an_offline_edit_on_a_slow_clock_does_not_lose_to_an_earlier_one() {
        const HOURS_3: u64 = 3 * 3600 * 1000;
        let mut server = MemoryServer::default();
        let id = RecordId::new();
        let push_all = |server: &mut MemoryServer, device: &mut Device, now: u64| {
            while let Some(request) = device.push_request(500) {
                let response = server.push(&Judged, &device.client, &request, now).unwrap();
                device.on_pushed(&response);
            }
        };
        // A laptop with a right clock names the note.
        let mut laptop = Device::new(ClientId::new());
        laptop.edit(
            id,
            Kind::Note,
            "title",
            "Earlier, on the laptop".into(),
            NOW,
        );
        push_all(&mut server, &mut laptop, NOW);

        // A phone three hours slow, that has never reached the server, renames it offline a
        // minute later, and a second later again.
        let mut phone = Device::new(ClientId::new());
        phone.edit(
            id,
            Kind::Note,
            "title",
            "Later, offline".into(),
            NOW + 60_000 - HOURS_3,
        );
        phone.edit(
            id,
            Kind::Note,
            "title",
            "Later still".into(),
            NOW + 61_000 - HOURS_3,
        );
        // It hears the server's time before it pushes (the app asks first when it has not
        // heard from the server since it started): its last change to the title is sent
        // again, stamped when it was made.
        phone.observe_server_time(NOW + 120_000, NOW + 120_000 - HOURS_3);
        let sent: Vec<(u64, Value)> = phone
            .unsent_ops(id)
            .map(|op| (op.hlc.wall, op.value.clone()))
            .collect();
        assert_eq!(
            sent,
            [
                (NOW + 60_000 - HOURS_3, Value::from("Later, offline")),
                (NOW + 61_000 - HOURS_3, Value::from("Later still")),
                (NOW + 61_000, Value::from("Later still")),
            ]
        );
        assert_eq!(phone.meta().clock_offset_ms, HOURS_3 as i64);
        push_all(&mut server, &mut phone, NOW + 120_000);
        laptop.on_pulled(&server.pull(laptop.cursor, 1000)).unwrap();
        assert_eq!(
            laptop.local.record(id).unwrap().get("title"),
            Some(&Value::from("Later still"))
        );

        // A few seconds' difference is the network's: nothing is sent again.
        phone.edit(
            id,
            Kind::Note,
            "title",
            "Now".into(),
            NOW + 130_000 - HOURS_3,
        );
        let before: Vec<Hlc> = phone.unsent_ops(id).map(|op| op.hlc).collect();
        phone.observe_server_time(NOW + 133_000, NOW + 130_000 - HOURS_3);
        let after: Vec<Hlc> = phone.unsent_ops(id).map(|op| op.hlc).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn a_clock_hours_off_loses_no_edit_and_wins_no_later_conflict() {
        const HOURS_3: u64 = 3 * 3600 * 1000;
        let mut server = MemoryServer::default();
        let sync = |server: &mut MemoryServer, device: &mut Device, server_now: u64, local: u64| {
            for _ in 0..5 {
                let Some(request) = device.push_request(500) else {
                    break;
                };
                let answer = server.push(&Judged, &device.client, &request, server_now);
                device.observe_server_time(server_now, local);
                match answer {
                    Ok(response) => device.on_pushed(&response),
                    Err(refusal) => device.on_refused(&refusal.body()),
                }
            }
            device.on_pulled(&server.pull(device.cursor, 1000)).unwrap();
            device.observe_server_time(server_now, local);
        };
        let title = |device: &Device, id| device.local.record(id).unwrap().get("title").cloned();

        // A phone three hours fast files a risk offline, before it ever reached the server.
        let mut fast = Device::new(ClientId::new());
        let id = RecordId::new();
        fast.edit(
            id,
            Kind::Note,
            "title",
            "Filed offline".into(),
            NOW + HOURS_3,
        );
        fast.edit(
            id,
            Kind::Note,
            "inherent_likelihood",
            Value::Int(2),
            NOW + HOURS_3,
        );
        fast.edit(
            id,
            Kind::Note,
            "inherent_impact",
            Value::Int(2),
            NOW + HOURS_3,
        );
        let refusal = server
            .push(&Judged, &fast.client, &fast.push_request(500).unwrap(), NOW)
            .unwrap_err();
        assert!(
            matches!(&refusal, crate::server::PushRefusal::Rejected { rejections, .. }
            if rejections.iter().all(|r| r.code == "clock_ahead"))
        );
        // The refusal's answer tells the time: the changes are stamped again, not given up.
        fast.observe_server_time(NOW, NOW + HOURS_3);
        fast.on_refused(&refusal.body());
        assert_eq!(fast.pending(), 3);
        assert!(fast.refused.is_empty());
        assert!(fast.unsent_ops(id).all(|op| op.hlc.wall == NOW));
        assert_eq!(
            fast.local.record(id).unwrap().fields["title"]
                .stamp
                .hlc
                .wall,
            NOW
        );
        sync(&mut server, &mut fast, NOW, NOW + HOURS_3);
        assert_eq!(fast.pending(), 0);
        assert_eq!(
            server.state.record(id).unwrap().get("title"),
            title(&fast, id).as_ref()
        );

        // A later edit elsewhere still wins over the fast phone's.
        let mut right = Device::new(ClientId::new());
        sync(&mut server, &mut right, NOW + 1_000, NOW + 1_000);
        right.edit(
            id,
            Kind::Note,
            "title",
            "Later, on the laptop".into(),
            NOW + 1_000,
        );
        sync(&mut server, &mut right, NOW + 1_000, NOW + 1_000);
        sync(&mut server, &mut fast, NOW + 1_500, NOW + HOURS_3 + 1_500);
        assert_eq!(title(&fast, id), Some("Later, on the laptop".into()));

        // The fast phone's own later edit wins in turn, stamped from the server's time.
        fast.edit(
            id,
            Kind::Note,
            "title",
            "Later still, on the phone".into(),
            NOW + HOURS_3 + 2_000,
        );
        assert!(fast.unsent_ops(id).all(|op| op.hlc.wall < NOW + 10_000));
        sync(&mut server, &mut fast, NOW + 2_000, NOW + HOURS_3 + 2_000);
        assert!(fast.refused.is_empty());

        // A phone three hours slow: once it has heard from the server, its later edit wins.
        let mut slow = Device::new(ClientId::new());
        sync(&mut server, &mut slow, NOW + 2_500, NOW + 2_500 - HOURS_3);
        slow.edit(
            id,
            Kind::Note,
            "title",
            "Last, on the slow phone".into(),
            NOW + 3_000 - HOURS_3,
        );
        sync(&mut server, &mut slow, NOW + 3_000, NOW + 3_000 - HOURS_3);
        sync(&mut server, &mut right, NOW + 3_500, NOW + 3_500);
        assert_eq!(title(&right, id), Some("Last, on the slow phone".into()));
        assert_eq!(
            server.state.record(id).unwrap().get("title"),
            Some(&Value::from("Last, on the slow phone"))
        );

        // The correction survives a restart.
        let restored = Device::restore(Stored {
            meta: slow.meta(),
            records: Vec::new(),
            queue: Vec::new(),
            refused: Vec::new(),
        });
        assert_eq!(restored.meta().clock_offset_ms, HOURS_3 as i64);
    }
}
