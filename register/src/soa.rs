//! The Statement of Applicability (clause 6.1.3 d): for every control, a decision (applicable
//! or not) with its justification, and for the applicable ones how far they are implemented,
//! how effective they are and the risks they treat. A control starts *not decided*; the SoA
//! is approved as a numbered version only once every control is decided, and each approved
//! version keeps what the SoA said then, readable for good.

use crate::catalogue::reference_key;
use crate::choices::{ControlStatus, ControlTheme, Effectiveness};
use crate::{
    Kind, RecordId, Replica, Value,
    gate::{Edit, SetValue},
    rules::RecordRule,
    sheet::Sheet,
    sync::LogPoint,
    views::{Control, Risk, SoaVersion},
};

/// Whether a control's place in the SoA is decided: applicable or not, and why.
pub fn decided(control: &Control) -> bool {
    control.applicable.is_some()
        && control
            .justification
            .as_deref()
            .is_some_and(|j| !j.trim().is_empty())
}

/// The register's controls in reference order.
pub fn controls(register: &Replica) -> Vec<Control> {
    let mut controls: Vec<Control> = register.all();
    controls.sort_by_key(|c| reference_key(c.reference.as_deref().unwrap_or_default()));
    controls
}

/// The controls not yet decided.
pub fn undecided(register: &Replica) -> Vec<Control> {
    controls(register)
        .into_iter()
        .filter(|c| !decided(c))
        .collect()
}

/// The risks that name `control` among those treating them.
pub fn risks_treated_by(control: RecordId, risks: &[Risk]) -> Vec<&Risk> {
    risks
        .iter()
        .filter(|r| r.controls.as_ref().is_some_and(|c| c.contains(&control)))
        .collect()
}

/// A justification for including `control`, offered from the risks it treats.
pub fn justification_from_risks(control: RecordId, risks: &[Risk]) -> Option<String> {
    let titles: Vec<&str> = risks_treated_by(control, risks)
        .into_iter()
        .filter_map(|r| r.title.as_deref())
        .collect();
    (!titles.is_empty()).then(|| format!("Treats the risks: {}.", titles.join("; ")))
}

/// A control's decision in words.
pub fn applicability(control: &Control) -> &'static str {
    match control.applicable {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not decided",
    }
}

/// The SoA as CSV, one row per control in reference order: what an approved version keeps.
pub fn csv(register: &Replica) -> String {
    let risks: Vec<Risk> = register.all();
    let mut sheet = Sheet::new(&[
        "Control",
        "Title",
        "Theme",
        "Applicable",
        "Justification",
        "Status",
        "Effectiveness",
        "Risks treated",
    ]);
    for control in controls(register) {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let treated: Vec<&str> = risks_treated_by(control.id, &risks)
            .into_iter()
            .filter_map(|r| r.title.as_deref())
            .collect();
        sheet.row([
            text(&control.reference),
            text(&control.title),
            control.theme.map_or("", ControlTheme::name).to_owned(),
            applicability(&control).to_owned(),
            text(&control.justification),
            control
                .status
                .map_or("", ControlStatus::name)
                .replace('_', " "),
            control
                .effectiveness
                .map_or("", Effectiveness::name)
                .replace('_', " "),
            treated.join("; "),
        ]);
    }
    sheet.finish()
}

/// The approved versions, oldest first.
pub fn versions(register: &Replica) -> Vec<SoaVersion> {
    let mut versions: Vec<SoaVersion> = register.all();
    versions.sort_by_key(|v| v.version);
    versions
}

/// Approves the SoA as it stands as its next version, in `me`'s name on `today`, at the
/// point of the log the approver's device has reached.
pub fn approve(
    register: &Replica,
    me: Option<RecordId>,
    today: &str,
    log: Option<&LogPoint>,
) -> Edit {
    let next = versions(register)
        .last()
        .and_then(|v| v.version)
        .unwrap_or(0)
        + 1;
    let mut fields = vec![
        (SoaVersion::version, Value::Int(next)),
        (SoaVersion::approved_on, Value::from(today)),
        (SoaVersion::contents, Value::from(csv(register))),
    ];
    if let Some(me) = me {
        fields.push((SoaVersion::approved_by, Value::from(me.to_string())));
    }
    fields.extend(LogPoint::fields(
        log,
        SoaVersion::log_position,
        SoaVersion::log_hash,
    ));
    Edit {
        record: RecordId::new(),
        kind: Kind::SoaVersion,
        fields,
    }
}

/// Why an approval, setting `set` over `register` as it stands before it, does not state
/// the SoA: a control undecided, a version out of turn, or contents other than the SoA's.
pub fn misstated(register: &Replica, set: SetValue) -> Option<String> {
    let undecided = undecided(register).len();
    if undecided > 0 {
        return Some(format!(
            "{undecided} controls are not yet decided with a justification: the SoA is approved once every control is."
        ));
    }
    let next = versions(register)
        .last()
        .and_then(|v| v.version)
        .unwrap_or(0)
        + 1;
    if set(SoaVersion::version).and_then(|v| v.as_int()) != Some(next) {
        return Some(format!("The next version of the SoA is {next}."));
    }
    (set(SoaVersion::contents).as_ref().and_then(Value::as_text) != Some(&csv(register))).then(|| {
        "This version does not hold the SoA as the register shows it: approve it again from the SoA page.".to_owned()
    })
}

/// The controls marked applicable without a justification (every control of a register
/// seeded before decisions were asked for), made undecided: a default is not a decision.
pub fn undecide_defaults(register: &Replica) -> Vec<Edit> {
    controls(register)
        .into_iter()
        .filter(|c| c.applicable == Some(true) && !decided(c))
        .map(|c| Edit {
            record: c.id,
            kind: Kind::Control,
            fields: vec![(Control::applicable, Value::Null)],
        })
        .collect()
}

/// A control included or excluded says why.
pub const RULES: &[RecordRule] = &[RecordRule {
    kind: Kind::Control,
    fields: &[Control::applicable, Control::justification],
    field: Control::justification,
    message: "A control's place in the SoA needs a justification: why it is included (the risks it treats, a legal, regulatory or contractual requirement, a business need) or why it is excluded.",
    holds: |s| {
        s.get(Control::applicable).is_none_or(|v| v.is_null())
            || !s.text(Control::justification).is_empty()
    },
}];

#[cfg(test)]
mod tests;
