//! The gate's properties over a lived-in register (the demo organisation), for change sets
//! generated from every role: the device's judgement is the server's, and the server, which
//! loads only what the rules declare they read, judges as if it held the whole register.

use engine::server::PushRefusal;
use proptest::prelude::*;
use register::{
    ClientId, FieldType, Kind, RecordId, Replica, Role, Value,
    gate::{Author, Gate, Refusal, Who},
    rules::{Change, Reads},
    schema::DELETED,
    sync::{Device, MemoryServer},
    views,
};
use std::{collections::BTreeSet, sync::OnceLock};

/// The demo's register on 2026-06-30, its people (as the organisation's members) and its
/// records by kind.
struct Lived {
    register: Replica,
    people: Vec<String>,
    records: Vec<(RecordId, Kind)>,
}

fn lived() -> &'static Lived {
    static LIVED: OnceLock<Lived> = OnceLock::new();
    LIVED.get_or_init(|| {
        let mut device = Device::new(ClientId::new());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        register::demo::build(&mut device, today, 1);
        let register = device.local;
        let people = register
            .all::<views::Member>()
            .into_iter()
            .map(|m| m.id.to_string())
            .collect();
        let records = register
            .records()
            .filter(|(_, r)| !matches!(r.kind, Kind::Control | Kind::Member))
            .map(|(id, r)| (id, r.kind))
            .collect();
        Lived {
            register,
            people,
            records,
        }
    })
}

/// After every change of the demo: the server's clock when the generated changes arrive.
const NOW: u64 = 1_783_000_000_000;

/// A value for `field`: mostly one it may hold, sometimes one it may not.
fn value_for(lived: &Lived, ty: FieldType, pick: usize) -> Value {
    let of_kind = |kind: Kind| -> Vec<String> {
        if kind == Kind::Member {
            return lived.people.clone();
        }
        lived
            .records
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(id, _)| id.to_string())
            .collect()
    };
    if pick.is_multiple_of(11) {
        return Value::Null;
    }
    match ty {
        FieldType::Choice(options) => Value::from(options[pick % options.len()]),
        FieldType::Ref(kind) => {
            let ids = of_kind(kind);
            match (pick % 7, ids.is_empty()) {
                (0, _) | (_, true) => Value::from(RecordId::new().to_string()),
                _ => Value::from(ids[pick % ids.len()].as_str()),
            }
        }
        FieldType::Refs(kind) => {
            let ids = of_kind(kind);
            if ids.is_empty() {
                return Value::List(Vec::new());
            }
            Value::List(vec![ids[pick % ids.len()].clone()])
        }
        FieldType::Bool => Value::Bool(pick.is_multiple_of(2)),
        FieldType::Int { min, max } => Value::Int(min + (pick as i64 % (max - min + 1))),
        FieldType::Num { .. } => Value::Num(pick as f64 / 4.0),
        FieldType::Date => Value::from(["2026-07-01", "2026-05-01", "soon"][pick % 3]),
        FieldType::DateTime => Value::from("2026-07-01T10:00:00Z"),
        FieldType::Sha256 => Value::from("a".repeat(64)),
        FieldType::Lines { .. } => Value::List(vec!["A line".to_owned()]),
        FieldType::Text(_) | FieldType::LongText => {
            Value::from(["Checked.", "", "Reworded"][pick % 3])
        }
    }
}

/// A change set made of picks: each names a record (an existing one, or one of two new
/// ones), a field of its kind, and a value; a field is set once.
fn change_set(
    lived: &Lived,
    picks: &[(usize, usize, usize)],
) -> Vec<(RecordId, Kind, String, Value)> {
    static NEW: OnceLock<[(RecordId, Kind); 2]> = OnceLock::new();
    let new = NEW.get_or_init(|| {
        [
            (RecordId::new(), Kind::Action),
            (RecordId::new(), Kind::Finding),
        ]
    });
    let mut set: Vec<(RecordId, Kind, String, Value)> = Vec::new();
    for &(record, field, value) in picks {
        let (id, kind) = match record % 10 {
            0 => new[0],
            1 => new[1],
            _ => lived.records[record % lived.records.len()],
        };
        let spec = kind.spec();
        let (name, ty) = match spec.fields.get(field % (spec.fields.len() + 1)) {
            Some(f) => (f.name, f.ty),
            None => (DELETED, FieldType::Bool),
        };
        set.retain(|(r, _, f, _)| !(*r == id && f == name));
        set.push((id, kind, name.to_owned(), value_for(lived, ty, value)));
    }
    set
}

fn changes(set: &[(RecordId, Kind, String, Value)]) -> Vec<Change<'_>> {
    set.iter()
        .map(|(record, kind, field, value)| Change {
            record: *record,
            kind: *kind,
            field,
            value,
            stamp: None,
        })
        .collect()
}

fn gate(lived: &Lived) -> Gate {
    Gate {
        members: Some(lived.people.iter().cloned().collect()),
        today: Some("2026-07-01".to_owned()),
    }
}

/// What a set of refusals says, apart from how missing fields are phrased (the server names
/// a new record's missing fields in one message, a form one at each field).
fn reasons<'a>(messages: impl Iterator<Item = (&'a str, &'a str)>) -> (BTreeSet<String>, bool) {
    let mut missing = false;
    let mut said = BTreeSet::new();
    for (code, message) in messages {
        if code == "missing_required" {
            missing = true;
        } else {
            said.insert(message.to_owned());
        }
    }
    (said, missing)
}

fn role_of(pick: usize) -> Role {
    Role::ALL[pick % Role::ALL.len()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_device_judges_a_change_set_as_the_server_does(
        role in 0usize..5,
        member in 0usize..64,
        picks in prop::collection::vec((0usize..10_000, 0usize..64, 0usize..1_000), 1..6),
    ) {
        let lived = lived();
        let set = change_set(lived, &picks);
        let member = lived.people[member % lived.people.len()].clone();
        let role = role_of(role);
        let register = &lived.register;
        let on_device = gate(lived).judge(
            Who { member: Some(&member), role },
            &changes(&set),
            register,
            &|r| register.record(r).is_none(),
        );

        let mut device = Device::new(ClientId::new());
        for (record, kind, field, value) in &set {
            device.edit(*record, *kind, field, value.clone(), NOW);
        }
        let mut server = MemoryServer::default();
        server.state = register.clone();
        let author = Author { client: device.client, member: member.clone(), role };
        let on_server = server.push(&gate(lived), &author, &device.push_request(500).unwrap(), NOW);

        match on_server {
            Ok(_) => prop_assert!(on_device.is_empty(), "the server accepted what the device refused: {on_device:?}"),
            Err(PushRefusal::Rejected { rejections, .. }) => {
                prop_assert!(!on_device.is_empty(), "the device accepted what the server refused: {rejections:?}");
                let server_says = reasons(rejections.iter().map(|r| (r.code.as_str(), r.message.as_str())));
                let device_says = reasons(on_device.iter().map(|r| (r.code, r.message.as_str())));
                prop_assert_eq!(device_says, server_says);
            }
            Err(other) => prop_assert!(false, "refused before judging: {other:?}"),
        }
    }

    #[test]
    fn the_server_reads_all_that_the_rules_read_and_only_what_they_declare(
        role in 0usize..5,
        member in 0usize..64,
        picks in prop::collection::vec((0usize..10_000, 0usize..64, 0usize..1_000), 1..6),
    ) {
        let lived = lived();
        let set = change_set(lived, &picks);
        let member = lived.people[member % lived.people.len()].clone();
        let who = Who { member: Some(&member), role: role_of(role) };
        let register = &lived.register;
        let changes = changes(&set);
        let is_new = |r| register.record(r).is_none();
        let declared = Reads::load(&changes, register).unwrap();
        let whole: Vec<Refusal> = gate(lived).judge(who, &changes, register, &is_new);
        let loaded: Vec<Refusal> = gate(lived).judge(who, &changes, &declared, &is_new);
        prop_assert_eq!(loaded, whole);
    }
}

/// A register built edit by edit (as merged, unjudged), and the gate asked about a change.
struct Org {
    device: Device,
    gate: Gate,
}

const OLIVE: &str = "0195f0c4-0000-7000-8000-00000000000a";
const EDDIE: &str = "0195f0c4-0000-7000-8000-00000000000b";
const ADA: &str = "0195f0c4-0000-7000-8000-00000000000c";

impl Org {
    fn new() -> Self {
        Org {
            device: Device::new(ClientId::new()),
            gate: Gate {
                members: Some([OLIVE, EDDIE, ADA].map(str::to_owned).into()),
                today: Some("2026-07-01".to_owned()),
            },
        }
    }

    fn set(&mut self, record: RecordId, kind: Kind, fields: &[(&str, &str)]) {
        for (field, value) in fields {
            let value = match *value {
                "true" => Value::Bool(true),
                text => Value::from(text),
            };
            self.device.edit(record, kind, field, value, NOW);
        }
    }

    /// The messages refusing `fields` of `record`, as `member` with `role` would change them.
    fn judge(
        &self,
        member: &str,
        role: Role,
        record: RecordId,
        kind: Kind,
        fields: &[(&str, &str)],
    ) -> Vec<String> {
        let set: Vec<(RecordId, Kind, String, Value)> = fields
            .iter()
            .map(|(f, v)| {
                let value = match *v {
                    "true" => Value::Bool(true),
                    text => Value::from(text),
                };
                (record, kind, (*f).to_owned(), value)
            })
            .collect();
        let local = &self.device.local;
        self.gate
            .judge(
                Who {
                    member: Some(member),
                    role,
                },
                &changes(&set),
                local,
                &|r| local.record(r).is_none(),
            )
            .into_iter()
            .map(|r| r.message)
            .collect()
    }

    fn refused(&self, said: Vec<String>, words: &str) {
        assert!(
            said.iter().any(|m| m.contains(words)),
            "expected “{words}” among {said:?}"
        );
    }

    /// A major nonconformity in analysis, owned by Eddie, with a corrective action.
    fn nonconformity(&mut self) -> (RecordId, RecordId) {
        let (finding, action) = (RecordId::new(), RecordId::new());
        let finding_id = finding.to_string();
        self.set(
            finding,
            Kind::Finding,
            &[
                ("title", "Restores never tested"),
                ("finding_type", "major_nc"),
                ("status", "analysing"),
                ("owner", EDDIE),
                ("root_cause", "Nobody owns restore tests."),
            ],
        );
        self.set(
            action,
            Kind::Action,
            &[
                ("title", "Monthly restore test"),
                ("action_type", "corrective"),
                ("finding", &finding_id),
            ],
        );
        (finding, action)
    }
}

#[test]
fn no_one_closes_a_nonconformity_alone() {
    let mut org = Org::new();
    let (finding, action) = org.nonconformity();
    let verify = |by: &'static str| [("effective", "effective"), ("verified_by", by)];
    // No owner: nobody is responsible, so nothing is verified.
    org.refused(
        org.judge(EDDIE, Role::Editor, action, Kind::Action, &verify(EDDIE)),
        "verified only once it has an owner",
    );
    // An owner who is no member.
    let stranger = RecordId::new().to_string();
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            action,
            Kind::Action,
            &[("owner", &stranger)],
        ),
        "is not a member of this organisation",
    );
    // Marked done in one's own name only; then the one who did it does not verify it.
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            action,
            Kind::Action,
            &[("status", "done"), ("completed_by", OLIVE)],
        ),
        "marked done in the name of the one who marks it",
    );
    org.set(
        action,
        Kind::Action,
        &[
            ("owner", OLIVE),
            ("status", "done"),
            ("completed_by", EDDIE),
        ],
    );
    org.refused(
        org.judge(EDDIE, Role::Editor, action, Kind::Action, &verify(EDDIE)),
        "may not be the one who marked the action done",
    );
    org.refused(
        org.judge(OLIVE, Role::Owner, action, Kind::Action, &verify(OLIVE)),
        "may not be the action's owner",
    );
    org.refused(
        org.judge(ADA, Role::Auditor, action, Kind::Action, &verify(EDDIE)),
        "in the verifier's own name",
    );
    assert!(
        org.judge(ADA, Role::Auditor, action, Kind::Action, &verify(ADA))
            .is_empty()
    );
    // Once verified, its owner stays as verified.
    org.set(action, Kind::Action, &verify(ADA));
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            action,
            Kind::Action,
            &[("owner", EDDIE)],
        ),
        "its owner stays as verified",
    );
    assert!(
        org.judge(
            EDDIE,
            Role::Editor,
            finding,
            Kind::Finding,
            &[("status", "closed")]
        )
        .is_empty(),
        "verified by someone who neither owns nor did it: it closes"
    );
}

#[test]
fn an_action_found_not_effective_sends_its_finding_back_on_every_side() {
    let mut org = Org::new();
    let (finding, action) = org.nonconformity();
    org.set(finding, Kind::Finding, &[("status", "verifying")]);
    org.set(
        action,
        Kind::Action,
        &[
            ("owner", OLIVE),
            ("status", "done"),
            ("completed_by", OLIVE),
        ],
    );
    org.refused(
        org.judge(
            ADA,
            Role::Auditor,
            action,
            Kind::Action,
            &[("effective", "not_effective"), ("verified_by", ADA)],
        ),
        "sends its finding back for a follow-up action",
    );
    // The verb makes both changes, which pass together.
    let local = &org.device.local;
    let current: views::Action = local.view(action).unwrap();
    let found = register::findings::Verification {
        result: register::choices::Verdict::NotEffective,
        method: "Sampled a month.",
        seen: "Two restores skipped.",
        early_reason: "",
    };
    let set =
        register::findings::verify(local, &current, Some(ADA), &found, "2026-07-01T10:00:00Z");
    assert_eq!(set.len(), 2, "the action and its finding");
    let refusals = org.gate.judge(
        Who {
            member: Some(ADA),
            role: Role::Auditor,
        },
        &register::gate::changes_in(&set),
        local,
        &|r| local.record(r).is_none(),
    );
    assert!(refusals.is_empty(), "{refusals:?}");
    let barred = |who, role| {
        register::findings::verification_barred(&current, Some(who), role, "2026-07-01")
    };
    assert_eq!(
        barred(OLIVE, Role::Owner).as_deref(),
        Some("You own this action: someone else checks that it worked.")
    );
    assert_eq!(barred(ADA, Role::Auditor), None);
}

#[test]
fn a_closed_finding_is_read_only_and_stays_in_the_log() {
    let mut org = Org::new();
    let (finding, _) = org.nonconformity();
    org.set(finding, Kind::Finding, &[("status", "closed")]);
    for change in [
        ("finding_type", "observation"),
        ("deviation", "Rewritten later."),
        ("deleted", "true"),
    ] {
        org.refused(
            org.judge(EDDIE, Role::Editor, finding, Kind::Finding, &[change]),
            "This finding is closed",
        );
    }
    assert_eq!(
        register::gate::locked(Kind::Finding, finding, &org.device.local),
        Some("This finding is closed: reopen it, with a reason, before changing it.")
    );
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            finding,
            Kind::Finding,
            &[("status", "analysing")],
        ),
        "reopens only with a reason",
    );
    let reopened = [("status", "analysing"), ("reopen_reason", "It recurred.")];
    assert!(
        org.judge(EDDIE, Role::Editor, finding, Kind::Finding, &reopened)
            .is_empty()
    );
    org.set(finding, Kind::Finding, &reopened);
    // Reopened, its type is still what was analysed; deleting needs an owner or admin and a
    // reason.
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            finding,
            Kind::Finding,
            &[("finding_type", "ofi")],
        ),
        "type changes only before its cause is analysed",
    );
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            finding,
            Kind::Finding,
            &[("deleted", "true"), ("deletion_reason", "Duplicate.")],
        ),
        "Only an owner or admin deletes a finding",
    );
    org.refused(
        org.judge(
            OLIVE,
            Role::Owner,
            finding,
            Kind::Finding,
            &[("deleted", "true")],
        ),
        "deleted only with a reason",
    );
    assert!(
        org.judge(
            OLIVE,
            Role::Owner,
            finding,
            Kind::Finding,
            &[("deleted", "true"), ("deletion_reason", "Raised twice.")]
        )
        .is_empty()
    );
    // A nonconformity leaves Open only with an owner.
    let unowned = RecordId::new();
    org.set(
        unowned,
        Kind::Finding,
        &[
            ("title", "Door propped open"),
            ("finding_type", "minor_nc"),
            ("status", "open"),
        ],
    );
    org.refused(
        org.judge(
            EDDIE,
            Role::Editor,
            unowned,
            Kind::Finding,
            &[("status", "correction")],
        ),
        "needs an owner before work on it starts",
    );
}

#[test]
fn a_reported_audit_stays_as_reported_and_is_acknowledged_by_management() {
    let mut org = Org::new();
    let (audit, check) = (RecordId::new(), RecordId::new());
    let audit_id = audit.to_string();
    org.set(
        audit,
        Kind::Audit,
        &[
            ("title", "Backups"),
            ("audit_type", "internal"),
            ("status", "in_progress"),
            ("scope", "Backups"),
        ],
    );
    org.set(
        check,
        Kind::AuditCheck,
        &[
            ("audit", &audit_id),
            ("question", "Restores tested?"),
            ("result", "conforming"),
        ],
    );
    org.set(audit, Kind::Audit, &[("status", "reported")]);
    for (field, value) in [
        ("result", "major_nc"),
        ("evidence", "Added later."),
        ("deleted", "true"),
    ] {
        org.refused(
            org.judge(
                ADA,
                Role::Auditor,
                check,
                Kind::AuditCheck,
                &[(field, value)],
            ),
            "its checks and results stay as reported",
        );
    }
    let late = RecordId::new();
    org.refused(
        org.judge(
            ADA,
            Role::Auditor,
            late,
            Kind::AuditCheck,
            &[("audit", &audit_id), ("question", "One more?")],
        ),
        "its checks and results stay as reported",
    );
    org.refused(
        org.judge(
            ADA,
            Role::Auditor,
            audit,
            Kind::Audit,
            &[("scope", "Everything")],
        ),
        "its scope, team, dates and conclusion stay as reported",
    );
    org.refused(
        org.judge(
            ADA,
            Role::Auditor,
            audit,
            Kind::Audit,
            &[("status", "in_progress")],
        ),
        "stays reported",
    );
    org.refused(
        org.judge(
            ADA,
            Role::Auditor,
            audit,
            Kind::Audit,
            &[("acknowledged_at", "2026-07-01"), ("acknowledged_by", ADA)],
        ),
        "Only an owner or admin acknowledges",
    );
    org.refused(
        org.judge(
            OLIVE,
            Role::Owner,
            audit,
            Kind::Audit,
            &[("acknowledged_at", "2026-07-01")],
        ),
        "in the acknowledger's own name",
    );
    let acknowledged = register::audits::acknowledge(audit, Some(OLIVE), "2026-07-01");
    let fields: Vec<(&str, String)> = acknowledged
        .fields
        .iter()
        .map(|(f, v)| (*f, v.as_text().unwrap().to_owned()))
        .collect();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(f, v)| (*f, v.as_str())).collect();
    assert!(
        org.judge(OLIVE, Role::Owner, audit, Kind::Audit, &borrowed)
            .is_empty()
    );
    assert!(
        org.judge(
            ADA,
            Role::Auditor,
            audit,
            Kind::Audit,
            &[("status", "closed")]
        )
        .is_empty(),
        "a reported audit closes"
    );
}

#[test]
fn marking_done_names_the_doer_and_sets_when_it_is_checked() {
    let mut org = Org::new();
    let (_, action) = org.nonconformity();
    org.set(action, Kind::Action, &[("owner", OLIVE)]);
    let current: views::Action = org.device.local.view(action).unwrap();
    let done =
        register::findings::mark_done(&current, Some(EDDIE), "2026-07-01T10:00:00Z", "2026-07-01");
    let field = |name: &str| {
        done.fields
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, v)| v.as_text().unwrap().to_owned())
    };
    assert_eq!(field("status").as_deref(), Some("done"));
    assert_eq!(field("completed_by").as_deref(), Some(EDDIE));
    assert_eq!(field("check_due").as_deref(), Some("2026-07-31"));
    let local = &org.device.local;
    let eddie = Who {
        member: Some(EDDIE),
        role: Role::Editor,
    };
    let judged = |who: Who| {
        org.gate.judge(
            who,
            &register::gate::changes_in(std::slice::from_ref(&done)),
            local,
            &|r| local.record(r).is_none(),
        )
    };
    assert!(judged(eddie).is_empty());
    let ada = Who {
        member: Some(ADA),
        role: Role::Auditor,
    };
    assert!(
        judged(ada)
            .iter()
            .any(|r| r.message.contains("in the name of the one who marks it")),
        "Eddie's marking, pushed by Ada"
    );
    // On a register kept alone there is no one to name.
    let alone = register::findings::mark_done(&current, None, "2026-07-01T10:00:00Z", "2026-07-01");
    assert!(alone.fields.iter().all(|(f, _)| *f != "completed_by"));
}

#[test]
fn reporting_an_audit_freezes_it_in_one_change() {
    let mut org = Org::new();
    let (audit, check) = (RecordId::new(), RecordId::new());
    let audit_id = audit.to_string();
    org.set(
        audit,
        Kind::Audit,
        &[
            ("title", "Backups"),
            ("audit_type", "internal"),
            ("status", "in_progress"),
        ],
    );
    org.set(
        check,
        Kind::AuditCheck,
        &[("audit", &audit_id), ("question", "Restores tested?")],
    );
    let report = register::audits::report(audit);
    assert_eq!(report.fields, vec![("status", Value::from("reported"))]);
    let local = &org.device.local;
    assert!(
        org.gate
            .judge(
                Who {
                    member: Some(ADA),
                    role: Role::Auditor
                },
                &register::gate::changes_in(std::slice::from_ref(&report)),
                local,
                &|r| local.record(r).is_none(),
            )
            .is_empty()
    );
    org.set(audit, Kind::Audit, &[("status", "reported")]);
    assert_eq!(
        register::gate::locked(Kind::AuditCheck, check, &org.device.local),
        Some(
            "This audit is reported: its checks and results stay as reported. Record anything new in a finding or the next audit."
        )
    );
}

#[test]
fn an_effectiveness_check_waits_for_its_due_date_unless_management_says_why() {
    let mut org = Org::new();
    let (_, action) = org.nonconformity();
    org.set(
        action,
        Kind::Action,
        &[
            ("owner", OLIVE),
            ("status", "done"),
            ("completed_by", OLIVE),
            ("check_due", "2026-07-31"),
        ],
    );
    let verify = |by: &'static str| [("effective", "effective"), ("verified_by", by)];
    org.refused(
        org.judge(ADA, Role::Auditor, action, Kind::Action, &verify(ADA)),
        "effectiveness is checked from 2026-07-31",
    );
    org.refused(
        org.judge(EDDIE, Role::Admin, action, Kind::Action, &verify(EDDIE)),
        "Say why the effectiveness is checked before 2026-07-31",
    );
    let early = [
        ("effective", "effective"),
        ("verified_by", EDDIE),
        (
            "early_check_reason",
            "The auditor leaves on Friday; restores were tested twice.",
        ),
    ];
    assert!(
        org.judge(EDDIE, Role::Admin, action, Kind::Action, &early)
            .is_empty()
    );
    // From the due date on, anyone who may verify it does.
    let mut later = Org::new();
    later.device = org.device;
    later.gate.today = Some("2026-07-31".to_owned());
    assert!(
        later
            .judge(ADA, Role::Auditor, action, Kind::Action, &verify(ADA))
            .is_empty()
    );
    let current: views::Action = later.device.local.view(action).unwrap();
    assert!(
        register::findings::verification_barred(&current, Some(ADA), Role::Auditor, "2026-07-30")
            .is_some_and(|why| why.contains("checked from 2026-07-31"))
    );
    assert!(
        register::findings::verification_barred(&current, Some(EDDIE), Role::Admin, "2026-07-30")
            .is_none()
    );
}

/// Levels claimed at 5 in every area: what a snapshot of the register would have to show.
fn claimed_best(honest: &[(&'static str, Value)]) -> Vec<(&'static str, Value)> {
    honest
        .iter()
        .map(|(field, value)| match (*field, value) {
            (views::MaturitySnapshot::levels, Value::List(levels)) => {
                let best = levels
                    .iter()
                    .map(|l| format!("{}=5", l.split('=').next().unwrap_or_default()))
                    .collect();
                (*field, Value::List(best))
            }
            _ => (*field, value.clone()),
        })
        .collect()
}

#[test]
fn a_maturity_snapshot_holds_what_the_register_shows_on_its_day() {
    let lived = lived();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    let honest = register::maturity::snapshot_of(
        &lived.register,
        day,
        register::choices::Occasion::Monthly,
        None,
    );
    let forged = claimed_best(&honest);
    assert_ne!(honest, forged, "the demo is not at level 5 everywhere");
    let owner = Who {
        member: Some(&lived.people[0]),
        role: Role::Owner,
    };
    let judged = |fields: &[(&'static str, Value)]| {
        let edit = register::gate::Edit {
            record: RecordId::new(),
            kind: Kind::MaturitySnapshot,
            fields: fields.to_vec(),
        };
        gate(lived).judge(
            owner,
            &register::gate::changes_in(&[edit]),
            &lived.register,
            &|r| lived.register.record(r).is_none(),
        )
    };
    assert_eq!(judged(&honest), Vec::new());
    let refused = judged(&forged);
    assert_eq!(
        refused.len(),
        forged.len(),
        "every field of it: {refused:?}"
    );
    assert!(refused.iter().all(|r| r.code == "snapshot_misstated"));
    assert!(
        refused[0]
            .message
            .starts_with("This maturity snapshot's levels or figures are not what the register shows on 2026-07-01"),
        "{}",
        refused[0].message
    );
    // A figure changed is refused as well, and so is a day the figures are not of.
    let mut figures = honest.clone();
    figures.retain(|(f, _)| *f != views::MaturitySnapshot::figures);
    assert!(!judged(&figures).is_empty());
    let mut other_day = honest.clone();
    other_day[0].1 = Value::from("2026-03-31");
    assert!(!judged(&other_day).is_empty());

    // The server, holding the register, judges a push the same way.
    let mut server = MemoryServer::default();
    server.state = lived.register.clone();
    let mut device = Device::new(ClientId::new());
    let author = Author {
        client: device.client,
        member: lived.people[0].clone(),
        role: Role::Owner,
    };
    for fields in [&forged, &honest] {
        let record = RecordId::new();
        for (field, value) in fields.iter() {
            device.edit(record, Kind::MaturitySnapshot, field, value.clone(), NOW);
        }
        let request = device.push_request(500).unwrap();
        match server.push(&gate(lived), &author, &request, NOW) {
            Ok(pushed) => {
                assert!(std::ptr::eq(fields, &honest), "the forged one was accepted");
                device.on_pushed(&pushed);
            }
            Err(refusal) => {
                assert!(std::ptr::eq(fields, &forged), "{:?}", refusal.body());
                assert_eq!(refusal.status(), 422);
                assert!(
                    refusal
                        .body()
                        .rejections
                        .iter()
                        .all(|r| r.code == "snapshot_misstated")
                );
                device.on_refused(&refusal.body());
            }
        }
    }
    assert_eq!(
        server.log.len(),
        honest.len(),
        "only the honest snapshot is stored"
    );
}
