//! Risk assessment (clause 6.1.2) and treatment (6.1.3): the organisation's own criteria
//! (`Criteria`: its likelihood and impact scales in words, where a score's bands begin and its
//! risk appetite, one record every heat map, list, indicator and maturity rule reads), scoring
//! likelihood × impact on the 5×5 matrix, and the acceptance of a risk left above the
//! appetite, which only its owner gives, in their own name, with a reason and an expiry.

use crate::choices::{RiskStatus, Treatment};
use std::collections::HashMap;

use crate::{
    Kind, RecordId, Value,
    gate::Edit,
    rules::{Lookup, RecordRule, Subject, text_of},
    schema::DELETED,
    views::{Risk, RiskCriteria},
};

/// Qualitative band of a likelihood × impact score.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Rating {
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Low, Rating::Medium, Rating::High, Rating::Critical];

    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Critical => "Critical",
        }
    }
}

/// The id of the organisation's risk criteria record.
pub fn criteria_id() -> RecordId {
    RecordId::derived("risk_criteria", "organisation")
}

/// How the organisation assesses risk, as its criteria record says, each part it has not
/// set taken from `Criteria::DEFAULT` (the usual 5×5 bands, an appetite of 9).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Criteria {
    /// What each likelihood, 1 to 5, means.
    pub likelihood: Vec<String>,
    /// What each impact, 1 to 5, means.
    pub impact: Vec<String>,
    /// The lowest score of each band above low.
    pub medium_from: i64,
    pub high_from: i64,
    pub critical_from: i64,
    /// The highest score accepted without the owner's formal acceptance.
    pub appetite: i64,
    /// How risks are identified, assessed and by whom, in the organisation's words.
    pub method: String,
    /// Set by approval: the version, who approved it and when.
    pub version: Option<i64>,
    pub approved_by: Option<RecordId>,
    pub approved_on: Option<String>,
    /// Whether the organisation has written criteria of its own (else all are the defaults).
    pub decided: bool,
}

const LIKELIHOOD: [&str; 5] = [
    "Rare: less than once in ten years",
    "Unlikely: once in three to ten years",
    "Possible: once in one to three years",
    "Likely: about once a year",
    "Almost certain: several times a year",
];

const IMPACT: [&str; 5] = [
    "Negligible: no lasting effect",
    "Minor: a day's disruption, no personal data lost",
    "Moderate: days of disruption, or a contained loss of data",
    "Major: weeks of disruption, a notifiable breach or a lost contract",
    "Severe: threatens the organisation's survival",
];

impl Default for Criteria {
    fn default() -> Criteria {
        Criteria {
            likelihood: LIKELIHOOD.map(str::to_owned).to_vec(),
            impact: IMPACT.map(str::to_owned).to_vec(),
            medium_from: 5,
            high_from: 10,
            critical_from: 17,
            appetite: 9,
            method: String::new(),
            version: None,
            approved_by: None,
            approved_on: None,
            decided: false,
        }
    }
}

impl Criteria {
    /// The criteria as `register` holds them (a device's copy, the server's reads, or a
    /// change set over either, as the rules read it).
    pub fn read(register: &dyn Lookup) -> Criteria {
        let id = criteria_id();
        let field = |name| register.field(id, name);
        let defaults = Criteria::default();
        if field(DELETED).and_then(|v| v.as_bool()) == Some(true) {
            return defaults;
        }
        let int = |name, default| field(name).and_then(|v| v.as_int()).unwrap_or(default);
        let lines = |name, default: Vec<String>| {
            field(name)
                .and_then(|v| v.as_list().map(<[String]>::to_vec))
                .filter(|l| l.len() == 5)
                .unwrap_or(default)
        };
        let text = |name| Some(text_of(field(name))).filter(|t| !t.is_empty());
        Criteria {
            likelihood: lines(RiskCriteria::likelihood_scale, defaults.likelihood),
            impact: lines(RiskCriteria::impact_scale, defaults.impact),
            medium_from: int(RiskCriteria::medium_from, defaults.medium_from),
            high_from: int(RiskCriteria::high_from, defaults.high_from),
            critical_from: int(RiskCriteria::critical_from, defaults.critical_from),
            appetite: int(RiskCriteria::appetite, defaults.appetite),
            method: text(RiskCriteria::method).unwrap_or_default(),
            version: field(RiskCriteria::version).and_then(|v| v.as_int()),
            approved_by: text(RiskCriteria::approved_by).and_then(|t| t.parse().ok()),
            approved_on: text(RiskCriteria::approved_on),
            decided: field(RiskCriteria::appetite).is_some(),
        }
    }

    /// The band a likelihood × impact score falls in.
    pub fn rating(&self, score: i64) -> Rating {
        if score >= self.critical_from {
            Rating::Critical
        } else if score >= self.high_from {
            Rating::High
        } else if score >= self.medium_from {
            Rating::Medium
        } else {
            Rating::Low
        }
    }

    /// Whether a score is high or critical.
    pub fn is_high(&self, score: i64) -> bool {
        self.rating(score) >= Rating::High
    }

    /// The scores of each band, lowest first: `(Low, 1, 4)` …
    pub fn bands(&self) -> [(Rating, i64, i64); 4] {
        [
            (Rating::Low, 1, self.medium_from - 1),
            (Rating::Medium, self.medium_from, self.high_from - 1),
            (Rating::High, self.high_from, self.critical_from - 1),
            (Rating::Critical, self.critical_from, 25),
        ]
    }

    /// Whether the criteria have changed since their last approval (or were never approved):
    /// a field other than the approval's written after it.
    pub fn changed_since_approval(register: &crate::Replica) -> bool {
        let Some(record) = register.record(criteria_id()) else {
            return false;
        };
        let approval = [
            RiskCriteria::version,
            RiskCriteria::approved_by,
            RiskCriteria::approved_on,
        ];
        let Some(approved) = record.fields.get(RiskCriteria::approved_on) else {
            return true;
        };
        record
            .fields
            .iter()
            .any(|(name, state)| !approval.contains(&name.as_str()) && state.stamp > approved.stamp)
    }

    /// Every field of the default criteria, for an organisation adopting them as its own.
    pub fn adopt_defaults() -> Edit {
        let d = Criteria::default();
        let lines = |l: Vec<String>| Value::List(l);
        Edit {
            record: criteria_id(),
            kind: Kind::RiskCriteria,
            fields: vec![
                (RiskCriteria::likelihood_scale, lines(d.likelihood)),
                (RiskCriteria::impact_scale, lines(d.impact)),
                (RiskCriteria::medium_from, Value::Int(d.medium_from)),
                (RiskCriteria::high_from, Value::Int(d.high_from)),
                (RiskCriteria::critical_from, Value::Int(d.critical_from)),
                (RiskCriteria::appetite, Value::Int(d.appetite)),
            ],
        }
    }

    /// Approves the criteria as they stand as their next version, in `me`'s name on `today`.
    pub fn approve(&self, me: Option<RecordId>, today: &str) -> Edit {
        let mut fields = vec![
            (
                RiskCriteria::version,
                Value::Int(self.version.unwrap_or(0) + 1),
            ),
            (RiskCriteria::approved_on, Value::from(today)),
        ];
        if let Some(me) = me {
            fields.push((RiskCriteria::approved_by, Value::from(me.to_string())));
        }
        Edit {
            record: criteria_id(),
            kind: Kind::RiskCriteria,
            fields,
        }
    }
}

impl Risk {
    pub fn inherent_score(&self) -> Option<i64> {
        Some(self.inherent_likelihood? * self.inherent_impact?)
    }

    pub fn residual_score(&self) -> Option<i64> {
        Some(self.residual_likelihood? * self.residual_impact?)
    }

    /// The score the risk stands at: residual once assessed, else inherent.
    pub fn current_score(&self) -> Option<i64> {
        self.residual_score().or_else(|| self.inherent_score())
    }

    /// Whether the residual score is above the inherent one: the treatment made it worse, or
    /// one of the two is wrong.
    pub fn residual_above_inherent(&self) -> bool {
        matches!((self.inherent_score(), self.residual_score()), (Some(i), Some(r)) if r > i)
    }

    /// Whether the risk is accepted and its acceptance has run out by `today`.
    pub fn acceptance_expired(&self, today: chrono::NaiveDate) -> bool {
        self.status == Some(RiskStatus::Accepted)
            && self
                .acceptance_expires
                .as_deref()
                .and_then(crate::dates::date)
                .is_some_and(|expires| expires < today)
    }
}

/// A finding or reported event naming a risk, and the day it was raised.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Raised {
    pub kind: Kind,
    pub id: RecordId,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub on: String,
}

/// Every risk's findings and reported events, gathered in one pass over each.
pub fn raised_about(register: &crate::Replica) -> HashMap<RecordId, Vec<Raised>> {
    let mut raised: HashMap<RecordId, Vec<Raised>> = HashMap::new();
    let mut add =
        |kind, id, risks: Option<Vec<RecordId>>, title: Option<String>, at: Option<String>| {
            // A date-time's day is its first ten characters.
            let Some(on) = at.and_then(|at| at.get(..10).map(str::to_owned)) else {
                return;
            };
            for risk in risks.unwrap_or_default() {
                raised.entry(risk).or_default().push(Raised {
                    kind,
                    id,
                    title: title.clone().unwrap_or_default(),
                    on: on.clone(),
                });
            }
        };
    for f in register.all::<crate::views::Finding>() {
        add(Kind::Finding, f.id, f.risks, f.title, f.raised_at);
    }
    for e in register.all::<crate::views::Event>() {
        add(Kind::Event, e.id, e.risks, e.title, e.detected_at);
    }
    raised
}

/// What was raised about `risk` after the day it was last assessed (all of it, if it never
/// was): its owner is offered to reassess it.
pub fn raised_since_assessed<'a>(risk: &Risk, raised: Option<&'a Vec<Raised>>) -> Vec<&'a Raised> {
    let since = risk.last_assessed.as_deref().unwrap_or_default();
    raised
        .into_iter()
        .flatten()
        .filter(|r| r.on.as_str() > since)
        .collect()
}

/// What the owner writes on reassessing a risk on `today`.
pub fn assessed(risk: RecordId, today: &str) -> Edit {
    Edit {
        record: risk,
        kind: Kind::Risk,
        fields: vec![(Risk::last_assessed, Value::from(today))],
    }
}

/// One risk of the treatment plan (6.1.3 e) with the actions that carry its treatment out.
#[derive(Clone, PartialEq, Debug)]
pub struct PlanRow {
    pub risk: Risk,
    pub actions: Vec<crate::views::Action>,
}

/// The risk treatment plan: every risk not closed, highest current score first, with the
/// actions naming it (soonest due first).
pub fn treatment_plan(register: &crate::Replica) -> Vec<PlanRow> {
    let mut actions: HashMap<RecordId, Vec<crate::views::Action>> = HashMap::new();
    for action in register.all::<crate::views::Action>() {
        if let Some(risk) = action.risk {
            actions.entry(risk).or_default().push(action);
        }
    }
    let mut rows: Vec<PlanRow> = register
        .all::<Risk>()
        .into_iter()
        .filter(|r| r.status != Some(RiskStatus::Closed))
        .map(|risk| {
            let mut actions = actions.remove(&risk.id).unwrap_or_default();
            actions.sort_by(|a, b| (a.due.is_none(), &a.due).cmp(&(b.due.is_none(), &b.due)));
            PlanRow { risk, actions }
        })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.risk.current_score()));
    rows
}

/// What the owner writes to accept a risk as it stands (6.1.3 f): the acceptance, in `me`'s
/// name, on `today`, with why and until when. The gate holds it to the risk's owner.
pub fn accept(
    risk: RecordId,
    me: Option<RecordId>,
    today: &str,
    rationale: &str,
    expires: &str,
) -> Edit {
    let mut fields = vec![
        (Risk::treatment, Value::from(Treatment::Accept)),
        (Risk::status, Value::from(RiskStatus::Accepted)),
        (Risk::accepted_on, Value::from(today)),
        (Risk::acceptance_rationale, Value::from(rationale.trim())),
        (Risk::acceptance_expires, Value::from(expires.trim())),
    ];
    if let Some(me) = me {
        fields.push((Risk::acceptance_approver, Value::from(me.to_string())));
    }
    Edit {
        record: risk,
        kind: Kind::Risk,
        fields,
    }
}

/// What the owner writes to approve a risk's treatment plan, in `me`'s name on `today`.
pub fn approve_plan(risk: RecordId, me: Option<RecordId>, today: &str) -> Edit {
    let mut fields = vec![(Risk::plan_approved_on, Value::from(today))];
    if let Some(me) = me {
        fields.push((Risk::plan_approved_by, Value::from(me.to_string())));
    }
    Edit {
        record: risk,
        kind: Kind::Risk,
        fields,
    }
}

fn score_of(s: &Subject, likelihood: &str, impact: &str) -> Option<i64> {
    Some(s.get(likelihood)?.as_int()? * s.get(impact)?.as_int()?)
}

/// The score a rule sees the risk at: residual once assessed, else inherent.
fn score_now(s: &Subject) -> Option<i64> {
    score_of(s, Risk::residual_likelihood, Risk::residual_impact)
        .or_else(|| score_of(s, Risk::inherent_likelihood, Risk::inherent_impact))
}

fn accepted(s: &Subject) -> bool {
    s.text(Risk::status) == RiskStatus::Accepted.name()
}

/// Whether the person named in `field` is the risk's owner (where that field is being set:
/// an approval given stays valid when the owner later changes).
fn owner_approves(s: &Subject, field: &str) -> bool {
    let approver = s.text(field);
    approver.is_empty() || !s.changed(field) || approver == s.text(Risk::owner)
}

/// A risk's acceptance and its treatment plan's approval are its owner's, and a risk left
/// above the organisation's appetite is accepted only formally.
pub const RULES: &[RecordRule] = &[
    RecordRule {
        kind: Kind::Risk,
        fields: &[
            Risk::status,
            Risk::inherent_likelihood,
            Risk::inherent_impact,
            Risk::residual_likelihood,
            Risk::residual_impact,
            Risk::acceptance_approver,
            Risk::accepted_on,
            Risk::acceptance_rationale,
            Risk::acceptance_expires,
        ],
        field: Risk::acceptance_approver,
        message: "This risk scores above the organisation's risk appetite: only its owner accepts it, in their own name, with the date, a rationale and when the acceptance expires.",
        holds: |s| {
            let appetite = Criteria::read(s.after).appetite;
            if !accepted(s) || score_now(s).is_none_or(|score| score <= appetite) {
                return true;
            }
            !s.text(Risk::acceptance_approver).is_empty()
                && !s.text(Risk::owner).is_empty()
                && !s.text(Risk::accepted_on).is_empty()
                && !s.text(Risk::acceptance_rationale).is_empty()
                && !s.text(Risk::acceptance_expires).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Risk,
        fields: &[Risk::acceptance_approver],
        field: Risk::acceptance_approver,
        message: "A risk is accepted by its owner: name the owner first, or ask them to accept it.",
        holds: |s| owner_approves(s, Risk::acceptance_approver),
    },
    RecordRule {
        kind: Kind::Risk,
        fields: &[Risk::accepted_on, Risk::acceptance_expires],
        field: Risk::acceptance_expires,
        message: "An acceptance expires after the day it is given.",
        holds: |s| {
            let (on, until) = (s.text(Risk::accepted_on), s.text(Risk::acceptance_expires));
            on.is_empty() || until.is_empty() || until > on
        },
    },
    RecordRule {
        kind: Kind::Risk,
        fields: &[Risk::plan_approved_by],
        field: Risk::plan_approved_by,
        message: "A risk's treatment plan is approved by its owner: name the owner first, or ask them to approve it.",
        holds: |s| owner_approves(s, Risk::plan_approved_by),
    },
    RecordRule {
        kind: Kind::RiskCriteria,
        fields: crate::rules::EVERY_FIELD,
        field: RiskCriteria::appetite,
        message: "An organisation has one set of risk criteria: change those under Plan → Risk criteria.",
        holds: |s| s.id == criteria_id(),
    },
    RecordRule {
        kind: Kind::RiskCriteria,
        fields: &[
            RiskCriteria::medium_from,
            RiskCriteria::high_from,
            RiskCriteria::critical_from,
        ],
        field: RiskCriteria::high_from,
        message: "Each band starts above the one below it: medium, then high, then critical.",
        holds: |s| {
            let c = Criteria::read(s.after);
            1 < c.medium_from && c.medium_from < c.high_from && c.high_from < c.critical_from
        },
    },
    RecordRule {
        kind: Kind::RiskCriteria,
        fields: &[RiskCriteria::likelihood_scale, RiskCriteria::impact_scale],
        field: RiskCriteria::likelihood_scale,
        message: "Each scale says what each of its five points means: five lines, 1 first.",
        holds: |s| {
            [RiskCriteria::likelihood_scale, RiskCriteria::impact_scale]
                .iter()
                .all(|field| {
                    s.get(field)
                        .and_then(|v| v.as_list().map(<[String]>::len))
                        .is_none_or(|n| n == 0 || n == 5)
                })
        },
    },
];

#[cfg(test)]
mod tests;
