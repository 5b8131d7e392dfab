//! Deterministic simulation of the sync protocol: 2–6 devices with drifting clocks, a network
//! that reorders, duplicates, delays and drops pushes, pulls and their answers, devices that
//! crash between their local commit and the acknowledgement, viewers that try to write, and
//! edits the schema refuses. Server and devices run the same code the worker and the app run.
//!
//! After quiescence: every device equals the server; every op is in the log exactly once or
//! was refused with a reason; replaying any push or pull changes nothing; every field holds
//! the value of the accepted op with the greatest (hlc, client); the hash chain verifies.
//!
//! `RATCHET_SIM_SCHEDULES=10000 cargo test -p register --release --test simulation` runs more.

use engine::{
    chain::{self, GENESIS},
    device::DeviceMeta,
    wire::{PushResponse, Rejection},
};
use register::{
    ClientId, ErrorBody, Kind, Op, RecordId, Role, Value,
    gate::Author,
    sync::{Changes, Device, MemoryServer, Pending, PullResponse, PushRequest, RecordRow, Stored},
};
use std::collections::{BTreeMap, BTreeSet};

/// SplitMix64: tiny, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

enum Message {
    Push(usize, PushRequest),
    /// Each answer carries the server's time when it answered, as the worker's header does.
    PushReply(usize, u64, Result<PushResponse, ErrorBody>),
    Pull(usize, u64, u64),
    PullReply(usize, u64, PullResponse),
}

/// What a device has written to storage: each write set applied as one transaction.
#[derive(Default)]
struct Disk {
    meta: Option<DeviceMeta>,
    records: BTreeMap<RecordId, RecordRow>,
    queue: BTreeMap<u64, Pending>,
    refused: Vec<Rejection>,
}

impl Disk {
    fn write(&mut self, changes: Changes) {
        self.meta = Some(changes.meta);
        for row in changes.records {
            self.records.insert(row.id, row);
        }
        for (mid, pending) in changes.queue {
            match pending {
                Some(p) => self.queue.insert(mid, p),
                None => self.queue.remove(&mid),
            };
        }
        if let Some(refused) = changes.refused {
            self.refused = refused;
        }
    }

    fn load(&self, client: ClientId) -> Device {
        let Some(meta) = self.meta.clone() else {
            return Device::new(client);
        };
        Device::restore(Stored {
            meta,
            records: self.records.values().cloned().collect(),
            queue: self.queue.iter().map(|(m, p)| (*m, p.clone())).collect(),
            refused: self.refused.clone(),
        })
    }
}

struct Node {
    device: Device,
    disk: Disk,
    role: Role,
    drift_ms: i64,
}

impl Node {
    /// Commits what the last operation changed, as the app does after every operation.
    fn persist(&mut self) {
        self.disk.write(self.device.take_changes());
    }
}

struct Sim {
    rng: Rng,
    now_ms: u64,
    server: MemoryServer,
    nodes: Vec<Node>,
    in_flight: Vec<(u64, Message)>,
    generated: Vec<Op>,
    delivered_pushes: Vec<(usize, PushRequest)>,
    delivered_pulls: Vec<(usize, PullResponse)>,
    /// Ops logged with another stamp than they were made with (a clock put right).
    restamped: usize,
    /// Changes a device sent again, later stamped, on learning its clock was slow.
    sent_again: usize,
}

const START_MS: u64 = 1_800_000_000_000;

impl Sim {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let count = 2 + rng.below(5) as usize;
        let nodes = (0..count)
            .map(|i| {
                let role = if i == 0 {
                    Role::Owner
                } else {
                    *rng.pick(&[
                        Role::Editor,
                        Role::Editor,
                        Role::Admin,
                        Role::Auditor,
                        Role::Viewer,
                    ])
                };
                // Mostly small drift; sometimes a device 30 minutes ahead, whose edits the
                // server refuses until the device has heard its time and stamped them again.
                let drift_ms = if rng.chance(10) {
                    30 * 60 * 1000
                } else {
                    rng.below(360_000) as i64 - 180_000
                };
                Node {
                    device: Device::new(ClientId::from_u128(seed as u128 * 16 + i as u128 + 1)),
                    disk: Disk::default(),
                    role,
                    drift_ms,
                }
            })
            .collect();
        Self {
            rng,
            now_ms: START_MS,
            server: MemoryServer::default(),
            nodes,
            in_flight: Vec::new(),
            generated: Vec::new(),
            delivered_pushes: Vec::new(),
            delivered_pulls: Vec::new(),
            restamped: 0,
            sent_again: 0,
        }
    }

    fn device_now(&self, node: usize) -> u64 {
        (self.now_ms as i64 + self.nodes[node].drift_ms) as u64
    }

    fn send(&mut self, message: Message) {
        if self.rng.chance(10) {
            return; // dropped
        }
        let copies = if self.rng.chance(10) { 2 } else { 1 };
        for _ in 0..copies {
            let at = self.now_ms + self.rng.below(5_000);
            let copy = match &message {
                Message::Push(n, r) => Message::Push(*n, r.clone()),
                Message::PushReply(n, t, r) => Message::PushReply(*n, *t, r.clone()),
                Message::Pull(n, s, l) => Message::Pull(*n, *s, *l),
                Message::PullReply(n, t, p) => Message::PullReply(*n, *t, p.clone()),
            };
            self.in_flight.push((at, copy));
        }
    }

    fn author(&self, node: usize) -> Author {
        Author {
            client: self.nodes[node].device.client,
            member: format!("member {node}"),
            role: self.nodes[node].role,
        }
    }

    fn edit(&mut self, node: usize) {
        let now = self.device_now(node);
        let existing: Vec<(RecordId, Kind)> = self.nodes[node]
            .device
            .local
            .records()
            .map(|(id, r)| (id, r.kind))
            .collect();
        let edits: Vec<(RecordId, Kind, &str, Value)> = if existing.is_empty()
            || self.rng.chance(30)
        {
            let id = RecordId::new();
            let findings: Vec<RecordId> = existing
                .iter()
                .filter(|(_, kind)| *kind == Kind::Finding)
                .map(|(id, _)| *id)
                .collect();
            match self.rng.below(5) {
                0 => vec![
                    (
                        id,
                        Kind::Risk,
                        "title",
                        Value::from(format!("risk {}", self.rng.below(1000))),
                    ),
                    (
                        id,
                        Kind::Risk,
                        "inherent_likelihood",
                        Value::Int(1 + self.rng.below(5) as i64),
                    ),
                    (
                        id,
                        Kind::Risk,
                        "inherent_impact",
                        Value::Int(1 + self.rng.below(5) as i64),
                    ),
                ],
                1 => vec![
                    (id, Kind::Event, "event_type", Value::from("near_miss")),
                    (id, Kind::Event, "title", Value::from("door left open")),
                ],
                // Findings and their actions: closing one is checked against its actions
                // as the server holds them, across devices.
                2 => vec![
                    (id, Kind::Finding, "title", Value::from("backups untested")),
                    (id, Kind::Finding, "finding_type", Value::from("minor_nc")),
                    (id, Kind::Finding, "status", Value::from("open")),
                ],
                3 if !findings.is_empty() => {
                    let finding = self.rng.pick(&findings).to_string();
                    vec![
                        (id, Kind::Action, "title", Value::from("test a restore")),
                        (id, Kind::Action, "action_type", Value::from("corrective")),
                        (id, Kind::Action, "finding", Value::from(finding)),
                        (id, Kind::Action, "status", Value::from("done")),
                    ]
                }
                _ => vec![
                    (
                        id,
                        Kind::Measurement,
                        "metric",
                        Value::from(RecordId::new().to_string()),
                    ),
                    (
                        id,
                        Kind::Measurement,
                        "value",
                        Value::Num(self.rng.below(100) as f64 / 4.0),
                    ),
                    (id, Kind::Measurement, "date", Value::from("2026-11-29")),
                ],
            }
        } else {
            let &(id, kind) = self.rng.pick(&existing);
            match kind {
                Kind::Risk => {
                    let likelihood = if self.rng.chance(5) {
                        9
                    } else {
                        1 + self.rng.below(5) as i64
                    };
                    let field =
                        *self
                            .rng
                            .pick(&["title", "owner_note", "residual_likelihood", "deleted"]);
                    let value = match field {
                        "title" => Value::from(format!("risk {}", self.rng.below(1000))),
                        "residual_likelihood" => Value::Int(likelihood),
                        "deleted" => Value::Bool(self.rng.chance(50)),
                        _ => Value::from("not a field"),
                    };
                    vec![(id, kind, field, value)]
                }
                Kind::Event => vec![(
                    id,
                    kind,
                    "status",
                    Value::from(*self.rng.pick(&["triaged", "resolved", "closed"])),
                )],
                // Closing may break the finding's rules (no root cause, no verified action).
                Kind::Finding => match self.rng.below(3) {
                    0 => vec![(id, kind, "root_cause", Value::from("no owner"))],
                    1 => vec![(
                        id,
                        kind,
                        "whys",
                        Value::List(vec!["untested".into(), "no owner".into()]),
                    )],
                    _ => vec![(id, kind, "status", Value::from("closed"))],
                },
                Kind::Action => vec![(
                    id,
                    kind,
                    "effective",
                    Value::from(*self.rng.pick(&["effective", "not_effective"])),
                )],
                // Measurements are append-only: this change must be refused.
                _ => vec![(id, kind, "note", Value::from("changed my mind"))],
            }
        };
        for (id, kind, field, value) in edits {
            let op = self.nodes[node].device.edit(id, kind, field, value, now);
            self.generated.push(op);
        }
        self.nodes[node].persist();
    }

    fn deliver(&mut self, index: usize) {
        let (_, message) = self.in_flight.swap_remove(index);
        match message {
            Message::Push(node, request) => {
                let result = self.server.push(
                    &register::gate::Gate::default(),
                    &self.author(node),
                    &request,
                    self.now_ms,
                );
                self.delivered_pushes.push((node, request));
                let reply = result.map_err(|refusal| refusal.body());
                self.send(Message::PushReply(node, self.now_ms, reply));
            }
            Message::PushReply(node, server_ms, reply) => {
                let local = self.device_now(node);
                let device = &mut self.nodes[node].device;
                device.observe_server_time(server_ms, local);
                match reply {
                    Ok(response) => device.on_pushed(&response),
                    Err(refusal) => device.on_refused(&refusal),
                }
                self.nodes[node].persist();
            }
            Message::Pull(node, since, limit) => {
                let page = self.server.pull(since, limit);
                self.send(Message::PullReply(node, self.now_ms, page));
            }
            Message::PullReply(node, server_ms, page) => {
                let local = self.device_now(node);
                // A stale page can overlap what the device has; it must still verify.
                let device = &mut self.nodes[node].device;
                device.observe_server_time(server_ms, local);
                if page.ops.first().is_none_or(|e| e.seq <= device.cursor + 1) {
                    device
                        .on_pulled(&page)
                        .expect("pulled pages verify against the chain");
                    self.nodes[node].persist();
                    self.delivered_pulls.push((node, page));
                }
            }
        }
    }

    fn step(&mut self) {
        self.now_ms += self.rng.below(2_000);
        let node = self.rng.below(self.nodes.len() as u64) as usize;
        match self.rng.below(100) {
            0..=29 => self.edit(node),
            30..=44 => {
                let max = 1 + self.rng.below(8) as usize;
                if let Some(request) = self.nodes[node].device.push_request(max) {
                    self.send(Message::Push(node, request));
                }
            }
            45..=59 => {
                let since = self.nodes[node].device.cursor;
                let limit = 1 + self.rng.below(10);
                self.send(Message::Pull(node, since, limit));
            }
            60..=97 => {
                if !self.in_flight.is_empty() {
                    let index = self.rng.below(self.in_flight.len() as u64) as usize;
                    self.deliver(index);
                }
            }
            _ => {
                // Crash: the device restarts from what it had written; answers on the way to
                // it are lost, and so is anything it had not yet committed.
                self.in_flight.retain(|(_, m)| !matches!(m, Message::PushReply(n, _, _) | Message::PullReply(n, _, _) if *n == node));
                let client = self.nodes[node].device.client;
                self.nodes[node].device = self.nodes[node].disk.load(client);
            }
        }
    }

    /// Delivers what is still in flight, then syncs every device over a reliable network
    /// until nothing is pending and every device has the whole log.
    fn quiesce(&mut self) {
        while !self.in_flight.is_empty() {
            self.deliver(0);
        }
        for _round in 0..100 {
            let mut busy = false;
            for node in 0..self.nodes.len() {
                for _ in 0..1_000 {
                    let Some(request) = self.nodes[node].device.push_request(500) else {
                        break;
                    };
                    busy = true;
                    let answer = self.server.push(
                        &register::gate::Gate::default(),
                        &self.author(node),
                        &request,
                        self.now_ms,
                    );
                    let local = self.device_now(node);
                    self.nodes[node]
                        .device
                        .observe_server_time(self.now_ms, local);
                    match answer {
                        Ok(response) => self.nodes[node].device.on_pushed(&response),
                        Err(refusal) => self.nodes[node].device.on_refused(&refusal.body()),
                    }
                    self.nodes[node].persist();
                    self.delivered_pushes.push((node, request));
                }
                for _ in 0..1_000 {
                    let page = self.server.pull(self.nodes[node].device.cursor, 50);
                    self.nodes[node]
                        .device
                        .on_pulled(&page)
                        .expect("chain verifies");
                    self.nodes[node].persist();
                    let more = page.more;
                    self.delivered_pulls.push((node, page));
                    if !more {
                        break;
                    }
                }
            }
            let synced = self.nodes.iter().all(|n| {
                n.device.pending() == 0 && n.device.cursor == self.server.log.len() as u64
            });
            if synced && !busy {
                return;
            }
        }
        panic!("the simulation did not quiesce within 100 rounds");
    }

    fn check(&mut self, seed: u64) {
        let server = &self.server;
        chain::verify(0, GENESIS, &server.log).expect("the server's log verifies");
        for (i, node) in self.nodes.iter().enumerate() {
            assert_eq!(
                node.device.confirmed, server.state,
                "seed {seed}: device {i} confirmed state"
            );
            assert_eq!(
                node.device.local, server.state,
                "seed {seed}: device {i} local state"
            );
            assert!(
                node.device
                    .refused
                    .iter()
                    .all(|r| !r.code.is_empty() && !r.message.is_empty())
            );
        }

        // Every generated op: in the log exactly once, or refused with a reason — never both.
        // Its stamp may have changed on the way (a clock far ahead, put right): the change is
        // its device, number and content.
        let mut in_log: BTreeMap<(ClientId, u64), usize> = BTreeMap::new();
        for entry in &server.log {
            *in_log.entry((entry.op.client, entry.op.mid)).or_default() += 1;
        }
        let same_change = |a: &Op, b: &Op| {
            (a.client, a.mid, a.record, a.kind, &a.field, &a.value)
                == (b.client, b.mid, b.record, b.kind, &b.field, &b.value)
        };
        let mut restamped = 0;
        for op in &self.generated {
            let logged = server.log.iter().filter(|e| same_change(&e.op, op)).count();
            restamped += server
                .log
                .iter()
                .filter(|e| same_change(&e.op, op) && e.op.hlc != op.hlc)
                .count();
            let node = self
                .nodes
                .iter()
                .find(|n| n.device.client == op.client)
                .unwrap();
            let refused = node
                .device
                .refused
                .iter()
                .filter(|r| r.mid == op.mid)
                .count();
            assert!(
                (logged == 1 && refused == 0) || (logged == 0 && refused == 1),
                "seed {seed}: op {op:?} logged {logged} times, refused {refused} times"
            );
        }
        assert!(
            in_log.values().all(|&n| n == 1),
            "seed {seed}: a (client, mid) is in the log twice"
        );
        self.restamped += restamped;

        // Every other change, logged or refused, is one a device made again: the same content
        // as one of its own made earlier (sent again, stamped later, as a slow clock was put
        // right; the earlier one may since have been stamped again itself).
        let made: BTreeSet<(ClientId, u64)> = self
            .generated
            .iter()
            .map(|op| (op.client, op.mid))
            .collect();
        let sent_again = |op: &Op| {
            self.generated.iter().any(|earlier| {
                (
                    earlier.client,
                    earlier.record,
                    earlier.kind,
                    &earlier.field,
                    &earlier.value,
                ) == (op.client, op.record, op.kind, &op.field, &op.value)
                    && earlier.mid < op.mid
            })
        };
        for entry in &server.log {
            if !made.contains(&(entry.op.client, entry.op.mid)) {
                assert!(
                    sent_again(&entry.op),
                    "seed {seed}: {:?} was never made",
                    entry.op
                );
                self.sent_again += 1;
            }
        }
        for node in &self.nodes {
            let client = node.device.client;
            self.sent_again += node
                .device
                .refused
                .iter()
                .filter(|r| !made.contains(&(client, r.mid)))
                .count();
        }

        // Reference fold: each field holds the accepted op with the greatest (hlc, client).
        let mut best: BTreeMap<(RecordId, String), &Op> = BTreeMap::new();
        for entry in &server.log {
            let key = (entry.op.record, entry.op.field.clone());
            if best.get(&key).is_none_or(|b| b.stamp() < entry.op.stamp()) {
                best.insert(key, &entry.op);
            }
        }
        let mut fields = 0;
        for (id, record) in server.state.records() {
            for (field, state) in &record.fields {
                assert_eq!(
                    Some(&state.value),
                    best.get(&(id, field.clone())).map(|o| &o.value),
                    "seed {seed}"
                );
                fields += 1;
            }
        }
        assert_eq!(fields, best.len());

        // Replaying any push or pull changes nothing.
        let before = (self.server.log.clone(), self.server.state.clone());
        let pushes = std::mem::take(&mut self.delivered_pushes);
        for (node, request) in pushes.iter().rev() {
            let _ = self.server.push(
                &register::gate::Gate::default(),
                &self.author(*node),
                request,
                self.now_ms,
            );
        }
        assert_eq!(
            (self.server.log.clone(), self.server.state.clone()),
            before,
            "seed {seed}: replayed pushes changed the server"
        );
        let pulls = std::mem::take(&mut self.delivered_pulls);
        for (node, page) in pulls.iter().rev() {
            let device = &mut self.nodes[*node].device;
            let state = (device.local.clone(), device.cursor);
            device.on_pulled(page).expect("an old page still verifies");
            assert_eq!(
                (device.local.clone(), device.cursor),
                state,
                "seed {seed}: a replayed pull changed a device"
            );
        }
    }
}

fn schedules() -> u64 {
    std::env::var("RATCHET_SIM_SCHEDULES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

#[test]
fn devices_converge_with_the_server_under_a_hostile_network() {
    let mut totals = (0usize, 0usize, 0usize);
    let mut restamped = 0;
    for seed in 0..schedules() {
        let mut sim = Sim::new(seed);
        let steps = 100 + sim.rng.below(200);
        for _ in 0..steps {
            sim.step();
        }
        sim.quiesce();
        sim.check(seed);
        restamped += sim.restamped;
        totals.0 += sim.generated.len() + sim.sent_again;
        totals.1 += sim.server.log.len();
        totals.2 += sim
            .nodes
            .iter()
            .map(|n| n.device.refused.len())
            .sum::<usize>();
    }
    let (generated, logged, refused) = totals;
    eprintln!(
        "{} schedules: {generated} ops generated or sent again, {logged} logged ({restamped} stamped again), {refused} refused",
        schedules()
    );
    assert_eq!(generated, logged + refused);
    // The schedules must exercise both outcomes, or the test proves little.
    assert!(logged > generated / 2 && refused > 0 && restamped > 0);
}
