//! A demo organisation: a believable year of a small software company's ISMS, for a newcomer
//! to see Ratchet working, and the fixture the tests and the bench share. It is built in the
//! order things happened, month by month, each record's changes stamped on their day, and a
//! maturity snapshot taken at each month's end from the register as it then stood, so every
//! trend on the dashboard is computed, not drawn. `scale` repeats the year's operational work
//! (risks, reports, findings, actions, measurements) for the bench's large registers.

use crate::choices::{
    ActionStatus, ActionType, AuditStatus, AuditType, CauseCategory, CheckResult, ContextItemType,
    ControlStatus, Direction, DocumentType, Effectiveness, EventStatus, EventType, FindingSource,
    FindingStatus, FindingType, Frequency, Occasion, OutputType, ReviewStatus, RiskCategory,
    RiskStatus, Severity, Treatment, Verdict,
};
use crate::{
    Kind, RecordId, Value,
    audits::NewCheck,
    catalogue::{self, ANNEX_A},
    documents,
    gate::{self, Edit, Gate, Who},
    maturity::{self, Area},
    reviews, risk, soa,
    sync::Device,
    views::{Document, Review, Risk},
};
use chrono::{Days, Months, NaiveDate, NaiveTime};

/// The register's name for control ids (`catalogue::control_id`).
pub const REGISTER: &str = "demo";

/// The person the demo is seen as: the ISMS manager.
pub const YOU: &str = "Alex Morgan";

const PEOPLE: [(&str, &str); 6] = [
    (YOU, "ISMS manager"),
    ("Priya Shah", "CTO"),
    ("Tom Becker", "Office manager"),
    ("Lena Novak", "Lead developer"),
    ("Sam Okafor", "Support lead"),
    ("Maria Rossi", "CEO"),
];

/// Threats, with their category, likelihood and impact, and the controls that treat them.
const THREATS: [(&str, RiskCategory, i64, i64, &[&str]); 13] = [
    (
        "Phishing steals a login",
        RiskCategory::Technical,
        4,
        3,
        &["A.6.3", "A.8.7"],
    ),
    (
        "Ransomware encrypts data",
        RiskCategory::Technical,
        3,
        5,
        &["A.8.7", "A.8.13"],
    ),
    (
        "A laptop is lost or stolen",
        RiskCategory::Physical,
        3,
        3,
        &["A.8.1", "A.8.24"],
    ),
    (
        "A supplier is breached",
        RiskCategory::Supplier,
        2,
        4,
        &["A.5.19", "A.5.21"],
    ),
    (
        "An insider misuses access",
        RiskCategory::People,
        2,
        4,
        &["A.5.15", "A.8.2"],
    ),
    (
        "An unpatched flaw is exploited",
        RiskCategory::Technical,
        3,
        4,
        &["A.8.8"],
    ),
    (
        "Cloud storage is left open",
        RiskCategory::Technical,
        3,
        4,
        &["A.8.9"],
    ),
    (
        "Power or network fails",
        RiskCategory::Operational,
        2,
        3,
        &["A.7.11", "A.8.14"],
    ),
    (
        "Data is deleted by mistake",
        RiskCategory::Operational,
        3,
        2,
        &["A.8.13"],
    ),
    (
        "Passwords are weak or reused",
        RiskCategory::People,
        4,
        3,
        &["A.5.17", "A.8.5"],
    ),
    (
        "A legal duty is missed",
        RiskCategory::Legal,
        2,
        4,
        &["A.5.31", "A.5.34"],
    ),
    (
        "A caller talks staff round",
        RiskCategory::People,
        3,
        3,
        &["A.6.3"],
    ),
    (
        "A key person is away",
        RiskCategory::Strategic,
        2,
        3,
        &["A.5.2"],
    ),
];

const ASSETS: [&str; 4] = [
    "customer database",
    "finance system",
    "source code",
    "email and files",
];

/// Metrics: name, direction, target, warning, a starting value and its monthly change.
const METRICS: [(&str, Direction, f64, f64, f64, f64); 10] = [
    (
        "Laptops with disk encryption (%)",
        Direction::HigherIsBetter,
        100.0,
        95.0,
        86.0,
        1.5,
    ),
    (
        "Critical patches within 14 days (%)",
        Direction::HigherIsBetter,
        95.0,
        85.0,
        78.0,
        1.8,
    ),
    (
        "Phishing test click rate (%)",
        Direction::LowerIsBetter,
        5.0,
        10.0,
        18.0,
        -1.2,
    ),
    (
        "Staff trained this year (%)",
        Direction::HigherIsBetter,
        90.0,
        75.0,
        40.0,
        5.0,
    ),
    (
        "Backups restored successfully (%)",
        Direction::HigherIsBetter,
        100.0,
        95.0,
        92.0,
        0.8,
    ),
    (
        "Accounts with MFA (%)",
        Direction::HigherIsBetter,
        100.0,
        98.0,
        90.0,
        1.0,
    ),
    (
        "Access reviews done on time (%)",
        Direction::HigherIsBetter,
        100.0,
        80.0,
        60.0,
        4.0,
    ),
    (
        "Days to close a vulnerability",
        Direction::LowerIsBetter,
        14.0,
        30.0,
        41.0,
        -2.5,
    ),
    (
        "Suppliers assessed (%)",
        Direction::HigherIsBetter,
        90.0,
        70.0,
        45.0,
        4.0,
    ),
    (
        "Security incidents per month",
        Direction::LowerIsBetter,
        1.0,
        3.0,
        4.0,
        -0.3,
    ),
];

const OBJECTIVES: [(&str, [usize; 2]); 5] = [
    ("Protect devices and data at rest", [0, 5]),
    ("Close vulnerabilities fast", [1, 7]),
    ("A security-aware workforce", [2, 3]),
    ("Recover from any data loss", [4, 9]),
    ("Control who has access, including suppliers", [6, 8]),
];

const REPORTS: [(EventType, &str, Severity, i64); 8] = [
    (
        EventType::NearMiss,
        "Phishing email reported before anyone clicked",
        Severity::Low,
        1,
    ),
    (
        EventType::Incident,
        "Laptop left unlocked in a café",
        Severity::Medium,
        3,
    ),
    (
        EventType::Observation,
        "Visitor badge not returned",
        Severity::Low,
        30,
    ),
    (
        EventType::NearMiss,
        "Wrong attachment nearly sent to a customer",
        Severity::Medium,
        2,
    ),
    (
        EventType::Suggestion,
        "Offer a password manager to everyone",
        Severity::Low,
        6,
    ),
    (
        EventType::Incident,
        "Shared link to the finance folder was public",
        Severity::High,
        20,
    ),
    (
        EventType::Observation,
        "Printer prints held jobs without a PIN",
        Severity::Low,
        48,
    ),
    (
        EventType::NearMiss,
        "Caller asked support to reset an MFA device",
        Severity::Medium,
        1,
    ),
];

const CONTEXT: [(ContextItemType, &str, &str); 17] = [
    (
        ContextItemType::Scope,
        "ISMS scope: the SaaS platform, its development and support, from the Lisbon office and remote",
        "",
    ),
    (
        ContextItemType::InternalIssue,
        "Growth from 25 to 40 staff this year",
        "",
    ),
    (ContextItemType::InternalIssue, "Remote-first working", ""),
    (
        ContextItemType::InternalIssue,
        "Small team: security is a part-time role",
        "",
    ),
    (
        ContextItemType::InternalIssue,
        "Move of the platform to a second cloud region",
        "",
    ),
    (ContextItemType::InternalIssue, "New finance system", ""),
    (
        ContextItemType::ExternalIssue,
        "NIS2 brings customers' supply-chain demands",
        "",
    ),
    (
        ContextItemType::ExternalIssue,
        "Ransomware against small software firms is rising",
        "",
    ),
    (
        ContextItemType::ExternalIssue,
        "Cyber insurance now asks for MFA and tested backups",
        "",
    ),
    (
        ContextItemType::ExternalIssue,
        "Cloud provider price and service changes",
        "",
    ),
    (
        ContextItemType::ExternalIssue,
        "GDPR enforcement on processors",
        "",
    ),
    (
        ContextItemType::InterestedParty,
        "Customers",
        "A current ISO/IEC 27001 certificate; breach notice within 24 hours",
    ),
    (
        ContextItemType::InterestedParty,
        "Staff",
        "Clear rules, training, and privacy at work",
    ),
    (
        ContextItemType::InterestedParty,
        "Investors",
        "No breach that harms the business; certification kept",
    ),
    (
        ContextItemType::InterestedParty,
        "Cloud provider",
        "Use within the shared-responsibility model",
    ),
    (
        ContextItemType::InterestedParty,
        "Data protection authority",
        "GDPR compliance as a processor",
    ),
    (
        ContextItemType::InterestedParty,
        "Insurer",
        "MFA everywhere and tested backups",
    ),
];

/// A small deterministic spread: the same demo every time, varied enough to look lived in.
fn spread(i: usize, n: usize) -> usize {
    (i.wrapping_mul(2_654_435_761) >> 7) % n.max(1)
}

/// The demo's information security policy (clause 5.2).
const POLICY: &str = "# Information security policy\n\n## Purpose\n\nWe keep our customers' data, and our own, confidential, accurate and available. This policy sets the direction; the topic-specific policies and procedures under it say how.\n\n## Commitments\n\n- We meet the legal, regulatory and contractual requirements that apply to us.\n- We assess information security risk at least yearly and whenever something significant changes, against the criteria the management approved.\n- We set information security objectives each year and measure them.\n- We improve the ISMS continually: every incident, audit finding and idea is recorded and acted on.\n\n## Responsibilities\n\nThe managing director owns this policy and reviews it yearly. Everyone who works for us follows it and reports anything that looks wrong.";

fn ms(day: NaiveDate) -> u64 {
    day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default())
        .and_utc()
        .timestamp_millis()
        .max(0) as u64
}

fn at(day: NaiveDate, hour: i64) -> String {
    let time = day.and_time(NaiveTime::MIN) + chrono::Duration::hours(hour);
    time.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn link(id: RecordId) -> Value {
    Value::from(id.to_string())
}

struct Builder<'a> {
    device: &'a mut Device,
    people: Vec<RecordId>,
    day: NaiveDate,
}

impl Builder<'_> {
    /// A new record, made on the builder's day.
    fn add(&mut self, kind: Kind, fields: &[(&'static str, Value)]) -> RecordId {
        let id = RecordId::new();
        self.set(id, kind, fields);
        id
    }

    fn set(&mut self, id: RecordId, kind: Kind, fields: &[(&'static str, Value)]) {
        self.apply(&[Edit {
            record: id,
            kind,
            fields: fields.to_vec(),
        }]);
    }

    /// Makes a change set on the builder's day once the gate has judged it, as for a register
    /// kept on one device alone: the demo holds only what Ratchet itself accepts.
    fn apply(&mut self, set: &[Edit]) {
        let changes = gate::changes_in(set);
        let local = &self.device.local;
        let refusals =
            Gate::default().judge(Who::ALONE, &changes, local, &|r| local.record(r).is_none());
        assert!(refusals.is_empty(), "the demo breaks a rule: {refusals:?}");
        let now = ms(self.day);
        for edit in set {
            for (field, value) in &edit.fields {
                self.device
                    .edit(edit.record, edit.kind, field, value.clone(), now);
            }
        }
    }

    fn person(&self, i: usize) -> Value {
        link(self.people[i % self.people.len()])
    }

    /// Anyone but you: you verify their actions.
    fn colleague(&self, i: usize) -> Value {
        link(self.people[1 + i % (self.people.len() - 1)])
    }

    fn control(&self, reference: &str) -> RecordId {
        catalogue::control_id(REGISTER, reference)
    }
}

/// What `build` made, for tests and the app to find their way in.
pub struct Demo {
    /// The member the demo is seen as (`YOU`).
    pub you: RecordId,
    /// The last review held and signed off.
    pub last_review: RecordId,
    /// The next review, planned.
    pub next_review: RecordId,
}

/// Builds the demo organisation's year up to `today` into `device` (a fresh register).
pub fn build(device: &mut Device, today: NaiveDate, scale: usize) -> Demo {
    let start = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let mut b = Builder {
        device,
        people: Vec::new(),
        day: start,
    };
    for (name, job) in PEOPLE {
        let id = b.add(
            Kind::Member,
            &[("name", Value::from(name)), ("job_title", Value::from(job))],
        );
        b.people.push(id);
    }
    catalogue::seed_controls(b.device, REGISTER, ms(start));
    for (i, (item_type, title, requirements)) in CONTEXT.iter().enumerate() {
        let mut fields = vec![
            ("item_type", Value::from(*item_type)),
            ("title", Value::from(*title)),
            ("owner", b.person(i)),
        ];
        if !requirements.is_empty() {
            fields.push(("requirements", Value::from(*requirements)));
        }
        b.add(Kind::ContextItem, &fields);
    }
    for area in Area::ALL {
        let target = if matches!(area, Area::Controls | Area::CorrectiveAction) {
            4
        } else {
            3
        };
        let id = maturity::target_id(area);
        b.set(
            id,
            Kind::MaturityTarget,
            &[
                ("area", Value::from(area.key())),
                ("target", Value::Int(target)),
            ],
        );
    }
    let excluded = ["A.7.3", "A.7.4", "A.7.5", "A.7.12", "A.8.19"];
    for (i, control) in ANNEX_A.iter().enumerate() {
        let id = b.control(control.reference);
        if excluded.contains(&control.reference) {
            b.set(id, Kind::Control, &[("applicable", Value::Bool(false)), ("justification", Value::from("No premises of our own hold systems or media: the office is a shared co-working space and the platform runs in the cloud."))]);
        } else {
            b.set(
                id,
                Kind::Control,
                &[
                    ("owner", b.person(i + 1)),
                    (
                        "status",
                        Value::from(if i % 3 == 0 {
                            ControlStatus::Partial
                        } else {
                            ControlStatus::Planned
                        }),
                    ),
                ],
            );
        }
    }
    let mut risks = Vec::new();
    for copy in 0..scale.max(1) {
        for (t, (threat, category, likelihood, impact, treats)) in THREATS.iter().enumerate() {
            for (a, asset) in ASSETS.iter().enumerate() {
                let i = t * ASSETS.len() + a + copy * 52;
                let l = (likelihood + (spread(i, 3) as i64) - 1).clamp(1, 5);
                let controls: Vec<String> =
                    treats.iter().map(|r| b.control(r).to_string()).collect();
                let suffix = if copy == 0 {
                    String::new()
                } else {
                    format!(" ({})", copy + 1)
                };
                let id = b.add(
                    Kind::Risk,
                    &[
                        ("title", Value::from(format!("{threat}: {asset}{suffix}"))),
                        ("threat", Value::from(*threat)),
                        ("asset", Value::from(*asset)),
                        ("category", Value::from(*category)),
                        ("inherent_likelihood", Value::Int(l)),
                        ("inherent_impact", Value::Int(*impact)),
                        ("owner", b.person(i + 1)),
                        ("status", Value::from(RiskStatus::Identified)),
                        ("controls", Value::List(controls)),
                    ],
                );
                risks.push(id);
            }
        }
    }
    // Every other control is included, for the risks it treats or as part of the baseline,
    // and the SoA approved as its first version.
    let all_risks: Vec<Risk> = b.device.local.all();
    for control in soa::undecided(&b.device.local) {
        let why = soa::justification_from_risks(control.id, &all_risks).unwrap_or_else(|| {
            "Business need: part of the baseline of controls the company runs for its customers."
                .to_owned()
        });
        b.set(
            control.id,
            Kind::Control,
            &[
                ("applicable", Value::Bool(true)),
                ("justification", Value::from(why)),
            ],
        );
    }
    // A register scaled up for the bench lists so many risks per control that its SoA no
    // longer fits one version (64 KiB of text): it stays unapproved there.
    let fits = soa::csv(&b.device.local).len() <= crate::schema::LONG_TEXT_MAX_BYTES;
    let approval = fits.then(|| {
        soa::approve(
            &b.device.local,
            b.person(0).as_text().and_then(|p| p.parse().ok()),
            &b.day.to_string(),
            None,
        )
    });
    b.apply(approval.as_slice());
    // The risk criteria adopted and approved, and the information security policy written
    // by one person and approved by another.
    let owner = b.person(0).as_text().and_then(|p| p.parse().ok());
    let criteria = risk::Criteria::adopt_defaults();
    b.apply(std::slice::from_ref(&criteria));
    let approval = risk::Criteria::read(&b.device.local).approve(owner, &b.day.to_string());
    b.apply(&[approval]);
    let policy = b.add(
        Kind::Document,
        &[
            ("title", Value::from("Information security policy")),
            ("document_type", Value::from(DocumentType::SecurityPolicy)),
            ("owner", b.person(0)),
            (
                "controls",
                Value::List(vec![b.control("A.5.1").to_string()]),
            ),
            ("review_interval_months", Value::Int(12)),
            ("draft", Value::from(POLICY)),
            ("draft_author", b.person(1)),
        ],
    );
    let draft: Document = b.device.local.view(policy).expect("just added");
    let approval = documents::approve(&b.device.local, &draft, owner, b.day, None);
    b.apply(&approval);
    let metrics: Vec<RecordId> = METRICS
        .iter()
        .enumerate()
        .map(|(i, (name, direction, target, warning, _, _))| {
            b.add(
                Kind::Metric,
                &[
                    ("name", Value::from(*name)),
                    ("direction", Value::from(*direction)),
                    ("target", Value::Num(*target)),
                    ("warning", Value::Num(*warning)),
                    ("frequency", Value::from(Frequency::Monthly)),
                    ("owner", b.person(i + 1)),
                    (
                        "control",
                        link(b.control(ANNEX_A[(i * 9) % ANNEX_A.len()].reference)),
                    ),
                ],
            )
        })
        .collect();
    for (i, (title, of)) in OBJECTIVES.iter().enumerate() {
        let ids = of.iter().map(|m| metrics[*m].to_string()).collect();
        let due = today
            .checked_add_months(Months::new(6))
            .unwrap_or(today)
            .to_string();
        b.add(
            Kind::Objective,
            &[
                ("title", Value::from(*title)),
                ("owner", b.person(i)),
                ("metrics", Value::List(ids)),
                ("due", Value::from(due)),
            ],
        );
    }

    let mut open_findings: Vec<(RecordId, NaiveDate, bool)> = Vec::new();
    let mut reviews_held: Vec<RecordId> = Vec::new();
    let mut audits: Vec<RecordId> = Vec::new();
    let mut n = 0usize;
    for month in 0..12u32 {
        let first = start
            .checked_add_months(Months::new(month))
            .unwrap_or(start);
        let end = first
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first)
            .min(today);
        b.day = first;

        // Controls get implemented, a slice a month; implemented ones are reviewed and rated.
        for (i, control) in ANNEX_A.iter().enumerate() {
            if excluded.contains(&control.reference) || i % 12 != month as usize {
                continue;
            }
            let id = b.control(control.reference);
            let status = if i % 17 == 5 {
                ControlStatus::Partial
            } else {
                ControlStatus::Implemented
            };
            let effectiveness = match spread(i, 10) {
                0 => Effectiveness::PartlyEffective,
                _ => Effectiveness::Effective,
            };
            b.set(
                id,
                Kind::Control,
                &[
                    ("status", Value::from(status)),
                    ("effectiveness", Value::from(effectiveness)),
                    ("last_reviewed", Value::from(first.to_string())),
                ],
            );
        }
        // Risks are assessed, then treated; treated ones get a residual score.
        for (i, &risk) in risks.iter().enumerate() {
            let due = first
                .checked_add_months(Months::new(6))
                .unwrap_or(first)
                .to_string();
            match (i % 12) as u32 {
                m if m == month => b.set(
                    risk,
                    Kind::Risk,
                    &[
                        ("status", Value::from(RiskStatus::Assessed)),
                        (
                            "treatment",
                            Value::from(if i % 9 == 4 {
                                Treatment::Accept
                            } else {
                                Treatment::Mitigate
                            }),
                        ),
                        ("review_due", Value::from(due)),
                    ],
                ),
                m if m + 2 == month => {
                    let accepted = i % 9 == 4;
                    let mut fields = vec![
                        (
                            "status",
                            Value::from(if accepted {
                                RiskStatus::Accepted
                            } else {
                                RiskStatus::Treating
                            }),
                        ),
                        (
                            "residual_likelihood",
                            Value::Int(if accepted { 2 } else { 1 + spread(i, 2) as i64 }),
                        ),
                        ("residual_impact", Value::Int(2 + spread(i + 1, 2) as i64)),
                        (
                            "review_due",
                            Value::from(
                                first
                                    .checked_add_months(Months::new(12))
                                    .unwrap_or(first)
                                    .to_string(),
                            ),
                        ),
                    ];
                    if accepted {
                        let expires = first
                            .checked_add_months(Months::new(if i % 2 == 0 { 3 } else { 12 }))
                            .unwrap_or(first);
                        // Accepted by the risk's owner, as only they may.
                        let owner = crate::rules::Lookup::field(&b.device.local, risk, "owner")
                            .unwrap_or(Value::Null);
                        fields.push(("acceptance_approver", owner));
                        fields.push(("accepted_on", Value::from(first.to_string())));
                        fields.push((
                            "acceptance_rationale",
                            Value::from(
                                "Low residual score; treating it further costs more than it saves.",
                            ),
                        ));
                        fields.push(("acceptance_expires", Value::from(expires.to_string())));
                    }
                    b.set(risk, Kind::Risk, &fields);
                    if i % 6 == 0 {
                        // A preventive action carries the treatment out, done within the month
                        // unless it is recent.
                        let due = first.checked_add_months(Months::new(1)).unwrap_or(first);
                        let done = due < today;
                        let mut fields = vec![
                            ("title", Value::from("Put the treatment in place")),
                            ("action_type", Value::from(ActionType::Preventive)),
                            ("risk", link(risk)),
                            ("owner", b.colleague(i)),
                            ("due", Value::from(due.to_string())),
                            (
                                "status",
                                Value::from(if done {
                                    ActionStatus::Done
                                } else {
                                    ActionStatus::InProgress
                                }),
                            ),
                        ];
                        if done {
                            fields.push(("completed_at", Value::from(at(due, 10))));
                            fields.push(("completed_by", b.colleague(i)));
                            fields.push(("effective", Value::from(Verdict::Effective)));
                            fields.push(("verified_by", b.person(0)));
                            fields.push(("verified_at", Value::from(at(due, 11))));
                        }
                        b.add(Kind::Action, &fields);
                    }
                }
                _ => {}
            }
        }
        // Each metric is measured mid-month, improving; one slips now and then.
        let mid = first
            .checked_add_days(Days::new(14))
            .unwrap_or(first)
            .min(today);
        b.day = mid;
        for copy in 0..scale.max(1) {
            for (i, (_, _, _, _, from, step)) in METRICS.iter().enumerate() {
                let slip = if spread(i + month as usize * 10 + copy, 13) == 0 {
                    -3.0 * step
                } else {
                    0.0
                };
                let value = (from + step * month as f64 + slip).clamp(0.0, 100.0);
                let measurement = b.add(
                    Kind::Measurement,
                    &[
                        ("metric", link(metrics[i])),
                        ("value", Value::Num((value * 10.0).round() / 10.0)),
                        ("date", Value::from(mid.to_string())),
                        ("recorded_by", b.person(i + 1)),
                    ],
                );
                if slip != 0.0 {
                    let finding = b.add(
                        Kind::Finding,
                        &[
                            ("title", Value::from(format!("{} slipped", METRICS[i].0))),
                            ("finding_type", Value::from(FindingType::MinorNc)),
                            ("source", Value::from(FindingSource::Measurement)),
                            ("measurement", link(measurement)),
                            ("raised_at", Value::from(at(mid, 15))),
                            ("status", Value::from(FindingStatus::Open)),
                            ("correction", Value::from("Contained the same day.")),
                            ("owner", b.person(i + 1)),
                            (
                                "due",
                                Value::from(
                                    mid.checked_add_days(Days::new(45))
                                        .unwrap_or(mid)
                                        .to_string(),
                                ),
                            ),
                        ],
                    );
                    open_findings.push((finding, mid, true));
                }
            }
        }
        // Reports come in through the month: three or four, some become findings.
        for copy in 0..scale.max(1) {
            for k in 0..(3 + month as usize % 2) {
                let (event_type, title, severity, hours) = REPORTS[(n + k) % REPORTS.len()];
                let day = first
                    .checked_add_days(Days::new(3 + 7 * k as u64))
                    .unwrap_or(first)
                    .min(today);
                b.day = day;
                let recent = end >= today && k >= 2;
                let status = if recent {
                    EventStatus::New
                } else if event_type == EventType::Incident {
                    EventStatus::Resolved
                } else {
                    EventStatus::Closed
                };
                let hours = hours + spread(n + k + copy, 4) as i64;
                let mut fields = vec![
                    ("event_type", Value::from(event_type)),
                    ("title", Value::from(title)),
                    ("severity", Value::from(severity)),
                    ("occurred_at", Value::from(at(day, 8))),
                    ("detected_at", Value::from(at(day, 8 + hours))),
                    ("reporter", b.person(n + k + copy)),
                    ("status", Value::from(status)),
                ];
                if event_type == EventType::Incident && !recent {
                    fields.push(("lessons", Value::from("Talked it through at the team meeting; the reminder went out to everyone.")));
                    fields.push(("resolved_at", Value::from(at(day, 8 + hours + 24))));
                }
                let event = b.add(Kind::Event, &fields);
                if event_type == EventType::Incident && (severity == Severity::High || k == 1) {
                    let finding = b.add(
                        Kind::Finding,
                        &[
                            (
                                "title",
                                Value::from(format!("{title}: why it could happen")),
                            ),
                            ("finding_type", Value::from(FindingType::MinorNc)),
                            ("source", Value::from(FindingSource::Event)),
                            ("event", link(event)),
                            ("raised_at", Value::from(at(day, 17))),
                            ("status", Value::from(FindingStatus::Open)),
                            ("correction", Value::from("Contained the same day.")),
                            ("owner", b.person(n + 1)),
                            (
                                "due",
                                Value::from(
                                    day.checked_add_days(Days::new(60))
                                        .unwrap_or(day)
                                        .to_string(),
                                ),
                            ),
                        ],
                    );
                    open_findings.push((finding, day, true));
                }
            }
            n += 4;
        }
        // Internal audits in months 2, 5 and 8; the next is planned.
        if matches!(month, 2 | 5 | 8) {
            let day = first.checked_add_days(Days::new(9)).unwrap_or(first);
            b.day = day;
            let audit = b.add(
                Kind::Audit,
                &[
                    (
                        "title",
                        Value::from(format!("Internal audit {}", audits.len() + 1)),
                    ),
                    ("audit_type", Value::from(AuditType::Internal)),
                    ("status", Value::from(AuditStatus::InProgress)),
                    ("performed_date", Value::from(day.to_string())),
                    ("planned_date", Value::from(day.to_string())),
                    ("lead_auditor", b.person(4)),
                    (
                        "scope",
                        Value::from("The ISMS clauses and a third of Annex A."),
                    ),
                    ("reported_to", b.person(5)),
                    (
                        "conclusion",
                        Value::from("The ISMS works; the findings below need action."),
                    ),
                ],
            );
            audits.push(audit);
            let clauses = crate::audits::clause_checks(&["4", "5", "6", "7", "8", "9", "10"]);
            let themed: Vec<NewCheck> = ANNEX_A
                .iter()
                .skip(audits.len() - 1)
                .step_by(9)
                .map(|c| NewCheck {
                    question: format!("{}: is it in place and working?", c.title),
                    reference: c.reference.to_owned(),
                    control: Some(b.control(c.reference)),
                })
                .collect();
            for (i, check) in clauses.into_iter().chain(themed).enumerate() {
                let result = match spread(i + month as usize, 14) {
                    0 => CheckResult::MinorNc,
                    1 => CheckResult::Ofi,
                    2 => CheckResult::Observation,
                    _ => CheckResult::Conforming,
                };
                let mut fields = vec![
                    ("audit", link(audit)),
                    ("question", Value::from(check.question)),
                    ("reference", Value::from(check.reference.as_str())),
                    ("position", Value::Int(i as i64)),
                    ("result", Value::from(result)),
                    ("evidence", Value::from("Records sampled with the owner.")),
                    ("checked_by", b.person(4)),
                    ("checked_at", Value::from(at(day, 10))),
                ];
                if let Some(control) = check.control {
                    fields.push(("control", link(control)));
                }
                let id = b.add(Kind::AuditCheck, &fields);
                if let Some(finding_type) = crate::findings::finding_type_for(result) {
                    let finding = b.add(
                        Kind::Finding,
                        &[
                            ("title", Value::from(format!("Audit: {}", check.reference))),
                            ("finding_type", Value::from(finding_type)),
                            ("source", Value::from(FindingSource::Audit)),
                            ("audit", link(audit)),
                            ("audit_check", link(id)),
                            ("reference", Value::from(check.reference.as_str())),
                            ("raised_at", Value::from(at(day, 16))),
                            ("status", Value::from(FindingStatus::Open)),
                            ("correction", Value::from("Contained the same day.")),
                            ("owner", b.person(i + 2)),
                            (
                                "due",
                                Value::from(
                                    day.checked_add_days(Days::new(45))
                                        .unwrap_or(day)
                                        .to_string(),
                                ),
                            ),
                        ],
                    );
                    open_findings.push((
                        finding,
                        day,
                        crate::findings::is_nonconformity(finding_type),
                    ));
                }
            }
            // Reported once every check is in, and acknowledged by its recipient a week on.
            let acknowledged = day.checked_add_days(Days::new(7)).unwrap_or(day);
            b.set(
                audit,
                Kind::Audit,
                &[
                    ("status", Value::from(AuditStatus::Reported)),
                    ("acknowledged_at", Value::from(acknowledged.to_string())),
                    ("acknowledged_by", b.person(5)),
                ],
            );
        }
        // Findings raised a month or more ago are worked and closed, with proof.
        b.day = first
            .checked_add_days(Days::new(20))
            .unwrap_or(first)
            .min(today);
        let (due_now, later): (Vec<_>, Vec<_>) =
            open_findings.drain(..).partition(|(_, raised, _)| {
                raised
                    .checked_add_months(Months::new(1))
                    .is_some_and(|d| d <= b.day)
            });
        open_findings = later;
        for (k, (finding, raised, nonconformity)) in due_now.into_iter().enumerate() {
            let late = spread(k + month as usize, 6) == 0;
            let keep_open =
                end >= today.checked_sub_months(Months::new(1)).unwrap_or(today) && k % 2 == 0;
            if !nonconformity {
                // Adopted: the improvement is made within three weeks (unless that is still
                // to come), before the finding closes and freezes its actions.
                let done = b.day.checked_add_days(Days::new(20)).unwrap_or(b.day);
                let due = b.day.checked_add_days(Days::new(60)).unwrap_or(b.day);
                let mut fields = vec![
                    ("title", Value::from("Take up the suggestion")),
                    ("action_type", Value::from(ActionType::Improvement)),
                    ("finding", link(finding)),
                    ("owner", b.colleague(k)),
                    ("due", Value::from(due.to_string())),
                    ("status", Value::from(ActionStatus::InProgress)),
                ];
                if done < today {
                    fields.push(("status", Value::from(ActionStatus::Done)));
                    fields.push(("completed_at", Value::from(at(done, 12))));
                    fields.push(("completed_by", b.colleague(k)));
                    fields.push(("effective", Value::from(Verdict::Effective)));
                    fields.push(("verified_by", b.person(0)));
                    fields.push(("verified_at", Value::from(at(done, 15))));
                }
                b.add(Kind::Action, &fields);
                b.set(
                    finding,
                    Kind::Finding,
                    &[
                        ("status", Value::from(FindingStatus::Closed)),
                        (
                            "decision",
                            Value::from("Adopted: an improvement action follows it."),
                        ),
                        ("closed_at", Value::from(at(b.day, 15))),
                    ],
                );
                continue;
            }
            let due = raised.checked_add_days(Days::new(30)).unwrap_or(raised);
            let done = if late {
                due.checked_add_days(Days::new(5)).unwrap_or(due)
            } else {
                b.day.min(due)
            };
            let owner = b.colleague(k);
            b.set(
                finding,
                Kind::Finding,
                &[
                    ("correction", Value::from("Contained the same day.")),
                    (
                        "corrected_on",
                        Value::from(
                            raised
                                .checked_add_days(Days::new(1 + k as u64 % 3))
                                .unwrap_or(raised)
                                .to_string(),
                        ),
                    ),
                    (
                        "whys",
                        Value::List(vec![
                            "The step was not written down".into(),
                            "Nobody owned it".into(),
                        ]),
                    ),
                    ("cause_category", Value::from(CauseCategory::Process)),
                    (
                        "root_cause",
                        Value::from("No owner and no written procedure."),
                    ),
                    ("status", Value::from(FindingStatus::Implementing)),
                ],
            );
            let action = b.add(
                Kind::Action,
                &[
                    (
                        "title",
                        Value::from("Write the procedure and name an owner"),
                    ),
                    ("action_type", Value::from(ActionType::Corrective)),
                    ("finding", link(finding)),
                    ("owner", owner.clone()),
                    ("due", Value::from(due.to_string())),
                    ("status", Value::from(ActionStatus::InProgress)),
                ],
            );
            let correction = b.add(
                Kind::Action,
                &[
                    ("title", Value::from("Contain it")),
                    ("action_type", Value::from(ActionType::Correction)),
                    ("finding", link(finding)),
                    ("owner", owner.clone()),
                    ("status", Value::from(ActionStatus::Done)),
                    ("completed_at", Value::from(at(raised, 17))),
                    ("completed_by", owner.clone()),
                ],
            );
            b.set(
                correction,
                Kind::Action,
                &[
                    ("effective", Value::from(Verdict::Effective)),
                    ("verified_by", b.person(0)),
                    ("verified_at", Value::from(at(b.day, 10))),
                ],
            );
            if keep_open {
                continue;
            }
            b.set(
                action,
                Kind::Action,
                &[
                    ("status", Value::from(ActionStatus::Done)),
                    ("completed_at", Value::from(at(done, 12))),
                    ("completed_by", owner.clone()),
                ],
            );
            let verifier = b.person(0);
            b.set(
                action,
                Kind::Action,
                &[
                    ("effective", Value::from(Verdict::Effective)),
                    ("verified_by", verifier),
                    ("verified_at", Value::from(at(b.day, 14))),
                    (
                        "verification",
                        Value::from("Sampled a month of records: the procedure is followed."),
                    ),
                ],
            );
            b.set(
                finding,
                Kind::Finding,
                &[
                    ("status", Value::from(FindingStatus::Closed)),
                    ("closed_at", Value::from(at(b.day, 15))),
                ],
            );
        }
        // Management reviews in months 3 and 9, signed off; their outputs become actions.
        if matches!(month, 3 | 9) {
            let day = first
                .checked_add_days(Days::new(24))
                .unwrap_or(first)
                .min(today);
            b.day = day;
            let review = b.add(
                Kind::Review,
                &[
                    (
                        "title",
                        Value::from(format!("Management review {}", reviews_held.len() + 1)),
                    ),
                    ("date", Value::from(day.to_string())),
                    ("status", Value::from(ReviewStatus::Held)),
                    ("chair", b.person(5)),
                    (
                        "attendees",
                        Value::List(b.people.iter().take(3).map(|p| p.to_string()).collect()),
                    ),
                    (
                        "on_previous_actions",
                        Value::from("The last review's outputs are done or on time."),
                    ),
                    (
                        "on_issues",
                        Value::from("More customers ask for our certificate; no change in scope."),
                    ),
                    (
                        "on_interested_parties",
                        Value::from("Two customers added security questionnaires; both answered."),
                    ),
                    (
                        "on_performance",
                        Value::from(
                            "Patching and MFA improve; phishing clicks still above target.",
                        ),
                    ),
                    (
                        "on_feedback",
                        Value::from("Staff reports rose: people know where to report."),
                    ),
                    (
                        "on_risks",
                        Value::from("Phishing stays the highest residual risk; suppliers next."),
                    ),
                    (
                        "on_improvement",
                        Value::from("Quarterly phishing simulations would show progress sooner."),
                    ),
                    (
                        "decisions",
                        Value::from("Keep the ISMS as it is; fund the outputs below."),
                    ),
                ],
            );
            for (k, (title, output_type)) in [
                (
                    "Run a phishing simulation every quarter",
                    OutputType::Improvement,
                ),
                (
                    "Budget a managed detection service",
                    OutputType::ResourceNeed,
                ),
                (
                    "Add suppliers to the risk assessment",
                    OutputType::IsmsChange,
                ),
                (
                    "Train new joiners in their first week",
                    OutputType::Improvement,
                ),
            ]
            .iter()
            .enumerate()
            {
                let due = day
                    .checked_add_months(Months::new(2 + k as u32))
                    .unwrap_or(day);
                let action = b.add(
                    Kind::Action,
                    &[
                        ("title", Value::from(*title)),
                        ("action_type", Value::from(ActionType::Improvement)),
                        ("review", link(review)),
                        ("output_type", Value::from(*output_type)),
                        ("owner", b.person(k + 1)),
                        ("due", Value::from(due.to_string())),
                        ("status", Value::from(ActionStatus::Open)),
                    ],
                );
                if reviews_held.is_empty() {
                    let done = due.checked_sub_days(Days::new(5)).unwrap_or(due);
                    b.day = done;
                    b.set(
                        action,
                        Kind::Action,
                        &[
                            ("status", Value::from(ActionStatus::Done)),
                            ("completed_at", Value::from(at(done, 11))),
                            ("completed_by", b.person(k + 1)),
                        ],
                    );
                    b.day = day;
                }
            }
            let view: Option<Review> = b.device.local.view(review);
            if let Some(view) = view {
                let set =
                    reviews::sign_off(&b.device.local, &view, Some(b.people[0]), &at(day, 16));
                b.apply(&set);
            }
            reviews_held.push(review);
        }
        // The month's snapshot, from the register as it stands at its end.
        b.day = end;
        let snapshot = maturity::snapshot_of(&b.device.local, end, Occasion::Monthly, None);
        b.add(Kind::MaturitySnapshot, &snapshot);
    }
    b.day = today;
    let next = today.checked_add_months(Months::new(2)).unwrap_or(today);
    b.add(
        Kind::Audit,
        &[
            ("title", Value::from("Internal audit 4")),
            ("audit_type", Value::from(AuditType::Internal)),
            ("status", Value::from(AuditStatus::Planned)),
            ("planned_date", Value::from(next.to_string())),
            ("lead_auditor", b.person(4)),
        ],
    );
    let next_review = b.add(
        Kind::Review,
        &[
            (
                "title",
                Value::from(format!("Management review {}", reviews_held.len() + 1)),
            ),
            (
                "date",
                Value::from(
                    today
                        .checked_add_months(Months::new(3))
                        .unwrap_or(today)
                        .to_string(),
                ),
            ),
            ("status", Value::from(ReviewStatus::Planned)),
            ("chair", b.person(5)),
        ],
    );
    Demo {
        you: b.people[0],
        last_review: reviews_held.last().copied().unwrap_or(next_review),
        next_review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Kind, fixture::day, indicators, sync::MemoryServer, views};

    fn demo(today: &str) -> (Device, Demo) {
        let mut device = Device::new(ClientId::new());
        let demo = build(&mut device, day(today), 1);
        (device, demo)
    }

    fn count(device: &Device, kind: Kind) -> usize {
        device.local.of_kind(kind).count()
    }

    #[test]
    fn the_demo_is_a_lived_in_year_of_a_small_company() {
        let (device, demo) = demo("2026-06-30");
        assert!(count(&device, Kind::Risk) >= 50);
        assert_eq!(count(&device, Kind::Control), 93);
        assert_eq!(count(&device, Kind::Metric), 10);
        assert_eq!(count(&device, Kind::Measurement), 120);
        assert_eq!(count(&device, Kind::Audit), 4);
        assert!(
            count(&device, Kind::Finding) >= 30,
            "{} findings",
            count(&device, Kind::Finding)
        );
        assert!(
            count(&device, Kind::Action) >= 60,
            "{} actions",
            count(&device, Kind::Action)
        );
        assert!(
            count(&device, Kind::Event) >= 40,
            "{} reports",
            count(&device, Kind::Event)
        );
        assert_eq!(count(&device, Kind::ContextItem), 17);
        let reviews: Vec<views::Review> = device.local.all();
        assert_eq!(
            reviews.iter().filter(|r| r.signed_off_at.is_some()).count(),
            2
        );
        assert!(
            device
                .local
                .view::<views::Review>(demo.next_review)
                .unwrap()
                .signed_off_at
                .is_none()
        );
        assert_eq!(
            device
                .local
                .view::<views::Member>(demo.you)
                .unwrap()
                .name
                .as_deref(),
            Some(YOU)
        );
        assert!(maturity::snapshots(&device.local).len() >= 12);
    }

    /// The server's gate judging as the demo's builder does: a register of one device, whose
    /// people are member records with no accounts to act in their own names.
    struct AsBuilt;

    impl engine::server::Judge<MemoryServer> for AsBuilt {
        type Kind = crate::Kind;
        type Author = crate::ClientId;

        fn judge(
            &self,
            _: &crate::ClientId,
            ops: &[&crate::Op],
            view: &MemoryServer,
        ) -> Vec<engine::server::Judgement> {
            Gate::default().judge_ops(Who::ALONE, ops, view)
        }
    }

    #[test]
    fn every_change_of_the_demo_is_one_the_server_accepts_in_order() {
        let (mut device, _) = demo("2026-06-30");
        let mut server = MemoryServer::default();
        let now = super::ms(day("2026-06-30"));
        for _ in 0..1_000 {
            let Some(request) = device.push_request(500) else {
                break;
            };
            match server.push(&AsBuilt, &device.client, &request, now) {
                Ok(pushed) => device.on_pushed(&pushed),
                Err(refused) => panic!("{:?}", refused.body().rejections),
            }
        }
        assert_eq!(server.state, device.local, "all of it was sent");
    }

    #[test]
    fn the_demo_s_figures_and_levels_are_computed_and_improve_over_the_year() {
        let (device, _) = demo("2026-06-30");
        let today = day("2026-06-30");
        let inputs =
            indicators::Inputs::new(&device.local, indicators::Period::ending(today, 90), today);
        let computed = indicators::compute(&inputs);
        let with_value = computed.iter().filter(|i| i.value().is_some()).count();
        assert!(
            with_value >= 18,
            "{with_value} of {} indicators have a value",
            computed.len()
        );
        let levels = maturity::assess(&device.local, today);
        assert!(levels.iter().all(|a| a.level >= 1), "{levels:?}");
        assert!(levels.iter().any(|a| a.level >= 3), "{levels:?}");
        let snapshots = maturity::snapshots(&device.local);
        let total = |s: &views::MaturitySnapshot| {
            maturity::levels_of(s)
                .values()
                .map(|&l| u32::from(l))
                .sum::<u32>()
        };
        assert!(
            total(snapshots.last().unwrap()) > total(&snapshots[0]),
            "maturity grows over the year"
        );
        let reduction = |s: &views::MaturitySnapshot| {
            maturity::figures_of(s)
                .get("risk_reduction")
                .copied()
                .unwrap_or(0.0)
        };
        assert!(reduction(snapshots.last().unwrap()) > reduction(&snapshots[0]));
    }
}
