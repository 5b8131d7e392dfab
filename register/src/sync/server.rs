//! What the organisation's server does with a push, as pure logic: the worker's Durable Object
//! runs exactly this against its SQLite tables, and the simulation runs it against memory.
//!
//! A push is atomic: either every new op in it is valid and all are appended to the log, or
//! nothing is stored and the refusal lists each refused op with its reason.

use crate::{
    ClientId, ErrorBody, Kind, LogEntry, Op, RecordId, Replica, Role, Value,
    chain::{self, GENESIS},
    hlc::MAX_WALL_MS,
    rules::Lookup,
    wire::{
        PULL_ENTRY_BYTES, PULL_MAX, PULL_MAX_BYTES, PUSH_MAX_OPS, PullResponse, PushRequest,
        PushResponse, Rejection,
    },
};
use std::collections::BTreeMap;

/// How far ahead of the server's clock an op's time may be.
pub const CLOCK_AHEAD_MAX_MS: u64 = 5 * 60 * 1000;

/// What push planning needs to read from the server's state. Record rules read the records
/// a push touches, and the records linked to them (`rules::RULE_LINKS`), through `Lookup`.
pub trait ServerView: Lookup {
    /// Highest mid already consumed for this client (0 if none).
    fn acked_mid(&self, client: ClientId) -> u64;
    /// The kind of a record the log already holds.
    fn record_kind(&self, record: RecordId) -> Option<Kind>;
    /// Last seq and hash of the log.
    fn head(&self) -> (u64, String);
}

/// The authenticated writer of a push.
#[derive(Clone, Debug)]
pub struct Author {
    pub client: ClientId,
    /// The member the device belongs to.
    pub member: String,
    pub role: Role,
}

/// What to store for an accepted push.
#[derive(Clone, PartialEq, Debug)]
pub struct PushPlan {
    pub client: ClientId,
    pub entries: Vec<LogEntry>,
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

fn reject(op: &Op, code: &str, message: impl Into<String>) -> Rejection {
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
pub fn plan_push(
    view: &impl ServerView,
    judge: &dyn Judge,
    author: &Author,
    request: &PushRequest,
    now_ms: u64,
) -> Result<PushPlan, PushRefusal> {
    let count = request.ops.len() + request.withdrawn.len();
    if count > PUSH_MAX_OPS {
        return Err(PushRefusal::TooManyOps(count));
    }
    if request.client != author.client || request.ops.iter().any(|op| op.client != author.client) {
        return Err(PushRefusal::WrongClient);
    }
    let mut items: Vec<(u64, Option<&Op>)> = request
        .ops
        .iter()
        .map(|op| (op.mid, Some(op)))
        .chain(request.withdrawn.iter().map(|&mid| (mid, None)))
        .collect();
    items.sort_by_key(|(mid, _)| *mid);
    if let Some(pair) = items.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(PushRefusal::DuplicateMid(pair[0].0));
    }
    let acked_mid = view.acked_mid(author.client);
    let fresh: Vec<(u64, Option<&Op>)> = items
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
    let ops: Vec<&Op> = fresh.iter().filter_map(|(_, op)| *op).collect();
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
        client: author.client,
        entries,
        acked_mid: fresh.last().map_or(acked_mid, |(mid, _)| *mid),
        head: seq,
    })
}

/// Judges the ops of a push that passed the engine's own checks: everything the register's
/// rules say of them (the ISMS's gate), over the server's stored state. Each refusal names the
/// op by its position in `ops`, with a code and a message.
pub trait Judge {
    fn judge(&self, author: &Author, ops: &[&Op], view: &dyn ServerView) -> Vec<Judgement>;
}

/// One op refused by a `Judge`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Judgement {
    pub at: usize,
    pub code: String,
    pub message: String,
}

fn validate(
    view: &impl ServerView,
    judge: &dyn Judge,
    author: &Author,
    ops: &[&Op],
    now_ms: u64,
) -> Vec<Rejection> {
    let mut rejections = Vec::new();
    // Kind of each record as established by the log or by an earlier op of this push.
    let mut kinds: BTreeMap<RecordId, Kind> = BTreeMap::new();
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
                    kind.spec().label,
                    op.kind.spec().label
                ),
            ));
            continue;
        }
        kinds.insert(op.record, op.kind);
    }
    let judged: Vec<&Op> = ops
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

/// How many of the entries after a pull's `since` its page holds, given the sizes of their
/// stored values in log order (up to `limit + 1` of them): at most `limit` entries and
/// `PULL_MAX_BYTES`, but at least one, so paging always moves on. Also whether more follow.
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
pub fn pull_page(since: u64, entries: Vec<LogEntry>, more: bool, head: u64) -> PullResponse {
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
#[derive(Clone, Debug, Default)]
pub struct MemoryServer {
    pub log: Vec<LogEntry>,
    pub state: Replica,
    acked: BTreeMap<ClientId, u64>,
}

impl ServerView for MemoryServer {
    fn acked_mid(&self, client: ClientId) -> u64 {
        self.acked.get(&client).copied().unwrap_or(0)
    }

    fn record_kind(&self, record: RecordId) -> Option<Kind> {
        self.state.record(record).map(|r| r.kind)
    }

    fn head(&self) -> (u64, String) {
        self.log
            .last()
            .map_or((0, GENESIS.to_owned()), |e| (e.seq, e.hash.clone()))
    }
}

impl Lookup for MemoryServer {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        self.state.field(record, field)
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        self.state.linked(kind, field, target)
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<crate::Stamp> {
        self.state.stamp(record, field)
    }
}

impl MemoryServer {
    pub fn push(
        &mut self,
        judge: &dyn Judge,
        author: &Author,
        request: &PushRequest,
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

    pub fn pull(&self, since: u64, limit: u64) -> PullResponse {
        let after = &self.log[(since as usize).min(self.log.len())..];
        let (length, more) =
            page_length(after.iter().map(|e| stored_value_bytes(&e.op.value)), limit);
        pull_page(since, after[..length].to_vec(), more, self.head().0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Value, device::Device};

    const NOW: u64 = 1_800_000_000_000;
    /// The register's gate with no members list or date to judge by.
    const GATE: crate::gate::Gate = crate::gate::Gate {
        members: None,
        today: None,
    };

    fn editor(device: &Device) -> Author {
        Author {
            client: device.client,
            member: "editor".into(),
            role: Role::Editor,
        }
    }

    fn new_risk(device: &mut Device, title: &str) -> RecordId {
        let id = RecordId::new();
        device.edit(id, Kind::Risk, "title", title.into(), NOW);
        device.edit(id, Kind::Risk, "inherent_likelihood", Value::Int(3), NOW);
        device.edit(id, Kind::Risk, "inherent_impact", Value::Int(4), NOW);
        id
    }

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
        new_risk(&mut device, "Phishing");
        let request = device.push_request(500).unwrap();
        let first = server.push(&GATE, &editor(&device), &request, NOW).unwrap();
        assert_eq!(
            first,
            PushResponse {
                acked_mid: 3,
                head: 3
            }
        );
        let again = server.push(&GATE, &editor(&device), &request, NOW).unwrap();
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
    fn one_bad_op_refuses_the_whole_push_and_lists_every_reason() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let id = new_risk(&mut device, "Phishing");
        device.edit(id, Kind::Risk, "residual_impact", Value::Int(9), NOW);
        device.edit(id, Kind::Risk, "colour", "red".into(), NOW);
        device.edit(id, Kind::Risk, "review_due", "soon".into(), NOW);
        device.edit(
            id,
            Kind::Risk,
            "description",
            Value::Text("x".repeat(70_000)),
            NOW,
        );
        let request = device.push_request(500).unwrap();
        let refusal = server
            .push(&GATE, &editor(&device), &request, NOW)
            .unwrap_err();
        assert_eq!(refusal.status(), 422);
        assert_eq!(
            refusal_codes(&refusal),
            ["out_of_range", "unknown_field", "invalid_date", "too_long"]
        );
        assert!(server.log.is_empty(), "nothing is stored");

        // The device gives the refused changes up; the valid ones then go through.
        device.on_refused(&refusal.body());
        assert_eq!(device.refused.len(), 4);
        let retry = device.push_request(500).unwrap();
        assert_eq!(retry.withdrawn, [4, 5, 6, 7]);
        let stored = server.push(&GATE, &editor(&device), &retry, NOW).unwrap();
        assert_eq!(
            stored,
            PushResponse {
                acked_mid: 7,
                head: 3
            }
        );
    }

    #[test]
    fn an_excluded_control_needs_a_justification_in_the_push_or_on_the_server() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        crate::catalogue::seed_controls(&mut device, "org", NOW);
        let pushed = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap();
        device.on_pushed(&pushed);
        let control = crate::catalogue::control_id("org", "A.7.4");

        device.edit(
            control,
            Kind::Control,
            "applicable",
            Value::Bool(false),
            NOW + 1,
        );
        let refusal = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap_err();
        assert_eq!(refusal_codes(&refusal), ["record_rule"]);
        assert_eq!(refusal.body().rejections[0].field, "applicable");
        device.on_refused(&refusal.body());

        // With a justification in the same push, or already stored, it is accepted.
        device.edit(
            control,
            Kind::Control,
            "justification",
            "No premises: fully remote.".into(),
            NOW + 2,
        );
        device.edit(
            control,
            Kind::Control,
            "applicable",
            Value::Bool(false),
            NOW + 3,
        );
        let pushed = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap();
        device.on_pushed(&pushed);
        // Emptying the justification of an excluded control is refused; other fields are not.
        device.edit(control, Kind::Control, "justification", "".into(), NOW + 4);
        let refusal = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap_err();
        assert_eq!(refusal_codes(&refusal), ["record_rule"]);
        device.on_refused(&refusal.body());
        device.edit(control, Kind::Control, "status", "planned".into(), NOW + 5);
        assert!(
            server
                .push(
                    &GATE,
                    &editor(&device),
                    &device.push_request(500).unwrap(),
                    NOW
                )
                .is_ok()
        );
    }

    #[test]
    fn a_change_that_loses_to_a_newer_stored_value_is_judged_with_that_value() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        let control = RecordId::new();
        device.edit(control, Kind::Control, "reference", "A.7.4".into(), NOW);
        device.edit(control, Kind::Control, "title", "Monitoring".into(), NOW);
        device.edit(
            control,
            Kind::Control,
            "justification",
            "Remote only.".into(),
            NOW,
        );
        device.edit(
            control,
            Kind::Control,
            "applicable",
            Value::Bool(false),
            NOW + 5,
        );
        let pushed = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap();
        device.on_pushed(&pushed);

        // Offline since before the exclusion: it includes the control and empties the
        // justification. The exclusion is newer and stays, so the justification may not go.
        let mut late = Device::new(ClientId::new());
        late.edit(
            control,
            Kind::Control,
            "applicable",
            Value::Bool(true),
            NOW + 1,
        );
        late.edit(control, Kind::Control, "justification", "".into(), NOW + 1);
        let refusal = server
            .push(&GATE, &editor(&late), &late.push_request(500).unwrap(), NOW)
            .unwrap_err();
        assert_eq!(refusal_codes(&refusal), ["record_rule", "record_rule"]);
        assert_eq!(
            server.field(control, "justification"),
            Some("Remote only.".into())
        );
    }

    #[test]
    fn roles_clocks_kinds_and_append_only_are_enforced() {
        let mut server = MemoryServer::default();
        let mut viewer = Device::new(ClientId::new());
        new_risk(&mut viewer, "Not allowed");
        let request = viewer.push_request(500).unwrap();
        let author = Author {
            client: viewer.client,
            member: "viewer".into(),
            role: Role::Viewer,
        };
        let refusal = server.push(&GATE, &author, &request, NOW).unwrap_err();
        assert_eq!(refusal.status(), 403);
        assert!(refusal_codes(&refusal).iter().all(|c| c == "forbidden"));

        let mut ahead = Device::new(ClientId::new());
        new_risk(&mut ahead, "From the future");
        let request = ahead.push_request(500).unwrap();
        let in_six_minutes = NOW - 6 * 60 * 1000;
        let refusal = server
            .push(&GATE, &editor(&ahead), &request, in_six_minutes)
            .unwrap_err();
        assert!(refusal_codes(&refusal).iter().all(|c| c == "clock_ahead"));

        let mut device = Device::new(ClientId::new());
        let measurement = RecordId::new();
        device.edit(
            measurement,
            Kind::Measurement,
            "metric",
            RecordId::new().to_string().into(),
            NOW,
        );
        device.edit(
            measurement,
            Kind::Measurement,
            "value",
            Value::Num(97.5),
            NOW,
        );
        device.edit(
            measurement,
            Kind::Measurement,
            "date",
            "2026-11-29".into(),
            NOW,
        );
        let pushed = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap();
        device.on_pushed(&pushed);
        device.edit(
            measurement,
            Kind::Measurement,
            "value",
            Value::Num(1.0),
            NOW,
        );
        device.edit(measurement, Kind::Risk, "title", "sneaky".into(), NOW);
        let refusal = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap_err();
        assert_eq!(refusal_codes(&refusal), ["append_only", "kind_mismatch"]);
    }

    #[test]
    fn a_viewer_may_file_a_report_but_not_triage_it_or_change_the_register() {
        let mut server = MemoryServer::default();
        let mut phone = Device::new(ClientId::new());
        let viewer = Author {
            client: phone.client,
            member: RecordId::new().to_string(),
            role: Role::Viewer,
        };
        // Filed as triaged, resolved, linked, in someone else's name: each is refused.
        let file = |phone: &mut Device, report: RecordId, fields: Vec<(&str, Value)>| {
            for (field, value) in fields {
                phone.edit(report, Kind::Event, field, value, NOW);
            }
        };
        let account = || -> Vec<(&str, Value)> {
            vec![
                ("event_type", "near_miss".into()),
                ("title", "Gate left open".into()),
            ]
        };
        let mut triaged = account();
        triaged.extend([
            ("status", "resolved".into()),
            ("resolved_at", "2026-11-29T10:00:00Z".into()),
            ("controls", Value::List(vec![RecordId::new().to_string()])),
            ("reporter", RecordId::new().to_string().into()),
        ]);
        file(&mut phone, RecordId::new(), triaged);
        let refusal = server
            .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
            .unwrap_err();
        let refused: Vec<(String, String)> = refusal
            .body()
            .rejections
            .iter()
            .map(|r| (r.field.clone(), r.message.clone()))
            .collect();
        assert_eq!(
            refused,
            [
                (
                    "status",
                    "A new report's status is “new”; triage moves it on."
                ),
                (
                    "resolved_at",
                    "Triage sets this, after the report is filed."
                ),
                ("controls", "Triage sets this, after the report is filed."),
                ("reporter", "You can report only in your own name."),
            ]
            .map(|(f, m)| (f.to_owned(), m.to_owned()))
        );
        phone.on_refused(&refusal.body());

        // Their own account, in their own name, is filed.
        let report = RecordId::new();
        let mut own = account();
        own.extend([
            ("status", "new".into()),
            ("reporter", viewer.member.clone().into()),
        ]);
        file(&mut phone, report, own);
        let pushed = server
            .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
            .expect("a viewer may file a report");
        phone.on_pushed(&pushed);
        assert_eq!(server.record_kind(report), Some(Kind::Event));

        // Once filed, changing it is triage.
        phone.edit(report, Kind::Event, "status", "resolved".into(), NOW + 1);
        let refusal = server
            .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
            .unwrap_err();
        assert_eq!(refusal.status(), 403);
        assert_eq!(refusal_codes(&refusal), ["forbidden"]);
        assert_eq!(
            refusal.body().rejections[0].message,
            "A viewer may not change Event records once filed."
        );
        phone.on_refused(&refusal.body());

        // Filing is only for reports: a new risk is still refused.
        new_risk(&mut phone, "Not mine to add");
        let refusal = server
            .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
            .unwrap_err();
        assert!(refusal_codes(&refusal).iter().all(|c| c == "forbidden"));
        assert_eq!(
            server.field(report, "status"),
            Some(Value::Text("new".into()))
        );
    }

    #[test]
    fn a_new_record_needs_its_required_fields_in_one_push() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        device.edit(
            RecordId::new(),
            Kind::Risk,
            "title",
            "Half a risk".into(),
            NOW,
        );
        let refusal = server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW,
            )
            .unwrap_err();
        assert_eq!(refusal_codes(&refusal), ["missing_required"]);
        assert!(
            refusal.body().rejections[0]
                .message
                .contains("inherent_likelihood")
        );
    }

    #[test]
    fn request_level_problems_are_refused_before_any_op_is_read() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        new_risk(&mut device, "Phishing");
        let mut request = device.push_request(500).unwrap();

        let stranger = Author {
            client: ClientId::new(),
            member: "stranger".into(),
            role: Role::Owner,
        };
        assert_eq!(
            server.push(&GATE, &stranger, &request, NOW),
            Err(PushRefusal::WrongClient)
        );

        let mut gap = request.clone();
        gap.ops.remove(0);
        assert_eq!(
            server.push(&GATE, &editor(&device), &gap, NOW),
            Err(PushRefusal::MidGap {
                acked_mid: 0,
                expected: 1,
                found: 2
            })
        );
        let mut later_gap = request.clone();
        later_gap.ops.remove(1);
        let refusal = server
            .push(&GATE, &editor(&device), &later_gap, NOW)
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
            server.push(&GATE, &editor(&device), &duplicate, NOW),
            Err(PushRefusal::DuplicateMid(2))
        );

        let op = request.ops[0].clone();
        request.ops = (1..=501).map(|mid| Op { mid, ..op.clone() }).collect();
        assert_eq!(
            server.push(&GATE, &editor(&device), &request, NOW),
            Err(PushRefusal::TooManyOps(501))
        );
        assert!(server.log.is_empty());
    }

    #[test]
    fn pull_pages_through_the_log() {
        let mut server = MemoryServer::default();
        let mut device = Device::new(ClientId::new());
        for i in 0..5 {
            new_risk(&mut device, &format!("risk {i}"));
        }
        server
            .push(
                &GATE,
                &editor(&device),
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
            let id = new_risk(&mut device, "Long");
            device.edit(id, Kind::Risk, "description", long.as_str().into(), NOW);
        }
        // Each push stays within a request body (1 MiB), so the 6 MB take several.
        for _ in 0..100 {
            let Some(request) = device.push_request(500) else {
                break;
            };
            let response = server.push(&GATE, &editor(&device), &request, NOW).unwrap();
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
}
