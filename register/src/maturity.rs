//! ISMS maturity per area, 0–5 (0 not performed, 1 initial, 2 managed, 3 defined,
//! 4 quantitatively managed, 5 optimising), computed by stated rules over the indicators and
//! the register rather than rated by anyone. An area is at the highest level whose rules, and
//! every lower level's, all hold; each assessment says why, and what the next level needs.
//! The organisation sets a target per area and may record its own view beside the computed
//! level. Snapshots (monthly, and at each review's sign-off) keep the trend as records.

use crate::choices::{
    ActionStatus, ActionType, AuditStatus, AuditType, CheckResult, ControlStatus, Effectiveness,
    EventStatus, EventType, FindingStatus, Occasion, ReviewStatus, RiskStatus, Severity, Verdict,
};
use crate::{
    Kind, RecordId, Replica, Value, dates,
    indicators::{self, Basis, Better, Inputs, Period, Trend, day_of},
    metrics::{self, Standing},
    schema::MATURITY_AREAS,
    views::{Action, Audit, Event, Finding, MaturitySnapshot, MaturityTarget, Review},
};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// The highest level.
pub const TOP: u8 = 5;

/// What each level means.
pub fn level_name(level: u8) -> &'static str {
    match level {
        0 => "not performed",
        1 => "initial",
        2 => "managed",
        3 => "defined",
        4 => "quantitatively managed",
        _ => "optimising",
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Area {
    RiskManagement,
    Controls,
    Monitoring,
    InternalAudit,
    ManagementReview,
    CorrectiveAction,
    FeedbackAndLearning,
}

impl Area {
    pub const ALL: [Area; 7] = [
        Area::RiskManagement,
        Area::Controls,
        Area::Monitoring,
        Area::InternalAudit,
        Area::ManagementReview,
        Area::CorrectiveAction,
        Area::FeedbackAndLearning,
    ];

    /// The area's value in records (`MaturityTarget::area`, snapshots).
    pub fn key(self) -> &'static str {
        MATURITY_AREAS[self as usize]
    }

    pub fn from_key(key: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The kinds of record whose keeping shows the area's practice.
    fn kinds(self) -> &'static [Kind] {
        match self {
            Area::RiskManagement => &[Kind::Risk],
            Area::Controls => &[Kind::Control],
            Area::Monitoring => &[Kind::Measurement],
            Area::InternalAudit => &[Kind::AuditCheck],
            Area::ManagementReview => &[Kind::Review],
            Area::CorrectiveAction => &[Kind::Finding, Kind::Action],
            Area::FeedbackAndLearning => &[Kind::Event],
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::RiskManagement => "Risk management",
            Area::Controls => "Controls",
            Area::Monitoring => "Monitoring and measurement",
            Area::InternalAudit => "Internal audit",
            Area::ManagementReview => "Management review",
            Area::CorrectiveAction => "Corrective action",
            Area::FeedbackAndLearning => "Feedback and learning",
        }
    }
}

/// What the rules read: the register's records, the indicators for the current period and
/// the one before (those on today's register taken from the last snapshot before it).
pub struct Facts<'a> {
    pub register: &'a Replica,
    pub inputs: Inputs,
    now: HashMap<&'static str, Option<f64>>,
    before: HashMap<&'static str, Option<f64>>,
    reviews: Vec<Review>,
    /// The register's snapshots, by day (`snapshots`).
    pub snapshots: Vec<MaturitySnapshot>,
}

impl<'a> Facts<'a> {
    pub fn new(register: &'a Replica, today: NaiveDate) -> Facts<'a> {
        let period = Period::ending(today, indicators::DEFAULT_PERIOD_DAYS);
        let inputs = Inputs::new(register, period, today);
        let previous = inputs.for_period(period.previous());
        let snapshots = by_day(inputs.snapshots.clone());
        let before_end = Some(period.previous().last);
        let figures = snapshots
            .iter()
            .rfind(|s| s.taken_on.as_deref().and_then(dates::date) <= before_end)
            .map(figures_of)
            .unwrap_or_default();
        let now = indicators::compute(&inputs)
            .into_iter()
            .map(|i| (i.definition.key, i.reading.value))
            .collect();
        let before = indicators::compute(&previous)
            .into_iter()
            .map(|i| {
                let value = match i.definition.basis {
                    Basis::Period => i.reading.value,
                    Basis::Today => figures.get(i.definition.key).copied(),
                };
                (i.definition.key, value)
            })
            .collect();
        let mut reviews: Vec<Review> = inputs.reviews.clone();
        reviews.sort_by(|a, b| a.date.cmp(&b.date));
        Facts {
            register,
            inputs,
            now,
            before,
            reviews,
            snapshots,
        }
    }

    /// Whether the area's practice has been kept up for `SUSTAINED_MONTHS`: the first record
    /// of one of its kinds was written that long before today.
    fn sustained(&self, area: Area) -> bool {
        let since = self
            .today()
            .checked_sub_months(chrono::Months::new(SUSTAINED_MONTHS))
            .unwrap_or(NaiveDate::MIN);
        area.kinds()
            .iter()
            .filter_map(|kind| self.inputs.first_written.get(kind))
            .any(|first| *first <= since)
    }

    /// An indicator's value for the current period.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.now.get(key).copied().flatten()
    }

    /// An indicator's value for the period before.
    pub fn previous(&self, key: &str) -> Option<f64> {
        self.before.get(key).copied().flatten()
    }

    fn at_least(&self, key: &str, bound: f64) -> bool {
        self.value(key).is_some_and(|v| v >= bound - 1e-9)
    }

    fn at_most(&self, key: &str, bound: f64) -> bool {
        self.value(key).is_some_and(|v| v <= bound + 1e-9)
    }

    /// Whether an indicator is no worse than in the period before (both known).
    fn held_or_improved(&self, key: &str) -> bool {
        let better = indicators::definition(key).map_or(Better::Higher, |d| d.better);
        matches!(
            Trend::of(better, self.value(key), self.previous(key)),
            Trend::Better | Trend::Same
        )
    }

    fn today(&self) -> NaiveDate {
        self.inputs.today
    }

    fn year_ago(&self) -> NaiveDate {
        self.today()
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(NaiveDate::MIN)
    }

    /// Reviews held (status "held"), oldest first.
    fn held_reviews(&self) -> impl Iterator<Item = &Review> {
        self.reviews
            .iter()
            .filter(|r| r.status == Some(ReviewStatus::Held))
    }

    fn last_held_review(&self) -> Option<&Review> {
        self.held_reviews().last()
    }

    /// Actions that are outputs of a review.
    fn review_outputs(&self) -> impl Iterator<Item = &Action> {
        self.inputs.actions.iter().filter(|a| a.review.is_some())
    }

    fn nonconformities(&self) -> impl Iterator<Item = &Finding> {
        self.inputs.findings.iter().filter(|f| {
            f.finding_type
                .is_some_and(crate::findings::is_nonconformity)
        })
    }
}

/// How long a practice is kept up before it counts as defined (level 3): a register a few
/// days old shows no area above level 2, however many forms are filled in.
const SUSTAINED_MONTHS: u32 = 6;

/// The distinct months (year, month) of some stored times (RFC 3339).
fn months_of<'a>(times: impl Iterator<Item = &'a str>) -> Vec<(i32, u32)> {
    let mut months: Vec<(i32, u32)> = times
        .filter_map(day_of)
        .map(|d| (d.year(), d.month()))
        .collect();
    months.sort();
    months.dedup();
    months
}

/// One rule of one level of one area, in the words the app shows beside the level.
pub struct Rule {
    pub area: Area,
    pub level: u8,
    pub text: &'static str,
    holds: fn(&Facts) -> bool,
}

/// An area's computed level: the rules it rests on and what the next level needs.
#[derive(Clone, PartialEq, Debug)]
pub struct Assessment {
    pub area: Area,
    pub level: u8,
    /// The rules of the level reached, all holding.
    pub because: Vec<&'static str>,
    /// The rules of the next level that do not hold yet.
    pub needs: Vec<&'static str>,
    pub target: Option<u8>,
    pub self_assessed: Option<u8>,
    pub note: Option<String>,
}

impl Assessment {
    /// "Level 3 (defined) because …; level 4 needs …", as one sentence per part.
    pub fn explanation(&self) -> String {
        let mut words = if self.level == 0 {
            format!("Level 0 ({}).", level_name(0))
        } else {
            format!(
                "Level {} ({}) because: {}",
                self.level,
                level_name(self.level),
                self.because.join(" ")
            )
        };
        if self.level < TOP {
            words.push_str(&format!(
                " Level {} needs: {}",
                self.level + 1,
                self.needs.join(" ")
            ));
        }
        words
    }
}

/// Every area's level on `today`.
pub fn assess(register: &Replica, today: NaiveDate) -> Vec<Assessment> {
    assess_facts(&Facts::new(register, today))
}

/// Every area's level from facts already gathered.
pub fn assess_facts(facts: &Facts) -> Vec<Assessment> {
    let targets = targets_of(facts.inputs.targets.clone());
    Area::ALL
        .into_iter()
        .map(|area| {
            let of_level = |level: u8| {
                RULES
                    .iter()
                    .filter(move |r| r.area == area && r.level == level)
            };
            let mut level = 0;
            while level < TOP && of_level(level + 1).all(|r| (r.holds)(facts)) {
                level += 1;
            }
            let target = targets.get(&area);
            Assessment {
                area,
                level,
                because: of_level(level).map(|r| r.text).collect(),
                needs: of_level(level + 1)
                    .filter(|r| !(r.holds)(facts))
                    .map(|r| r.text)
                    .collect(),
                target: target.and_then(|t| t.target).map(|t| t as u8),
                self_assessed: target.and_then(|t| t.self_assessed).map(|t| t as u8),
                note: target.and_then(|t| t.note.clone()),
            }
        })
        .collect()
}

/// The target record of each area (the last made, should two devices have made one each).
pub fn targets(register: &Replica) -> HashMap<Area, MaturityTarget> {
    targets_of(register.all())
}

fn targets_of(all: Vec<MaturityTarget>) -> HashMap<Area, MaturityTarget> {
    all.into_iter()
        .filter_map(|t| Some((Area::from_key(t.area.as_deref()?)?, t)))
        .collect()
}

/// The id of an area's target record: the same on every device, so two devices setting a
/// target edit one record.
pub fn target_id(area: Area) -> RecordId {
    RecordId::derived("maturity_target", area.key())
}

/// The fields of a snapshot of the register's maturity and indicators on `today`: the one
/// computation wherever a snapshot is taken (the dashboard's monthly one, a review's sign-off,
/// the demo) and wherever one is judged (the gate, on the device and the server), at the
/// risk appetite all of them use.
pub fn snapshot_of(
    register: &Replica,
    today: NaiveDate,
    occasion: Occasion,
    review: Option<RecordId>,
) -> Vec<(&'static str, Value)> {
    let facts = Facts::new(register, today);
    snapshot(&assess_facts(&facts), &facts, occasion, review)
}

/// The fields of a snapshot of `assessments` and the current indicators, taken on `today`.
fn snapshot(
    assessments: &[Assessment],
    facts: &Facts,
    occasion: Occasion,
    review: Option<RecordId>,
) -> Vec<(&'static str, Value)> {
    let levels = assessments
        .iter()
        .map(|a| format!("{}={}", a.area.key(), a.level))
        .collect();
    let figures = indicators::INDICATORS
        .iter()
        .filter_map(|d| Some(format!("{}={}", d.key, facts.value(d.key)?)))
        .collect();
    let mut fields = vec![
        (
            MaturitySnapshot::taken_on,
            Value::from(facts.today().to_string()),
        ),
        (MaturitySnapshot::occasion, Value::from(occasion)),
        (MaturitySnapshot::levels, Value::List(levels)),
        (MaturitySnapshot::figures, Value::List(figures)),
    ];
    if let Some(review) = review {
        fields.push((MaturitySnapshot::review, Value::from(review.to_string())));
    }
    fields
}

fn pairs(lines: &Option<Vec<String>>) -> impl Iterator<Item = (&str, &str)> {
    lines
        .iter()
        .flatten()
        .filter_map(|line| line.split_once('='))
}

/// A snapshot's levels by area.
pub fn levels_of(snapshot: &MaturitySnapshot) -> HashMap<Area, u8> {
    pairs(&snapshot.levels)
        .filter_map(|(area, level)| Some((Area::from_key(area)?, level.parse().ok()?)))
        .collect()
}

/// A snapshot's indicator figures by key.
pub fn figures_of(snapshot: &MaturitySnapshot) -> HashMap<&'static str, f64> {
    pairs(&snapshot.figures)
        .filter_map(|(key, value)| Some((indicators::definition(key)?.key, value.parse().ok()?)))
        .collect()
}

/// Snapshots by the day they were taken, oldest first; of two on one day, the later recorded.
pub fn snapshots(register: &Replica) -> Vec<MaturitySnapshot> {
    by_day(register.all())
}

/// Snapshots already viewed (in creation order), as `snapshots` orders them.
pub(crate) fn by_day(all: Vec<MaturitySnapshot>) -> Vec<MaturitySnapshot> {
    let mut all: Vec<MaturitySnapshot> = all
        .into_iter()
        .filter(|s| s.taken_on.as_deref().and_then(dates::date).is_some())
        .collect();
    // Ids are in creation order and the sort is stable.
    all.sort_by(|a, b| a.taken_on.cmp(&b.taken_on));
    let mut kept: Vec<MaturitySnapshot> = Vec::new();
    for snapshot in all {
        match kept.last_mut() {
            Some(last) if last.taken_on == snapshot.taken_on => *last = snapshot,
            _ => kept.push(snapshot),
        }
    }
    kept
}

/// The last snapshot taken on or before `day`.
pub fn latest_snapshot(register: &Replica, day: NaiveDate) -> Option<MaturitySnapshot> {
    snapshots(register)
        .into_iter()
        .rfind(|s| s.taken_on.as_deref().and_then(dates::date) <= Some(day))
}

/// Whether this month's snapshot is still to be taken: none taken since the month began, and
/// the register held work (risks, reports, findings, metrics) before it began, so there is a
/// month to compare with. (A register started this month waits for the next.)
pub fn monthly_snapshot_due(register: &Replica, today: NaiveDate) -> bool {
    let month = today.format("%Y-%m").to_string();
    let Some(month_began) = today.with_day0(0) else {
        return false;
    };
    let worked_before = [Kind::Risk, Kind::Event, Kind::Finding, Kind::Metric]
        .into_iter()
        .flat_map(|kind| register.of_kind(kind))
        .any(|(id, _)| indicators::created(id).is_some_and(|d| d < month_began));
    worked_before
        && !snapshots(register)
            .iter()
            .any(|s| s.taken_on.as_deref().is_some_and(|t| t.starts_with(&month)))
}

fn days_ago(facts: &Facts, days: u64) -> NaiveDate {
    facts
        .today()
        .checked_sub_days(chrono::Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

fn audits_held<'f>(facts: &'f Facts) -> impl Iterator<Item = &'f Audit> {
    facts.inputs.audits.iter().filter(|a| {
        matches!(
            a.status,
            Some(AuditStatus::InProgress | AuditStatus::Reported | AuditStatus::Closed)
        )
    })
}

fn audit_day(audit: &Audit) -> Option<NaiveDate> {
    audit
        .performed_date
        .as_deref()
        .or(audit.planned_date.as_deref())
        .and_then(dates::date)
}

/// Every rule, by area and level. docs/registers.md lists them (a test checks it does).
pub static RULES: &[Rule] = &[
    // Risk management (6.1, 8.2, 8.3).
    Rule {
        area: Area::RiskManagement,
        level: 1,
        text: "At least one risk is recorded.",
        holds: |f| !f.inputs.risks.is_empty(),
    },
    Rule {
        area: Area::RiskManagement,
        level: 2,
        text: "Every risk not closed has an owner.",
        holds: |f| f.inputs.open_risks().all(|r| r.owner.is_some()),
    },
    Rule {
        area: Area::RiskManagement,
        level: 2,
        text: "Every high or critical risk has a treatment decided.",
        holds: |f| {
            f.inputs
                .open_risks()
                .filter(|r| {
                    r.inherent_score()
                        .is_some_and(|s| f.inputs.criteria.is_high(s))
                })
                .all(|r| r.treatment.is_some())
        },
    },
    Rule {
        area: Area::RiskManagement,
        level: 3,
        text: "Risks have been kept for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::RiskManagement),
    },
    Rule {
        area: Area::RiskManagement,
        level: 3,
        text: "Every risk not closed is assessed (past “identified”) and has a review date.",
        holds: |f| {
            f.inputs.open_risks().all(|r| {
                r.status.is_some_and(|s| s != RiskStatus::Identified) && r.review_due.is_some()
            })
        },
    },
    Rule {
        area: Area::RiskManagement,
        level: 3,
        text: "No risk review is overdue.",
        holds: |f| {
            let today = f.today().to_string();
            f.inputs.open_risks().all(|r| {
                !r.review_due
                    .as_deref()
                    .is_some_and(|d| dates::is_overdue(d, &today))
            })
        },
    },
    Rule {
        area: Area::RiskManagement,
        level: 4,
        text: "At least 90 % of high and critical risks are being treated or formally accepted.",
        holds: |f| f.at_least("high_risks_treated", 90.0),
    },
    Rule {
        area: Area::RiskManagement,
        level: 4,
        text: "Every risk being treated or accepted has a residual score.",
        holds: |f| {
            f.inputs
                .open_risks()
                .filter(|r| matches!(r.status, Some(RiskStatus::Treating | RiskStatus::Accepted)))
                .all(|r| r.residual_score().is_some())
        },
    },
    Rule {
        area: Area::RiskManagement,
        level: 4,
        text: "No risk acceptance has expired.",
        holds: |f| {
            f.at_most("expired_acceptances", 0.0) || f.value("expired_acceptances").is_none()
        },
    },
    Rule {
        area: Area::RiskManagement,
        level: 5,
        text: "Risk reduced has grown since the snapshot before this period, and risks above appetite have not.",
        holds: |f| {
            let grown = matches!(
                (f.value("risk_reduction"), f.previous("risk_reduction")),
                (Some(now), Some(before)) if now > before
            );
            grown && f.held_or_improved("risks_above_appetite")
        },
    },
    // Controls (Annex A, 6.1.3, 8.1).
    Rule {
        area: Area::Controls,
        level: 1,
        text: "At least one applicable control is planned or being implemented.",
        holds: |f| {
            f.inputs.applicable_controls().any(|c| {
                matches!(
                    c.status,
                    Some(
                        ControlStatus::Planned
                            | ControlStatus::Partial
                            | ControlStatus::Implemented
                    )
                )
            })
        },
    },
    Rule {
        area: Area::Controls,
        level: 2,
        text: "Every applicable control has an owner.",
        holds: |f| f.inputs.applicable_controls().all(|c| c.owner.is_some()),
    },
    Rule {
        area: Area::Controls,
        level: 2,
        text: "At least half of the applicable controls are implemented.",
        holds: |f| f.at_least("controls_implemented", 50.0),
    },
    Rule {
        area: Area::Controls,
        level: 3,
        text: "Controls have been kept for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::Controls),
    },
    Rule {
        area: Area::Controls,
        level: 3,
        text: "At least 80 % of the applicable controls are implemented.",
        holds: |f| f.at_least("controls_implemented", 80.0),
    },
    Rule {
        area: Area::Controls,
        level: 3,
        text: "At most 20 % of control reviews are overdue.",
        holds: |f| f.at_most("control_reviews_overdue", 20.0),
    },
    Rule {
        area: Area::Controls,
        level: 4,
        text: "Every implemented control has its effectiveness rated, and at least 80 % of those rated are effective.",
        holds: |f| {
            let implemented: Vec<_> = f
                .inputs
                .applicable_controls()
                .filter(|c| c.status == Some(ControlStatus::Implemented))
                .collect();
            let effective = implemented
                .iter()
                .filter(|c| c.effectiveness == Some(Effectiveness::Effective))
                .count();
            !implemented.is_empty()
                && implemented.iter().all(|c| {
                    c.effectiveness
                        .is_some_and(|e| e != Effectiveness::NotRated)
                })
                && effective * 10 >= implemented.len() * 8
        },
    },
    Rule {
        area: Area::Controls,
        level: 4,
        text: "At most 5 % of control reviews are overdue.",
        holds: |f| f.at_most("control_reviews_overdue", 5.0),
    },
    Rule {
        area: Area::Controls,
        level: 5,
        text: "At least 95 % of the applicable controls are implemented and none is rated ineffective.",
        holds: |f| {
            f.at_least("controls_implemented", 95.0)
                && !f
                    .inputs
                    .applicable_controls()
                    .any(|c| c.effectiveness == Some(Effectiveness::Ineffective))
        },
    },
    Rule {
        area: Area::Controls,
        level: 5,
        text: "No control review is overdue.",
        holds: |f| f.at_most("control_reviews_overdue", 0.0),
    },
    // Monitoring and measurement (9.1, 6.2).
    Rule {
        area: Area::Monitoring,
        level: 1,
        text: "At least one metric is defined.",
        holds: |f| !f.inputs.metrics.is_empty(),
    },
    Rule {
        area: Area::Monitoring,
        level: 2,
        text: "Every metric has an owner and a target or warning threshold.",
        holds: |f| {
            f.inputs
                .metrics
                .iter()
                .all(|m| m.owner.is_some() && (m.target.is_some() || m.warning.is_some()))
        },
    },
    Rule {
        area: Area::Monitoring,
        level: 2,
        text: "Every metric has been measured.",
        holds: |f| {
            f.inputs
                .metrics
                .iter()
                .all(|m| f.inputs.series.contains_key(&m.id))
        },
    },
    Rule {
        area: Area::Monitoring,
        level: 3,
        text: "Measurements have been taken for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::Monitoring),
    },
    Rule {
        area: Area::Monitoring,
        level: 3,
        text: "Every objective is measured by at least one metric.",
        holds: |f| {
            !f.inputs.objectives.is_empty()
                && f.inputs
                    .objectives
                    .iter()
                    .all(|o| !metrics::metrics_of(o, &f.inputs.metrics).is_empty())
        },
    },
    Rule {
        area: Area::Monitoring,
        level: 3,
        text: "No measurement is overdue.",
        holds: |f| f.at_most("measurements_overdue", 0.0),
    },
    Rule {
        area: Area::Monitoring,
        level: 4,
        text: "At least 70 % of metrics are on target.",
        holds: |f| f.at_least("metrics_on_target", 70.0),
    },
    Rule {
        area: Area::Monitoring,
        level: 4,
        text: "At least 70 % of the measured objectives are on track.",
        holds: |f| f.at_least("objectives_met", 70.0),
    },
    Rule {
        area: Area::Monitoring,
        level: 5,
        text: "Every metric whose latest measurement is a breach has a finding raised from it.",
        holds: |f| {
            f.inputs.metrics.iter().all(|m| {
                let Some(latest) = f.inputs.series.get(&m.id).and_then(|s| s.last()) else {
                    return true;
                };
                let breach = latest
                    .value
                    .is_some_and(|v| metrics::standing(m, v) == Standing::Breach);
                !breach
                    || f.inputs.findings.iter().any(|finding| {
                        finding
                            .measurement
                            .is_some_and(|id| f.inputs.series[&m.id].iter().any(|s| s.id == id))
                    })
            })
        },
    },
    Rule {
        area: Area::Monitoring,
        level: 5,
        text: "Metrics on target have not fallen against the period before.",
        holds: |f| f.held_or_improved("metrics_on_target"),
    },
    // Internal audit (9.2).
    Rule {
        area: Area::InternalAudit,
        level: 1,
        text: "At least one audit has been held.",
        holds: |f| audits_held(f).next().is_some(),
    },
    Rule {
        area: Area::InternalAudit,
        level: 2,
        text: "An internal audit with a checklist was reported in the last 12 months.",
        holds: |f| {
            let checks = &f.inputs.checks;
            audits_held(f).any(|a| {
                a.audit_type == Some(AuditType::Internal)
                    && matches!(a.status, Some(AuditStatus::Reported | AuditStatus::Closed))
                    && audit_day(a).is_some_and(|d| d >= f.year_ago())
                    && checks
                        .iter()
                        .any(|c| c.audit == Some(a.id) && crate::audits::is_checked(c.result))
            })
        },
    },
    Rule {
        area: Area::InternalAudit,
        level: 3,
        text: "Audits have been held for six months or more: the first check was written at least six months ago.",
        holds: |f| f.sustained(Area::InternalAudit),
    },
    Rule {
        area: Area::InternalAudit,
        level: 3,
        text: "The last 12 months' audits cover at least 60 % of clauses 4–10 and the Annex A themes.",
        holds: |f| f.at_least("audit_coverage", 60.0),
    },
    Rule {
        area: Area::InternalAudit,
        level: 3,
        text: "Internal audits recorded results in at least two different quarters of the last 12 months.",
        holds: |f| {
            let internal: Vec<RecordId> = f
                .inputs
                .audits
                .iter()
                .filter(|a| a.audit_type == Some(AuditType::Internal))
                .map(|a| a.id)
                .collect();
            let year_ago = f.year_ago();
            let mut quarters: Vec<(i32, u32)> = months_of(
                f.inputs
                    .checks
                    .iter()
                    .filter(|c| c.audit.is_some_and(|a| internal.contains(&a)))
                    .filter(|c| crate::audits::counts_for_coverage(c.result))
                    .filter_map(|c| c.checked_at.as_deref())
                    .filter(|t| day_of(t).is_some_and(|d| d >= year_ago)),
            )
            .into_iter()
            .map(|(year, month)| (year, (month - 1) / 3))
            .collect();
            quarters.dedup();
            quarters.len() >= 2
        },
    },
    Rule {
        area: Area::InternalAudit,
        level: 3,
        text: "Every nonconformity an audit check found has a finding raised from it.",
        holds: |f| {
            f.inputs.checks.iter().all(|c| {
                !matches!(c.result, Some(CheckResult::MinorNc | CheckResult::MajorNc))
                    || f.inputs
                        .findings
                        .iter()
                        .any(|x| x.audit_check == Some(c.id))
            })
        },
    },
    Rule {
        area: Area::InternalAudit,
        level: 4,
        text: "The last 12 months' audits cover every clause and theme.",
        holds: |f| f.at_least("audit_coverage", 100.0),
    },
    Rule {
        area: Area::InternalAudit,
        level: 4,
        text: "An audit is planned for the next 12 months.",
        holds: |f| {
            let horizon = f.today().checked_add_months(chrono::Months::new(12));
            f.inputs.audits.iter().any(|a| {
                a.status == Some(AuditStatus::Planned)
                    && matches!((audit_day(a), horizon), (Some(d), Some(h)) if d >= f.today() && d <= h)
            })
        },
    },
    Rule {
        area: Area::InternalAudit,
        level: 5,
        text: "Every area with open nonconformities or treating a high residual risk was audited in the last 6 months.",
        holds: |f| {
            let since = days_ago(f, 183).to_string();
            f.inputs.coverage.iter().all(|area| {
                let flagged = area
                    .due
                    .iter()
                    .any(|d| *d != "not audited in the last 12 months");
                !flagged
                    || area
                        .last_audited
                        .as_deref()
                        .is_some_and(|d| d >= since.as_str())
            })
        },
    },
    Rule {
        area: Area::InternalAudit,
        level: 5,
        text: "Every audit reported in the last 12 months was acknowledged by whom it was reported to.",
        holds: |f| {
            audits_held(f)
                .filter(|a| matches!(a.status, Some(AuditStatus::Reported | AuditStatus::Closed)))
                .filter(|a| audit_day(a).is_some_and(|d| d >= f.year_ago()))
                .all(|a| a.acknowledged_at.is_some())
        },
    },
    // Management review (9.3).
    Rule {
        area: Area::ManagementReview,
        level: 1,
        text: "At least one management review is recorded.",
        holds: |f| !f.reviews.is_empty(),
    },
    Rule {
        area: Area::ManagementReview,
        level: 2,
        text: "A management review was held in the last 12 months.",
        holds: |f| {
            f.held_reviews().any(|r| {
                r.date
                    .as_deref()
                    .and_then(dates::date)
                    .is_some_and(|d| d >= f.year_ago())
            })
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 3,
        text: "Reviews have been kept for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::ManagementReview),
    },
    Rule {
        area: Area::ManagementReview,
        level: 3,
        text: "The last review held was signed off with its inputs.",
        holds: |f| {
            f.last_held_review()
                .is_some_and(|r| r.signed_off_at.is_some() && r.inputs_snapshot.is_some())
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 3,
        text: "At least two reviews have been signed off, in different quarters.",
        holds: |f| {
            let quarters = months_of(f.reviews.iter().filter_map(|r| r.signed_off_at.as_deref()))
                .into_iter()
                .map(|(year, month)| (year, (month - 1) / 3));
            let mut quarters: Vec<(i32, u32)> = quarters.collect();
            quarters.dedup();
            quarters.len() >= 2
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 3,
        text: "The last review held decided at least one output (an action naming it).",
        holds: |f| {
            f.last_held_review()
                .is_some_and(|r| f.review_outputs().any(|a| a.review == Some(r.id)))
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 4,
        text: "The reviews decided outputs; every one has an owner and a due date, and none is overdue.",
        holds: |f| {
            let today = f.today().to_string();
            f.review_outputs().next().is_some()
                && f.review_outputs().all(|a| {
                    let open =
                        !matches!(a.status, Some(ActionStatus::Done | ActionStatus::Cancelled));
                    a.owner.is_some()
                        && a.due.is_some()
                        && !(open
                            && a.due
                                .as_deref()
                                .is_some_and(|d| dates::is_overdue(d, &today)))
                })
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 5,
        text: "The last review held looked at maturity against target (a snapshot taken at its sign-off).",
        holds: |f| {
            f.last_held_review()
                .is_some_and(|r| f.snapshots.iter().any(|s| s.review == Some(r.id)))
        },
    },
    Rule {
        area: Area::ManagementReview,
        level: 5,
        text: "At least 90 % of the review outputs completed were completed on time.",
        holds: |f| {
            let done: Vec<&Action> = f
                .review_outputs()
                .filter(|a| a.status == Some(ActionStatus::Done))
                .collect();
            let on_time = done
                .iter()
                .filter(|a| {
                    matches!(
                        (a.completed_at.as_deref().and_then(day_of), a.due.as_deref().and_then(dates::date)),
                        (Some(done), Some(due)) if done <= due
                    )
                })
                .count();
            done.len() >= indicators::MIN_CASES && on_time * 10 >= done.len() * 9
        },
    },
    // Corrective action (10.2).
    Rule {
        area: Area::CorrectiveAction,
        level: 1,
        text: "At least one finding is recorded.",
        holds: |f| !f.inputs.findings.is_empty(),
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 2,
        text: "Every open nonconformity has an owner and a due date.",
        holds: |f| {
            f.nonconformities()
                .filter(|x| x.status != Some(FindingStatus::Closed))
                .all(|x| x.owner.is_some() && x.due.is_some())
        },
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 2,
        text: "Every nonconformity has a correction recorded or an action.",
        holds: |f| {
            f.nonconformities().all(|x| {
                x.correction.is_some() || f.inputs.actions.iter().any(|a| a.finding == Some(x.id))
            })
        },
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 3,
        text: "Findings and actions have been kept for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::CorrectiveAction),
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 3,
        text: "Nonconformities have been closed, each with a root cause and a corrective action verified effective.",
        holds: |f| {
            let closed: Vec<&Finding> = f
                .nonconformities()
                .filter(|x| x.status == Some(FindingStatus::Closed))
                .collect();
            !closed.is_empty()
                && closed.iter().all(|x| {
                    x.root_cause.is_some()
                        && f.inputs.actions.iter().any(|a| {
                            a.finding == Some(x.id)
                                && a.action_type == Some(ActionType::Corrective)
                                && a.effective == Some(Verdict::Effective)
                        })
                })
        },
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 3,
        text: "Actions have been verified effective in at least three different months.",
        holds: |f| {
            let verified = f
                .inputs
                .actions
                .iter()
                .filter(|a| a.effective == Some(Verdict::Effective))
                .filter_map(|a| a.verified_at.as_deref());
            months_of(verified).len() >= 3
        },
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 4,
        text: "At least 90 % of the actions completed in the period were on time.",
        holds: |f| f.at_least("actions_on_time", 90.0),
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 4,
        text: "At most 10 % of the findings raised in the period recur an earlier one.",
        holds: |f| f.at_most("recurrence", 10.0),
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 5,
        text: "At least 90 % of the effectiveness checks in the period passed.",
        holds: |f| f.at_least("effectiveness_passed", 90.0),
    },
    Rule {
        area: Area::CorrectiveAction,
        level: 5,
        text: "No action is overdue.",
        holds: |f| f.at_most("actions_overdue", 0.0),
    },
    // Feedback and learning (reports of events, A.6.8, 10.1).
    Rule {
        area: Area::FeedbackAndLearning,
        level: 1,
        text: "At least one report (incident, near miss, observation or suggestion) is recorded.",
        holds: |f| !f.inputs.events.is_empty(),
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 2,
        text: "No report has waited more than 7 days for triage.",
        holds: |f| {
            let week_ago = days_ago(f, 7);
            f.inputs.events.iter().all(|e| {
                let waiting = matches!(e.status, None | Some(EventStatus::New));
                let filed = e
                    .detected_at
                    .as_deref()
                    .and_then(day_of)
                    .or_else(|| indicators::created(e.id));
                !waiting || filed.is_some_and(|d| d >= week_ago)
            })
        },
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 3,
        text: "Reports have been kept for six months or more: the first was written at least six months ago.",
        holds: |f| f.sustained(Area::FeedbackAndLearning),
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 3,
        text: "At least 30 % of the period's reports are near misses or observations.",
        holds: |f| f.at_least("near_miss_share", 30.0),
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 3,
        text: "Every resolved or closed incident records its lessons learned.",
        holds: |f| {
            f.inputs.events.iter().all(|e| {
                e.event_type != Some(EventType::Incident)
                    || !matches!(e.status, Some(EventStatus::Resolved | EventStatus::Closed))
                    || e.lessons.as_deref().is_some_and(|l| !l.trim().is_empty())
            })
        },
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 4,
        text: "The period's reports came from at least 3 different people.",
        holds: |f| {
            let mut reporters: Vec<RecordId> = f
                .inputs
                .events
                .iter()
                .filter(|e| f.inputs.period.holds(e.detected_at.as_deref()))
                .filter_map(|e| e.reporter)
                .collect();
            reporters.sort();
            reporters.dedup();
            reporters.len() >= 3
        },
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 4,
        text: "The median time to detect is 24 hours or less.",
        holds: |f| f.at_most("detection_median", 24.0),
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 5,
        text: "Every high or critical incident led to a finding.",
        holds: |f| {
            f.inputs.events.iter().all(|e: &Event| {
                e.event_type != Some(EventType::Incident)
                    || !matches!(e.severity, Some(Severity::High | Severity::Critical))
                    || f.inputs.findings.iter().any(|x| x.event == Some(e.id))
            })
        },
    },
    Rule {
        area: Area::FeedbackAndLearning,
        level: 5,
        text: "The median time to detect has not grown against the period before.",
        holds: |f| f.held_or_improved("detection_median"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Kind,
        fixture::{Fixture, day, link, text},
        views::Control,
    };

    const TODAY: &str = "2026-06-30";

    fn of(f: &Fixture, area: Area) -> Assessment {
        assess(f.register(), day(TODAY))
            .into_iter()
            .find(|a| a.area == area)
            .unwrap()
    }

    /// Asserts the area's level, and that the next level needs exactly `needs` (by their
    /// first words).
    fn assert_level(f: &Fixture, area: Area, level: u8, needs: &[&str]) {
        let assessment = of(f, area);
        assert_eq!(
            assessment.level,
            level,
            "{area:?}: {}",
            assessment.explanation()
        );
        assert_eq!(
            assessment.needs.len(),
            needs.len(),
            "{area:?}: {:?}",
            assessment.needs
        );
        for (need, start) in assessment.needs.iter().zip(needs) {
            assert!(need.starts_with(start), "{area:?}: {need} is not {start}…");
        }
    }

    #[test]
    fn an_empty_register_is_at_level_0_everywhere_and_says_what_level_1_needs() {
        let empty = Fixture::new();
        for assessment in assess(empty.register(), day(TODAY)) {
            assert_eq!(assessment.level, 0);
            assert_eq!(assessment.needs.len(), 1, "{:?}", assessment.area);
            assert!(
                assessment
                    .explanation()
                    .starts_with("Level 0 (not performed). Level 1 needs: At least")
            );
            assert_eq!(assessment.target, None);
        }
    }

    #[test]
    fn every_area_has_rules_for_every_level_and_the_docs_list_them() {
        let listed = include_str!("../../docs/registers.md").replace('\n', " ");
        let listed = listed.split_whitespace().collect::<Vec<_>>().join(" ");
        for area in Area::ALL {
            for level in 1..=TOP {
                assert!(
                    RULES.iter().any(|r| r.area == area && r.level == level),
                    "{area:?} {level}"
                );
            }
            assert_eq!(Area::from_key(area.key()), Some(area));
        }
        for rule in RULES {
            assert!(
                listed.contains(rule.text),
                "docs/registers.md lacks “{}”",
                rule.text
            );
        }
    }

    fn risk(f: &mut Fixture) -> RecordId {
        f.add(
            Kind::Risk,
            &[
                ("title", text("Ransomware")),
                ("status", text("identified")),
                ("inherent_likelihood", Value::Int(4)),
                ("inherent_impact", Value::Int(4)),
            ],
        )
    }

    #[test]
    fn risk_management_climbs_from_recorded_to_falling_risk() {
        let mut f = Fixture::new();
        let owner = link(RecordId::new());
        let risks: Vec<RecordId> = (0..3).map(|_| risk(&mut f)).collect();
        assert_level(
            &f,
            Area::RiskManagement,
            1,
            &["Every risk not closed has an owner", "Every high"],
        );
        for &r in &risks {
            f.set(
                r,
                Kind::Risk,
                &[("owner", owner.clone()), ("treatment", text("mitigate"))],
            );
        }
        assert_level(
            &f,
            Area::RiskManagement,
            2,
            &["Every risk not closed is assessed"],
        );
        for &r in &risks {
            f.set(
                r,
                Kind::Risk,
                &[
                    ("status", text("treating")),
                    ("review_due", text("2026-12-31")),
                ],
            );
        }
        assert_level(&f, Area::RiskManagement, 3, &["Every risk being treated"]);
        f.set(risks[0], Kind::Risk, &[("review_due", text("2026-06-01"))]);
        assert_level(&f, Area::RiskManagement, 2, &["No risk review is overdue"]);
        f.set(risks[0], Kind::Risk, &[("review_due", text("2026-12-31"))]);
        for &r in &risks {
            f.set(
                r,
                Kind::Risk,
                &[
                    ("residual_likelihood", Value::Int(2)),
                    ("residual_impact", Value::Int(2)),
                ],
            );
        }
        assert_level(&f, Area::RiskManagement, 4, &["Risk reduced has grown"]);
        // A snapshot from before the period: less reduced, as many above appetite.
        f.add(
            Kind::MaturitySnapshot,
            &[
                ("taken_on", text("2026-03-01")),
                ("occasion", text("monthly")),
                ("levels", Value::List(vec!["risk_management=2".into()])),
                (
                    "figures",
                    Value::List(vec![
                        "risk_reduction=0".into(),
                        "risks_above_appetite=3".into(),
                    ]),
                ),
            ],
        );
        assert_level(&f, Area::RiskManagement, 5, &[]);
        assert!(
            of(&f, Area::RiskManagement)
                .explanation()
                .starts_with("Level 5 (optimising) because: Risk reduced")
        );
    }

    #[test]
    fn controls_climb_with_implementation_rated_effectiveness_and_reviews() {
        let mut f = Fixture::new();
        let controls: Vec<RecordId> = (0..5)
            .map(|i| {
                f.add(
                    Kind::Control,
                    &[
                        ("reference", text(&format!("A.5.{i}"))),
                        ("title", text("A control")),
                        (
                            "status",
                            text(if i == 0 { "planned" } else { "not_started" }),
                        ),
                    ],
                )
            })
            .collect();
        // Excluded controls do not count.
        f.add(
            Kind::Control,
            &[
                ("reference", text("A.7.4")),
                ("title", text("Excluded")),
                ("applicable", Value::Bool(false)),
                ("justification", text("No premises.")),
            ],
        );
        assert_level(
            &f,
            Area::Controls,
            1,
            &["Every applicable control has an owner", "At least half"],
        );
        let set_all = |f: &mut Fixture, statuses: [&str; 5], effectiveness: &str| {
            for (&c, status) in controls.iter().zip(statuses) {
                f.set(
                    c,
                    Kind::Control,
                    &[
                        (Control::owner, link(RecordId::new())),
                        (Control::status, text(status)),
                        (Control::last_reviewed, text("2026-01-01")),
                        (Control::effectiveness, text(effectiveness)),
                    ],
                );
            }
        };
        set_all(
            &mut f,
            [
                "implemented",
                "implemented",
                "partial",
                "planned",
                "planned",
            ],
            "not_rated",
        );
        assert_level(&f, Area::Controls, 1, &["At least half"]);
        set_all(
            &mut f,
            [
                "implemented",
                "implemented",
                "implemented",
                "planned",
                "planned",
            ],
            "not_rated",
        );
        assert_level(&f, Area::Controls, 2, &["At least 80 %"]);
        set_all(
            &mut f,
            [
                "implemented",
                "implemented",
                "implemented",
                "implemented",
                "partial",
            ],
            "not_rated",
        );
        assert_level(
            &f,
            Area::Controls,
            3,
            &["Every implemented control has its effectiveness rated"],
        );
        set_all(
            &mut f,
            [
                "implemented",
                "implemented",
                "implemented",
                "implemented",
                "partial",
            ],
            "effective",
        );
        assert_level(&f, Area::Controls, 4, &["At least 95 %"]);
        set_all(&mut f, ["implemented"; 5], "effective");
        assert_level(&f, Area::Controls, 5, &[]);
        f.set(
            controls[0],
            Kind::Control,
            &[(Control::last_reviewed, text("2025-01-01"))],
        );
        assert_level(&f, Area::Controls, 3, &["At most 5 %"]);
    }

    #[test]
    fn monitoring_climbs_to_breaches_that_raise_findings() {
        let mut f = Fixture::new();
        let metrics: Vec<RecordId> = (0..4)
            .map(|_| {
                f.add(
                    Kind::Metric,
                    &[
                        ("name", text("Patched within 14 days")),
                        ("direction", text("higher_is_better")),
                        ("frequency", text("monthly")),
                    ],
                )
            })
            .collect();
        assert_level(
            &f,
            Area::Monitoring,
            1,
            &[
                "Every metric has an owner",
                "Every metric has been measured",
            ],
        );
        let measure = |f: &mut Fixture, metric: RecordId, value: f64, on: &str| {
            f.add(
                Kind::Measurement,
                &[
                    ("metric", link(metric)),
                    ("value", Value::Num(value)),
                    ("date", text(on)),
                ],
            )
        };
        let mut breach = None;
        for (i, &m) in metrics.iter().enumerate() {
            f.set(
                m,
                Kind::Metric,
                &[
                    ("owner", link(RecordId::new())),
                    ("target", Value::Num(90.0)),
                ],
            );
            let value = if i == 3 { 50.0 } else { 95.0 };
            measure(&mut f, m, value, "2026-03-15");
            let latest = measure(&mut f, m, value, "2026-06-15");
            if i == 3 {
                breach = Some(latest);
            }
        }
        assert_level(&f, Area::Monitoring, 2, &["Every objective is measured"]);
        for &m in &metrics {
            f.add(
                Kind::Objective,
                &[
                    ("title", text("Patch fast")),
                    ("metrics", Value::List(vec![m.to_string()])),
                ],
            );
        }
        assert_level(
            &f,
            Area::Monitoring,
            4,
            &["Every metric whose latest measurement is a breach"],
        );
        f.add(
            Kind::Finding,
            &[
                ("title", text("Patching missed its target")),
                ("finding_type", text("minor_nc")),
                ("source", text("measurement")),
                ("measurement", link(breach.unwrap())),
            ],
        );
        assert_level(&f, Area::Monitoring, 5, &[]);
    }

    #[test]
    fn internal_audit_climbs_to_a_risk_based_programme() {
        let mut f = Fixture::new();
        let audit = f.add(
            Kind::Audit,
            &[
                ("title", text("ISMS internal audit")),
                ("audit_type", text("internal")),
                ("status", text("in_progress")),
                ("performed_date", text("2026-05-01")),
            ],
        );
        assert_level(
            &f,
            Area::InternalAudit,
            1,
            &["An internal audit with a checklist"],
        );
        let check_at = |f: &mut Fixture, reference: &str, result: &str, at: &str| {
            f.add(
                Kind::AuditCheck,
                &[
                    ("audit", link(audit)),
                    ("question", text("Is it so?")),
                    ("reference", text(reference)),
                    ("result", text(result)),
                    ("checked_at", text(at)),
                ],
            )
        };
        let check = |f: &mut Fixture, reference: &str, result: &str| {
            check_at(f, reference, result, "2026-05-01T10:00:00Z")
        };
        for clause in ["4.1", "5.1", "6.1.1", "7.5.1", "8.1", "9.2.1", "10.2"] {
            check(&mut f, clause, "conforming");
        }
        let nc = check(&mut f, "A.5.15", "minor_nc");
        f.set(audit, Kind::Audit, &[("status", text("reported"))]);
        assert_level(
            &f,
            Area::InternalAudit,
            2,
            &[
                "Internal audits recorded results",
                "Every nonconformity an audit check found",
            ],
        );
        f.add(
            Kind::Finding,
            &[
                ("title", text("Access reviews not done")),
                ("finding_type", text("minor_nc")),
                ("reference", text("A.5.15")),
                ("audit_check", link(nc)),
            ],
        );
        // One audit's results, however complete, are not yet a programme kept up.
        assert_level(
            &f,
            Area::InternalAudit,
            2,
            &["Internal audits recorded results"],
        );
        check_at(&mut f, "A.5.1", "conforming", "2026-02-10T10:00:00Z");
        assert_level(
            &f,
            Area::InternalAudit,
            3,
            &[
                "The last 12 months' audits cover every",
                "An audit is planned",
            ],
        );
        for theme in ["A.6.3", "A.7.2", "A.8.8"] {
            check(&mut f, theme, "conforming");
        }
        f.add(
            Kind::Audit,
            &[
                ("title", text("Next year's audit")),
                ("audit_type", text("internal")),
                ("status", text("planned")),
                ("planned_date", text("2026-11-01")),
            ],
        );
        assert_level(&f, Area::InternalAudit, 4, &["Every audit reported"]);
        f.set(
            audit,
            Kind::Audit,
            &[("acknowledged_at", text("2026-05-10"))],
        );
        assert_level(&f, Area::InternalAudit, 5, &[]);
    }

    #[test]
    fn management_review_climbs_to_outputs_done_on_time_and_maturity_reviewed() {
        let mut f = Fixture::new();
        let review = f.add(
            Kind::Review,
            &[
                ("title", text("Review 2026")),
                ("date", text("2026-03-01")),
                ("status", text("planned")),
            ],
        );
        assert_level(
            &f,
            Area::ManagementReview,
            1,
            &["A management review was held"],
        );
        f.set(review, Kind::Review, &[("status", text("held"))]);
        assert_level(
            &f,
            Area::ManagementReview,
            2,
            &[
                "The last review held was signed off",
                "At least two reviews have been signed off",
                "The last review held decided",
            ],
        );
        f.set(
            review,
            Kind::Review,
            &[
                ("signed_off_at", text("2026-03-01T16:00:00Z")),
                ("inputs_snapshot", text("a) …")),
            ],
        );
        let outputs: Vec<RecordId> = (0..3)
            .map(|_| {
                f.add(
                    Kind::Action,
                    &[
                        ("title", text("Budget for a SIEM")),
                        ("action_type", text("improvement")),
                        ("review", link(review)),
                        ("output_type", text("resource_need")),
                    ],
                )
            })
            .collect();
        // One review, however complete, is not yet a cycle kept up.
        assert_level(
            &f,
            Area::ManagementReview,
            2,
            &["At least two reviews have been signed off"],
        );
        f.add(
            Kind::Review,
            &[
                ("title", text("Review 2025")),
                ("date", text("2025-09-01")),
                ("status", text("held")),
                ("signed_off_at", text("2025-09-01T16:00:00Z")),
                ("inputs_snapshot", text("a) …")),
            ],
        );
        assert_level(
            &f,
            Area::ManagementReview,
            3,
            &["The reviews decided outputs"],
        );
        for &a in &outputs {
            f.set(
                a,
                Kind::Action,
                &[
                    ("owner", link(RecordId::new())),
                    ("due", text("2026-05-01")),
                ],
            );
        }
        assert_level(
            &f,
            Area::ManagementReview,
            3,
            &["The reviews decided outputs"],
        );
        for &a in &outputs {
            f.set(
                a,
                Kind::Action,
                &[
                    ("status", text("done")),
                    ("completed_at", text("2026-04-20T10:00:00Z")),
                ],
            );
        }
        assert_level(
            &f,
            Area::ManagementReview,
            4,
            &["The last review held looked at maturity"],
        );
        f.add(
            Kind::MaturitySnapshot,
            &[
                ("taken_on", text("2026-03-01")),
                ("occasion", text("review")),
                ("review", link(review)),
                ("levels", Value::List(vec!["management_review=2".into()])),
            ],
        );
        assert_level(&f, Area::ManagementReview, 5, &[]);
    }

    #[test]
    fn maturity_is_not_earned_by_filling_in_forms() {
        let mut lived = crate::sync::Device::new(crate::ClientId::new());
        crate::demo::build(&mut lived, day(TODAY), 1);
        let levels = |register: &Replica| {
            assess(register, day(TODAY))
                .into_iter()
                .map(|a| (a.area, a.level))
                .collect::<Vec<_>>()
        };
        assert!(
            levels(&lived.local).iter().any(|(_, level)| *level >= 3),
            "a year kept up reaches level 3"
        );
        // The same records, every date in them the same, typed in three days ago.
        let three_days_ago = chrono::NaiveDateTime::from(day("2026-06-27"))
            .and_utc()
            .timestamp_millis() as u64;
        let mut typed = crate::sync::Device::new(crate::ClientId::new());
        for (id, record) in lived.local.records() {
            for (field, state) in &record.fields {
                typed.edit(id, record.kind, field, state.value.clone(), three_days_ago);
            }
        }
        let typed = levels(&typed.local);
        assert!(typed.iter().all(|(_, level)| *level <= 2), "{typed:?}");
        assert!(typed.iter().any(|(_, level)| *level == 2), "{typed:?}");
    }

    #[test]
    fn corrective_action_climbs_to_verified_on_time_actions() {
        let mut f = Fixture::new();
        let finding = |f: &mut Fixture, raised: &str| {
            f.add(
                Kind::Finding,
                &[
                    ("title", text("Backups not tested")),
                    ("finding_type", text("minor_nc")),
                    ("status", text("open")),
                    ("raised_at", text(raised)),
                ],
            )
        };
        let first = finding(&mut f, "2026-04-10T09:00:00Z");
        assert_level(
            &f,
            Area::CorrectiveAction,
            1,
            &[
                "Every open nonconformity has an owner",
                "Every nonconformity has a correction",
            ],
        );
        f.set(
            first,
            Kind::Finding,
            &[
                ("owner", link(RecordId::new())),
                ("due", text("2026-08-01")),
                ("correction", text("Ran a restore.")),
            ],
        );
        assert_level(
            &f,
            Area::CorrectiveAction,
            2,
            &[
                "Nonconformities have been closed",
                "Actions have been verified effective in at least three",
            ],
        );
        let verifier = link(RecordId::new());
        let action_verified =
            |f: &mut Fixture, finding: RecordId, due: &str, done: &str, verified: &str| {
                f.add(
                    Kind::Action,
                    &[
                        ("title", text("Monthly restore test")),
                        ("action_type", text("corrective")),
                        ("finding", link(finding)),
                        ("status", text("done")),
                        ("due", text(due)),
                        ("completed_at", text(done)),
                        ("effective", text("effective")),
                        ("verified_by", verifier.clone()),
                        ("verified_at", text(verified)),
                    ],
                )
            };
        let action = |f: &mut Fixture, finding: RecordId, due: &str, done: &str| {
            action_verified(f, finding, due, done, "2026-06-20T09:00:00Z")
        };
        action(&mut f, first, "2026-05-01", "2026-04-20T09:00:00Z");
        f.set(
            first,
            Kind::Finding,
            &[
                ("root_cause", text("No one owned restores.")),
                ("status", text("closed")),
            ],
        );
        // Verified in one month only: not yet a practice kept up.
        assert_level(
            &f,
            Area::CorrectiveAction,
            2,
            &["Actions have been verified effective in at least three"],
        );
        for verified in ["2026-04-25T09:00:00Z", "2026-05-25T09:00:00Z"] {
            // Raised and done before the period, so the period's figures stay as they were.
            let corrected = finding(&mut f, "2026-03-10T09:00:00Z");
            f.set(
                corrected,
                Kind::Finding,
                &[
                    ("owner", link(RecordId::new())),
                    ("due", text("2026-08-01")),
                    ("correction", text("Ran a restore.")),
                    ("root_cause", text("No one owned restores.")),
                ],
            );
            action_verified(
                &mut f,
                corrected,
                "2026-03-25",
                "2026-03-20T09:00:00Z",
                verified,
            );
            f.set(corrected, Kind::Finding, &[("status", text("closed"))]);
        }
        assert_level(
            &f,
            Area::CorrectiveAction,
            3,
            &["At least 90 % of the actions", "At most 10 %"],
        );
        for raised in ["2026-05-01T09:00:00Z", "2026-05-02T09:00:00Z"] {
            let other = finding(&mut f, raised);
            f.set(
                other,
                Kind::Finding,
                &[
                    ("owner", link(RecordId::new())),
                    ("due", text("2026-09-01")),
                    ("correction", text("Done.")),
                ],
            );
            action(&mut f, other, "2026-06-01", "2026-05-20T09:00:00Z");
        }
        assert_level(&f, Area::CorrectiveAction, 5, &[]);
        f.add(
            Kind::Action,
            &[
                ("title", text("Late")),
                ("action_type", text("preventive")),
                ("due", text("2026-06-01")),
            ],
        );
        assert_level(&f, Area::CorrectiveAction, 4, &["No action is overdue"]);
    }

    #[test]
    fn feedback_and_learning_climbs_to_fast_detection_and_incidents_that_teach() {
        let mut f = Fixture::new();
        let report =
            |f: &mut Fixture, event_type: &str, occurred: &str, detected: &str, status: &str| {
                f.add(
                    Kind::Event,
                    &[
                        ("title", text("Something happened")),
                        ("event_type", text(event_type)),
                        ("occurred_at", text(occurred)),
                        ("detected_at", text(detected)),
                        ("status", text(status)),
                        ("reporter", link(RecordId::new())),
                    ],
                )
            };
        let waiting = report(
            &mut f,
            "incident",
            "2026-06-01T08:00:00Z",
            "2026-06-01T09:00:00Z",
            "new",
        );
        assert_level(&f, Area::FeedbackAndLearning, 1, &["No report has waited"]);
        f.set(waiting, Kind::Event, &[("status", text("resolved"))]);
        assert_level(
            &f,
            Area::FeedbackAndLearning,
            2,
            &["At least 30 %", "Every resolved or closed incident"],
        );
        f.set(waiting, Kind::Event, &[("lessons", text("Lock screens."))]);
        report(
            &mut f,
            "near_miss",
            "2026-06-02T08:00:00Z",
            "2026-06-02T10:00:00Z",
            "triaged",
        );
        report(
            &mut f,
            "observation",
            "2026-06-03T08:00:00Z",
            "2026-06-03T12:00:00Z",
            "triaged",
        );
        assert_level(
            &f,
            Area::FeedbackAndLearning,
            4,
            &["The median time to detect has not grown"],
        );
        for (occurred, detected) in [
            ("2026-03-01T08:00:00Z", "2026-03-01T09:00:00Z"),
            ("2026-03-02T08:00:00Z", "2026-03-02T12:00:00Z"),
            ("2026-03-03T08:00:00Z", "2026-03-03T18:00:00Z"),
        ] {
            report(&mut f, "near_miss", occurred, detected, "closed");
        }
        assert_level(&f, Area::FeedbackAndLearning, 5, &[]);
        let serious = report(
            &mut f,
            "incident",
            "2026-06-10T08:00:00Z",
            "2026-06-10T09:00:00Z",
            "triaged",
        );
        f.set(serious, Kind::Event, &[("severity", text("high"))]);
        assert_level(
            &f,
            Area::FeedbackAndLearning,
            4,
            &["Every high or critical incident led to a finding"],
        );
        f.add(
            Kind::Finding,
            &[
                ("title", text("Laptop stolen")),
                ("finding_type", text("minor_nc")),
                ("event", link(serious)),
            ],
        );
        assert_level(&f, Area::FeedbackAndLearning, 5, &[]);
    }

    #[test]
    fn targets_and_snapshots_are_read_back_and_one_snapshot_a_month_is_due() {
        let mut f = Fixture::new();
        f.set(
            target_id(Area::Controls),
            Kind::MaturityTarget,
            &[
                ("area", text("controls")),
                ("target", Value::Int(4)),
                ("self_assessed", Value::Int(3)),
                ("note", text("Audit said so.")),
            ],
        );
        let controls = of(&f, Area::Controls);
        assert_eq!(
            (controls.target, controls.self_assessed),
            (Some(4), Some(3))
        );
        assert_eq!(controls.note.as_deref(), Some("Audit said so."));
        assert_eq!(target_id(Area::Controls), target_id(Area::Controls));
        // Nothing worked on yet: no month to compare.
        assert!(!monthly_snapshot_due(f.register(), day("2099-01-15")));
        f.add(
            Kind::Risk,
            &[
                ("title", text("Flood")),
                ("inherent_likelihood", Value::Int(1)),
                ("inherent_impact", Value::Int(4)),
            ],
        );
        assert!(
            !monthly_snapshot_due(f.register(), day(TODAY)),
            "the risk is newer than June"
        );
        assert!(monthly_snapshot_due(f.register(), day("2099-01-15")));
        let fields = snapshot_of(f.register(), day("2099-01-15"), Occasion::Monthly, None);
        assert!(
            Kind::MaturitySnapshot
                .spec()
                .check_new(&fields, f.register())
                .is_ok()
        );
        f.add(Kind::MaturitySnapshot, &fields);
        assert!(!monthly_snapshot_due(f.register(), day("2099-01-31")));
        assert!(monthly_snapshot_due(f.register(), day("2099-02-01")));
        let taken = latest_snapshot(f.register(), day("2099-01-15")).unwrap();
        assert_eq!(levels_of(&taken).len(), Area::ALL.len());
        assert_eq!(
            levels_of(&taken).get(&Area::RiskManagement),
            Some(&1),
            "one risk recorded"
        );
        assert_eq!(latest_snapshot(f.register(), day("2099-01-14")), None);
    }
}
