//! Site walkthroughs: an audit of type walkthrough, run on a phone one check at a time.
//! Templates are named sets of checks (a control and a question): four are built in, written
//! in our own words, and an organisation copies and edits its own (`WalkthroughTemplate`
//! records, one check per line). Starting a walkthrough makes the audit and its checks; a
//! check's answer is one tap, and a nonconforming one raises a finding in one more.

use crate::choices::{AuditStatus, AuditType, CheckResult};
use crate::{
    Kind, RecordId, Replica, Value,
    audits::{self, NewCheck},
    catalogue, evidence, findings,
    gate::Edit,
    rules::RecordRule,
    views::{Audit, AuditCheck, Control, Evidence, Finding, WalkthroughTemplate},
};

/// One check of a template: the control it is against (empty for none) and what to look at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BuiltInCheck {
    pub reference: &'static str,
    pub question: &'static str,
}

/// A template that comes with Ratchet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BuiltIn {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub checks: &'static [BuiltInCheck],
}

macro_rules! checks {
    ($( $reference:literal => $question:literal; )*) => {
        &[ $( BuiltInCheck { reference: $reference, question: $question }, )* ]
    };
}

pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        key: "physical",
        name: "Physical security",
        description: "A walk round the premises from the front door to the server room (Annex A 7).",
        checks: checks! {
            "A.7.1" => "Walk the outside: are walls, fences, windows and roof access intact, with no way in past reception?";
            "A.7.1" => "Are the doors into secure areas solid, closing by themselves and never propped open?";
            "A.7.2" => "At the entrance: is every person let in checked, and is there a record of who came in and when?";
            "A.7.2" => "Do badge or key records match the people who should have access today (no leavers)?";
            "A.7.2" => "Are delivery and loading areas kept apart from where information is handled?";
            "A.7.3" => "Are rooms with sensitive work out of public view, and unmarked from outside?";
            "A.7.4" => "Are alarms and cameras working, covering the entrances, and is someone watching or reviewing them?";
            "A.7.5" => "Are fire detection and extinguishers in place and in date; is equipment kept off the floor where water could reach it?";
            "A.7.6" => "In secure areas: are the rules for working there posted and followed (no unescorted visitors, no photos)?";
            "A.7.7" => "Are desks clear of papers and removable media, and unattended screens locked?";
            "A.7.8" => "Is equipment placed away from windows and public view, and protected from heat, dust and spills?";
            "A.7.8" => "Are printers and copiers free of forgotten documents?";
            "A.7.9" => "Are laptops and phones taken off-site recorded, and do staff know how to keep them safe when travelling?";
            "A.7.10" => "Is removable media stored locked, labelled and recorded?";
            "A.7.11" => "Is there a working UPS for critical equipment, and was it tested recently?";
            "A.7.11" => "Is cooling for the server room or cabinet working, and does someone get told when it fails?";
            "A.7.12" => "Is cabling tidy, out of reach of the public, and are network points in public areas disabled?";
            "A.7.12" => "Are communications cabinets and patch panels locked?";
            "A.7.13" => "Is there a maintenance record for key equipment, with visits by authorised people only?";
            "A.7.14" => "Is equipment waiting for disposal stored securely, with proof that its data was wiped or destroyed?";
        },
    },
    BuiltIn {
        key: "clear-desk",
        name: "Clear desk and screen",
        description: "An after-hours look at desks, screens, printers and bins (A.7.7).",
        checks: checks! {
            "A.7.7" => "Are desks clear of confidential papers once people have left?";
            "A.7.7" => "Are screens of unattended computers locked, and do they lock by themselves after a few minutes?";
            "A.7.7" => "Are whiteboards and flip charts wiped of confidential information after meetings?";
            "A.7.7" => "Are drawers and cabinets with confidential papers locked, with the keys not left in them?";
            "A.7.7" => "Is the printer tray empty, and is confidential waste going into locked shredding bins?";
            "A.7.7" => "Are passwords or access codes written down anywhere in sight?";
        },
    },
    BuiltIn {
        key: "visitors",
        name: "Visitors and access",
        description: "Follow a visitor from arrival to departure (A.7.2, A.5.15, A.5.18).",
        checks: checks! {
            "A.7.2" => "Is every visitor signed in, with name, host, time in and time out?";
            "A.7.2" => "Do visitors wear a badge that shows they are visitors, and is it handed back when they leave?";
            "A.7.2" => "Are visitors escorted in areas where information is handled?";
            "A.5.15" => "Do the doors a visitor can open match what the access rules allow?";
            "A.5.18" => "Were access rights of people who left this month removed (badges, keys, codes)?";
            "A.7.6" => "Are contractors working in secure areas supervised, with their work recorded?";
        },
    },
    BuiltIn {
        key: "equipment",
        name: "Equipment and media",
        description: "Laptops, phones, media and equipment rooms (A.7.8 to A.7.14, A.8.1).",
        checks: checks! {
            "A.8.1" => "Pick three laptops: are they encrypted, up to date and locking by themselves?";
            "A.7.9" => "Are devices that leave the premises listed with whoever has them?";
            "A.7.10" => "Is removable media encrypted, and its use limited to those who need it?";
            "A.7.10" => "Is there a record of media destroyed, with how and by whom?";
            "A.7.8" => "Is the equipment room locked, with no storage or clutter in it?";
            "A.7.11" => "Are power and cooling alarms tested, with the last test recorded?";
            "A.7.13" => "Is equipment sent for repair wiped first or covered by a confidentiality agreement?";
            "A.7.14" => "Are old disks and phones waiting for disposal locked away and counted?";
        },
    },
];

/// The built-in template with this key.
pub fn built_in(key: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|t| t.key == key)
}

/// A template's check as one line of a template record: `A.7.2 Question`, or the question
/// alone.
pub fn line(reference: &str, question: &str) -> String {
    if reference.is_empty() {
        question.to_owned()
    } else {
        format!("{reference} {question}")
    }
}

/// A template record's line as (reference, question): the first word is the reference when
/// it is a clause or control of the standard.
pub fn parse_line(line: &str) -> (String, String) {
    let line = line.trim();
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    if catalogue::requirement(first).is_some() {
        (first.to_owned(), rest.trim().to_owned())
    } else {
        (String::new(), line.to_owned())
    }
}

/// The lines of a built-in template, for an organisation's own copy.
pub fn lines_of(template: &BuiltIn) -> Vec<String> {
    template
        .checks
        .iter()
        .map(|c| line(c.reference, c.question))
        .collect()
}

pub const RULES: &[RecordRule] = &[RecordRule {
    kind: Kind::WalkthroughTemplate,
    fields: &[WalkthroughTemplate::checks],
    field: WalkthroughTemplate::checks,
    message: "A template needs at least one check, one per line, each with a question.",
    holds: |s| match s.get(WalkthroughTemplate::checks) {
        Some(Value::List(lines)) => {
            !lines.is_empty() && lines.iter().all(|l| !parse_line(l).1.is_empty())
        }
        _ => true,
    },
}];

/// The checks a walkthrough starts with: each template line in order, against the
/// organisation's own control for its reference where it has one.
pub fn checks_from(lines: &[String], controls: &[Control]) -> Vec<NewCheck> {
    lines
        .iter()
        .map(|line| parse_line(line))
        .filter(|(_, question)| !question.is_empty())
        .map(|(reference, question)| NewCheck {
            control: controls
                .iter()
                .find(|c| !c.deleted && c.reference.as_deref() == Some(reference.as_str()))
                .map(|c| c.id),
            question,
            reference,
        })
        .collect()
}

/// The answers a walkthrough offers, as the audit check's result they record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Answer {
    Conforming,
    /// Recorded as a minor nonconformity; the auditor may grade it again on the check.
    Nonconforming,
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 3] = [
        Answer::Conforming,
        Answer::Nonconforming,
        Answer::NotApplicable,
    ];

    pub fn result(self) -> CheckResult {
        match self {
            Answer::Conforming => CheckResult::Conforming,
            Answer::Nonconforming => CheckResult::MinorNc,
            Answer::NotApplicable => CheckResult::NotApplicable,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::Conforming => "Conforming",
            Answer::Nonconforming => "Nonconforming",
            Answer::NotApplicable => "Not applicable",
        }
    }

    /// The answer a stored result shows as, if it is one of these.
    pub fn of(result: Option<CheckResult>) -> Option<Answer> {
        match result? {
            CheckResult::Conforming => Some(Answer::Conforming),
            CheckResult::MinorNc | CheckResult::MajorNc => Some(Answer::Nonconforming),
            CheckResult::NotApplicable => Some(Answer::NotApplicable),
            CheckResult::NotChecked | CheckResult::Ofi | CheckResult::Observation => None,
        }
    }
}

/// The finding a nonconforming check raises: the audit check's finding (audit, check,
/// requirement, control, what was seen), and where on the site it was seen.
pub fn finding_from(check: &AuditCheck, audit: &Audit, now: &str) -> Vec<(&'static str, Value)> {
    let reference = check.reference.clone().unwrap_or_default();
    let requirement = catalogue::requirement(&reference).unwrap_or_default();
    let mut fields = findings::from_check(check, &requirement, now);
    if let Some(location) = audit.location.clone().filter(|l| !l.trim().is_empty()) {
        fields.push((Finding::location, Value::Text(location)));
    }
    fields
}

/// What a walkthrough starts from: its template's name and check lines, the site, who leads
/// it (none in a register kept on one device alone), today and now.
pub struct Start<'a> {
    pub name: &'a str,
    pub lines: &'a [String],
    pub site: &'a str,
    pub me: Option<&'a str>,
    pub today: &'a str,
    pub now: &'a str,
}

/// Starting a walkthrough: the audit, in progress today, and its checklist against the
/// register's `controls`, in one change set (the audit first, so a page opens it once stored).
pub fn start(walk: &Start, controls: &[Control]) -> Vec<Edit> {
    let site = walk.site.trim();
    let title = if site.is_empty() {
        format!("Walkthrough: {}", walk.name)
    } else {
        format!("Walkthrough: {} at {site}", walk.name)
    };
    let mut fields = vec![
        (Audit::title, Value::Text(title.chars().take(200).collect())),
        (Audit::audit_type, Value::from(AuditType::Walkthrough)),
        (Audit::status, Value::from(AuditStatus::InProgress)),
        (Audit::performed_date, Value::from(walk.today)),
        (
            Audit::criteria,
            Value::Text(format!("Template “{}”, {}", walk.name, walk.now)),
        ),
    ];
    if !site.is_empty() {
        fields.push((Audit::location, Value::from(site)));
    }
    if let Some(me) = walk.me {
        fields.push((Audit::lead_auditor, Value::from(me)));
    }
    let audit = RecordId::new();
    let checks = checks_from(walk.lines, controls)
        .iter()
        .enumerate()
        .map(|(position, check)| Edit {
            record: RecordId::new(),
            kind: Kind::AuditCheck,
            fields: check.fields(audit, position as i64),
        })
        .collect::<Vec<_>>();
    let mut set = vec![Edit {
        record: audit,
        kind: Kind::Audit,
        fields,
    }];
    set.extend(checks);
    set
}

/// Raising a finding from a walkthrough's check: the finding, and the check's photos
/// supporting it too, in one change set (the finding first).
pub fn raise(register: &Replica, check: &AuditCheck, walk: &Audit, now: &str) -> Vec<Edit> {
    let finding = RecordId::new();
    let mut set = vec![Edit {
        record: finding,
        kind: Kind::Finding,
        fields: finding_from(check, walk, now),
    }];
    for photo in evidence::supporting(register, Kind::AuditCheck, check.id) {
        let mut findings: Vec<String> = photo
            .findings
            .unwrap_or_default()
            .iter()
            .map(RecordId::to_string)
            .collect();
        findings.push(finding.to_string());
        set.push(Edit {
            record: photo.id,
            kind: Kind::Evidence,
            fields: vec![(Evidence::findings, Value::List(findings))],
        });
    }
    set
}

/// Where a walkthrough resumes: at the check it was left on, if it still has one there;
/// otherwise at the first check not yet answered (the last when all are).
pub fn resume_at(checks: &[AuditCheck], left_on: Option<usize>) -> usize {
    if let Some(at) = left_on.filter(|at| *at < checks.len()) {
        return at;
    }
    checks
        .iter()
        .position(|c| !audits::is_checked(c.result))
        .unwrap_or(checks.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        RecordId,
        fixture::{Fixture, link, text},
        rules::Nothing,
    };

    #[test]
    fn a_walk_starts_and_raises_its_finding_each_in_one_change_set_the_gate_accepts() {
        use crate::gate::{Gate, Who, changes_in};
        let mut device = crate::sync::Device::new(crate::ClientId::new());
        catalogue::seed_controls(&mut device, "local", 1);
        let judged = |device: &crate::sync::Device, set: &[Edit]| {
            let local = &device.local;
            Gate::default().judge(Who::ALONE, &changes_in(set), local, &|r| {
                local.record(r).is_none()
            })
        };
        let apply = |device: &mut crate::sync::Device, set: &[Edit]| {
            for edit in set {
                for (field, value) in &edit.fields {
                    device.edit(edit.record, edit.kind, field, value.clone(), 2);
                }
            }
        };
        let template = built_in("physical").unwrap();
        let lines = lines_of(template);
        let controls = device.local.all::<Control>();
        let walk = Start {
            name: template.name,
            lines: &lines,
            site: " Lisbon office ",
            me: None,
            today: "2026-07-01",
            now: "2026-07-01T09:00:00Z",
        };
        let set = start(&walk, &controls);
        assert_eq!(set.len(), 1 + template.checks.len());
        assert_eq!(set[0].kind, Kind::Audit);
        assert!(
            set[0]
                .fields
                .contains(&(Audit::location, Value::from("Lisbon office")))
        );
        assert_eq!(judged(&device, &set), Vec::new());
        apply(&mut device, &set);
        let audit: Audit = device.local.view(set[0].record).unwrap();
        assert_eq!(audit.status, Some(AuditStatus::InProgress));
        assert_eq!(
            audits::checks_of(&device.local, audit.id).len(),
            template.checks.len()
        );

        // A nonconforming check with a photo: the finding, and the photo supporting it.
        let check = set[1].record;
        let photo = RecordId::new();
        apply(
            &mut device,
            &[
                Edit {
                    record: check,
                    kind: Kind::AuditCheck,
                    fields: vec![(AuditCheck::result, Value::from(CheckResult::MinorNc))],
                },
                Edit {
                    record: photo,
                    kind: Kind::Evidence,
                    fields: vec![
                        (Evidence::title, Value::from("Propped door")),
                        (Evidence::sha256, Value::from("a".repeat(64))),
                        (Evidence::audit_checks, Value::List(vec![check.to_string()])),
                    ],
                },
            ],
        );
        let stored: AuditCheck = device.local.view(check).unwrap();
        let raised = raise(&device.local, &stored, &audit, "2026-07-01T09:30:00Z");
        assert_eq!(raised.len(), 2, "the finding and the photo");
        assert_eq!(raised[0].kind, Kind::Finding);
        assert_eq!(
            raised[1].fields,
            [(
                Evidence::findings,
                Value::List(vec![raised[0].record.to_string()])
            )]
        );
        assert_eq!(judged(&device, &raised), Vec::new());
    }

    #[test]
    fn built_in_templates_name_real_controls_and_read_back_from_their_lines() {
        for template in BUILT_IN {
            assert!(!template.checks.is_empty(), "{}", template.name);
            for check in template.checks {
                assert!(
                    catalogue::annex_control(check.reference).is_some(),
                    "{} names {}",
                    template.name,
                    check.reference
                );
                let (reference, question) = parse_line(&line(check.reference, check.question));
                assert_eq!(
                    (reference.as_str(), question.as_str()),
                    (check.reference, check.question)
                );
            }
        }
        assert_eq!(built_in("physical").map(|t| t.checks.len()), Some(20));
        assert_eq!(
            parse_line("  Is the fire door shut?  "),
            (String::new(), "Is the fire door shut?".to_owned())
        );
        assert_eq!(parse_line("A.7.1"), ("A.7.1".to_owned(), String::new()));
        assert_eq!(
            parse_line("Fire door: shut?"),
            (String::new(), "Fire door: shut?".to_owned())
        );
    }

    #[test]
    fn a_walkthrough_starts_with_the_template_s_checks_against_the_organisation_s_controls() {
        let mut f = Fixture::new();
        let entry = f.add(
            Kind::Control,
            &[
                ("reference", text("A.7.2")),
                ("title", text("Physical entry")),
            ],
        );
        let lines = vec![
            "A.7.2 Is every visitor signed in?".to_owned(),
            "Is the kitchen door shut?".to_owned(),
            "A.7.4 Are the cameras on?".to_owned(),
        ];
        let checks = checks_from(&lines, &f.register().all::<Control>());
        let got: Vec<(&str, &str, Option<RecordId>)> = checks
            .iter()
            .map(|c| (c.reference.as_str(), c.question.as_str(), c.control))
            .collect();
        assert_eq!(
            got,
            [
                ("A.7.2", "Is every visitor signed in?", Some(entry)),
                ("", "Is the kitchen door shut?", None),
                ("A.7.4", "Are the cameras on?", None),
            ]
        );
    }

    #[test]
    fn a_template_needs_checks_with_questions() {
        let spec = Kind::WalkthroughTemplate.spec();
        let template = |lines: Vec<&str>| {
            vec![
                (WalkthroughTemplate::name, Value::from("Warehouse")),
                (
                    WalkthroughTemplate::checks,
                    Value::List(lines.into_iter().map(str::to_owned).collect()),
                ),
            ]
        };
        assert!(
            spec.check_new(&template(vec!["A.7.1 Fence intact?"]), &Nothing)
                .is_ok()
        );
        for bad in [vec![], vec!["A.7.1"], vec!["Fine?", "   "]] {
            let refused = spec
                .check_new(&template(bad.clone()), &Nothing)
                .unwrap_err();
            assert!(
                refused
                    .iter()
                    .any(|e| e.field == WalkthroughTemplate::checks),
                "{bad:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn a_walkthrough_resumes_where_it_was_left() {
        let mut f = Fixture::new();
        let audit = f.add(
            Kind::Audit,
            &[("title", text("Walk")), ("audit_type", text("walkthrough"))],
        );
        for (position, result) in [(0, "conforming"), (1, "minor_nc"), (2, ""), (3, "")] {
            let mut fields = vec![
                ("audit", link(audit)),
                ("question", text("?")),
                ("position", Value::Int(position)),
            ];
            if !result.is_empty() {
                fields.push(("result", text(result)));
            }
            f.add(Kind::AuditCheck, &fields);
        }
        let checks = audits::checks_of(f.register(), audit);
        assert_eq!(resume_at(&checks, None), 2, "the first unanswered");
        assert_eq!(resume_at(&checks, Some(1)), 1, "where it was left");
        assert_eq!(resume_at(&checks, Some(9)), 2, "a place it no longer has");
        assert_eq!(resume_at(&[], None), 0);
        assert_eq!(Answer::of(checks[1].result), Some(Answer::Nonconforming));
        assert_eq!(Answer::Nonconforming.result(), CheckResult::MinorNc);

        let walk = f.register().view::<Audit>(audit).unwrap();
        let fields = finding_from(&checks[1], &walk, "2026-12-04T10:00:00Z");
        assert!(
            !fields.iter().any(|(f, _)| *f == Finding::location),
            "no site named"
        );
        f.set(audit, Kind::Audit, &[("location", text("Leeds warehouse"))]);
        let walk = f.register().view::<Audit>(audit).unwrap();
        let fields = finding_from(&checks[1], &walk, "2026-12-04T10:00:00Z");
        let get = |name| {
            fields
                .iter()
                .find(|(f, _)| *f == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get(Finding::location), Some(text("Leeds warehouse")));
        assert_eq!(
            get(Finding::audit_check),
            Some(Value::Text(checks[1].id.to_string()))
        );
        assert_eq!(get(Finding::finding_type), Some(text("minor_nc")));
    }
}
