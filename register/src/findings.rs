//! The nonconformity register (clause 10.2) and its actions: the workflow a finding follows
//! from raised to closed, the rules that keep a nonconformity from closing before its cause
//! is known and its corrective action proven effective, and where findings come from.

use crate::choices::{
    ActionStatus, ActionType, CheckResult, EventType, FindingSource, FindingStatus, FindingType,
    Verdict,
};
use crate::{
    Kind, RecordId, Replica, Role, Value, dates,
    gate::Edit,
    rules::{EVERY_FIELD, Linked, Lookup, RecordRule, Subject},
    schema::{DELETED, SHORT_TEXT_MAX_CHARS, choice_words},
    views::{Action, AuditCheck, Event, Finding},
};

/// Days after an action is done that its effectiveness is checked, unless set otherwise:
/// long enough for the fix to have been tested by ordinary work.
pub const CHECK_AFTER_DAYS: u64 = 30;

/// When the effectiveness of an action completed on `completed` (`YYYY-MM-DD`) is checked.
pub fn check_due(completed: &str) -> Option<String> {
    let date = dates::date(completed)?.checked_add_days(chrono::Days::new(CHECK_AFTER_DAYS))?;
    Some(date.to_string())
}

/// Whether a finding of this type is a nonconformity (major or minor), which closes only
/// through root cause, corrective action and verification; observations and opportunities
/// for improvement close with a decision.
pub fn is_nonconformity(finding_type: FindingType) -> bool {
    matches!(finding_type, FindingType::MajorNc | FindingType::MinorNc)
}

/// Whether a stored finding type (as a rule reads it) is a nonconformity's.
fn names_a_nonconformity(finding_type: &str) -> bool {
    FindingType::from_name(finding_type).is_some_and(is_nonconformity)
}

/// The status after `status` in the workflow (the order of `FindingStatus::ALL`); none after
/// closed.
pub fn next_status(status: FindingStatus) -> Option<FindingStatus> {
    let at = FindingStatus::ALL.iter().position(|s| *s == status)?;
    FindingStatus::ALL.get(at + 1).copied()
}

/// Whether a stored status (as a rule reads it; empty before one is set) is among `statuses`.
fn status_among(status: &str, statuses: &[FindingStatus]) -> bool {
    status.is_empty() || FindingStatus::from_name(status).is_some_and(|s| statuses.contains(&s))
}

fn closing_a_nonconformity(s: &Subject) -> bool {
    s.text(Finding::status) == FindingStatus::Closed.name()
        && names_a_nonconformity(&s.text(Finding::finding_type))
}

/// The actions of a finding as they will be, deleted ones left out.
fn actions<'a>(s: &'a Subject) -> Vec<Linked<'a>> {
    s.linked(Kind::Action, Action::finding)
}

fn corrective(action: &Linked) -> bool {
    action.text(Action::action_type) == ActionType::Corrective.name()
}

/// Whether an action was found effective by someone who neither owns it nor marked it done.
fn verified_effective(action: &Linked) -> bool {
    let verifier = action.text(Action::verified_by);
    action.text(Action::effective) == Verdict::Effective.name()
        && !verifier.is_empty()
        && verifier != action.text(Action::owner)
        && verifier != action.text(Action::completed_by)
}

/// Statuses a finding is in before its actions are under way: where an action found not
/// effective sends it back to.
const BEFORE_IMPLEMENTING: &[FindingStatus] = &[
    FindingStatus::Open,
    FindingStatus::Correction,
    FindingStatus::Analysing,
    FindingStatus::ActionsPlanned,
];

/// Statuses in which a finding's type may still change: before its cause is analysed.
const BEFORE_ANALYSIS: &[FindingStatus] = &[FindingStatus::Open, FindingStatus::Correction];

/// The fields whose change has the closing rules checked; the closing date is among them,
/// so a refused closure does not leave its date behind.
const WORKFLOW: &[&str] = &[Finding::status, Finding::finding_type, Finding::closed_at];

pub const RULES: &[RecordRule] = &[
    RecordRule {
        kind: Kind::Finding,
        fields: &[
            Finding::status,
            Finding::finding_type,
            Finding::closed_at,
            Finding::root_cause,
        ],
        field: Finding::root_cause,
        message: "A nonconformity cannot close without a root cause: say why it happened.",
        holds: |s| !closing_a_nonconformity(s) || !s.text(Finding::root_cause).is_empty(),
    },
    RecordRule {
        kind: Kind::Finding,
        fields: WORKFLOW,
        field: Finding::status,
        message: "A nonconformity cannot close without a corrective action: add one that removes the cause.",
        holds: |s| {
            !closing_a_nonconformity(s)
                || actions(s).iter().any(|a| {
                    corrective(a) && a.text(Action::status) != ActionStatus::Cancelled.name()
                })
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: WORKFLOW,
        field: Finding::status,
        message: "A nonconformity cannot close while one of its actions is still open: finish or cancel each.",
        holds: |s| {
            !closing_a_nonconformity(s)
                || actions(s).iter().all(|a| {
                    matches!(
                        ActionStatus::from_name(&a.text(Action::status)),
                        Some(ActionStatus::Done | ActionStatus::Cancelled)
                    )
                })
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: WORKFLOW,
        field: Finding::status,
        message: "A nonconformity closes only once its corrective action has been verified effective by someone other than its owner.",
        holds: |s| {
            if !closing_a_nonconformity(s) {
                return true;
            }
            let actions = actions(s);
            let done: Vec<&Linked> = actions
                .iter()
                .filter(|a| corrective(a) && a.text(Action::status) == ActionStatus::Done.name())
                .collect();
            done.iter().any(|a| verified_effective(a))
                && done.iter().all(|a| !a.text(Action::effective).is_empty())
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[
            Finding::status,
            Finding::finding_type,
            Finding::closed_at,
            Finding::decision,
        ],
        field: Finding::decision,
        message: "An observation or opportunity for improvement closes with a decision: say what was decided and why.",
        holds: |s| {
            s.text(Finding::status) != FindingStatus::Closed.name()
                || names_a_nonconformity(&s.text(Finding::finding_type))
                || !s.text(Finding::decision).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[Finding::status],
        field: Finding::reopen_reason,
        message: "A closed finding reopens only with a reason: say why it is reopened.",
        holds: |s| {
            s.was(Finding::status) != FindingStatus::Closed.name()
                || s.text(Finding::status) == FindingStatus::Closed.name()
                || (s.changed(Finding::reopen_reason) && !s.text(Finding::reopen_reason).is_empty())
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: EVERY_FIELD,
        field: Finding::status,
        message: "This finding is closed: reopen it, with a reason, before changing it.",
        holds: |s| {
            s.was(Finding::status) != FindingStatus::Closed.name()
                || s.text(Finding::status) != FindingStatus::Closed.name()
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[Finding::finding_type],
        field: Finding::finding_type,
        message: "A finding's type changes only before its cause is analysed: raise a new finding instead.",
        holds: |s| {
            s.was(Finding::finding_type).is_empty()
                || status_among(&s.was(Finding::status), BEFORE_ANALYSIS)
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[Finding::status, Finding::owner, Finding::finding_type],
        field: Finding::owner,
        message: "A nonconformity needs an owner before work on it starts: name who is responsible.",
        holds: |s| {
            !names_a_nonconformity(&s.text(Finding::finding_type))
                || status_among(&s.text(Finding::status), &[FindingStatus::Open])
                || !s.text(Finding::owner).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[DELETED, Finding::deletion_reason],
        field: Finding::deletion_reason,
        message: "A finding is deleted only with a reason, which the log keeps: say why it is deleted.",
        holds: |s| {
            s.get(DELETED).and_then(|v| v.as_bool()) != Some(true)
                || !s.text(Finding::deletion_reason).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Action,
        // The result is part of the verification: refused with its verifier, it does not
        // stay behind without one.
        fields: &[Action::verified_by, Action::owner, Action::effective],
        field: Action::verified_by,
        message: "The verifier may not be the action's owner: someone else checks that it worked.",
        holds: |s| {
            let (verifier, owner) = (s.text(Action::verified_by), s.text(Action::owner));
            verifier.is_empty() || verifier != owner
        },
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::verified_by, Action::completed_by, Action::effective],
        field: Action::verified_by,
        message: "The verifier may not be the one who marked the action done: someone else checks that it worked.",
        holds: |s| {
            let verifier = s.text(Action::verified_by);
            verifier.is_empty() || verifier != s.text(Action::completed_by)
        },
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::effective, Action::verified_by],
        field: Action::verified_by,
        message: "Say who verified the action's effectiveness.",
        holds: |s| s.text(Action::effective).is_empty() || !s.text(Action::verified_by).is_empty(),
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::effective, Action::verified_by, Action::owner],
        field: Action::owner,
        message: "An action is verified only once it has an owner: name who is responsible for it.",
        holds: |s| s.text(Action::effective).is_empty() || !s.text(Action::owner).is_empty(),
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::owner],
        field: Action::owner,
        message: "This action's effectiveness is verified: its owner stays as verified. Raise a new action for new work.",
        holds: |s| {
            let verifying =
                !s.text(Action::effective).is_empty() && !s.was(Action::owner).is_empty();
            !s.changed(Action::owner) || (s.was(Action::effective).is_empty() && !verifying)
        },
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::effective],
        field: Action::effective,
        message: "An action found not effective sends its finding back for a follow-up action: move the finding to “actions planned”.",
        holds: |s| {
            s.text(Action::effective) != Verdict::NotEffective.name()
                || s.named(Action::finding).into_iter().all(|finding| {
                    status_among(&s.other(finding, Finding::status), BEFORE_IMPLEMENTING)
                })
        },
    },
    RecordRule {
        kind: Kind::Action,
        fields: &[Action::effective, Action::status],
        field: Action::effective,
        message: "An action's effectiveness is verified once the action is done.",
        holds: |s| {
            s.text(Action::effective).is_empty()
                || s.text(Action::status) == ActionStatus::Done.name()
        },
    },
    // A closed finding's proof stays as it was closed on: its actions do not change (nor
    // move, nor go) until it is reopened, with a reason, or closed again in the same change.
    RecordRule {
        kind: Kind::Action,
        fields: &[
            Action::finding,
            Action::action_type,
            Action::owner,
            Action::status,
            Action::effective,
            Action::verified_by,
            DELETED,
        ],
        field: Action::finding,
        message: "This action's finding is closed: reopen the finding, with a reason, before changing its actions.",
        holds: |s| {
            s.named(Action::finding).into_iter().all(|finding| {
                s.other(finding, Finding::status) != FindingStatus::Closed.name()
                    || s.other_changes(finding, Finding::status)
            })
        },
    },
];

/// Marking an action done at `now` (RFC 3339), in `me`'s name (none in a register kept on one
/// device alone): its effectiveness check falls due `CHECK_AFTER_DAYS` after `today` unless
/// a date is set already.
pub fn mark_done(action: &Action, me: Option<&str>, now: &str, today: &str) -> Edit {
    let mut fields = vec![
        (Action::status, Value::from(ActionStatus::Done)),
        (Action::completed_at, Value::from(now)),
    ];
    if let Some(me) = me {
        fields.push((Action::completed_by, Value::from(me)));
    }
    if action.check_due.is_none()
        && let Some(due) = check_due(today)
    {
        fields.push((Action::check_due, Value::Text(due)));
    }
    Edit {
        record: action.id,
        kind: Kind::Action,
        fields,
    }
}

/// Why `me` (with `role`) may not record on `today` whether `action` worked, if they may
/// not: an action is verified once done and owned, by someone who neither owns it nor marked
/// it done, from its check's due date (an owner or admin may check earlier, with a reason:
/// `checked_early`). In a register kept on one device alone (`me` is none) the people are
/// not checked.
pub fn verification_barred(
    action: &Action,
    me: Option<&str>,
    role: Role,
    today: &str,
) -> Option<String> {
    let is_me = |who: Option<RecordId>| me.is_some() && who.map(|w| w.to_string()).as_deref() == me;
    let barred = if action.status != Some(ActionStatus::Done) {
        "An action's effectiveness is verified once the action is done."
    } else if action.owner.is_none() {
        "This action has no owner: name who is responsible before its effectiveness is checked."
    } else if is_me(action.owner) {
        "You own this action: someone else checks that it worked."
    } else if is_me(action.completed_by) {
        "You marked this action done: someone else checks that it worked."
    } else if checked_early(action, today) && !role.manages_members() {
        return Some(checked_from(
            action.check_due.as_deref().unwrap_or_default(),
        ));
    } else {
        return None;
    };
    Some(barred.to_owned())
}

/// Whether checking `action` on `today` would be before its check's due date.
pub fn checked_early(action: &Action, today: &str) -> bool {
    before_due(action.check_due.as_deref().unwrap_or_default(), today)
}

/// Whether `today` comes before an effectiveness check's `due` date (none: never).
pub fn before_due(due: &str, today: &str) -> bool {
    !due.is_empty() && today < due
}

/// Why an effectiveness check due on `due` is not recorded yet, to whoever may not record
/// it early.
pub fn checked_from(due: &str) -> String {
    format!(
        "This action's effectiveness is checked from {due}, once ordinary work has tested the fix; an owner or admin may check it earlier, with a reason."
    )
}

/// What was found when checking that an action worked.
pub struct Verification<'a> {
    pub result: Verdict,
    pub method: &'a str,
    pub seen: &'a str,
    /// Why it is checked before its due date, where it is (empty otherwise).
    pub early_reason: &'a str,
}

/// Recording whether `action` worked, at `now`, in `me`'s name. An action found not effective
/// sends its finding (as `register` holds it) back to "actions planned" for a follow-up
/// action, reopened with the reason if it was closed.
pub fn verify(
    register: &Replica,
    action: &Action,
    me: Option<&str>,
    found: &Verification,
    now: &str,
) -> Vec<Edit> {
    let mut fields = vec![
        (Action::effective, Value::from(found.result)),
        (Action::check_method, Value::from(found.method)),
        (Action::verification, Value::from(found.seen)),
        (Action::verified_at, Value::from(now)),
    ];
    if let Some(me) = me {
        fields.push((Action::verified_by, Value::from(me)));
    }
    if !found.early_reason.trim().is_empty() {
        fields.push((Action::early_check_reason, Value::from(found.early_reason)));
    }
    let mut set = vec![Edit {
        record: action.id,
        kind: Kind::Action,
        fields,
    }];
    if let Some(finding) = action.finding {
        let status = register.view::<Finding>(finding).and_then(|f| f.status);
        if let Some(back) = after_verification(status, found.result) {
            set.push(Edit {
                record: finding,
                kind: Kind::Finding,
                fields: back,
            });
        }
    }
    set
}

/// Moving a finding to `status` at `now`; closing stamps when it closed.
pub fn move_to(finding: RecordId, status: FindingStatus, now: &str) -> Edit {
    let mut fields = vec![(Finding::status, Value::from(status))];
    if status == FindingStatus::Closed {
        fields.push((Finding::closed_at, Value::from(now)));
    }
    Edit {
        record: finding,
        kind: Kind::Finding,
        fields,
    }
}

/// Reopening a closed finding for analysis, with the reason why.
pub fn reopen(finding: RecordId, reason: &str) -> Edit {
    Edit {
        record: finding,
        kind: Kind::Finding,
        fields: vec![
            (Finding::status, Value::from(FindingStatus::Analysing)),
            (Finding::reopen_reason, Value::from(reason)),
        ],
    }
}

/// What a finding becomes once one of its actions is verified: an action found not effective
/// sends it back to "actions planned" for a follow-up action (with a reason, if it had been
/// closed); an effective one changes nothing by itself.
fn after_verification(
    status: Option<FindingStatus>,
    result: Verdict,
) -> Option<Vec<(&'static str, Value)>> {
    if result != Verdict::NotEffective || status == Some(FindingStatus::ActionsPlanned) {
        return None;
    }
    let mut back = vec![(Finding::status, Value::from(FindingStatus::ActionsPlanned))];
    if status == Some(FindingStatus::Closed) {
        back.push((
            Finding::reopen_reason,
            Value::from("An action was verified not effective."),
        ));
    }
    Some(back)
}

/// The finding type an audit check's result raises, if it raises one.
pub fn finding_type_for(result: CheckResult) -> Option<FindingType> {
    Some(match result {
        CheckResult::MajorNc => FindingType::MajorNc,
        CheckResult::MinorNc => FindingType::MinorNc,
        CheckResult::Observation => FindingType::Observation,
        CheckResult::Ofi => FindingType::Ofi,
        CheckResult::NotChecked | CheckResult::Conforming | CheckResult::NotApplicable => {
            return None;
        }
    })
}

/// A title cut to the one-line limit, at a character boundary.
fn short(title: &str) -> String {
    title.chars().take(SHORT_TEXT_MAX_CHARS).collect()
}

/// The fields of a finding raised from an audit check: audit, check, requirement and the
/// evidence seen, ready for the auditor to state the deviation.
pub fn from_check(check: &AuditCheck, requirement: &str, now: &str) -> Vec<(&'static str, Value)> {
    let text = |s: &str| Value::Text(s.to_owned());
    let reference = check.reference.clone().unwrap_or_default();
    let result = check.result.unwrap_or(CheckResult::Observation);
    // Named by what was not met ("A.5.18 Access rights: minor nonconformity"); a check with
    // no requirement, by its question.
    let subject = if requirement.is_empty() {
        check.question.clone().unwrap_or_default()
    } else {
        requirement.to_owned()
    };
    let title = format!("{subject}: {}", choice_words(result.name()).to_lowercase());
    let mut fields = vec![
        (Finding::title, Value::Text(short(&title))),
        (
            Finding::finding_type,
            Value::from(finding_type_for(result).unwrap_or(FindingType::Observation)),
        ),
        (Finding::source, Value::from(FindingSource::Audit)),
        (Finding::status, Value::from(FindingStatus::Open)),
        (Finding::raised_at, text(now)),
        (Finding::requirement, text(requirement)),
        (
            Finding::evidence,
            text(check.evidence.as_deref().unwrap_or_default()),
        ),
    ];
    if let Some(audit) = check.audit {
        fields.push((Finding::audit, Value::Text(audit.to_string())));
    }
    fields.push((Finding::audit_check, Value::Text(check.id.to_string())));
    if !reference.is_empty() {
        fields.push((Finding::reference, Value::Text(reference)));
    }
    if let Some(control) = check.control {
        fields.push((Finding::control, Value::Text(control.to_string())));
    }
    fields.retain(|(_, v)| v.as_text() != Some(""));
    fields
}

/// The fields of a finding raised from a report in the inbox (a near miss, an incident).
pub fn from_event(event: &Event, now: &str) -> Vec<(&'static str, Value)> {
    let title = event.title.clone().unwrap_or_default();
    let finding_type = match event.event_type {
        Some(EventType::Suggestion) => FindingType::Ofi,
        _ => FindingType::Observation,
    };
    let mut fields = vec![
        (Finding::title, Value::Text(short(&title))),
        (Finding::finding_type, finding_type.into()),
        (Finding::source, FindingSource::Event.into()),
        (Finding::event, Value::Text(event.id.to_string())),
        (Finding::status, FindingStatus::Open.into()),
        (Finding::raised_at, Value::Text(now.to_owned())),
    ];
    if let Some(description) = event.description.clone().filter(|d| !d.trim().is_empty()) {
        fields.push((Finding::evidence, Value::Text(description)));
    }
    if let Some(risks) = event.risks.clone().filter(|r| !r.is_empty()) {
        fields.push((
            Finding::risks,
            Value::List(risks.iter().map(RecordId::to_string).collect()),
        ));
    }
    fields
}

/// Findings closed in the last 12 months (before `today`) that share this finding's
/// control or cause category: a likely recurrence the person should confirm.
pub fn recurrence_candidates(register: &Replica, finding: &Finding, today: &str) -> Vec<Finding> {
    let year_ago = dates::date(today).and_then(|d| d.checked_sub_months(chrono::Months::new(12)));
    register
        .all::<Finding>()
        .into_iter()
        .filter(|other| other.id != finding.id && !other.deleted)
        .filter(|other| other.status == Some(FindingStatus::Closed))
        .filter(|other| {
            let closed = other
                .closed_at
                .as_deref()
                .and_then(|t| dates::date(t.get(..10)?));
            matches!((closed, year_ago), (Some(c), Some(y)) if c >= y)
        })
        .filter(|other| {
            let same_control = finding.control.is_some() && other.control == finding.control;
            let same_cause =
                finding.cause_category.is_some() && other.cause_category == finding.cause_category;
            same_control || same_cause
        })
        .collect()
}

/// How many nonconformities are not closed yet.
pub fn open_nonconformities(register: &Replica) -> usize {
    register
        .all::<Finding>()
        .iter()
        .filter(|f| !f.deleted && f.status != Some(FindingStatus::Closed))
        .filter(|f| f.finding_type.is_some_and(is_nonconformity))
        .count()
}

/// How many actions are past their due date (or, once done, past their effectiveness
/// check) on `today`.
pub fn overdue_actions(register: &Replica, today: &str) -> usize {
    overdue(&register.all::<Action>(), today).len()
}

/// The actions among `actions` overdue on `today` (as `overdue_actions` counts them), the
/// longest overdue first.
pub fn overdue<'a>(actions: &'a [Action], today: &str) -> Vec<&'a Action> {
    let mut overdue: Vec<&Action> = actions
        .iter()
        .filter(|a| !a.deleted)
        .filter(|a| action_due(a).is_some_and(|(due, _)| dates::is_overdue(&due, today)))
        .collect();
    overdue.sort_by_key(|a| action_due(a).map(|(due, _)| due));
    overdue
}

/// What an action is next due for, and by when: an open action by its due date, a done one
/// by its effectiveness check until that is recorded.
pub fn action_due(action: &Action) -> Option<(String, &'static str)> {
    match action.status {
        Some(ActionStatus::Cancelled) => None,
        Some(ActionStatus::Done) if action.effective.is_none() => {
            Some((action.check_due.clone()?, "Effectiveness check"))
        }
        Some(ActionStatus::Done) => None,
        _ => Some((action.due.clone()?, "Due")),
    }
}

/// Later findings recorded as recurrences of this one.
pub fn recurrences(register: &impl Lookup, finding: RecordId) -> Vec<RecordId> {
    register.linked(Kind::Finding, Finding::recurrence_of, finding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, rules::Nothing, sync::Device};

    const OWNER: &str = "0195f0c4-0000-7000-8000-000000000001";
    const AUDITOR: &str = "0195f0c4-0000-7000-8000-000000000002";

    struct Register {
        device: Device,
        finding: RecordId,
    }

    impl Register {
        /// A minor nonconformity, open, with its owner.
        fn new() -> Self {
            let mut device = Device::new(ClientId::new());
            let finding = RecordId::new();
            for (field, value) in [
                (Finding::title, "Backups not tested"),
                (Finding::finding_type, "minor_nc"),
                (Finding::status, "open"),
                (Finding::owner, OWNER),
            ] {
                device.edit(finding, Kind::Finding, field, value.into(), 1);
            }
            Self { device, finding }
        }

        /// The same, its root cause found.
        fn analysed() -> Self {
            let mut register = Self::new();
            register.set(
                register.finding,
                Kind::Finding,
                &[(Finding::root_cause, "No owner.")],
            );
            register
        }

        fn set(&mut self, record: RecordId, kind: Kind, fields: &[(&str, &str)]) {
            for (field, value) in fields {
                self.device.edit(record, kind, field, (*value).into(), 1);
            }
        }

        fn action(&mut self, fields: &[(&str, &str)]) -> RecordId {
            let id = RecordId::new();
            let finding = self.finding.to_string();
            self.set(
                id,
                Kind::Action,
                &[
                    (Action::title, "Test a restore monthly"),
                    (Action::action_type, "corrective"),
                    (Action::finding, finding.as_str()),
                    (Action::owner, OWNER),
                ],
            );
            self.set(id, Kind::Action, fields);
            id
        }

        fn close(&self) -> Result<(), Vec<String>> {
            self.change(self.finding, Kind::Finding, &[(Finding::status, "closed")])
        }

        fn change(
            &self,
            record: RecordId,
            kind: Kind,
            fields: &[(&str, &str)],
        ) -> Result<(), Vec<String>> {
            let changes: Vec<(&str, Value)> =
                fields.iter().map(|(f, v)| (*f, Value::from(*v))).collect();
            kind.spec()
                .check_change(record, &changes, &self.device.local)
                .map_err(|errors| errors.into_iter().map(|e| e.message).collect())
        }
    }

    fn refused_with(result: Result<(), Vec<String>>, words: &str) {
        let messages = result.expect_err("refused");
        assert!(
            messages.iter().any(|m| m.contains(words)),
            "expected “{words}” among {messages:?}"
        );
    }

    #[test]
    fn a_nonconformity_cannot_close_without_a_root_cause() {
        let mut register = Register::new();
        register.action(&[
            (Action::status, "done"),
            (Action::effective, "effective"),
            (Action::verified_by, AUDITOR),
        ]);
        refused_with(register.close(), "without a root cause");
        let finding = register.finding;
        register.set(
            finding,
            Kind::Finding,
            &[(Finding::root_cause, "No one owns restore tests.")],
        );
        assert_eq!(register.close(), Ok(()));
    }

    #[test]
    fn a_nonconformity_cannot_close_without_a_corrective_action() {
        let mut register = Register::analysed();
        refused_with(register.close(), "without a corrective action");
        // A correction alone (containment) is not a corrective action; a cancelled one neither.
        register.action(&[
            (Action::action_type, "correction"),
            (Action::status, "done"),
        ]);
        register.action(&[(Action::status, "cancelled")]);
        refused_with(register.close(), "without a corrective action");
    }

    #[test]
    fn a_nonconformity_cannot_close_while_an_action_is_open() {
        let mut register = Register::analysed();
        register.action(&[
            (Action::status, "done"),
            (Action::effective, "effective"),
            (Action::verified_by, AUDITOR),
        ]);
        register.action(&[
            (Action::action_type, "preventive"),
            (Action::status, "in_progress"),
        ]);
        refused_with(register.close(), "still open");
    }

    #[test]
    fn a_nonconformity_closes_only_once_verified_effective() {
        let mut register = Register::analysed();
        let action = register.action(&[(Action::status, "done")]);
        refused_with(register.close(), "verified effective");
        register.set(
            action,
            Kind::Action,
            &[
                (Action::effective, "not_effective"),
                (Action::verified_by, AUDITOR),
            ],
        );
        refused_with(register.close(), "verified effective");
        // A follow-up action that works closes it; the failed one stays on record.
        register.action(&[
            (Action::status, "done"),
            (Action::effective, "effective"),
            (Action::verified_by, AUDITOR),
        ]);
        assert_eq!(register.close(), Ok(()));
    }

    #[test]
    fn a_deleted_action_does_not_count() {
        let mut register = Register::analysed();
        let action = register.action(&[
            (Action::status, "done"),
            (Action::effective, "effective"),
            (Action::verified_by, AUDITOR),
        ]);
        register
            .device
            .edit(action, Kind::Action, "deleted", Value::Bool(true), 2);
        refused_with(register.close(), "without a corrective action");
    }

    #[test]
    fn an_observation_closes_with_a_decision_note() {
        let mut register = Register::new();
        let finding = register.finding;
        register.set(
            finding,
            Kind::Finding,
            &[(Finding::finding_type, "observation")],
        );
        refused_with(register.close(), "closes with a decision");
        register.set(
            finding,
            Kind::Finding,
            &[(Finding::decision, "Accepted: low impact.")],
        );
        assert_eq!(register.close(), Ok(()));
    }

    #[test]
    fn a_closed_finding_reopens_only_with_a_reason() {
        let mut register = Register::new();
        let finding = register.finding;
        register.set(
            finding,
            Kind::Finding,
            &[
                (Finding::finding_type, "ofi"),
                (Finding::decision, "Done."),
                (Finding::status, "closed"),
            ],
        );
        refused_with(
            register.change(finding, Kind::Finding, &[(Finding::status, "implementing")]),
            "reopens only with a reason",
        );
        assert_eq!(
            register.change(
                finding,
                Kind::Finding,
                &[
                    (Finding::status, "implementing"),
                    (Finding::reopen_reason, "It happened again.")
                ]
            ),
            Ok(())
        );
    }

    #[test]
    fn the_verifier_may_not_be_the_action_owner() {
        let mut register = Register::new();
        let action = register.action(&[(Action::status, "done")]);
        refused_with(
            register.change(
                action,
                Kind::Action,
                &[
                    (Action::effective, "effective"),
                    (Action::verified_by, OWNER),
                ],
            ),
            "may not be the action's owner",
        );
        assert_eq!(
            register.change(
                action,
                Kind::Action,
                &[
                    (Action::effective, "effective"),
                    (Action::verified_by, AUDITOR)
                ]
            ),
            Ok(())
        );
    }

    #[test]
    fn an_owner_who_leaves_the_verifier_out_has_not_verified() {
        let mut register = Register::analysed();
        let action = register.action(&[(Action::status, "done")]);
        refused_with(
            register.change(action, Kind::Action, &[(Action::effective, "effective")]),
            "Say who verified",
        );
        // Even if it got in (an older copy of the register), it does not close the finding.
        register.set(action, Kind::Action, &[(Action::effective, "effective")]);
        refused_with(register.close(), "verified effective by someone other");
    }

    #[test]
    fn a_closed_findings_actions_stay_as_they_were_until_it_is_reopened() {
        let mut register = Register::analysed();
        let finding = register.finding;
        let action = register.action(&[
            (Action::status, "done"),
            (Action::effective, "effective"),
            (Action::verified_by, AUDITOR),
        ]);
        assert_eq!(register.close(), Ok(()));
        register.set(finding, Kind::Finding, &[(Finding::status, "closed")]);
        for change in [
            (Action::status, "open"),
            (Action::action_type, "correction"),
            (Action::finding, RecordId::new().to_string().as_str()),
        ] {
            refused_with(
                register.change(action, Kind::Action, &[change]),
                "finding is closed",
            );
        }
        let deleted = [(DELETED, Value::Bool(true))];
        assert!(
            Kind::Action
                .spec()
                .check_change(action, &deleted, &register.device.local)
                .is_err()
        );
        // A new action cannot join it either; once it is reopened, its actions change again.
        let joining = [
            (Action::title, Value::from("Another")),
            (Action::action_type, Value::from(ActionType::Preventive)),
            (Action::finding, Value::from(finding.to_string())),
        ];
        assert!(
            Kind::Action
                .spec()
                .check_new(&joining, &register.device.local)
                .is_err()
        );
        register.set(
            finding,
            Kind::Finding,
            &[
                (Finding::status, "implementing"),
                (Finding::reopen_reason, "Recurred."),
            ],
        );
        assert_eq!(
            register.change(action, Kind::Action, &[(Action::action_type, "preventive")]),
            Ok(())
        );
    }

    #[test]
    fn effectiveness_is_verified_only_once_the_action_is_done() {
        let mut register = Register::new();
        let action = register.action(&[(Action::status, "in_progress")]);
        refused_with(
            register.change(action, Kind::Action, &[(Action::effective, "effective")]),
            "once the action is done",
        );
    }

    #[test]
    fn a_new_nonconformity_cannot_be_filed_as_closed() {
        let errors = Kind::Finding
            .spec()
            .check_new(
                &[
                    (Finding::title, "Filed closed".into()),
                    (Finding::finding_type, "major_nc".into()),
                    (Finding::status, "closed".into()),
                ],
                &Nothing,
            )
            .unwrap_err();
        assert!(errors.len() >= 3, "{errors:?}");
    }

    #[test]
    fn an_effectiveness_check_falls_due_a_month_after_completion() {
        assert_eq!(check_due("2026-11-29").as_deref(), Some("2026-12-29"));
        assert_eq!(check_due("soon"), None);
    }

    #[test]
    fn open_nonconformities_and_overdue_actions_are_counted() {
        let mut register = Register::new();
        register.action(&[(Action::due, "2026-11-01")]);
        register.action(&[(Action::due, "2026-11-01"), (Action::status, "cancelled")]);
        register.action(&[(Action::status, "done"), (Action::check_due, "2026-11-28")]);
        register.action(&[
            (Action::status, "done"),
            (Action::check_due, "2026-11-28"),
            (Action::effective, "effective"),
        ]);
        register.action(&[(Action::due, "2026-12-01")]);
        assert_eq!(overdue_actions(&register.device.local, "2026-11-29"), 2);
        assert_eq!(open_nonconformities(&register.device.local), 1);
        let finding = register.finding;
        register.set(finding, Kind::Finding, &[(Finding::finding_type, "ofi")]);
        assert_eq!(open_nonconformities(&register.device.local), 0);
    }

    #[test]
    fn an_action_found_not_effective_sends_its_finding_back_for_a_follow_up() {
        let verifying = Some(FindingStatus::Verifying);
        assert_eq!(after_verification(verifying, Verdict::Effective), None);
        let back = after_verification(verifying, Verdict::NotEffective).unwrap();
        assert_eq!(
            back,
            [(Finding::status, Value::from(FindingStatus::ActionsPlanned))]
        );
        // From closed, the change carries the reason a reopening needs.
        let mut register = Register::new();
        let finding = register.finding;
        register.set(
            finding,
            Kind::Finding,
            &[
                (Finding::finding_type, "ofi"),
                (Finding::decision, "Done."),
                (Finding::status, "closed"),
            ],
        );
        let reopen =
            after_verification(Some(FindingStatus::Closed), Verdict::NotEffective).unwrap();
        let changes: Vec<(&str, Value)> = reopen.into_iter().collect();
        assert!(
            Kind::Finding
                .spec()
                .check_change(finding, &changes, &register.device.local)
                .is_ok()
        );
    }

    #[test]
    fn the_workflow_moves_one_step_at_a_time() {
        assert_eq!(
            next_status(FindingStatus::Open),
            Some(FindingStatus::Correction)
        );
        assert_eq!(
            next_status(FindingStatus::Verifying),
            Some(FindingStatus::Closed)
        );
        assert_eq!(next_status(FindingStatus::Closed), None);
    }

    #[test]
    fn a_finding_from_a_check_carries_the_audit_the_requirement_and_the_evidence() {
        let audit = RecordId::new();
        let check = AuditCheck {
            id: RecordId::new(),
            deleted: false,
            audit: Some(audit),
            question: Some("Are restores tested?".into()),
            reference: Some("A.8.13".into()),
            control: None,
            position: None,
            result: Some(CheckResult::MinorNc),
            evidence: Some("No restore test record for 2026.".into()),
            sample: None,
            checked_by: None,
            checked_at: None,
        };
        let fields = from_check(&check, "A.8.13 Information backup", "2026-11-29T10:00:00Z");
        let get = |name: &str| {
            fields
                .iter()
                .find(|(f, _)| *f == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get(Finding::finding_type), Some("minor_nc".into()));
        assert_eq!(get(Finding::audit), Some(audit.to_string().into()));
        assert_eq!(get(Finding::audit_check), Some(check.id.to_string().into()));
        assert_eq!(
            get(Finding::evidence),
            Some("No restore test record for 2026.".into())
        );
        assert_eq!(
            get(Finding::title),
            Some("A.8.13 Information backup: minor nonconformity".into())
        );
        assert!(Kind::Finding.spec().check_new(&fields, &Nothing).is_ok());
    }

    #[test]
    fn a_recurrence_is_suggested_from_findings_closed_within_a_year_with_the_same_cause() {
        let mut register = Register::new();
        let earlier = register.finding;
        register.set(
            earlier,
            Kind::Finding,
            &[
                (Finding::status, "closed"),
                (Finding::cause_category, "process"),
                (Finding::closed_at, "2026-03-01T10:00:00Z"),
            ],
        );
        let old = RecordId::new();
        register.set(
            old,
            Kind::Finding,
            &[
                (Finding::title, "Old"),
                (Finding::finding_type, "minor_nc"),
                (Finding::status, "closed"),
                (Finding::cause_category, "process"),
                (Finding::closed_at, "2025-06-01T10:00:00Z"),
            ],
        );
        let new = RecordId::new();
        register.set(
            new,
            Kind::Finding,
            &[
                (Finding::title, "Again"),
                (Finding::finding_type, "minor_nc"),
                (Finding::cause_category, "process"),
            ],
        );
        let finding: Finding = register.device.local.view(new).unwrap();
        let found: Vec<RecordId> =
            recurrence_candidates(&register.device.local, &finding, "2026-11-29")
                .iter()
                .map(|f| f.id)
                .collect();
        assert_eq!(found, [earlier]);
        register.set(
            new,
            Kind::Finding,
            &[(Finding::recurrence_of, earlier.to_string().as_str())],
        );
        assert_eq!(recurrences(&register.device.local, earlier), [new]);
    }
}
