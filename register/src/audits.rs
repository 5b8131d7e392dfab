//! Internal audits (clause 9.2): building a checklist from the catalogue, an audit's
//! progress, independence, and the programme's coverage of the clauses and Annex A themes
//! over the last 12 months, with the areas that are due.

use crate::choices::{AuditStatus, AuditType, CheckResult, FindingStatus};
use crate::{
    Kind, RecordId, Replica, Value,
    catalogue::{self, ANNEX_A, CLAUSES, Theme, annex_control},
    dates,
    gate::Edit,
    rules::{EVERY_FIELD, Lookup, RecordRule, text_of},
    schema::DELETED,
    views::{Audit, AuditCheck, Control, Finding, Risk},
};
use chrono::Datelike;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const RULES: &[RecordRule] = &[
    RecordRule {
        kind: Kind::AuditCheck,
        fields: &[AuditCheck::reference],
        field: AuditCheck::reference,
        message: "The requirement must be a clause (such as 9.2.2) or an Annex A control (such as A.5.15) of ISO/IEC 27001:2022.",
        holds: |s| {
            let reference = s.text(AuditCheck::reference);
            reference.is_empty() || catalogue::requirement(&reference).is_some()
        },
    },
    // A reported audit's checklist is what the report says: no check joins, leaves or changes.
    RecordRule {
        kind: Kind::AuditCheck,
        fields: EVERY_FIELD,
        field: AuditCheck::result,
        message: CHECKS_REPORTED,
        holds: |s| {
            s.named(AuditCheck::audit)
                .into_iter()
                .all(|audit| !names_reported(&text_of(s.before.field(audit, Audit::status))))
        },
    },
    RecordRule {
        kind: Kind::Audit,
        fields: REPORTED_FIELDS,
        field: Audit::scope,
        message: "This audit is reported: its scope, team, dates and conclusion stay as reported.",
        holds: |s| !names_reported(&s.was(Audit::status)),
    },
    RecordRule {
        kind: Kind::Audit,
        fields: &[Audit::status],
        field: Audit::status,
        message: "A reported audit stays reported: it can only be closed.",
        holds: |s| !names_reported(&s.was(Audit::status)) || names_reported(&s.text(Audit::status)),
    },
];

/// Why a reported audit's checks do not change.
pub const CHECKS_REPORTED: &str = "This audit is reported: its checks and results stay as reported. Record anything new in a finding or the next audit.";

/// What a report states of an audit, which no longer changes once it is reported.
const REPORTED_FIELDS: &[&str] = &[
    Audit::title,
    Audit::audit_type,
    Audit::location,
    Audit::scope,
    Audit::criteria,
    Audit::lead_auditor,
    Audit::auditors,
    Audit::auditees,
    Audit::planned_date,
    Audit::performed_date,
    Audit::conclusion,
    DELETED,
];

/// Reporting an audit: from then on its checks, results and scope stay as reported.
pub fn report(audit: RecordId) -> Edit {
    Edit {
        record: audit,
        kind: Kind::Audit,
        fields: vec![(Audit::status, Value::from(AuditStatus::Reported))],
    }
}

/// Acknowledging an audit's report on `today`, in `me`'s name (none in a register kept on one
/// device alone); only an owner or admin does.
pub fn acknowledge(audit: RecordId, me: Option<&str>, today: &str) -> Edit {
    let mut fields = vec![(Audit::acknowledged_at, Value::from(today))];
    if let Some(me) = me {
        fields.push((Audit::acknowledged_by, Value::from(me)));
    }
    Edit {
        record: audit,
        kind: Kind::Audit,
        fields,
    }
}

/// Adding `new` checks to the end of `audit`'s checklist (`existing`), leaving out any
/// against a clause or control it already checks; one change set, empty if all are there.
pub fn add_to_checklist(existing: &[AuditCheck], audit: RecordId, new: &[NewCheck]) -> Vec<Edit> {
    // After the last position in use (checks may have been deleted in between).
    let start = existing
        .iter()
        .filter_map(|c| c.position)
        .max()
        .map_or(0, |p| p + 1);
    let already = |check: &NewCheck| {
        existing.iter().any(|c| {
            (check.control.is_some() && c.control == check.control)
                || (!check.reference.is_empty()
                    && c.reference.as_deref() == Some(check.reference.as_str())
                    && c.control.is_none())
        })
    };
    new.iter()
        .filter(|c| !already(c))
        .enumerate()
        .map(|(i, check)| Edit {
            record: RecordId::new(),
            kind: Kind::AuditCheck,
            fields: check.fields(audit, start + i as i64),
        })
        .collect()
}

/// Recording a check's `result` at `now`, in `me`'s name (none in a register kept on one
/// device alone), in one change set with its audit's start: the first result puts a planned
/// audit in progress, performed `today` unless it is dated already.
pub fn record_result(
    audit: Option<&Audit>,
    check: RecordId,
    result: CheckResult,
    me: Option<&str>,
    now: &str,
    today: &str,
) -> Vec<Edit> {
    let mut fields = vec![
        (AuditCheck::result, Value::from(result)),
        (AuditCheck::checked_at, Value::from(now)),
    ];
    if let Some(me) = me {
        fields.push((AuditCheck::checked_by, Value::from(me)));
    }
    let mut set = vec![Edit {
        record: check,
        kind: Kind::AuditCheck,
        fields,
    }];
    if let Some(audit) = audit.filter(|a| matches!(a.status, None | Some(AuditStatus::Planned))) {
        let mut started = vec![(Audit::status, Value::from(AuditStatus::InProgress))];
        if audit.performed_date.is_none() {
            started.push((Audit::performed_date, Value::from(today)));
        }
        set.push(Edit {
            record: audit.id,
            kind: Kind::Audit,
            fields: started,
        });
    }
    set
}

/// Whether an audit's status says its report is out (reported, or closed after it).
pub fn is_reported(status: AuditStatus) -> bool {
    matches!(status, AuditStatus::Reported | AuditStatus::Closed)
}

/// Whether a stored status (as a rule reads it) says the report is out.
fn names_reported(status: &str) -> bool {
    AuditStatus::from_name(status).is_some_and(is_reported)
}

/// A check's result that says it has been checked.
pub fn is_checked(result: Option<CheckResult>) -> bool {
    !matches!(result, None | Some(CheckResult::NotChecked))
}

/// A check's result that shows a requirement examined: checked, and found applicable.
/// Only these count towards the programme's coverage.
pub fn counts_for_coverage(result: Option<CheckResult>) -> bool {
    is_checked(result) && result != Some(CheckResult::NotApplicable)
}

/// A check to add to a checklist: its question, and the clause or control it is against.
#[derive(Clone, PartialEq, Debug)]
pub struct NewCheck {
    pub question: String,
    pub reference: String,
    pub control: Option<RecordId>,
}

impl NewCheck {
    /// The fields of this check as the record at `position` in `audit`'s checklist, not yet
    /// checked.
    pub fn fields(&self, audit: RecordId, position: i64) -> Vec<(&'static str, crate::Value)> {
        use crate::Value;
        let mut fields = vec![
            (AuditCheck::audit, Value::Text(audit.to_string())),
            (AuditCheck::question, Value::Text(self.question.clone())),
            (AuditCheck::position, Value::Int(position)),
            (AuditCheck::result, Value::from(CheckResult::NotChecked)),
        ];
        if !self.reference.is_empty() {
            fields.push((AuditCheck::reference, Value::Text(self.reference.clone())));
        }
        if let Some(control) = self.control {
            fields.push((AuditCheck::control, Value::Text(control.to_string())));
        }
        fields
    }
}

/// One check per clause, its question asking for the evidence the clause calls for.
pub fn clause_checks(ids: &[&str]) -> Vec<NewCheck> {
    ids.iter()
        .filter_map(|id| catalogue::clause(id))
        .map(|clause| NewCheck {
            question: format!(
                "{}: how is this met, and what records show it?",
                clause.title
            ),
            reference: clause.id.to_owned(),
            control: None,
        })
        .collect()
}

/// One check per control, its question taken from the catalogue's guidance.
pub fn control_checks(controls: &[Control]) -> Vec<NewCheck> {
    let mut controls: Vec<&Control> = controls.iter().filter(|c| !c.deleted).collect();
    controls.sort_by_key(|c| catalogue::reference_key(c.reference.as_deref().unwrap_or_default()));
    controls
        .into_iter()
        .map(|control| {
            let reference = control.reference.clone().unwrap_or_default();
            let guidance = control
                .guidance
                .clone()
                .or_else(|| annex_control(&reference).map(|c| c.guidance.to_owned()))
                .unwrap_or_default();
            let title = control.title.clone().unwrap_or_default();
            let question = if guidance.is_empty() {
                format!("{title}: is the control in place and working?")
            } else {
                format!("{title}: {guidance} Is this done, and what shows it?")
            };
            NewCheck {
                question: question.chars().take(500).collect(),
                reference: if annex_control(&reference).is_some() {
                    reference
                } else {
                    String::new()
                },
                control: Some(control.id),
            }
        })
        .collect()
}

/// The controls of a theme, or every applicable control when `theme` is `None`.
pub fn controls_in(register: &Replica, theme: Option<Theme>) -> Vec<Control> {
    register
        .all::<Control>()
        .into_iter()
        .filter(|c| !c.deleted)
        .filter(|c| match theme {
            Some(theme) => c.theme == Some(theme.choice()),
            None => c.applicable != Some(false),
        })
        .collect()
}

/// Checks that re-check the findings still open from an earlier audit.
pub fn open_finding_checks(register: &Replica, previous: RecordId) -> Vec<NewCheck> {
    register
        .all::<Finding>()
        .into_iter()
        .filter(|f| !f.deleted && f.audit == Some(previous) && f.status != Some(FindingStatus::Closed))
        .map(|f| NewCheck {
            question: format!(
                "Re-check the open finding “{}”: has it been corrected, and does the evidence show it?",
                f.title.clone().unwrap_or_default()
            )
            .chars()
            .take(500)
            .collect(),
            // A finding's reference is free text; a check's must be in the catalogue.
            reference: f
                .reference
                .as_deref()
                .map(str::trim)
                .filter(|r| catalogue::requirement(r).is_some())
                .unwrap_or_default()
                .to_owned(),
            control: f.control,
        })
        .collect()
}

/// The checks of an audit, in checklist order.
pub fn checks_of(register: &Replica, audit: RecordId) -> Vec<AuditCheck> {
    let mut checks: Vec<AuditCheck> = register
        .linked(Kind::AuditCheck, AuditCheck::audit, audit)
        .into_iter()
        .filter_map(|id| register.view::<AuditCheck>(id))
        .filter(|c| !c.deleted)
        .collect();
    checks.sort_by_key(|c| (c.position.unwrap_or(i64::MAX), c.id));
    checks
}

/// How many of the checks have a result: "12 of 30 checked".
pub fn progress(checks: &[AuditCheck]) -> (usize, usize) {
    let checked = checks.iter().filter(|c| is_checked(c.result)).count();
    (checked, checks.len())
}

/// The number of checks with each result, in the order results are listed.
pub fn results(checks: &[AuditCheck]) -> Vec<(CheckResult, usize)> {
    CheckResult::ALL
        .iter()
        .map(|&option| {
            let count = checks
                .iter()
                .filter(|c| c.result.unwrap_or(CheckResult::NotChecked) == option)
                .count();
            (option, count)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Auditors of `audit` who own a control its checks are against: they would audit their
/// own work (9.2.2 b). Each as (member, control reference).
pub fn independence_conflicts(register: &Replica, audit: &Audit) -> Vec<(RecordId, String)> {
    let auditors: BTreeSet<RecordId> = audit
        .lead_auditor
        .into_iter()
        .chain(audit.auditors.clone().unwrap_or_default())
        .collect();
    let mut conflicts = BTreeSet::new();
    for check in checks_of(register, audit.id) {
        let Some(control) = check.control.and_then(|c| register.view::<Control>(c)) else {
            continue;
        };
        if let Some(owner) = control.owner.filter(|o| auditors.contains(o)) {
            conflicts.insert((owner, control.reference.unwrap_or_default()));
        }
    }
    conflicts.into_iter().collect()
}

/// An area the programme must cover: a clause of 4–10 or an Annex A theme.
#[derive(Clone, PartialEq, Debug)]
pub struct Area {
    /// `"9"` or `"A.5"`.
    pub id: String,
    pub title: String,
    /// The latest date it was audited in the last 12 months.
    pub last_audited: Option<String>,
    /// Why it is due for audit (empty when it is not).
    pub due: Vec<&'static str>,
}

/// The area a requirement reference falls in: `9.2.2` → `9`, `A.5.15` → `A.5`.
pub fn area_of(reference: &str) -> Option<String> {
    if let Some(rest) = reference.strip_prefix("A.") {
        let theme = rest.split('.').next()?;
        return Some(format!("A.{theme}"));
    }
    let clause = reference.split('.').next()?;
    CLAUSES
        .iter()
        .any(|c| c.id == clause)
        .then(|| clause.to_owned())
}

/// The date an audit counts from: when it was performed, or planned if not recorded.
fn audit_date(audit: &Audit) -> Option<String> {
    audit
        .performed_date
        .clone()
        .or_else(|| audit.planned_date.clone())
}

/// Coverage of the clauses 4–10 and the four Annex A themes by internal audits held in the 12
/// months before `today` (their results other than not applicable), with the areas due:
/// never audited in that time, holding open nonconformities, or (for themes) controls that
/// treat a high or critical residual risk.
pub fn coverage(register: &Replica, today: &str) -> Vec<Area> {
    let held = Held {
        controls: &register.all(),
        audits: &register.all(),
        checks: &register.all(),
        findings: &register.all(),
        risks: &register.all(),
        criteria: &crate::risk::Criteria::read(register),
    };
    coverage_of(today, &held)
}

/// The records coverage reads, viewed once by a caller that has them (the indicators).
pub struct Held<'a> {
    pub controls: &'a [Control],
    pub audits: &'a [Audit],
    pub checks: &'a [AuditCheck],
    pub findings: &'a [Finding],
    pub risks: &'a [Risk],
    pub criteria: &'a crate::risk::Criteria,
}

/// `coverage` over records already viewed.
pub fn coverage_of(today: &str, records: &Held) -> Vec<Area> {
    let since = dates::date(today)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(12)))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let held: BTreeMap<RecordId, String> = records
        .audits
        .iter()
        .filter(|a| {
            !a.deleted && a.audit_type.unwrap_or(AuditType::Internal) == AuditType::Internal
        })
        .filter(|a| {
            matches!(
                a.status,
                Some(AuditStatus::InProgress | AuditStatus::Reported | AuditStatus::Closed)
            )
        })
        .filter_map(|a| {
            let date = audit_date(a)?;
            (date.as_str() >= since.as_str() && date.as_str() <= today).then_some((a.id, date))
        })
        .collect();
    let references: HashMap<RecordId, &str> = records
        .controls
        .iter()
        .filter_map(|c| Some((c.id, c.reference.as_deref()?)))
        .collect();
    let control_reference = |id: Option<RecordId>| references.get(&id?).map(|r| (*r).to_owned());
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for check in records.checks {
        if check.deleted || !counts_for_coverage(check.result) {
            continue;
        }
        let Some(date) = check.audit.and_then(|a| held.get(&a)) else {
            continue;
        };
        let references = [check.reference.clone(), control_reference(check.control)];
        for area in references.iter().flatten().filter_map(|r| area_of(r)) {
            let entry = last.entry(area).or_default();
            if *entry < *date {
                *entry = date.clone();
            }
        }
    }
    let mut open_nc: BTreeSet<String> = BTreeSet::new();
    for finding in records.findings {
        let open = !finding.deleted && finding.status != Some(FindingStatus::Closed);
        if open
            && finding
                .finding_type
                .is_some_and(crate::findings::is_nonconformity)
        {
            let references = [
                finding.reference.clone(),
                control_reference(finding.control),
            ];
            open_nc.extend(references.iter().flatten().filter_map(|r| area_of(r)));
        }
    }
    let mut high_risk: BTreeSet<String> = BTreeSet::new();
    for risk in records.risks {
        let high = risk
            .current_score()
            .is_some_and(|s| records.criteria.is_high(s));
        if !risk.deleted && high {
            for control in risk.controls.clone().unwrap_or_default() {
                high_risk.extend(control_reference(Some(control)).and_then(|r| area_of(&r)));
            }
        }
    }
    let clauses = CLAUSES
        .iter()
        .filter(|c| !c.id.contains('.'))
        .map(|c| (c.id.to_owned(), format!("{} {}", c.id, c.title)));
    let themes = Theme::ALL.iter().map(|t| {
        let count = ANNEX_A.iter().filter(|c| c.theme == *t).count();
        (
            format!("A.{}", t.section()),
            format!(
                "A.{} {} controls ({count})",
                t.section(),
                crate::schema::choice_words(t.value())
            ),
        )
    });
    clauses
        .chain(themes)
        .map(|(id, title)| {
            let last_audited = last.get(&id).cloned();
            let mut due = Vec::new();
            if last_audited.is_none() {
                due.push("not audited in the last 12 months");
            }
            if open_nc.contains(&id) {
                due.push("open nonconformities");
            }
            if high_risk.contains(&id) {
                due.push("treats a high residual risk");
            }
            Area {
                id,
                title,
                last_audited,
                due,
            }
        })
        .collect()
}

/// The audits planned or held in the 12 months from the start of `today`'s month, by month
/// (`YYYY-MM`), for the programme's calendar.
pub fn programme(register: &Replica, today: &str) -> Vec<(String, Vec<Audit>)> {
    let Some(start) = dates::date(today).and_then(|d| d.with_day0(0)) else {
        return Vec::new();
    };
    let months: Vec<String> = (0..12)
        .filter_map(|m| dates::add_months(start, m))
        .map(|d| d.format("%Y-%m").to_string())
        .collect();
    let audits: Vec<Audit> = register
        .all::<Audit>()
        .into_iter()
        .filter(|a| !a.deleted)
        .collect();
    months
        .into_iter()
        .map(|month| {
            let mut in_month: Vec<Audit> = audits
                .iter()
                .filter(|a| audit_date(a).is_some_and(|d| d.starts_with(&month)))
                .cloned()
                .collect();
            in_month.sort_by_key(audit_date);
            (month, in_month)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Value, rules::Nothing, sync::Device};

    fn edit(device: &mut Device, id: RecordId, kind: Kind, fields: &[(&str, Value)]) {
        for (field, value) in fields {
            device.edit(id, kind, field, value.clone(), 1);
        }
    }

    #[test]
    fn checks_are_added_after_the_last_and_never_twice() {
        let audit = RecordId::new();
        let new = clause_checks(&["9.2.2", "6.1.1"]);
        let first = add_to_checklist(&[], audit, &new);
        assert_eq!(first.len(), 2);
        assert!(
            first[1]
                .fields
                .contains(&(AuditCheck::position, Value::Int(1)))
        );
        let mut device = Device::new(ClientId::new());
        for set in &first {
            edit(&mut device, set.record, set.kind, &set.fields);
        }
        let existing = checks_of(&device.local, audit);
        let again = add_to_checklist(&existing, audit, &clause_checks(&["6.1.1", "7.5.3"]));
        assert_eq!(again.len(), 1, "6.1.1 is on the checklist already");
        assert!(
            again[0]
                .fields
                .contains(&(AuditCheck::position, Value::Int(2)))
        );
    }

    #[test]
    fn the_first_result_starts_its_audit_in_the_same_change_set() {
        let mut device = Device::new(ClientId::new());
        let (audit, check) = (RecordId::new(), RecordId::new());
        edit(
            &mut device,
            audit,
            Kind::Audit,
            &[
                (Audit::title, "Internal audit".into()),
                (Audit::audit_type, AuditType::Internal.into()),
                (Audit::status, AuditStatus::Planned.into()),
            ],
        );
        let planned: Audit = device.local.view(audit).unwrap();
        let set = record_result(
            Some(&planned),
            check,
            CheckResult::Conforming,
            Some("ada"),
            "2026-07-01T10:00:00Z",
            "2026-07-01",
        );
        assert_eq!(set.len(), 2);
        assert_eq!(
            set[0].fields,
            [
                (AuditCheck::result, Value::from(CheckResult::Conforming)),
                (AuditCheck::checked_at, Value::from("2026-07-01T10:00:00Z")),
                (AuditCheck::checked_by, Value::from("ada")),
            ]
        );
        assert_eq!(
            set[1].fields,
            [
                (Audit::status, Value::from(AuditStatus::InProgress)),
                (Audit::performed_date, Value::from("2026-07-01")),
            ]
        );
        // Once the audit is under way, a result is the check's change alone.
        edit(
            &mut device,
            audit,
            Kind::Audit,
            &[(Audit::status, AuditStatus::InProgress.into())],
        );
        let started: Audit = device.local.view(audit).unwrap();
        let later = record_result(Some(&started), check, CheckResult::MinorNc, None, "t", "d");
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].fields.len(), 2, "no one to name on a device alone");
    }

    #[test]
    fn a_check_names_a_clause_or_control_of_the_standard() {
        let spec = Kind::AuditCheck.spec();
        let check = |reference: &str| {
            spec.check_new(
                &[
                    (AuditCheck::audit, RecordId::new().to_string().into()),
                    (AuditCheck::question, "Is it done?".into()),
                    (AuditCheck::reference, reference.into()),
                ],
                &Nothing,
            )
        };
        assert!(check("9.2.2").is_ok());
        assert!(check("A.5.15").is_ok());
        assert!(check("7.5.3").is_ok(), "sub-clauses the catalogue gained");
        assert_eq!(check("A.9.9").unwrap_err()[0].field, "reference");
        assert!(check("11").is_err());
    }

    #[test]
    fn checklists_are_built_from_clauses_controls_and_open_findings() {
        let clauses = clause_checks(&["9.2.2", "nope", "6.1.1"]);
        assert_eq!(clauses.len(), 2);
        assert_eq!(clauses[0].reference, "9.2.2");
        assert!(
            clauses[0]
                .question
                .starts_with("Internal audit programme: ")
        );

        let mut device = Device::new(ClientId::new());
        catalogue::seed_controls(&mut device, "org", 1);
        let physical = controls_in(&device.local, Some(Theme::Physical));
        assert_eq!(physical.len(), 14);
        let checks = control_checks(&physical);
        assert_eq!(checks[0].reference, "A.7.1");
        assert_eq!(checks[1].reference, "A.7.2");
        assert!(checks[13].reference == "A.7.14" && checks[13].control.is_some());
        assert!(checks.iter().all(|c| c.question.chars().count() <= 500));
        assert_eq!(controls_in(&device.local, None).len(), 93);

        let (audit, open, closed) = (RecordId::new(), RecordId::new(), RecordId::new());
        for (id, status) in [(open, "analysing"), (closed, "closed")] {
            edit(
                &mut device,
                id,
                Kind::Finding,
                &[
                    (Finding::title, "Visitor book missing".into()),
                    (Finding::finding_type, "minor_nc".into()),
                    (Finding::status, status.into()),
                    (Finding::audit, audit.to_string().into()),
                    (Finding::reference, "A.7.2".into()),
                ],
            );
        }
        let rechecks = open_finding_checks(&device.local, audit);
        assert_eq!(rechecks.len(), 1);
        assert!(rechecks[0].question.contains("Visitor book missing"));
    }

    #[test]
    fn progress_counts_checks_with_a_result() {
        let mut device = Device::new(ClientId::new());
        let audit = RecordId::new();
        for (position, result) in [(2, "conforming"), (0, "not_checked"), (1, "minor_nc")] {
            edit(
                &mut device,
                RecordId::new(),
                Kind::AuditCheck,
                &[
                    (AuditCheck::audit, audit.to_string().into()),
                    (AuditCheck::question, format!("Q{position}").into()),
                    (AuditCheck::position, Value::Int(position)),
                    (AuditCheck::result, result.into()),
                ],
            );
        }
        let checks = checks_of(&device.local, audit);
        let questions: Vec<_> = checks.iter().map(|c| c.question.clone().unwrap()).collect();
        assert_eq!(questions, ["Q0", "Q1", "Q2"]);
        assert_eq!(progress(&checks), (2, 3));
        assert_eq!(
            results(&checks),
            [
                (CheckResult::NotChecked, 1),
                (CheckResult::Conforming, 1),
                (CheckResult::MinorNc, 1)
            ]
        );
    }

    #[test]
    fn coverage_flags_areas_never_audited_with_open_nonconformities_or_high_risk() {
        let mut device = Device::new(ClientId::new());
        catalogue::seed_controls(&mut device, "org", 1);
        let (recent, old) = (RecordId::new(), RecordId::new());
        for (id, date) in [(recent, "2026-10-01"), (old, "2025-06-01")] {
            edit(
                &mut device,
                id,
                Kind::Audit,
                &[
                    (Audit::title, "Audit".into()),
                    (Audit::audit_type, "internal".into()),
                    (Audit::status, "reported".into()),
                    (Audit::performed_date, date.into()),
                ],
            );
        }
        let check = |device: &mut Device, audit: RecordId, reference: &str| {
            edit(
                device,
                RecordId::new(),
                Kind::AuditCheck,
                &[
                    (AuditCheck::audit, audit.to_string().into()),
                    (AuditCheck::question, "Q".into()),
                    (AuditCheck::reference, reference.into()),
                    (AuditCheck::result, "conforming".into()),
                ],
            );
        };
        check(&mut device, recent, "9.2.2");
        check(&mut device, recent, "A.7.4");
        check(&mut device, old, "6.1.2");
        let finding = RecordId::new();
        edit(
            &mut device,
            finding,
            Kind::Finding,
            &[
                (Finding::title, "Risk method not followed".into()),
                (Finding::finding_type, "major_nc".into()),
                (Finding::status, "analysing".into()),
                (Finding::reference, "6.1.2".into()),
            ],
        );
        let risk = RecordId::new();
        edit(
            &mut device,
            risk,
            Kind::Risk,
            &[
                (Risk::title, "Ransomware".into()),
                (Risk::inherent_likelihood, Value::Int(5)),
                (Risk::inherent_impact, Value::Int(5)),
                (Risk::residual_likelihood, Value::Int(4)),
                (Risk::residual_impact, Value::Int(4)),
                (
                    Risk::controls,
                    Value::List(vec![catalogue::control_id("org", "A.8.13").to_string()]),
                ),
            ],
        );
        let areas = coverage(&device.local, "2026-11-29");
        let area = |id: &str| areas.iter().find(|a| a.id == id).unwrap().clone();
        assert_eq!(areas.len(), 11);
        assert_eq!(area("9").last_audited.as_deref(), Some("2026-10-01"));
        assert!(area("9").due.is_empty());
        assert_eq!(area("A.7").last_audited.as_deref(), Some("2026-10-01"));
        assert_eq!(
            area("6").last_audited,
            None,
            "audited more than 12 months ago"
        );
        assert_eq!(
            area("6").due,
            ["not audited in the last 12 months", "open nonconformities"]
        );
        assert_eq!(
            area("A.8").due,
            [
                "not audited in the last 12 months",
                "treats a high residual risk"
            ]
        );
        assert_eq!(area("A.5").title, "A.5 Organizational controls (37)");
    }

    #[test]
    fn an_auditor_who_owns_a_control_in_scope_is_flagged() {
        let mut device = Device::new(ClientId::new());
        catalogue::seed_controls(&mut device, "org", 1);
        let (auditor, audit) = (RecordId::new(), RecordId::new());
        let control = catalogue::control_id("org", "A.5.15");
        edit(
            &mut device,
            control,
            Kind::Control,
            &[(Control::owner, auditor.to_string().into())],
        );
        edit(
            &mut device,
            audit,
            Kind::Audit,
            &[
                (Audit::title, "Access".into()),
                (Audit::audit_type, "internal".into()),
                (Audit::lead_auditor, auditor.to_string().into()),
            ],
        );
        edit(
            &mut device,
            RecordId::new(),
            Kind::AuditCheck,
            &[
                (AuditCheck::audit, audit.to_string().into()),
                (AuditCheck::question, "Q".into()),
                (AuditCheck::control, control.to_string().into()),
            ],
        );
        let audit: Audit = device.local.view(audit).unwrap();
        assert_eq!(
            independence_conflicts(&device.local, &audit),
            [(auditor, "A.5.15".to_owned())]
        );
    }

    #[test]
    fn the_programme_lists_twelve_months_of_audits() {
        let mut device = Device::new(ClientId::new());
        edit(
            &mut device,
            RecordId::new(),
            Kind::Audit,
            &[
                (Audit::title, "ISMS audit".into()),
                (Audit::audit_type, "internal".into()),
                (Audit::planned_date, "2027-02-10".into()),
            ],
        );
        let months = programme(&device.local, "2026-11-29");
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].0, "2026-11");
        assert_eq!(months[3].0, "2027-02");
        assert_eq!(months[3].1.len(), 1);
        assert_eq!(area_of("A.5.15").as_deref(), Some("A.5"));
        assert_eq!(area_of("10.2").as_deref(), Some("10"));
        assert_eq!(area_of("12"), None);
    }
}
