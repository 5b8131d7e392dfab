//! Indicators of how well the ISMS improves (clauses 9.1 and 10), computed from what the
//! register holds rather than from anyone's opinion: how fast issues are found, how well they
//! are closed, how far audits reach, how controls and risks stand, and how the metrics and
//! objectives perform. Each indicator says in words what it is, which way is better, and which
//! records it was computed from; too little data gives no figure rather than a misleading one.

use crate::choices::{
    ActionStatus, AuditStatus, CheckResult, ControlStatus, Effectiveness, EventType, FindingStatus,
    RiskStatus, Verdict,
};
use crate::{
    Kind, RecordId, Replica, dates,
    findings::is_nonconformity,
    metrics::{self, ObjectiveStatus, Standing},
    risk::Criteria,
    schema::View,
    views::{Action, AuditCheck, Control, Event, Finding, Measurement, Metric, Objective, Risk},
};
use chrono::{Days, NaiveDate};
use std::{collections::HashMap, rc::Rc};

/// Fewest cases a median, mean or share is computed from: one or two cases say nothing about
/// how an organisation works, and "100 %" of one is misleading.
pub const MIN_CASES: usize = 3;

/// The days an indicator period spans unless chosen otherwise.
pub const DEFAULT_PERIOD_DAYS: u64 = 90;

/// Whole days, first and last included.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    /// The `days` days ending with `last`.
    pub fn ending(last: NaiveDate, days: u64) -> Period {
        let first = last
            .checked_sub_days(Days::new(days.max(1) - 1))
            .unwrap_or(NaiveDate::MIN);
        Period { first, last }
    }

    /// The period of the same length just before this one.
    pub fn previous(self) -> Period {
        let days = (self.last - self.first).num_days() as u64 + 1;
        let last = self.first.pred_opt().unwrap_or(NaiveDate::MIN);
        Period::ending(last, days)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        (self.first..=self.last).contains(&day)
    }

    /// Whether a stored date or date-time falls in this period.
    pub(crate) fn holds(self, stored: Option<&str>) -> bool {
        stored.and_then(day_of).is_some_and(|d| self.contains(d))
    }
}

/// The day of a stored date (`YYYY-MM-DD`) or date-time (RFC 3339, read as written).
pub fn day_of(stored: &str) -> Option<NaiveDate> {
    dates::date(stored.get(..10)?)
}

/// The day a record was created, from its id (ids are version 7 UUIDs, stamped on creation).
pub(crate) fn created(id: RecordId) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(i64::try_from(id.created_ms()).ok()?)
        .map(|t| t.date_naive())
}

fn days_between(from: NaiveDate, to: NaiveDate) -> Option<f64> {
    let days = (to - from).num_days();
    (days >= 0).then_some(days as f64)
}

/// The groups the indicators are shown in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Group {
    FindingIssuesFast,
    ClosingThemWell,
    Audits,
    Controls,
    RiskReduction,
    Performance,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::FindingIssuesFast,
        Group::ClosingThemWell,
        Group::Audits,
        Group::Controls,
        Group::RiskReduction,
        Group::Performance,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::FindingIssuesFast => "Finding issues fast",
            Group::ClosingThemWell => "Closing them well",
            Group::Audits => "Audits",
            Group::Controls => "Controls",
            Group::RiskReduction => "Risk reduction",
            Group::Performance => "Performance",
        }
    }
}

/// Which way an indicator improves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unit {
    Hours,
    Days,
    Percent,
    Count,
    /// Points of likelihood × impact.
    Points,
}

impl Unit {
    /// A value in this unit as a person reads it: "4.5 h", "12 d", "83 %", "7".
    pub fn show(self, value: f64) -> String {
        let rounded = if value.abs() >= 10.0 || value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        };
        match self {
            Unit::Hours => format!("{rounded} h"),
            Unit::Days => format!("{rounded} d"),
            Unit::Percent => format!("{rounded} %"),
            Unit::Count | Unit::Points => rounded,
        }
    }
}

/// What an indicator can be computed for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Basis {
    /// What happened in any period, from the dates the records hold.
    Period,
    /// The register as it stands today (earlier values come from stored snapshots).
    Today,
}

/// The register's records of each kind, viewed once and shared by the periods compared.
pub struct Views {
    pub(crate) risks: Vec<Risk>,
    pub(crate) controls: Vec<Control>,
    pub(crate) events: Vec<Event>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) actions: Vec<Action>,
    pub(crate) metrics: Vec<Metric>,
    pub(crate) objectives: Vec<Objective>,
    pub(crate) series: HashMap<RecordId, Vec<Measurement>>,
    pub(crate) audits: Vec<crate::views::Audit>,
    pub(crate) checks: Vec<AuditCheck>,
    pub(crate) reviews: Vec<crate::views::Review>,
    pub(crate) targets: Vec<crate::views::MaturityTarget>,
    pub(crate) snapshots: Vec<crate::views::MaturitySnapshot>,
    /// The organisation's risk criteria: its bands and appetite.
    pub criteria: Criteria,
    audits_held: bool,
    /// The day each kind's first record was written, from the oldest stamp of its fields
    /// (deleted records included; the app stamps a change when it is made, so dates typed
    /// into forms do not move it).
    pub(crate) first_written: HashMap<Kind, NaiveDate>,
}

impl Views {
    /// The register's findings, deleted ones left out.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The register's actions, deleted ones left out.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    pub fn of(register: &Replica) -> Views {
        // One pass over the register, each record viewed by its kind (a scan per kind would
        // walk 20,000 records ten times).
        let mut views = Views {
            risks: Vec::new(),
            controls: Vec::new(),
            events: Vec::new(),
            findings: Vec::new(),
            actions: Vec::new(),
            metrics: Vec::new(),
            objectives: Vec::new(),
            series: HashMap::new(),
            audits: Vec::new(),
            checks: Vec::new(),
            reviews: Vec::new(),
            targets: Vec::new(),
            snapshots: Vec::new(),
            criteria: Criteria::read(register),
            audits_held: false,
            first_written: HashMap::new(),
        };
        let mut measurements = Vec::new();
        // Each kind's oldest stamp, gathered in the same pass (the records are then at hand).
        let mut oldest_by_kind = [u64::MAX; Kind::ALL.len()];
        for (id, record) in register.records() {
            let oldest = record.fields.values().map(|f| f.stamp.hlc.wall).min();
            let first = &mut oldest_by_kind[record.kind as usize];
            *first = (*first).min(oldest.unwrap_or(u64::MAX));
            if record.is_deleted() {
                continue;
            }
            match record.kind {
                Kind::Risk => views.risks.push(Risk::from_record(id, record)),
                Kind::Control => views.controls.push(Control::from_record(id, record)),
                Kind::Event => views.events.push(Event::from_record(id, record)),
                Kind::Finding => views.findings.push(Finding::from_record(id, record)),
                Kind::Action => views.actions.push(Action::from_record(id, record)),
                Kind::Metric => views.metrics.push(Metric::from_record(id, record)),
                Kind::Objective => views.objectives.push(Objective::from_record(id, record)),
                Kind::Measurement => measurements.push(Measurement::from_record(id, record)),
                Kind::Audit => views
                    .audits
                    .push(crate::views::Audit::from_record(id, record)),
                Kind::AuditCheck => views.checks.push(AuditCheck::from_record(id, record)),
                Kind::Review => views
                    .reviews
                    .push(crate::views::Review::from_record(id, record)),
                Kind::MaturityTarget => views
                    .targets
                    .push(crate::views::MaturityTarget::from_record(id, record)),
                Kind::MaturitySnapshot => views
                    .snapshots
                    .push(crate::views::MaturitySnapshot::from_record(id, record)),
                _ => {}
            }
        }
        views.series = metrics::series_of(measurements);
        views.first_written = Kind::ALL
            .iter()
            .zip(oldest_by_kind)
            .filter_map(|(kind, wall)| {
                let day = chrono::DateTime::from_timestamp_millis(i64::try_from(wall).ok()?)?;
                Some((*kind, day.date_naive()))
            })
            .collect();
        views.audits_held = views.audits.iter().any(|a| {
            a.status
                .is_some_and(|s| s != AuditStatus::Planned && s != AuditStatus::Cancelled)
        });
        views
    }
}

/// What the computations read for one period: the register's views, each metric's
/// measurements up to the period's end, and the audit coverage at that end.
pub struct Inputs {
    pub period: Period,
    pub today: NaiveDate,
    views: Rc<Views>,
    /// Each metric's measurements up to the period's end, when some come after it (else the
    /// whole series, not copied).
    series_at_end: Option<HashMap<RecordId, Vec<Measurement>>>,
    pub(crate) coverage: Vec<crate::audits::Area>,
}

impl std::ops::Deref for Inputs {
    type Target = Views;

    fn deref(&self) -> &Views {
        &self.views
    }
}

impl Inputs {
    pub fn new(register: &Replica, period: Period, today: NaiveDate) -> Inputs {
        Inputs::over(Rc::new(Views::of(register)), period, today)
    }

    /// The same register's inputs for another period, its views shared.
    pub fn for_period(&self, period: Period) -> Inputs {
        Inputs::over(self.views.clone(), period, self.today)
    }

    fn over(views: Rc<Views>, period: Period, today: NaiveDate) -> Inputs {
        let after_end = |m: &Measurement| m.date.as_deref().and_then(day_of) > Some(period.last);
        let series_at_end = views.series.values().flatten().any(after_end).then(|| {
            views
                .series
                .iter()
                .map(|(metric, series)| {
                    let upto: Vec<Measurement> =
                        series.iter().filter(|m| !after_end(m)).cloned().collect();
                    (*metric, upto)
                })
                .collect()
        });
        Inputs {
            period,
            today,
            coverage: crate::audits::coverage_of(
                &period.last.to_string(),
                &crate::audits::Held {
                    controls: &views.controls,
                    audits: &views.audits,
                    checks: &views.checks,
                    findings: &views.findings,
                    risks: &views.risks,
                    criteria: &views.criteria,
                },
            ),
            series_at_end,
            views,
        }
    }

    /// Each metric's measurements up to the end of the period.
    pub(crate) fn series_by_period_end(&self) -> &HashMap<RecordId, Vec<Measurement>> {
        self.series_at_end.as_ref().unwrap_or(&self.views.series)
    }

    pub(crate) fn open_risks(&self) -> impl Iterator<Item = &Risk> {
        self.risks
            .iter()
            .filter(|r| r.status != Some(RiskStatus::Closed))
    }

    pub(crate) fn applicable_controls(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter().filter(|c| c.applicable != Some(false))
    }
}

/// An indicator's value and the records it was computed from (`value` is `None` when there is
/// not enough data).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Reading {
    pub value: Option<f64>,
    pub records: Vec<RecordId>,
}

impl Reading {
    fn of(value: Option<f64>, records: Vec<RecordId>) -> Reading {
        Reading { value, records }
    }
}

/// One indicator: what it means and how it is computed.
pub struct Definition {
    pub key: &'static str,
    pub group: Group,
    pub name: &'static str,
    /// How it is computed, in words.
    pub meaning: &'static str,
    pub better: Better,
    pub unit: Unit,
    pub basis: Basis,
    compute: fn(&Inputs) -> Reading,
}

impl PartialEq for Definition {
    fn eq(&self, other: &Definition) -> bool {
        self.key == other.key
    }
}

impl std::fmt::Debug for Definition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}

/// An indicator computed for one period.
#[derive(Clone, PartialEq, Debug)]
pub struct Indicator {
    pub definition: &'static Definition,
    pub reading: Reading,
}

impl Indicator {
    pub fn value(&self) -> Option<f64> {
        self.reading.value
    }

    /// The value in words, or "not enough data".
    pub fn shown(&self) -> String {
        match self.reading.value {
            Some(value) => self.definition.unit.show(value),
            None => "not enough data".to_owned(),
        }
    }
}

/// How an indicator moved against an earlier value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Trend {
    Better,
    Worse,
    Same,
    /// One of the two has no value.
    Unknown,
}

impl Trend {
    pub fn of(better: Better, now: Option<f64>, before: Option<f64>) -> Trend {
        let (Some(now), Some(before)) = (now, before) else {
            return Trend::Unknown;
        };
        if (now - before).abs() < 1e-9 {
            Trend::Same
        } else if (now > before) == (better == Better::Higher) {
            Trend::Better
        } else {
            Trend::Worse
        }
    }

    /// The move in a word or two, for a tile beside its figure.
    pub fn short(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Worse => "worse",
            Trend::Same => "unchanged",
            Trend::Unknown => "no earlier figure",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Trend::Better => "better than the previous period",
            Trend::Worse => "worse than the previous period",
            Trend::Same => "the same as the previous period",
            Trend::Unknown => "no earlier figure to compare",
        }
    }
}

/// Every indicator for `inputs.period`. Those on the register as it stands today (`Basis::Today`)
/// have a value only for a period that ends today or later.
pub fn compute(inputs: &Inputs) -> Vec<Indicator> {
    INDICATORS
        .iter()
        .map(|definition| {
            let current = inputs.period.last >= inputs.today;
            let reading = if definition.basis == Basis::Today && !current {
                Reading::default()
            } else {
                (definition.compute)(inputs)
            };
            Indicator {
                definition,
                reading,
            }
        })
        .collect()
}

/// The indicator with this key.
pub fn definition(key: &str) -> Option<&'static Definition> {
    INDICATORS.iter().find(|d| d.key == key)
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.len() < MIN_CASES {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// The nearest-rank percentile `p` (0–100).
fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.len() < MIN_CASES {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

fn mean(values: &[f64]) -> Option<f64> {
    (values.len() >= MIN_CASES).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The share (%) of `cases` for which `counts` holds.
fn share<T>(cases: &[(RecordId, T)], counts: impl Fn(&T) -> bool) -> Reading {
    let part = cases.iter().filter(|(_, case)| counts(case)).count();
    let value = (cases.len() >= MIN_CASES).then(|| 100.0 * part as f64 / cases.len() as f64);
    Reading::of(value, cases.iter().map(|(id, _)| *id).collect())
}

/// A count of records, with no figure when there is nothing of that kind to count among.
fn count(counted: Vec<RecordId>, population: usize) -> Reading {
    let value = (population > 0).then_some(counted.len() as f64);
    Reading::of(value, counted)
}

/// A median (or other statistic) over cases in days or hours.
fn statistic(cases: Vec<(RecordId, f64)>, of: fn(&mut [f64]) -> Option<f64>) -> Reading {
    let mut values: Vec<f64> = cases.iter().map(|(_, v)| *v).collect();
    Reading::of(
        of(&mut values),
        cases.into_iter().map(|(id, _)| id).collect(),
    )
}

/// Events detected in the period: hours from occurring to being detected.
fn detection_hours(inputs: &Inputs) -> Vec<(RecordId, f64)> {
    inputs
        .events
        .iter()
        .filter(|e| inputs.period.holds(e.detected_at.as_deref()))
        .filter_map(|e| {
            let minutes =
                dates::minutes_between(e.occurred_at.as_deref()?, e.detected_at.as_deref()?)?;
            Some((e.id, minutes as f64 / 60.0))
        })
        .collect()
}

/// Findings corrected in the period: days from raised to the correction.
fn correction_days(inputs: &Inputs) -> Vec<(RecordId, f64)> {
    inputs
        .findings
        .iter()
        .filter(|f| inputs.period.holds(f.corrected_on.as_deref()))
        .filter_map(|f| {
            let raised = day_of(f.raised_at.as_deref()?)?;
            Some((
                f.id,
                days_between(raised, day_of(f.corrected_on.as_deref()?)?)?,
            ))
        })
        .collect()
}

/// The day a report was made: when it was detected, else when it happened, else when it was
/// recorded.
fn reported_on(event: &Event) -> Option<NaiveDate> {
    let stored = event
        .detected_at
        .as_deref()
        .or(event.occurred_at.as_deref());
    stored.and_then(day_of).or_else(|| created(event.id))
}

fn near_miss_share(inputs: &Inputs) -> Reading {
    let reports: Vec<(RecordId, Option<EventType>)> = inputs
        .events
        .iter()
        .filter(|e| reported_on(e).is_some_and(|d| inputs.period.contains(d)))
        .map(|e| (e.id, e.event_type))
        .collect();
    share(&reports, |t| {
        matches!(t, Some(EventType::NearMiss | EventType::Observation))
    })
}

/// Findings closed in the period: days from raised to closed.
fn closure_days(inputs: &Inputs) -> Vec<(RecordId, f64)> {
    inputs
        .findings
        .iter()
        .filter(|f| f.status == Some(FindingStatus::Closed))
        .filter(|f| inputs.period.holds(f.closed_at.as_deref()))
        .filter_map(|f| {
            let raised = day_of(f.raised_at.as_deref()?)?;
            Some((
                f.id,
                days_between(raised, day_of(f.closed_at.as_deref()?)?)?,
            ))
        })
        .collect()
}

fn actions_on_time(inputs: &Inputs) -> Reading {
    let completed: Vec<(RecordId, bool)> = inputs
        .actions
        .iter()
        .filter(|a| a.status == Some(ActionStatus::Done))
        .filter(|a| inputs.period.holds(a.completed_at.as_deref()))
        .filter_map(|a| {
            let done = day_of(a.completed_at.as_deref()?)?;
            Some((a.id, done <= dates::date(a.due.as_deref()?)?))
        })
        .collect();
    share(&completed, |on_time| *on_time)
}

/// Actions open at the end of the period (not done by then, not cancelled), each with whether
/// it was past its due date. (When an action was recorded is not asked: imported and demo
/// registers record a year's actions in one day.)
fn actions_open_at_period_end(inputs: &Inputs) -> Vec<(RecordId, bool)> {
    let end = inputs.period.last;
    inputs
        .actions
        .iter()
        .filter(|a| a.status != Some(ActionStatus::Cancelled))
        .filter(|a| {
            // Done with no completion time recorded: done, as far as anyone can tell.
            let done = a.completed_at.as_deref().and_then(day_of);
            a.status != Some(ActionStatus::Done) || done.is_some_and(|d| d > end)
        })
        .map(|a| {
            let due = a.due.as_deref().and_then(dates::date);
            (a.id, due.is_some_and(|due| due < end))
        })
        .collect()
}

fn actions_overdue(inputs: &Inputs) -> Reading {
    let open = actions_open_at_period_end(inputs);
    let overdue = open
        .iter()
        .filter(|(_, late)| *late)
        .map(|(id, _)| *id)
        .collect();
    count(overdue, inputs.actions.len())
}

fn actions_overdue_share(inputs: &Inputs) -> Reading {
    share(&actions_open_at_period_end(inputs), |late| *late)
}

fn effectiveness_passed(inputs: &Inputs) -> Reading {
    let verified: Vec<(RecordId, bool)> = inputs
        .actions
        .iter()
        .filter(|a| inputs.period.holds(a.verified_at.as_deref()))
        .filter_map(|a| Some((a.id, a.effective? == Verdict::Effective)))
        .collect();
    share(&verified, |effective| *effective)
}

/// Findings raised in the period, each with whether it recurs one raised or closed in the 12
/// months before it.
fn recurrence(inputs: &Inputs) -> Reading {
    let by_id: HashMap<RecordId, &Finding> = inputs.findings.iter().map(|f| (f.id, f)).collect();
    let raised: Vec<(RecordId, bool)> = inputs
        .findings
        .iter()
        .filter(|f| inputs.period.holds(f.raised_at.as_deref()))
        .map(|f| {
            let raised = f.raised_at.as_deref().and_then(day_of);
            let earlier = f.recurrence_of.and_then(|id| by_id.get(&id));
            let recent = match (raised, earlier) {
                (Some(raised), Some(earlier)) => {
                    let then = earlier
                        .closed_at
                        .as_deref()
                        .or(earlier.raised_at.as_deref())
                        .and_then(day_of);
                    let year_before = raised.checked_sub_months(chrono::Months::new(12));
                    matches!((then, year_before), (Some(t), Some(y)) if t >= y && t <= raised)
                }
                _ => false,
            };
            (f.id, recent)
        })
        .collect();
    share(&raised, |recurs| *recurs)
}

fn audit_coverage(inputs: &Inputs) -> Reading {
    let areas = &inputs.coverage;
    let covered = areas.iter().filter(|a| a.last_audited.is_some()).count();
    let value = (inputs.audits_held && !areas.is_empty())
        .then(|| 100.0 * covered as f64 / areas.len() as f64);
    Reading::of(value, Vec::new())
}

fn controls_implemented(inputs: &Inputs) -> Reading {
    let controls: Vec<(RecordId, Option<ControlStatus>)> = inputs
        .applicable_controls()
        .map(|c| (c.id, c.status))
        .collect();
    share(&controls, |status| {
        *status == Some(ControlStatus::Implemented)
    })
}

fn control_reviews_overdue(inputs: &Inputs) -> Reading {
    let controls: Vec<(RecordId, bool)> = inputs
        .applicable_controls()
        .filter(|c| {
            matches!(
                c.status,
                Some(ControlStatus::Implemented | ControlStatus::Partial)
            )
        })
        .map(|c| {
            let due = crate::work::control_review_due(c);
            (c.id, due.is_none_or(|due| due < inputs.today))
        })
        .collect();
    share(&controls, |overdue| *overdue)
}

fn risk_reduction(inputs: &Inputs) -> Reading {
    let risks: Vec<&Risk> = inputs.open_risks().collect();
    let total: i64 = risks
        .iter()
        .filter_map(|r| Some(r.inherent_score()? - r.residual_score()?))
        .sum();
    let value = (!risks.is_empty()).then_some(total as f64);
    Reading::of(value, risks.iter().map(|r| r.id).collect())
}

fn risks_above_appetite(inputs: &Inputs) -> Reading {
    let above = inputs
        .open_risks()
        .filter(|r| {
            r.current_score()
                .is_some_and(|s| s > inputs.criteria.appetite)
        })
        .map(|r| r.id)
        .collect();
    count(above, inputs.open_risks().count())
}

fn high_risks_treated(inputs: &Inputs) -> Reading {
    let high: Vec<(RecordId, Option<RiskStatus>)> = inputs
        .open_risks()
        .filter(|r| {
            r.inherent_score()
                .is_some_and(|s| inputs.criteria.is_high(s))
        })
        .map(|r| (r.id, r.status))
        .collect();
    share(&high, |status| {
        matches!(status, Some(RiskStatus::Treating | RiskStatus::Accepted))
    })
}

fn expired_acceptances(inputs: &Inputs) -> Reading {
    let accepted: Vec<&Risk> = inputs
        .open_risks()
        .filter(|r| r.status == Some(RiskStatus::Accepted))
        .collect();
    let expired = accepted
        .iter()
        .filter(|r| {
            let expires = r.acceptance_expires.as_deref().and_then(dates::date);
            expires.is_some_and(|e| e < inputs.today)
        })
        .map(|r| r.id)
        .collect();
    count(expired, accepted.len())
}

fn metrics_on_target(inputs: &Inputs) -> Reading {
    let series = inputs.series_by_period_end();
    let measured: Vec<(RecordId, Standing)> = inputs
        .metrics
        .iter()
        .filter_map(|m| {
            let latest = series.get(&m.id)?.last()?.value?;
            let standing = metrics::standing(m, latest);
            (standing != Standing::NoTarget).then_some((m.id, standing))
        })
        .collect();
    share(&measured, |standing| *standing == Standing::Met)
}

fn objectives_met(inputs: &Inputs) -> Reading {
    let series = inputs.series_by_period_end();
    let measured: Vec<(RecordId, ObjectiveStatus)> = inputs
        .objectives
        .iter()
        .filter_map(|objective| {
            let ids = metrics::metrics_of(objective, &inputs.metrics);
            let of: Vec<&Metric> = inputs
                .metrics
                .iter()
                .filter(|m| ids.contains(&m.id))
                .collect();
            let status = metrics::objective_status(&of, series);
            matches!(
                status,
                ObjectiveStatus::OnTrack | ObjectiveStatus::AtRisk | ObjectiveStatus::OffTrack
            )
            .then_some((objective.id, status))
        })
        .collect();
    share(&measured, |status| *status == ObjectiveStatus::OnTrack)
}

fn measurements_overdue(inputs: &Inputs) -> Reading {
    let series = inputs.series_by_period_end();
    let end = inputs.period.last;
    let overdue = inputs
        .metrics
        .iter()
        .filter(|m| {
            let measured = series.get(&m.id).map(Vec::as_slice).unwrap_or_default();
            metrics::next_due(m, measured).is_none_or(|due| due < end)
        })
        .map(|m| m.id)
        .collect();
    count(overdue, inputs.metrics.len())
}

/// Every indicator, in the order the dashboard lists them.
pub static INDICATORS: &[Definition] = &[
    Definition {
        key: "detection_median",
        group: Group::FindingIssuesFast,
        name: "Time to detect (median)",
        meaning: "Of the reports detected in the period, the median time from the event occurring to it being detected.",
        better: Better::Lower,
        unit: Unit::Hours,
        basis: Basis::Period,
        compute: |i| statistic(detection_hours(i), median),
    },
    Definition {
        key: "detection_p90",
        group: Group::FindingIssuesFast,
        name: "Time to detect (90th percentile)",
        meaning: "Of the reports detected in the period, the time within which nine in ten were detected after occurring.",
        better: Better::Lower,
        unit: Unit::Hours,
        basis: Basis::Period,
        compute: |i| statistic(detection_hours(i), |v| percentile(v, 90.0)),
    },
    Definition {
        key: "correction_median",
        group: Group::FindingIssuesFast,
        name: "Raised to corrected (median)",
        meaning: "Of the findings corrected in the period, the median days from being raised to the correction.",
        better: Better::Lower,
        unit: Unit::Days,
        basis: Basis::Period,
        compute: |i| statistic(correction_days(i), median),
    },
    Definition {
        key: "near_miss_share",
        group: Group::FindingIssuesFast,
        name: "Near misses and observations among reports",
        meaning: "Of the reports made in the period, the share that are near misses or observations: a healthy reporting culture reports more of them.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: near_miss_share,
    },
    Definition {
        key: "closure_median",
        group: Group::ClosingThemWell,
        name: "Raised to closed (median)",
        meaning: "Of the findings closed in the period, the median days from being raised to being closed.",
        better: Better::Lower,
        unit: Unit::Days,
        basis: Basis::Period,
        compute: |i| statistic(closure_days(i), median),
    },
    Definition {
        key: "closure_mean",
        group: Group::ClosingThemWell,
        name: "Raised to closed (mean)",
        meaning: "Of the findings closed in the period, the mean days from being raised to being closed.",
        better: Better::Lower,
        unit: Unit::Days,
        basis: Basis::Period,
        compute: |i| statistic(closure_days(i), |v| mean(v)),
    },
    Definition {
        key: "actions_on_time",
        group: Group::ClosingThemWell,
        name: "Actions completed on time",
        meaning: "Of the actions completed in the period that had a due date, the share completed on or before it.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: actions_on_time,
    },
    Definition {
        key: "actions_overdue",
        group: Group::ClosingThemWell,
        name: "Actions overdue",
        meaning: "Actions open at the end of the period (not done, not cancelled) whose due date had passed.",
        better: Better::Lower,
        unit: Unit::Count,
        basis: Basis::Period,
        compute: actions_overdue,
    },
    Definition {
        key: "actions_overdue_share",
        group: Group::ClosingThemWell,
        name: "Open actions overdue",
        meaning: "Of the actions open at the end of the period, the share whose due date had passed.",
        better: Better::Lower,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: actions_overdue_share,
    },
    Definition {
        key: "effectiveness_passed",
        group: Group::ClosingThemWell,
        name: "Effectiveness checks passed",
        meaning: "Of the actions whose effectiveness was checked in the period, the share found effective.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: effectiveness_passed,
    },
    Definition {
        key: "recurrence",
        group: Group::ClosingThemWell,
        name: "Recurring findings",
        meaning: "Of the findings raised in the period, the share recorded as a recurrence of one raised or closed in the 12 months before.",
        better: Better::Lower,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: recurrence,
    },
    Definition {
        key: "audit_coverage",
        group: Group::Audits,
        name: "Audit programme coverage",
        meaning: "Of clauses 4–10 and the four Annex A themes, the share an internal audit held in the 12 months to the end of the period examined (a result other than not applicable).",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: audit_coverage,
    },
    Definition {
        key: "controls_implemented",
        group: Group::Controls,
        name: "Applicable controls implemented",
        meaning: "Of the controls not excluded in the Statement of Applicability, the share implemented.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Today,
        compute: controls_implemented,
    },
    Definition {
        key: "control_reviews_overdue",
        group: Group::Controls,
        name: "Control reviews overdue",
        meaning: "Of the applicable controls implemented in full or in part, the share never reviewed or past their review interval (a year unless set).",
        better: Better::Lower,
        unit: Unit::Percent,
        basis: Basis::Today,
        compute: control_reviews_overdue,
    },
    Definition {
        key: "risk_reduction",
        group: Group::RiskReduction,
        name: "Risk reduced",
        meaning: "Over the risks not closed, the sum of inherent minus residual score (likelihood × impact); a risk with no residual score yet counts 0.",
        better: Better::Higher,
        unit: Unit::Points,
        basis: Basis::Today,
        compute: risk_reduction,
    },
    Definition {
        key: "risks_above_appetite",
        group: Group::RiskReduction,
        name: "Risks above appetite",
        meaning: "Risks not closed whose current score (residual once assessed, else inherent) is above the risk appetite.",
        better: Better::Lower,
        unit: Unit::Count,
        basis: Basis::Today,
        compute: risks_above_appetite,
    },
    Definition {
        key: "high_risks_treated",
        group: Group::RiskReduction,
        name: "High risks under treatment",
        meaning: "Of the risks not closed with a high or critical inherent score, the share being treated or formally accepted.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Today,
        compute: high_risks_treated,
    },
    Definition {
        key: "expired_acceptances",
        group: Group::RiskReduction,
        name: "Expired risk acceptances",
        meaning: "Accepted risks whose acceptance has passed its expiry date.",
        better: Better::Lower,
        unit: Unit::Count,
        basis: Basis::Today,
        compute: expired_acceptances,
    },
    Definition {
        key: "metrics_on_target",
        group: Group::Performance,
        name: "Metrics on target",
        meaning: "Of the metrics with a target or threshold and a measurement by the end of the period, the share whose latest measurement is on target.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: metrics_on_target,
    },
    Definition {
        key: "objectives_met",
        group: Group::Performance,
        name: "Objectives on track",
        meaning: "Of the objectives whose metrics have been measured by the end of the period, the share on track.",
        better: Better::Higher,
        unit: Unit::Percent,
        basis: Basis::Period,
        compute: objectives_met,
    },
    Definition {
        key: "measurements_overdue",
        group: Group::Performance,
        name: "Measurements overdue",
        meaning: "Metrics, at the end of the period, never measured or past the date their frequency set for the next measurement.",
        better: Better::Lower,
        unit: Unit::Count,
        basis: Basis::Period,
        compute: measurements_overdue,
    },
];

/// The open findings by age on `today` (days since raised): up to 30, 31–90, 91–180, over 180.
pub fn open_finding_ages(
    register: &Replica,
    today: NaiveDate,
) -> [(&'static str, Vec<RecordId>); 4] {
    let mut buckets: [(&'static str, Vec<RecordId>); 4] = [
        ("up to 30 days", Vec::new()),
        ("31–90 days", Vec::new()),
        ("91–180 days", Vec::new()),
        ("over 180 days", Vec::new()),
    ];
    for finding in register.all::<Finding>() {
        if finding.status == Some(FindingStatus::Closed) {
            continue;
        }
        let raised = finding
            .raised_at
            .as_deref()
            .and_then(day_of)
            .or_else(|| created(finding.id));
        let Some(age) = raised.and_then(|r| days_between(r, today)) else {
            continue;
        };
        let bucket = match age as i64 {
            ..=30 => 0,
            31..=90 => 1,
            91..=180 => 2,
            _ => 3,
        };
        buckets[bucket].1.push(finding.id);
    }
    buckets
}

/// How many audit checks recorded in the period came out each way, most serious first.
pub fn audit_results(register: &Replica, period: Period) -> Vec<(CheckResult, usize)> {
    let checks: Vec<AuditCheck> = register
        .all::<AuditCheck>()
        .into_iter()
        .filter(|c| period.holds(c.checked_at.as_deref()))
        .collect();
    crate::audits::results(&checks)
}

/// The applicable controls by their rated effectiveness, in the schema's order.
pub fn control_effectiveness(register: &Replica) -> Vec<(Effectiveness, usize)> {
    let controls: Vec<Control> = register
        .all::<Control>()
        .into_iter()
        .filter(|c| c.applicable != Some(false))
        .collect();
    Effectiveness::ALL
        .iter()
        .map(|&option| {
            let rated = controls
                .iter()
                .filter(|c| c.effectiveness.unwrap_or(Effectiveness::NotRated) == option)
                .count();
            (option, rated)
        })
        .collect()
}

/// Nonconformities raised and closed per month (`YYYY-MM`) over the `months` months ending
/// with `today`'s, oldest first: whether the backlog grows or shrinks.
pub fn findings_by_month(
    findings: &[Finding],
    today: NaiveDate,
    months: u32,
) -> Vec<(String, usize, usize)> {
    let month = |day: NaiveDate| day.format("%Y-%m").to_string();
    let first = today.checked_sub_months(chrono::Months::new(months.saturating_sub(1)));
    let mut rows: Vec<(String, usize, usize)> = (0..months)
        .filter_map(|i| first.and_then(|f| dates::add_months(f, i)).map(month))
        .map(|m| (m, 0, 0))
        .collect();
    for finding in findings {
        if !finding.finding_type.is_some_and(is_nonconformity) {
            continue;
        }
        let raised = finding
            .raised_at
            .as_deref()
            .and_then(day_of)
            .or_else(|| created(finding.id));
        if let Some(row) = raised.and_then(|d| rows.iter_mut().find(|r| r.0 == month(d))) {
            row.1 += 1;
        }
        let closed = finding.closed_at.as_deref().and_then(day_of);
        if finding.status == Some(FindingStatus::Closed)
            && let Some(row) = closed.and_then(|d| rows.iter_mut().find(|r| r.0 == month(d)))
        {
            row.2 += 1;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Kind, Value,
        fixture::{Fixture, day, text},
    };

    const TODAY: &str = "2026-06-30";

    /// Every indicator for `period`, by key.
    fn readings_for(f: &Fixture, period: Period) -> HashMap<&'static str, Reading> {
        let inputs = Inputs::new(f.register(), period, day(TODAY));
        compute(&inputs)
            .into_iter()
            .map(|i| (i.definition.key, i.reading))
            .collect()
    }

    trait Readings {
        fn readings(&self, period: Period) -> HashMap<&'static str, Reading>;
        fn now(&self) -> HashMap<&'static str, Reading>;
    }

    impl Readings for Fixture {
        fn readings(&self, period: Period) -> HashMap<&'static str, Reading> {
            readings_for(self, period)
        }

        fn now(&self) -> HashMap<&'static str, Reading> {
            readings_for(self, Period::ending(day(TODAY), DEFAULT_PERIOD_DAYS))
        }
    }

    fn value(readings: &HashMap<&'static str, Reading>, key: &str) -> Option<f64> {
        readings[key].value.map(|v| (v * 10.0).round() / 10.0)
    }

    #[test]
    fn periods_are_whole_days_and_the_previous_one_is_as_long() {
        let period = Period::ending(day(TODAY), 90);
        assert_eq!(period.first, day("2026-04-02"));
        let before = period.previous();
        assert_eq!(
            (before.first, before.last),
            (day("2026-01-02"), day("2026-04-01"))
        );
        assert!(period.contains(day("2026-04-02")) && !period.contains(day("2026-04-01")));
        assert!(period.holds(Some("2026-06-30T23:59:00Z")));
        assert!(!period.holds(Some("soon")) && !period.holds(None));
    }

    #[test]
    fn an_empty_register_gives_no_figure_anywhere_and_thin_data_none_either() {
        let empty = Fixture::new();
        for (key, reading) in empty.now() {
            assert_eq!(reading.value, None, "{key}");
        }
        assert!(
            open_finding_ages(empty.register(), day(TODAY))
                .iter()
                .all(|(_, ids)| ids.is_empty())
        );
        assert!(
            audit_results(empty.register(), Period::ending(day(TODAY), 90))
                .iter()
                .all(|(_, n)| *n == 0)
        );
        assert!(
            control_effectiveness(empty.register())
                .iter()
                .all(|(_, n)| *n == 0)
        );

        // Two cases are not enough for a median or a share.
        let mut thin = Fixture::new();
        for detected in ["2026-05-01T10:00:00Z", "2026-05-02T10:00:00Z"] {
            thin.add(
                Kind::Event,
                &[
                    ("event_type", text("incident")),
                    ("occurred_at", text("2026-05-01T09:00:00Z")),
                    ("detected_at", text(detected)),
                ],
            );
        }
        let readings = thin.now();
        assert_eq!(value(&readings, "detection_median"), None);
        assert_eq!(
            readings["detection_median"].records.len(),
            2,
            "the cases are still listed"
        );
        assert_eq!(value(&readings, "near_miss_share"), None);
    }

    #[test]
    fn finding_issues_fast_counts_the_reports_and_findings_of_the_period() {
        let mut f = Fixture::new();
        for (event_type, occurred, detected) in [
            ("incident", "2026-05-01T08:00:00Z", "2026-05-01T09:00:00Z"),
            ("near_miss", "2026-05-02T08:00:00Z", "2026-05-02T10:00:00Z"),
            (
                "observation",
                "2026-05-03T08:00:00Z",
                "2026-05-03T18:00:00Z",
            ),
            ("suggestion", "2026-05-01T08:00:00Z", "2026-05-05T12:00:00Z"),
            // Before the period: neither timed nor counted.
            ("incident", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        ] {
            f.add(
                Kind::Event,
                &[
                    ("event_type", text(event_type)),
                    ("occurred_at", text(occurred)),
                    ("detected_at", text(detected)),
                ],
            );
        }
        // Detected in the period with no time of occurring: counted as a report, not timed.
        f.add(
            Kind::Event,
            &[
                ("event_type", text("incident")),
                ("detected_at", text("2026-06-01T00:00:00Z")),
            ],
        );
        for (raised, corrected) in [
            ("2026-04-01T09:00:00Z", "2026-04-03"),
            ("2026-05-01T09:00:00Z", "2026-05-11"),
            ("2026-05-20T09:00:00Z", "2026-05-21"),
            ("2026-01-01T09:00:00Z", "2026-02-01"),
        ] {
            f.add(
                Kind::Finding,
                &[
                    ("finding_type", text("minor_nc")),
                    ("raised_at", text(raised)),
                    ("corrected_on", text(corrected)),
                ],
            );
        }
        let now = f.now();
        // 1, 2, 10 and 100 hours: the median is between 2 and 10, nine in ten within 100.
        assert_eq!(value(&now, "detection_median"), Some(6.0));
        assert_eq!(value(&now, "detection_p90"), Some(100.0));
        assert_eq!(now["detection_median"].records.len(), 4);
        // 2 of the 5 reports of the period are near misses or observations.
        assert_eq!(value(&now, "near_miss_share"), Some(40.0));
        assert_eq!(value(&now, "correction_median"), Some(2.0));
        let before = f.readings(Period::ending(day(TODAY), 90).previous());
        assert_eq!(
            value(&before, "detection_median"),
            None,
            "one report in the period before"
        );
    }

    #[test]
    fn closing_well_times_closures_and_judges_actions_and_recurrence() {
        let mut f = Fixture::new();
        let earlier = f.add(
            Kind::Finding,
            &[
                ("finding_type", text("minor_nc")),
                ("status", text("closed")),
                ("raised_at", text("2025-12-01T09:00:00Z")),
                ("closed_at", text("2026-01-15T09:00:00Z")),
            ],
        );
        let long_ago = f.add(
            Kind::Finding,
            &[
                ("finding_type", text("minor_nc")),
                ("status", text("closed")),
                ("raised_at", text("2024-01-01T09:00:00Z")),
                ("closed_at", text("2024-02-01T09:00:00Z")),
            ],
        );
        for (raised, closed, recurs) in [
            (
                "2026-04-03T09:00:00Z",
                "2026-04-13T09:00:00Z",
                Some(earlier),
            ),
            ("2026-04-05T09:00:00Z", "2026-04-25T09:00:00Z", None),
            (
                "2026-04-10T09:00:00Z",
                "2026-06-09T09:00:00Z",
                Some(long_ago),
            ),
        ] {
            let mut fields = vec![
                ("finding_type", text("major_nc")),
                ("status", text("closed")),
                ("raised_at", text(raised)),
                ("closed_at", text(closed)),
            ];
            if let Some(id) = recurs {
                fields.push(("recurrence_of", text(&id.to_string())));
            }
            f.add(Kind::Finding, &fields);
        }
        // Reopened: its old closing time does not count.
        f.add(
            Kind::Finding,
            &[
                ("finding_type", text("minor_nc")),
                ("status", text("analysing")),
                ("raised_at", text("2026-04-01T09:00:00Z")),
                ("closed_at", text("2026-04-02T09:00:00Z")),
            ],
        );
        for (status, due, completed) in [
            ("done", "2026-05-01", Some("2026-04-30T12:00:00Z")),
            ("done", "2026-05-01", Some("2026-05-03T12:00:00Z")),
            ("done", "2026-06-01", Some("2026-06-01T12:00:00Z")),
            ("open", "2026-06-01", None),
            ("open", "2026-07-15", None),
            ("in_progress", "2026-06-29", None),
            ("cancelled", "2026-01-01", None),
        ] {
            let mut fields = vec![
                ("title", text("Fix it")),
                ("action_type", text("corrective")),
                ("status", text(status)),
                ("due", text(due)),
            ];
            if let Some(at) = completed {
                fields.push(("completed_at", text(at)));
            }
            f.add(Kind::Action, &fields);
        }
        for effective in ["effective", "effective", "not_effective"] {
            f.add(
                Kind::Action,
                &[
                    ("title", text("Checked")),
                    ("action_type", text("corrective")),
                    ("status", text("done")),
                    ("effective", text(effective)),
                    ("verified_at", text("2026-06-10T12:00:00Z")),
                ],
            );
        }
        let now = f.now();
        assert_eq!(value(&now, "closure_median"), Some(20.0));
        assert_eq!(value(&now, "closure_mean"), Some(30.0));
        assert_eq!(value(&now, "actions_on_time"), Some(66.7));
        assert_eq!(value(&now, "actions_overdue"), Some(2.0));
        assert_eq!(value(&now, "actions_overdue_share"), Some(66.7));
        assert_eq!(value(&now, "effectiveness_passed"), Some(66.7));
        // Of three raised in the period, one recurs a finding closed within the year.
        assert_eq!(value(&now, "recurrence"), Some(33.3));

        // At the end of the period before, the three done actions were still open, none late.
        let before = f.readings(Period::ending(day(TODAY), 90).previous());
        assert_eq!(value(&before, "actions_overdue"), Some(0.0));
        assert_eq!(before["actions_overdue_share"].records.len(), 6);
        assert_eq!(value(&before, "closure_median"), None);
    }

    #[test]
    fn controls_and_risks_are_read_as_they_stand_today() {
        let mut f = Fixture::new();
        for (status, applicable, reviewed) in [
            ("implemented", true, Some("2026-01-01")),
            ("implemented", true, Some("2025-01-01")),
            ("partial", true, None),
            ("not_started", true, None),
            ("implemented", false, None),
        ] {
            let mut fields = vec![
                ("reference", text("A.5.1")),
                ("title", text("Policies")),
                ("status", text(status)),
                ("applicable", Value::Bool(applicable)),
                ("effectiveness", text("effective")),
            ];
            if let Some(on) = reviewed {
                fields.push(("last_reviewed", text(on)));
            }
            f.add(Kind::Control, &fields);
        }
        let risk = |f: &mut Fixture,
                    status: &str,
                    inherent: (i64, i64),
                    residual: Option<(i64, i64)>,
                    expires: Option<&str>| {
            let mut fields = vec![
                ("title", text("A risk")),
                ("status", text(status)),
                ("inherent_likelihood", Value::Int(inherent.0)),
                ("inherent_impact", Value::Int(inherent.1)),
            ];
            if let Some((l, i)) = residual {
                fields.push(("residual_likelihood", Value::Int(l)));
                fields.push(("residual_impact", Value::Int(i)));
            }
            if let Some(on) = expires {
                fields.push(("acceptance_expires", text(on)));
            }
            f.add(Kind::Risk, &fields);
        };
        risk(&mut f, "treating", (5, 5), Some((2, 2)), None);
        risk(&mut f, "identified", (4, 3), None, None);
        risk(&mut f, "assessed", (2, 2), None, None);
        risk(&mut f, "accepted", (3, 4), Some((3, 3)), Some("2026-06-01"));
        risk(&mut f, "closed", (5, 5), None, None);
        let now = f.now();
        assert_eq!(value(&now, "controls_implemented"), Some(50.0));
        assert_eq!(value(&now, "control_reviews_overdue"), Some(66.7));
        assert_eq!(value(&now, "risk_reduction"), Some(24.0));
        assert_eq!(value(&now, "risks_above_appetite"), Some(1.0));
        assert_eq!(value(&now, "high_risks_treated"), Some(66.7));
        assert_eq!(value(&now, "expired_acceptances"), Some(1.0));
        assert_eq!(
            now["risk_reduction"].records.len(),
            4,
            "closed risks are left out"
        );
        let before = f.readings(Period::ending(day(TODAY), 90).previous());
        for key in [
            "controls_implemented",
            "risk_reduction",
            "risks_above_appetite",
        ] {
            assert_eq!(value(&before, key), None, "{key}: no history but snapshots");
        }
        let rated = control_effectiveness(f.register());
        assert_eq!(
            rated.iter().find(|(o, _)| *o == Effectiveness::Effective),
            Some(&(Effectiveness::Effective, 4))
        );
        assert_eq!(rated.iter().map(|(_, n)| n).sum::<usize>(), 4);
    }

    #[test]
    fn performance_reads_the_latest_measurement_by_the_end_of_the_period() {
        let mut f = Fixture::new();
        let metric = |f: &mut Fixture,
                      direction: &str,
                      target: Option<f64>,
                      warning: Option<f64>,
                      frequency: &str| {
            let mut fields = vec![
                ("name", text("A metric")),
                ("direction", text(direction)),
                ("frequency", text(frequency)),
            ];
            fields.extend(target.map(|t| ("target", Value::Num(t))));
            fields.extend(warning.map(|w| ("warning", Value::Num(w))));
            f.add(Kind::Metric, &fields)
        };
        let met = metric(&mut f, "higher_is_better", Some(90.0), None, "monthly");
        let warning = metric(
            &mut f,
            "lower_is_better",
            Some(5.0),
            Some(10.0),
            "quarterly",
        );
        let breach = metric(&mut f, "higher_is_better", Some(100.0), None, "monthly");
        metric(&mut f, "higher_is_better", None, None, "monthly");
        for (metric, value, on) in [
            (met, 95.0, "2026-06-01"),
            (warning, 7.0, "2026-03-01"),
            (breach, 100.0, "2026-03-01"),
            (breach, 50.0, "2026-06-15"),
        ] {
            f.add(
                Kind::Measurement,
                &[
                    ("metric", text(&metric.to_string())),
                    ("value", Value::Num(value)),
                    ("date", text(on)),
                ],
            );
        }
        for metrics in [vec![met], vec![warning], vec![breach], vec![]] {
            let ids = metrics.iter().map(|m| m.to_string()).collect();
            f.add(
                Kind::Objective,
                &[
                    ("title", text("An objective")),
                    ("metrics", Value::List(ids)),
                ],
            );
        }
        let now = f.now();
        assert_eq!(value(&now, "metrics_on_target"), Some(33.3));
        assert_eq!(value(&now, "objectives_met"), Some(33.3));
        assert_eq!(
            now["objectives_met"].records.len(),
            3,
            "the objective with no metric is left out"
        );
        // The quarterly one was due on 1 June; the one without a target was never measured.
        assert_eq!(value(&now, "measurements_overdue"), Some(2.0));
        let before = f.readings(Period::ending(day(TODAY), 90).previous());
        assert_eq!(
            value(&before, "metrics_on_target"),
            None,
            "two metrics measured by then"
        );
        assert_eq!(before["metrics_on_target"].records.len(), 2);
        assert_eq!(value(&before, "measurements_overdue"), Some(2.0));
    }

    #[test]
    fn audit_coverage_counts_the_areas_checked_in_the_last_twelve_months() {
        let mut f = Fixture::new();
        let audit = f.add(
            Kind::Audit,
            &[
                ("title", text("Internal audit")),
                ("audit_type", text("internal")),
                ("status", text("reported")),
                ("performed_date", text("2026-05-01")),
            ],
        );
        for (reference, result) in [
            ("9.2.1", "conforming"),
            ("A.5.15", "minor_nc"),
            ("6.1.1", "not_checked"),
        ] {
            f.add(
                Kind::AuditCheck,
                &[
                    ("audit", text(&audit.to_string())),
                    ("question", text("Is it done?")),
                    ("reference", text(reference)),
                    ("result", text(result)),
                    ("checked_at", text("2026-05-01T10:00:00Z")),
                ],
            );
        }
        let now = f.now();
        // Clauses 9 and A.5 of the 7 clauses and 4 themes.
        assert_eq!(value(&now, "audit_coverage"), Some(18.2));
        let results = audit_results(f.register(), Period::ending(day(TODAY), 90));
        let of = |r| results.iter().find(|(k, _)| *k == r).map(|(_, n)| *n);
        assert_eq!(
            (of(CheckResult::Conforming), of(CheckResult::MinorNc)),
            (Some(1), Some(1))
        );
        let before = f.readings(Period::ending(day(TODAY), 90).previous());
        assert_eq!(
            value(&before, "audit_coverage"),
            Some(0.0),
            "audits exist, none held by then"
        );
    }

    #[test]
    fn open_findings_are_aged_and_nonconformities_counted_by_month() {
        let mut f = Fixture::new();
        for (raised, status, closed) in [
            ("2026-06-20T09:00:00Z", "open", None),
            ("2026-05-01T09:00:00Z", "analysing", None),
            ("2026-02-01T09:00:00Z", "implementing", None),
            ("2025-06-01T09:00:00Z", "verifying", None),
            (
                "2026-04-10T09:00:00Z",
                "closed",
                Some("2026-06-02T09:00:00Z"),
            ),
        ] {
            let mut fields = vec![
                ("finding_type", text("minor_nc")),
                ("status", text(status)),
                ("raised_at", text(raised)),
            ];
            fields.extend(closed.map(|c| ("closed_at", text(c))));
            f.add(Kind::Finding, &fields);
        }
        f.add(
            Kind::Finding,
            &[
                ("finding_type", text("ofi")),
                ("raised_at", text("2026-06-01T09:00:00Z")),
            ],
        );
        let ages = open_finding_ages(f.register(), day(TODAY));
        let sizes: Vec<usize> = ages.iter().map(|(_, ids)| ids.len()).collect();
        assert_eq!(
            sizes,
            [2, 1, 1, 1],
            "the OFI is open too; the closed one is not"
        );
        let months = findings_by_month(&f.register().all::<Finding>(), day(TODAY), 3);
        assert_eq!(
            months,
            [
                ("2026-04".to_owned(), 1, 0),
                ("2026-05".to_owned(), 1, 0),
                ("2026-06".to_owned(), 1, 1)
            ]
        );
    }

    #[test]
    fn trends_follow_each_indicator_s_better_direction_and_units_read_plainly() {
        assert_eq!(
            Trend::of(Better::Lower, Some(2.0), Some(3.0)),
            Trend::Better
        );
        assert_eq!(
            Trend::of(Better::Higher, Some(2.0), Some(3.0)),
            Trend::Worse
        );
        assert_eq!(Trend::of(Better::Higher, Some(3.0), Some(3.0)), Trend::Same);
        assert_eq!(Trend::of(Better::Higher, None, Some(3.0)), Trend::Unknown);
        assert_eq!(Unit::Hours.show(4.54), "4.5 h");
        assert_eq!(Unit::Percent.show(66.666), "67 %");
        assert_eq!(Unit::Count.show(3.0), "3");
        let mut keys: Vec<&str> = INDICATORS.iter().map(|d| d.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), INDICATORS.len(), "keys are unique");
        assert!(INDICATORS.iter().all(|d| d.meaning.ends_with('.')));
        assert!(
            Group::ALL
                .iter()
                .all(|g| INDICATORS.iter().any(|d| d.group == *g))
        );
        assert_eq!(
            definition("recurrence").map(|d| d.better),
            Some(Better::Lower)
        );
    }
}
