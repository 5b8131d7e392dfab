//! One device's side of sync, as pure logic: the app persists each part in IndexedDB; the
//! simulation keeps it in memory. The outbox holds unacknowledged changes in mid order;
//! `local` is what the person sees: the server's state plus every change not yet confirmed.

use crate::{
    ClientId, Hlc, HlcClock, Kind, Op, RecordId, Replica, Value,
    chain::{self, ChainError, GENESIS},
    wire::{ErrorBody, PUSH_MAX_OPS, PullResponse, PushRequest, PushResponse, Rejection},
};
use std::collections::BTreeMap;

#[derive(Clone, PartialEq, Debug)]
pub enum Pending {
    Op(Op),
    /// Refused by the server and given up; sent so the server consumes the mid.
    Withdrawn,
}

#[derive(Clone, Debug)]
pub struct Device {
    pub client: ClientId,
    pub clock: HlcClock,
    next_mid: u64,
    acked_mid: u64,
    outbox: BTreeMap<u64, Pending>,
    /// Acknowledged by the server but not yet seen in a pull.
    unconfirmed: BTreeMap<u64, Op>,
    /// Only what the server's log says.
    pub confirmed: Replica,
    /// What the person sees.
    pub local: Replica,
    pub cursor: u64,
    pub head_hash: String,
    /// Changes the server refused, for the person to see.
    pub refused: Vec<Rejection>,
}

impl Device {
    pub fn new(client: ClientId) -> Self {
        Self {
            client,
            clock: HlcClock::default(),
            next_mid: 1,
            acked_mid: 0,
            outbox: BTreeMap::new(),
            unconfirmed: BTreeMap::new(),
            confirmed: Replica::default(),
            local: Replica::default(),
            cursor: 0,
            head_hash: GENESIS.to_owned(),
            refused: Vec::new(),
        }
    }

    /// Records a local change: stamps it, queues it and shows it at once.
    pub fn edit(
        &mut self,
        record: RecordId,
        kind: Kind,
        field: &str,
        value: Value,
        now_ms: u64,
    ) -> Op {
        let op = Op {
            client: self.client,
            mid: self.next_mid,
            record,
            kind,
            field: field.to_owned(),
            value,
            hlc: self.clock.tick(now_ms),
        };
        self.next_mid += 1;
        self.local.apply(&op);
        self.outbox.insert(op.mid, Pending::Op(op.clone()));
        op
    }

    pub fn pending(&self) -> usize {
        self.outbox.len()
    }

    /// The next push: the oldest `max` outbox entries, or None if there is nothing to send.
    /// A run of changes to one record is never split across pushes, because the server
    /// needs a new record's required fields together.
    pub fn push_request(&self, max: usize) -> Option<PushRequest> {
        let record_of = |pending: &Pending| match pending {
            Pending::Op(op) => Some(op.record),
            Pending::Withdrawn => None,
        };
        let mut batch: Vec<(&u64, &Pending)> = self.outbox.iter().take(max.max(1)).collect();
        let next = self.outbox.values().nth(batch.len());
        if let (Some((_, last)), Some(next)) = (batch.last(), next)
            && record_of(last).is_some()
            && record_of(last) == record_of(next)
        {
            let split = record_of(last);
            match batch.iter().rposition(|(_, p)| record_of(p) != split) {
                Some(i) => batch.truncate(i + 1),
                // The run starts the batch: send all of it, within the server's limit.
                None => {
                    let rest = self.outbox.iter().skip(batch.len());
                    let run = rest.take_while(|(_, p)| record_of(p) == split);
                    batch.extend(run.take(PUSH_MAX_OPS.saturating_sub(batch.len())));
                }
            }
        }
        let mut request = PushRequest {
            client: self.client,
            ops: Vec::new(),
            withdrawn: Vec::new(),
        };
        for (mid, pending) in batch {
            match pending {
                Pending::Op(op) => request.ops.push(op.clone()),
                Pending::Withdrawn => request.withdrawn.push(*mid),
            }
        }
        (!self.outbox.is_empty()).then_some(request)
    }

    fn acknowledge(&mut self, acked_mid: u64) {
        self.acked_mid = self.acked_mid.max(acked_mid);
        let still_pending = self.outbox.split_off(&(self.acked_mid + 1));
        for (mid, pending) in std::mem::replace(&mut self.outbox, still_pending) {
            if let Pending::Op(op) = pending {
                self.unconfirmed.insert(mid, op);
            }
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
        let mut changed = false;
        for rejection in &refusal.rejections {
            let hlc = Hlc {
                wall: rejection.hlc_wall,
                counter: rejection.hlc_counter,
            };
            if let Some(pending) = self.outbox.get_mut(&rejection.mid)
                && matches!(pending, Pending::Op(op) if op.hlc == hlc)
            {
                *pending = Pending::Withdrawn;
                self.refused.push(rejection.clone());
                changed = true;
            }
        }
        if changed {
            self.rebuild_local();
        }
    }

    fn rebuild_local(&mut self) {
        let mut local = self.confirmed.clone();
        let pending = self.outbox.values().filter_map(|p| match p {
            Pending::Op(op) => Some(op),
            Pending::Withdrawn => None,
        });
        for op in self.unconfirmed.values().chain(pending) {
            local.apply(op);
        }
        self.local = local;
    }

    /// Applies a page of the log after checking that it continues the verified chain.
    pub fn on_pulled(&mut self, page: &PullResponse) -> Result<(), ChainError> {
        let fresh: Vec<_> = page
            .ops
            .iter()
            .filter(|e| e.seq > self.cursor)
            .cloned()
            .collect();
        let head = chain::verify(self.cursor, &self.head_hash, &fresh)?;
        for entry in &fresh {
            self.confirmed.apply(&entry.op);
            self.local.apply(&entry.op);
            self.clock.observe(entry.op.hlc);
            if entry.op.client == self.client {
                self.unconfirmed.remove(&entry.op.mid);
                // A copy of a refused push can still be stored if it arrived before the
                // withdrawal (a different batch, or a clock that caught up): the log wins.
                self.refused.retain(|r| {
                    (r.mid, r.hlc_wall, r.hlc_counter)
                        != (entry.op.mid, entry.op.hlc.wall, entry.op.hlc.counter)
                });
            }
        }
        if let Some(last) = fresh.last() {
            self.cursor = last.seq;
            self.head_hash = head;
        }
        Ok(())
    }
}
