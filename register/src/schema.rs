//! The one schema of the ISMS register: every record kind, its fields, their types and limits,
//! and who may write it. The app and the worker validate with this same code, and the typed
//! views in `views` are generated from the same table, so they cannot drift apart.

use crate::{
    RecordId, Value,
    choices::*,
    gate::{self, Gate, Who},
    policy,
    rules::{self, Lookup, RecordRule},
    sync::RecordState,
};
use serde::{Deserialize, Serialize};

/// Longest text field, in bytes (UTF-8).
pub const LONG_TEXT_MAX_BYTES: usize = 64 * 1024;
/// Longest single-line text field, in characters.
pub const SHORT_TEXT_MAX_CHARS: usize = 200;
/// Most links a list field may hold.
pub const REFS_MAX: usize = 200;
/// Name of the tombstone field every kind has (the engine's).
pub use engine::replica::DELETED;

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum FieldType {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Free text up to 64 KiB.
    LongText,
    Int {
        min: i64,
        max: i64,
    },
    Num {
        min: f64,
        max: f64,
    },
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// An instant, RFC 3339 (e.g. `2026-11-29T09:30:00Z`).
    DateTime,
    Choice(&'static [&'static str]),
    /// The id of one record of this kind.
    Ref(Kind),
    /// Ids of records of this kind.
    Refs(Kind),
    /// A SHA-256 digest in lowercase hex.
    Sha256,
    /// An ordered list of one-line texts, changed as a whole (so two devices' edits never
    /// interleave): at most `items` of at most `chars` characters each.
    Lines {
        items: usize,
        chars: usize,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

/// Which roles may write a kind (viewers change nothing, but may file a report).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Writers {
    /// Owners, admins and editors: the register itself.
    Editors,
    /// Also auditors: audits, checks, findings and evidence.
    EditorsAndAuditors,
    /// Like `EditorsAndAuditors`, and every member may file a new one: all staff must be able
    /// to report security events (A.6.8). Changing a report after it is filed is triage.
    EditorsAndAuditorsAnyoneReports,
    /// Owners and admins only.
    Admins,
}

/// Checks one value that a member who may file a report but not change it (a viewer) gives a
/// new event: their own account of what happened, in their own name. Triage (a status past
/// "new", when it was resolved, the controls and risks it concerns) is for the kind's writers.
pub fn check_filing(field: &str, value: &Value, member: &str) -> Result<(), FieldError> {
    let empty = match value {
        Value::Null => true,
        Value::List(items) => items.is_empty(),
        _ => false,
    };
    let problem = match field {
        "status" if !empty && value.as_text() != Some("new") => {
            "A new report's status is “new”; triage moves it on."
        }
        "resolved_at"
        | "contained_at"
        | "controls"
        | "risks"
        | "personal_data_breach"
        | "aware_at"
        | "notified_at"
            if !empty =>
        {
            "Triage sets this, after the report is filed."
        }
        "reporter" if !empty && value.as_text() != Some(member) => {
            "You can report only in your own name."
        }
        _ => return Ok(()),
    };
    Err(FieldError {
        field: field.to_owned(),
        message: problem.to_owned(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Auditor,
    Viewer,
}

impl Role {
    pub fn may_write(self, kind: Kind) -> bool {
        matches!(
            (self, kind.spec().writers),
            (Role::Owner | Role::Admin, _)
                | (
                    Role::Editor,
                    Writers::Editors
                        | Writers::EditorsAndAuditors
                        | Writers::EditorsAndAuditorsAnyoneReports
                )
                | (
                    Role::Auditor,
                    Writers::EditorsAndAuditors | Writers::EditorsAndAuditorsAnyoneReports
                )
        )
    }

    /// Whether this role may file a new record of `kind`, setting its fields in the push that
    /// creates it.
    pub fn may_create(self, kind: Kind) -> bool {
        self.may_write(kind) || kind.spec().writers == Writers::EditorsAndAuditorsAnyoneReports
    }

    /// Owners and admins manage members, invites and devices.
    pub fn manages_members(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether this role may give `role` to someone (by invite or by a change of role): owners
    /// any role, admins any but owner. An invite stays valid only while its maker may.
    pub fn may_grant(self, role: Role) -> bool {
        self.manages_members() && (role != Role::Owner || self == Role::Owner)
    }

    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Editor,
        Role::Auditor,
        Role::Viewer,
    ];

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Debug)]
pub struct KindSpec {
    pub kind: Kind,
    pub name: &'static str,
    pub label: &'static str,
    pub fields: &'static [FieldSpec],
    pub writers: Writers,
    /// Records that, once written, never change (measurements).
    pub append_only: bool,
    /// The fields in titled groups, as a record's page shows them; every field is in one.
    pub sections: &'static [Section],
}

/// A titled group of a kind's fields (a risk's identification, its inherent score …).
#[derive(Debug)]
pub struct Section {
    pub title: &'static str,
    pub fields: &'static [&'static str],
}

const DELETED_SPEC: FieldSpec = FieldSpec {
    name: DELETED,
    ty: FieldType::Bool,
    required: false,
};

impl KindSpec {
    /// The field called `name`, including the `deleted` tombstone every kind has.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        if name == DELETED {
            return Some(&DELETED_SPEC);
        }
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn required(&self) -> impl Iterator<Item = &'static FieldSpec> + use<> {
        self.fields.iter().filter(|f| f.required)
    }
}

/// Why a value does not fit its field.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

fn invalid(code: &'static str, message: String) -> Invalid {
    Invalid { code, message }
}

impl FieldSpec {
    /// Checks one value against this field. An empty value clears an optional field.
    pub fn check(&self, value: &Value) -> Result<(), Invalid> {
        let name = self.name;
        if value.is_null() {
            return if self.required {
                Err(invalid(
                    "required",
                    format!("“{name}” is required and cannot be emptied."),
                ))
            } else {
                Ok(())
            };
        }
        let wrong_type = |expected: &str| {
            invalid(
                "wrong_type",
                format!("“{name}” takes {expected}, not {}.", value.type_name()),
            )
        };
        match self.ty {
            FieldType::Text(max) => {
                let text = value.as_text().ok_or_else(|| wrong_type("text"))?;
                if self.required && text.trim().is_empty() {
                    return Err(invalid("required", format!("“{name}” cannot be blank.")));
                }
                if text.contains(['\n', '\r']) {
                    return Err(invalid(
                        "invalid_text",
                        format!("“{name}” must be one line."),
                    ));
                }
                check_characters(name, text, &['\t'], true)?;
                if text.chars().count() > max {
                    return Err(invalid(
                        "too_long",
                        format!("“{name}” is limited to {max} characters."),
                    ));
                }
            }
            FieldType::LongText => {
                let text = value.as_text().ok_or_else(|| wrong_type("text"))?;
                if text.len() > LONG_TEXT_MAX_BYTES {
                    return Err(invalid(
                        "too_long",
                        format!("“{name}” is limited to 64 KiB of text."),
                    ));
                }
                check_characters(name, text, &['\t', '\n', '\r'], false)?;
            }
            FieldType::Int { min, max } => {
                let n = value.as_int().ok_or_else(|| wrong_type("a whole number"))?;
                if !(min..=max).contains(&n) {
                    return Err(invalid(
                        "out_of_range",
                        format!("“{name}” must be between {min} and {max}."),
                    ));
                }
            }
            FieldType::Num { min, max } => {
                let n = value.as_num().ok_or_else(|| wrong_type("a number"))?;
                if !n.is_finite() || n < min || n > max {
                    return Err(invalid(
                        "out_of_range",
                        format!("“{name}” must be a number between {min} and {max}."),
                    ));
                }
            }
            FieldType::Bool => {
                value.as_bool().ok_or_else(|| wrong_type("yes or no"))?;
            }
            FieldType::Date => {
                let text = value.as_text().ok_or_else(|| wrong_type("a date"))?;
                let ok = crate::dates::date(text).is_some();
                if !ok {
                    return Err(invalid(
                        "invalid_date",
                        format!("“{name}” must be a date written YYYY-MM-DD."),
                    ));
                }
            }
            FieldType::DateTime => {
                let text = value
                    .as_text()
                    .ok_or_else(|| wrong_type("a date and time"))?;
                if chrono::DateTime::parse_from_rfc3339(text).is_err() {
                    return Err(invalid(
                        "invalid_datetime",
                        format!("“{name}” must be a date and time such as 2026-11-29T09:30:00Z."),
                    ));
                }
            }
            FieldType::Choice(options) => {
                let text = value
                    .as_text()
                    .ok_or_else(|| wrong_type("one of the listed options"))?;
                if !options.contains(&text) {
                    return Err(invalid(
                        "not_an_option",
                        format!("“{name}” must be one of: {}.", options.join(", ")),
                    ));
                }
            }
            FieldType::Ref(_) => {
                let text = value.as_text().ok_or_else(|| wrong_type("a record id"))?;
                check_id(name, text)?;
            }
            FieldType::Refs(_) => {
                let ids = value
                    .as_list()
                    .ok_or_else(|| wrong_type("a list of record ids"))?;
                if ids.len() > REFS_MAX {
                    return Err(invalid(
                        "too_many",
                        format!("“{name}” links at most {REFS_MAX} records."),
                    ));
                }
                for id in ids {
                    check_id(name, id)?;
                }
            }
            FieldType::Lines { items, chars } => {
                let lines = value
                    .as_list()
                    .ok_or_else(|| wrong_type("a list of lines"))?;
                if lines.len() > items {
                    return Err(invalid(
                        "too_many",
                        format!("“{name}” holds at most {items} lines."),
                    ));
                }
                if lines.iter().any(|l| l.contains(['\n', '\r'])) {
                    return Err(invalid(
                        "invalid_text",
                        format!("Each of “{name}” must be one line."),
                    ));
                }
                for line in lines {
                    check_characters(name, line, &['\t'], true)?;
                }
                if lines.iter().any(|l| l.chars().count() > chars) {
                    return Err(invalid(
                        "too_long",
                        format!("Each of “{name}” is limited to {chars} characters."),
                    ));
                }
            }
            FieldType::Sha256 => {
                let text = value
                    .as_text()
                    .ok_or_else(|| wrong_type("a SHA-256 digest"))?;
                let ok = text.len() == 64
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !ok {
                    return Err(invalid(
                        "invalid_digest",
                        format!("“{name}” must be 64 lowercase hexadecimal characters."),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Characters that change how text around them is shown while showing nothing themselves:
/// bidirectional embeddings, overrides and isolates, direction marks, the zero-width space,
/// the word joiner and the byte-order mark. In a name or a one-line text they serve only to
/// make two different texts look alike ("Ad\u{200B}min"), or one text read backwards. (The
/// zero-width joiner and non-joiner stay: some scripts and emoji need them.)
pub fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The first character a text may not hold: control characters other than those in
/// `allowed`, and in one-line texts the invisible formatting ones too.
pub fn forbidden_character(text: &str, allowed: &[char], one_line: bool) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && !allowed.contains(&c)) || (one_line && is_invisible_format(c))
    })
}

fn check_characters(
    name: &str,
    text: &str,
    allowed: &[char],
    one_line: bool,
) -> Result<(), Invalid> {
    match forbidden_character(text, allowed, one_line) {
        Some(c) => Err(invalid(
            "invalid_text",
            format!(
                "“{name}” holds the invisible character U+{:04X}; remove it (it is often pasted by accident).",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

fn check_id(name: &str, text: &str) -> Result<(), Invalid> {
    text.parse::<RecordId>().map(drop).map_err(|_| {
        invalid(
            "invalid_ref",
            format!("“{name}” holds “{text}”, which is not a record id."),
        )
    })
}

/// A refusal tied to one field, in words a person can act on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl KindSpec {
    /// The record rules this kind's records must keep.
    pub fn rules(&self) -> impl Iterator<Item = &'static RecordRule> + use<> {
        rules::of(self.kind)
    }

    /// Checks the fields of a new record with the gate, as a register kept on one device
    /// judges them (the app passes its author and members to the gate itself): each value,
    /// the record rules and every required field. Lists every problem, so a form can show
    /// each at its field. `register` holds the records a rule may read (a finding's actions).
    pub fn check_new(
        &self,
        fields: &[(&str, Value)],
        register: &dyn Lookup,
    ) -> Result<(), Vec<FieldError>> {
        let changes = gate::changes_of(RecordId::new(), self.kind, fields);
        Gate::default().field_errors(Who::ALONE, &changes, register, &|_| true)
    }

    /// Checks a change to the stored `record` with the gate, as `check_new` does: each value,
    /// and the record rules the change touches over the record as it will be (`register`
    /// reads it, and the records linked to it, as they are now).
    pub fn check_change(
        &self,
        record: RecordId,
        changes: &[(&str, Value)],
        register: &dyn Lookup,
    ) -> Result<(), Vec<FieldError>> {
        let changes = gate::changes_of(record, self.kind, changes);
        Gate::default().field_errors(Who::ALONE, &changes, register, &|_| false)
    }
}

/// Reads a typed value out of a stored field; `None` when absent or of another type.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_text().map(str::to_owned)
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_int()
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_num()
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_bool()
    }
}

impl FromValue for RecordId {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_text()?.parse().ok()
    }
}

impl FromValue for Vec<RecordId> {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_list()?.iter().map(|s| s.parse().ok()).collect()
    }
}

impl FromValue for Vec<String> {
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.as_list()?.to_vec())
    }
}

/// A typed, read-only view of one kind's record (`Replica::view` and `all` read them).
pub use engine::View;

macro_rules! required_flag {
    () => {
        false
    };
    (required) => {
        true
    };
}

macro_rules! register_schema {
    ($(
        $(#[$doc:meta])*
        $Kind:ident = $name:literal, $label:literal, $writers:ident, append_only: $append_only:literal {
            $( $section:literal {
                $( $field:ident : $rust:ty = $ty:expr $(, $required:ident)? ; )*
            } )*
        }
    )*) => {
        /// Every kind of record in the register.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind { $( $(#[$doc])* $Kind, )* }

        impl engine::RecordKind for Kind {
            fn label(self) -> &'static str {
                self.spec().label
            }
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[ $( Kind::$Kind, )* ];

            pub fn spec(self) -> &'static KindSpec {
                match self {
                    $( Kind::$Kind => &views::$Kind::SPEC, )*
                }
            }

            pub fn name(self) -> &'static str {
                self.spec().name
            }

            pub fn from_name(name: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.name() == name)
            }
        }

        /// Typed views of each kind, for the app. Every field is optional because a record
        /// may be seen half-synced; required fields are enforced when records are written.
        /// Each field's name is also a constant of its kind (`views::Risk::title`), so code
        /// that names a field is checked by the compiler.
        pub mod views {
            use super::*;
            use FieldType::*;

            $(
                $(#[$doc])*
                #[derive(Clone, PartialEq, Debug)]
                pub struct $Kind {
                    pub id: RecordId,
                    pub deleted: bool,
                    $( $( pub $field: Option<$rust>, )* )*
                }

                #[allow(non_upper_case_globals)]
                impl $Kind {
                    pub const SPEC: KindSpec = KindSpec {
                        kind: Kind::$Kind,
                        name: $name,
                        label: $label,
                        writers: Writers::$writers,
                        append_only: $append_only,
                        fields: &[ $( $( FieldSpec {
                            name: stringify!($field),
                            ty: $ty,
                            required: required_flag!($($required)?),
                        }, )* )* ],
                        sections: &[ $( Section {
                            title: $section,
                            fields: &[ $( stringify!($field), )* ],
                        }, )* ],
                    };

                    $( $( pub const $field: &'static str = stringify!($field); )* )*
                }

                impl View<Kind> for $Kind {
                    const KIND: Kind = Kind::$Kind;

                    // One pass over the record's fields rather than a map lookup per field:
                    // the indicators view every record of a large register at once.
                    fn from_record(id: RecordId, record: &RecordState) -> Self {
                        let mut view = Self {
                            id,
                            deleted: false,
                            $( $( $field: None, )* )*
                        };
                        for (name, state) in &record.fields {
                            match name.as_str() {
                                DELETED => view.deleted = bool::from_value(&state.value).unwrap_or(false),
                                $( $( stringify!($field) => view.$field = <$rust>::from_value(&state.value), )* )*
                                _ => {}
                            }
                        }
                        view
                    }
                }
            )*
        }
    };
}

const SHORT: FieldType = FieldType::Text(SHORT_TEXT_MAX_CHARS);
/// A maturity level: 0 not performed … 5 optimising.
const LEVEL: FieldType = FieldType::Int { min: 0, max: 5 };

/// The areas whose maturity is computed (`maturity::Area` names them in words).
pub const MATURITY_AREAS: &[&str] = &[
    "risk_management",
    "controls",
    "monitoring",
    "internal_audit",
    "management_review",
    "corrective_action",
    "feedback_and_learning",
];
const SCALE: FieldType = FieldType::Int { min: 1, max: 5 };

/// The largest log position a record names: the largest whole number a JSON reader keeps
/// exactly (2^53 - 1).
const LOG_POSITION_MAX: i64 = (1 << 53) - 1;

/// A record's place in the checklist or the PDCA loop is often a clause or control reference.
const REFERENCE: FieldType = FieldType::Text(20);

register_schema! {
    /// Something that could harm information security (clause 6.1.2), with its treatment (6.1.3).
    Risk = "risk", "Risk", Editors, append_only: false {
        "Identification" {
            title: String = SHORT, required;
            description: String = LongText;
            asset: String = SHORT;
            threat: String = SHORT;
            vulnerability: String = SHORT;
            category: RiskCategory = Choice(RiskCategory::NAMES);
            owner: RecordId = Ref(Kind::Member);
        }
        "Inherent score" {
            inherent_likelihood: i64 = SCALE, required;
            inherent_impact: i64 = SCALE, required;
        }
        "Treatment" {
            treatment: Treatment = Choice(Treatment::NAMES);
            controls: Vec<RecordId> = Refs(Kind::Control);
            status: RiskStatus = Choice(RiskStatus::NAMES);
            review_due: String = Date;
            plan_approved_by: RecordId = Ref(Kind::Member);
            plan_approved_on: String = Date;
        }
        "Residual score" {
            residual_likelihood: i64 = SCALE;
            residual_impact: i64 = SCALE;
            last_assessed: String = Date;
        }
        "Acceptance" {
            acceptance_approver: RecordId = Ref(Kind::Member);
            accepted_on: String = Date;
            acceptance_rationale: String = LongText;
            acceptance_expires: String = Date;
        }
    }
    /// How the organisation assesses risk (clause 6.1.2 a–c): what each point of its
    /// likelihood and impact scales means, where each band of a score begins, and its risk
    /// appetite. One record (`risk::criteria_id`), approved version by version.
    RiskCriteria = "risk_criteria", "Risk criteria", Admins, append_only: false {
        "Scales" {
            likelihood_scale: Vec<String> = Lines { items: 5, chars: 200 };
            impact_scale: Vec<String> = Lines { items: 5, chars: 200 };
        }
        "Bands and appetite" {
            medium_from: i64 = Int { min: 2, max: 25 };
            high_from: i64 = Int { min: 2, max: 25 };
            critical_from: i64 = Int { min: 2, max: 25 };
            appetite: i64 = Int { min: 1, max: 25 }, required;
        }
        "Method" {
            method: String = LongText;
        }
        "Approval" {
            version: i64 = Int { min: 1, max: 100_000 };
            approved_by: RecordId = Ref(Kind::Member);
            approved_on: String = Date;
        }
    }
    /// An Annex A (or own) control and its place in the Statement of Applicability.
    Control = "control", "Control", Editors, append_only: false {
        "Control" {
            reference: String = REFERENCE, required;
            title: String = SHORT, required;
            theme: ControlTheme = Choice(ControlTheme::NAMES);
            guidance: String = LongText;
        }
        "Applicability" {
            applicable: bool = Bool;
            justification: String = LongText;
        }
        "Implementation" {
            status: ControlStatus = Choice(ControlStatus::NAMES);
            owner: RecordId = Ref(Kind::Member);
            effectiveness: Effectiveness = Choice(Effectiveness::NAMES);
        }
        "Review" {
            last_reviewed: String = Date;
            review_interval_days: i64 = Int { min: 1, max: 1096 };
        }
    }
    /// An approved version of the Statement of Applicability (clause 6.1.3 d): the SoA as it
    /// stood, who approved it and when (`register::soa`); never changed once recorded.
    SoaVersion = "soa_version", "SoA version", Admins, append_only: true {
        "Version" {
            version: i64 = Int { min: 1, max: 100_000 }, required;
            approved_by: RecordId = Ref(Kind::Member);
            approved_on: String = Date, required;
            contents: String = LongText, required;
            log_position: i64 = Int { min: 0, max: LOG_POSITION_MAX };
            log_hash: String = Sha256;
        }
    }
    /// A security objective (clause 6.2).
    Objective = "objective", "Objective", Editors, append_only: false {
        "Objective" {
            title: String = SHORT, required;
            business_objective: String = LongText;
            owner: RecordId = Ref(Kind::Member);
        }
        "Target" {
            target: String = SHORT;
            due: String = Date;
            metrics: Vec<RecordId> = Refs(Kind::Metric);
        }
        "Plan" {
            plan: String = LongText;
            resources: String = LongText;
            communicated_to: String = SHORT;
        }
        "Result" {
            result: ObjectiveResult = Choice(ObjectiveResult::NAMES);
            result_on: String = Date;
            result_evidence: String = LongText;
        }
    }
    /// What is measured, how, and what good looks like (clause 9.1).
    Metric = "metric", "Metric", Editors, append_only: false {
        "Metric" {
            name: String = SHORT, required;
            description: String = LongText;
            method: String = LongText;
            data_source: String = SHORT;
            owner: RecordId = Ref(Kind::Member);
        }
        "Analysis" {
            analysed_by: RecordId = Ref(Kind::Member);
            analysis_frequency: Frequency = Choice(Frequency::NAMES);
        }
        "Target" {
            unit: String = FieldType::Text(40);
            direction: Direction = Choice(Direction::NAMES), required;
            target: f64 = Num { min: -1e15, max: 1e15 };
            warning: f64 = Num { min: -1e15, max: 1e15 };
            frequency: Frequency = Choice(Frequency::NAMES), required;
        }
        "Links" {
            control: RecordId = Ref(Kind::Control);
            objective: RecordId = Ref(Kind::Objective);
        }
    }
    /// One value of a metric; never changed once recorded.
    Measurement = "measurement", "Measurement", Editors, append_only: true {
        "Measurement" {
            metric: RecordId = Ref(Kind::Metric), required;
            value: f64 = Num { min: -1e15, max: 1e15 }, required;
            date: String = Date, required;
            note: String = LongText;
            recorded_by: RecordId = Ref(Kind::Member);
        }
    }
    /// An incident, near miss, observation or suggestion from anyone.
    Event = "event", "Event", EditorsAndAuditorsAnyoneReports, append_only: false {
        "Report" {
            event_type: EventType = Choice(EventType::NAMES), required;
            title: String = SHORT, required;
            description: String = LongText;
            location: String = SHORT;
            severity: Severity = Choice(Severity::NAMES);
            occurred_at: String = DateTime;
            detected_at: String = DateTime;
            reporter: RecordId = Ref(Kind::Member);
        }
        "Triage" {
            status: EventStatus = Choice(EventStatus::NAMES);
            category: EventCategory = Choice(EventCategory::NAMES);
            contained_at: String = DateTime;
            resolved_at: String = DateTime;
            controls: Vec<RecordId> = Refs(Kind::Control);
            risks: Vec<RecordId> = Refs(Kind::Risk);
        }
        "Personal data" {
            personal_data_breach: bool = Bool;
            aware_at: String = DateTime;
            notified_at: String = DateTime;
        }
        "Lessons learned" {
            lessons: String = LongText;
        }
    }
    /// A controlled document (clauses 5.2, 7.5; A.5.1): the information security policy, a
    /// topic-specific policy or a procedure, with its owner, what it serves, when it is next
    /// reviewed and its draft. Approving the draft freezes it as a `DocumentVersion`
    /// (`register::documents`); the next draft starts from it.
    Document = "document", "Document", Editors, append_only: false {
        "Document" {
            title: String = SHORT, required;
            document_type: DocumentType = Choice(DocumentType::NAMES), required;
            owner: RecordId = Ref(Kind::Member);
            clauses: String = SHORT;
            controls: Vec<RecordId> = Refs(Kind::Control);
        }
        "Review" {
            review_interval_months: i64 = Int { min: 1, max: 36 };
            next_review: String = Date;
        }
        "Draft" {
            draft: String = LongText;
            draft_author: RecordId = Ref(Kind::Member);
        }
        "Next version" {
            change_note: String = SHORT;
            draft_file: RecordId = Ref(Kind::Evidence);
        }
    }
    /// An approved version of a document, frozen: its text or file as approved, who wrote it,
    /// who approved it (someone else) and when; never changed once recorded.
    DocumentVersion = "document_version", "Document version", Editors, append_only: true {
        "Version" {
            document: RecordId = Ref(Kind::Document), required;
            version: i64 = Int { min: 1, max: 100_000 }, required;
            body: String = LongText;
            file: RecordId = Ref(Kind::Evidence);
            author: RecordId = Ref(Kind::Member);
            change_note: String = SHORT;
        }
        "Approval" {
            approved_by: RecordId = Ref(Kind::Member);
            approved_on: String = Date, required;
            log_position: i64 = Int { min: 0, max: LOG_POSITION_MAX };
            log_hash: String = Sha256;
        }
    }
    /// An audit (clause 9.2): internal, external, of a supplier, or a site walkthrough.
    Audit = "audit", "Audit", EditorsAndAuditors, append_only: false {
        "Audit" {
            title: String = SHORT, required;
            audit_type: AuditType = Choice(AuditType::NAMES), required;
            status: AuditStatus = Choice(AuditStatus::NAMES);
            location: String = SHORT;
            scope: String = LongText;
            criteria: String = LongText;
        }
        "Team" {
            lead_auditor: RecordId = Ref(Kind::Member);
            auditors: Vec<RecordId> = Refs(Kind::Member);
            auditees: String = SHORT;
        }
        "Dates" {
            planned_date: String = Date;
            performed_date: String = Date;
        }
        "Report" {
            conclusion: String = LongText;
            reported_to: RecordId = Ref(Kind::Member);
            acknowledged_at: String = Date;
            acknowledged_by: RecordId = Ref(Kind::Member);
        }
    }
    /// One check of an audit's checklist: a question against a clause or control, its result
    /// and the objective evidence seen.
    AuditCheck = "audit_check", "Audit check", EditorsAndAuditors, append_only: false {
        "Check" {
            audit: RecordId = Ref(Kind::Audit), required;
            question: String = FieldType::Text(500), required;
            reference: String = REFERENCE;
            control: RecordId = Ref(Kind::Control);
            position: i64 = Int { min: 0, max: 100_000 };
        }
        "Result" {
            result: CheckResult = Choice(CheckResult::NAMES);
            evidence: String = LongText;
            sample: String = SHORT;
            checked_by: RecordId = Ref(Kind::Member);
            checked_at: String = DateTime;
        }
    }
    /// A nonconformity, observation or opportunity for improvement (clause 10.2), with its
    /// correction, root-cause analysis and closure.
    Finding = "finding", "Finding", EditorsAndAuditors, append_only: false {
        "Statement" {
            title: String = SHORT, required;
            finding_type: FindingType = Choice(FindingType::NAMES), required;
            requirement: String = LongText;
            evidence: String = LongText;
            deviation: String = LongText;
            reference: String = REFERENCE;
            control: RecordId = Ref(Kind::Control);
            risks: Vec<RecordId> = Refs(Kind::Risk);
            location: String = SHORT;
        }
        "Source" {
            source: FindingSource = Choice(FindingSource::NAMES);
            audit: RecordId = Ref(Kind::Audit);
            audit_check: RecordId = Ref(Kind::AuditCheck);
            event: RecordId = Ref(Kind::Event);
            measurement: RecordId = Ref(Kind::Measurement);
            review: RecordId = Ref(Kind::Review);
            raised_at: String = DateTime;
        }
        "Ownership" {
            status: FindingStatus = Choice(FindingStatus::NAMES);
            owner: RecordId = Ref(Kind::Member);
            due: String = Date;
        }
        "Correction" {
            correction: String = LongText;
            corrected_on: String = Date;
        }
        "Root cause" {
            whys: Vec<String> = Lines { items: 10, chars: 500 };
            cause_category: CauseCategory = Choice(CauseCategory::NAMES);
            root_cause: String = LongText;
            extent: String = LongText;
            recurrence_of: RecordId = Ref(Kind::Finding);
            isms_change: String = LongText;
        }
        "Closure" {
            decision: String = LongText;
            closed_at: String = DateTime;
            reopen_reason: String = LongText;
            deletion_reason: String = LongText;
        }
    }
    /// A correction, corrective, preventive or improvement action, and the check that it
    /// worked.
    Action = "action", "Action", EditorsAndAuditors, append_only: false {
        "Action" {
            title: String = SHORT, required;
            action_type: ActionType = Choice(ActionType::NAMES), required;
            description: String = LongText;
            finding: RecordId = Ref(Kind::Finding);
            risk: RecordId = Ref(Kind::Risk);
            objective: RecordId = Ref(Kind::Objective);
            control: RecordId = Ref(Kind::Control);
            review: RecordId = Ref(Kind::Review);
            output_type: OutputType = Choice(OutputType::NAMES);
        }
        "Progress" {
            owner: RecordId = Ref(Kind::Member);
            due: String = Date;
            status: ActionStatus = Choice(ActionStatus::NAMES);
            completed_at: String = DateTime;
            completed_by: RecordId = Ref(Kind::Member);
        }
        "Effectiveness check" {
            check_due: String = Date;
            check_method: String = LongText;
            effective: Verdict = Choice(Verdict::NAMES);
            verified_by: RecordId = Ref(Kind::Member);
            verified_at: String = DateTime;
            verification: String = LongText;
            early_check_reason: String = LongText;
        }
    }
    /// A management review (clause 9.3): the period it looks back on, who took part, commentary
    /// on each input 9.3.2 asks for (the inputs themselves are assembled by `reviews`), and the
    /// sign-off that freezes it. Its outputs are the actions that name it.
    Review = "review", "Management review", Editors, append_only: false {
        "Review" {
            title: String = SHORT, required;
            date: String = Date, required;
            status: ReviewStatus = Choice(ReviewStatus::NAMES);
            period_start: String = Date;
            chair: RecordId = Ref(Kind::Member);
            attendees: Vec<RecordId> = Refs(Kind::Member);
        }
        "Commentary on the inputs" {
            on_previous_actions: String = LongText;
            on_issues: String = LongText;
            on_interested_parties: String = LongText;
            on_performance: String = LongText;
            on_feedback: String = LongText;
            on_risks: String = LongText;
            on_improvement: String = LongText;
            on_maturity: String = LongText;
        }
        "Decisions" {
            decisions: String = LongText;
        }
        "Sign-off" {
            signed_off_by: RecordId = Ref(Kind::Member);
            signed_off_at: String = DateTime;
            inputs_snapshot: String = LongText;
            next_review: String = Date;
        }
    }
    /// The organisation's context (clauses 4.1–4.3): the ISMS scope, the internal and external
    /// issues that bear on it, and the interested parties with their requirements.
    ContextItem = "context_item", "Context item", Editors, append_only: false {
        "Item" {
            item_type: ContextItemType = Choice(ContextItemType::NAMES), required;
            title: String = SHORT, required;
            description: String = LongText;
            requirements: String = LongText;
            owner: RecordId = Ref(Kind::Member);
            status: ContextStatus = Choice(ContextStatus::NAMES);
        }
    }
    /// The maturity the organisation aims for in one area, and its own view of where it stands
    /// beside the level Ratchet computes.
    MaturityTarget = "maturity_target", "Maturity target", Editors, append_only: false {
        "Area" {
            area: String = Choice(MATURITY_AREAS), required;
            target: i64 = LEVEL;
            self_assessed: i64 = LEVEL;
            note: String = LongText;
        }
    }
    /// The computed maturity levels and headline indicators on one day (monthly, and at every
    /// review's sign-off), so the trend syncs and survives; never changed once recorded.
    MaturitySnapshot = "maturity_snapshot", "Maturity snapshot", Editors, append_only: true {
        "Snapshot" {
            taken_on: String = Date, required;
            occasion: Occasion = Choice(Occasion::NAMES), required;
            review: RecordId = Ref(Kind::Review);
            levels: Vec<String> = Lines { items: 20, chars: 60 }, required;
            figures: Vec<String> = Lines { items: 60, chars: 60 };
        }
    }
    /// A file or photo that shows something is done: the bytes are kept on each device and in
    /// the sync server's bucket, named by their SHA-256, which this record carries so the
    /// hash-chained log vouches for the content (`engine::files`, `register::evidence`).
    /// `coordinates` is where a photo was taken, kept only when the organisation's policy
    /// says so (`register::policy`).
    Evidence = "evidence", "Evidence", EditorsAndAuditors, append_only: false {
        "Evidence" {
            title: String = SHORT, required;
            description: String = LongText;
            location: String = SHORT;
        }
        "File" {
            sha256: String = Sha256, required;
            size: i64 = Int { min: 0, max: 100 * 1024 * 1024 };
            media_type: String = FieldType::Text(100);
            file_name: String = FieldType::Text(255);
            captured_by: RecordId = Ref(Kind::Member);
            captured_at: String = DateTime;
            coordinates: String = FieldType::Text(40);
        }
        "Validity" {
            effective_on: String = Date;
            expires_on: String = Date;
            status: EvidenceStatus = Choice(EvidenceStatus::NAMES);
        }
        "Supports" {
            controls: Vec<RecordId> = Refs(Kind::Control);
            risks: Vec<RecordId> = Refs(Kind::Risk);
            audit_checks: Vec<RecordId> = Refs(Kind::AuditCheck);
            findings: Vec<RecordId> = Refs(Kind::Finding);
            actions: Vec<RecordId> = Refs(Kind::Action);
            events: Vec<RecordId> = Refs(Kind::Event);
            reviews: Vec<RecordId> = Refs(Kind::Review);
            measurements: Vec<RecordId> = Refs(Kind::Measurement);
        }
    }
    /// A named set of checks for a site walkthrough (`register::walkthrough`), one per line:
    /// a control's reference, then the question (`A.7.2 Is every visitor signed in?`).
    WalkthroughTemplate = "walkthrough_template", "Walkthrough template", EditorsAndAuditors, append_only: false {
        "Template" {
            name: String = SHORT, required;
            description: String = LongText;
            checks: Vec<String> = Lines { items: 100, chars: 520 }, required;
        }
    }
    /// What the organisation has decided for its whole register (`register::policy`): one
    /// record, the same on every device.
    Policy = "policy", "Organisation policy", Admins, append_only: false {
        "Evidence photos" {
            photo_location: String = Choice(&[policy::STRIP, policy::KEEP]), required;
        }
    }
    /// A person's profile in the register (their access is managed separately).
    Member = "member", "Member", Admins, append_only: false {
        "Profile" {
            name: String = SHORT, required;
            email: String = SHORT;
            job_title: String = SHORT;
        }
    }
}

/// A choice's value in words: `minor_nc` → "Minor nonconformity", `ofi` → "Opportunity for
/// improvement", anything else with its underscores as spaces.
pub fn choice_words(value: &str) -> String {
    let known = match value {
        "major_nc" => "Major nonconformity",
        "minor_nc" => "Minor nonconformity",
        "ofi" => "Opportunity for improvement",
        "not_applicable" => "Not applicable",
        "isms_change" => "ISMS change needed",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let text = value.replace('_', " ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Replica, rules::Nothing, sync::Device};

    fn field(kind: Kind, name: &str) -> &'static FieldSpec {
        kind.spec().field(name).unwrap()
    }

    #[test]
    fn every_kind_round_trips_its_name_and_has_a_required_field() {
        assert_eq!(Kind::ALL.len(), 22);
        for &kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
            assert!(kind.spec().required().next().is_some(), "{kind:?}");
            assert!(kind.spec().field(DELETED).is_some());
        }
        assert_eq!(Kind::from_name("unicorn"), None);
    }

    #[test]
    fn values_are_checked_against_their_field() {
        let likelihood = field(Kind::Risk, "inherent_likelihood");
        assert!(likelihood.check(&Value::Int(5)).is_ok());
        assert_eq!(
            likelihood.check(&Value::Int(6)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            likelihood.check(&"3".into()).unwrap_err().code,
            "wrong_type"
        );
        assert_eq!(likelihood.check(&Value::Null).unwrap_err().code, "required");

        let title = field(Kind::Risk, "title");
        assert_eq!(title.check(&"  ".into()).unwrap_err().code, "required");
        assert_eq!(
            title.check(&"a\nb".into()).unwrap_err().code,
            "invalid_text"
        );
        assert_eq!(
            title.check(&"x".repeat(201).into()).unwrap_err().code,
            "too_long"
        );

        let description = field(Kind::Risk, "description");
        assert!(
            description
                .check(&"é".repeat(LONG_TEXT_MAX_BYTES / 2).into())
                .is_ok()
        );
        assert_eq!(
            description
                .check(&"x".repeat(LONG_TEXT_MAX_BYTES + 1).into())
                .unwrap_err()
                .code,
            "too_long"
        );
        assert!(
            description.check(&Value::Null).is_ok(),
            "optional fields can be emptied"
        );

        let due = field(Kind::Risk, "review_due");
        assert!(due.check(&"2026-02-28".into()).is_ok());
        assert_eq!(
            due.check(&"2026-02-30".into()).unwrap_err().code,
            "invalid_date"
        );
        assert_eq!(
            due.check(&"2026-2-3".into()).unwrap_err().code,
            "invalid_date"
        );

        let occurred = field(Kind::Event, "occurred_at");
        assert!(occurred.check(&"2026-11-29T09:30:00Z".into()).is_ok());
        assert!(occurred.check(&"yesterday".into()).is_err());

        let treatment = field(Kind::Risk, "treatment");
        assert!(treatment.check(&"accept".into()).is_ok());
        assert_eq!(
            treatment.check(&"ignore".into()).unwrap_err().code,
            "not_an_option"
        );

        let controls = field(Kind::Risk, "controls");
        let id = RecordId::new().to_string();
        assert!(controls.check(&Value::List(vec![id.clone()])).is_ok());
        assert_eq!(
            controls
                .check(&Value::List(vec!["nope".into()]))
                .unwrap_err()
                .code,
            "invalid_ref"
        );
        assert_eq!(
            controls
                .check(&Value::List(vec![id; REFS_MAX + 1]))
                .unwrap_err()
                .code,
            "too_many"
        );

        let value = field(Kind::Measurement, "value");
        assert!(value.check(&Value::Int(3)).is_ok(), "integers are numbers");
        assert!(value.check(&Value::Num(97.5)).is_ok());

        let digest = field(Kind::Evidence, "sha256");
        assert!(digest.check(&"a".repeat(64).into()).is_ok());
        assert!(digest.check(&"A".repeat(64).into()).is_err());
    }

    #[test]
    fn new_records_are_checked_field_by_field_and_for_required_fields() {
        let spec = Kind::Risk.spec();
        assert!(
            spec.check_new(
                &[
                    ("title", "Phishing".into()),
                    ("inherent_likelihood", Value::Int(3)),
                    ("inherent_impact", Value::Int(2)),
                ],
                &Nothing
            )
            .is_ok()
        );
        let errors = spec
            .check_new(
                &[
                    ("title", " ".into()),
                    ("inherent_likelihood", Value::Int(8)),
                ],
                &Nothing,
            )
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "inherent_likelihood", "inherent_impact"]);
    }

    /// A register holding one control with the given fields.
    fn register_with_control(fields: &[(&str, Value)]) -> (Replica, RecordId) {
        let mut device = Device::new(ClientId::new());
        let id = RecordId::new();
        device.edit(id, Kind::Control, "reference", "A.7.4".into(), 1);
        for (field, value) in fields {
            device.edit(id, Kind::Control, field, value.clone(), 1);
        }
        (device.local, id)
    }

    #[test]
    fn a_change_is_checked_with_the_record_rules_over_the_record_as_it_will_be() {
        let spec = Kind::Control.spec();
        let exclude = [("applicable", Value::Bool(false))];
        let (justified, id) = register_with_control(&[("justification", "Remote only.".into())]);
        assert!(spec.check_change(id, &exclude, &justified).is_ok());
        let (plain, id) = register_with_control(&[]);
        let errors = spec.check_change(id, &exclude, &plain).unwrap_err();
        assert_eq!(errors[0].field, "justification");
        let (excluded, id) = register_with_control(&[("applicable", Value::Bool(false))]);
        assert!(
            spec.check_change(id, &[("justification", "".into())], &excluded)
                .is_err(),
            "emptying the justification of an excluded control"
        );
        assert!(
            spec.check_change(id, &[("status", "planned".into())], &excluded)
                .is_ok(),
            "a change that touches no rule field is not held up by one"
        );
    }

    #[test]
    fn every_field_is_in_exactly_one_section_and_named_by_a_constant() {
        for &kind in Kind::ALL {
            let spec = kind.spec();
            let mut listed: Vec<&str> = spec
                .sections
                .iter()
                .flat_map(|s| s.fields.iter().copied())
                .collect();
            assert_eq!(listed.len(), spec.fields.len(), "{kind:?}");
            listed.sort();
            listed.dedup();
            assert_eq!(
                listed.len(),
                spec.fields.len(),
                "{kind:?}: a field in two sections"
            );
            for section in spec.sections {
                assert!(!section.title.is_empty());
                for field in section.fields {
                    assert!(spec.field(field).is_some(), "{kind:?}.{field}");
                }
            }
        }
        assert_eq!(views::Finding::root_cause, "root_cause");
        assert_eq!(views::AuditCheck::result, "result");
    }

    #[test]
    fn lines_are_a_bounded_list_of_single_lines() {
        let whys = field(Kind::Finding, "whys");
        let lines = |items: &[&str]| Value::List(items.iter().map(|s| (*s).to_owned()).collect());
        assert!(
            whys.check(&lines(&["Backups failed", "Nobody read the alert"]))
                .is_ok()
        );
        assert_eq!(
            whys.check(&lines(&["a\nb"])).unwrap_err().code,
            "invalid_text"
        );
        assert_eq!(
            whys.check(&lines(&["why"; 11])).unwrap_err().code,
            "too_many"
        );
        assert_eq!(
            whys.check(&lines(&[&"x".repeat(501)])).unwrap_err().code,
            "too_long"
        );
        assert_eq!(whys.check(&"one".into()).unwrap_err().code, "wrong_type");
        assert_eq!(choice_words("minor_nc"), "Minor nonconformity");
        assert_eq!(choice_words("actions_planned"), "Actions planned");
    }

    #[test]
    fn texts_refuse_control_and_invisible_characters() {
        let title = field(Kind::Risk, "title");
        let description = field(Kind::Risk, "description");
        let whys = field(Kind::Finding, "whys");
        let refused = |spec: &FieldSpec, value: Value| spec.check(&value).unwrap_err();
        let nul = refused(description, "before\u{0}after".into());
        assert_eq!(nul.code, "invalid_text");
        assert!(nul.message.contains("U+0000"), "{}", nul.message);
        assert!(description.check(&"one\ttab\nand lines\r\n".into()).is_ok());
        assert_eq!(refused(title, "\u{1b}[31mred".into()).code, "invalid_text");
        // Shown backwards by a right-to-left override, or two names made to look alike.
        assert!(
            refused(title, "invoice\u{202E}fdp.exe".into())
                .message
                .contains("U+202E")
        );
        assert_eq!(refused(title, "Ad\u{200B}min".into()).code, "invalid_text");
        assert!(
            title
                .check(&"Tab\there, 👩\u{200D}💻 and עברית".into())
                .is_ok()
        );
        assert!(
            description
                .check(&"a long text may keep \u{200F} marks".into())
                .is_ok()
        );
        let line = Value::List(vec!["why\u{2066}".to_owned()]);
        assert_eq!(refused(whys, line).code, "invalid_text");
        // Member and organisation names are checked by the same rule.
        assert_eq!(
            forbidden_character("Eve\u{202E}", &[], true),
            Some('\u{202E}')
        );
        assert_eq!(forbidden_character("Ève Dupont", &[], true), None);
    }

    #[test]
    fn roles_write_what_they_may() {
        assert!(Role::Editor.may_write(Kind::Risk));
        assert!(!Role::Editor.may_write(Kind::Member));
        assert!(Role::Auditor.may_write(Kind::Finding));
        assert!(Role::Auditor.may_write(Kind::AuditCheck));
        assert!(!Role::Auditor.may_write(Kind::Risk));
        assert!(Role::Admin.may_write(Kind::Member));
        // Whether photos keep where they were taken is the organisation's decision.
        assert!(Role::Admin.may_write(Kind::Policy));
        assert!(!Role::Editor.may_write(Kind::Policy));
        assert!(!Role::Auditor.may_write(Kind::Policy));
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        for &kind in Kind::ALL {
            assert!(!Role::Viewer.may_write(kind));
            assert!(Role::Owner.may_write(kind));
            assert_eq!(Role::Viewer.may_create(kind), kind == Kind::Event);
            for role in Role::ALL {
                assert!(role.may_create(kind) || !role.may_write(kind));
            }
        }
        assert!(Role::Auditor.may_write(Kind::Event));
    }
}
