//! Clause 9.1 and 6.2: how a measurement stands against its metric's target and warning
//! threshold, when a metric is next due for measurement, and an objective's status derived
//! from the metrics that measure it.

use crate::choices::{Direction, Frequency};
use crate::{Kind, RecordId, Replica, dates, rules::RecordRule, views};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Where one measured value stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Standing {
    /// The metric has no target or threshold to compare with.
    NoTarget,
    /// At or better than the target (or, with only a warning threshold, not past it).
    Met,
    /// Short of the target but not past the warning threshold.
    Warning,
    /// Past the warning threshold (or short of the target when there is no threshold):
    /// worth a finding.
    Breach,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::NoTarget => "no target",
            Standing::Met => "on target",
            Standing::Warning => "warning",
            Standing::Breach => "breach",
        }
    }
}

/// Where `value` stands for `metric`.
pub fn standing(metric: &views::Metric, value: f64) -> Standing {
    let lower_is_better = metric.direction == Some(Direction::LowerIsBetter);
    let at_least = |bound: f64| {
        if lower_is_better {
            value <= bound
        } else {
            value >= bound
        }
    };
    match (metric.target, metric.warning) {
        (None, None) => Standing::NoTarget,
        (Some(target), _) if at_least(target) => Standing::Met,
        (None, Some(warning)) if at_least(warning) => Standing::Met,
        (Some(_), Some(warning)) if at_least(warning) => Standing::Warning,
        _ => Standing::Breach,
    }
}

/// Every measurement of each metric, oldest first: by date, then in the order recorded.
pub fn measurements_by_metric(register: &Replica) -> HashMap<RecordId, Vec<views::Measurement>> {
    series_of(register.all())
}

/// `measurements_by_metric` over measurements already viewed, in creation order.
pub fn series_of(
    measurements: Vec<views::Measurement>,
) -> HashMap<RecordId, Vec<views::Measurement>> {
    let mut by_metric: HashMap<RecordId, Vec<views::Measurement>> = HashMap::new();
    for measurement in measurements {
        if let (Some(metric), Some(_), Some(_)) = (
            measurement.metric,
            measurement.value,
            measurement.date.as_deref().and_then(dates::date),
        ) {
            by_metric.entry(metric).or_default().push(measurement);
        }
    }
    // Records come in id order, which is creation order (v7 ids), and the sort is stable:
    // of two measurements on one date, the later recorded is the latest (a correction).
    for series in by_metric.values_mut() {
        series.sort_by(|a, b| a.date.cmp(&b.date));
    }
    by_metric
}

/// When a metric is next due: its last measurement plus its frequency; `None` when it has
/// never been measured (it is due now).
pub fn next_due(metric: &views::Metric, series: &[views::Measurement]) -> Option<NaiveDate> {
    let last = dates::date(series.last()?.date.as_deref()?)?;
    match metric.frequency? {
        Frequency::Daily => last.checked_add_days(chrono::Days::new(1)),
        Frequency::Weekly => last.checked_add_days(chrono::Days::new(7)),
        Frequency::Monthly => dates::add_months(last, 1),
        Frequency::Quarterly => dates::add_months(last, 3),
        Frequency::HalfYearly => dates::add_months(last, 6),
        Frequency::Yearly => dates::add_months(last, 12),
    }
}

/// Whether a metric is due for measurement on `today`: never measured, or its next due date
/// has come.
pub fn is_due(metric: &views::Metric, series: &[views::Measurement], today: NaiveDate) -> bool {
    next_due(metric, series).is_none_or(|due| due <= today)
}

/// The metrics due for measurement on `today`, by name.
pub fn due_metrics(register: &Replica, today: NaiveDate) -> Vec<views::Metric> {
    let series = measurements_by_metric(register);
    let mut due: Vec<views::Metric> = register
        .all::<views::Metric>()
        .into_iter()
        .filter(|m| {
            is_due(
                m,
                series.get(&m.id).map(Vec::as_slice).unwrap_or_default(),
                today,
            )
        })
        .collect();
    due.sort_by(|a, b| a.name.cmp(&b.name));
    due
}

/// An objective's status, derived from the latest measurement of each of its metrics.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectiveStatus {
    NoMetrics,
    NotMeasured,
    OnTrack,
    AtRisk,
    OffTrack,
}

impl ObjectiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            ObjectiveStatus::NoMetrics => "no metrics yet",
            ObjectiveStatus::NotMeasured => "not measured yet",
            ObjectiveStatus::OnTrack => "on track",
            ObjectiveStatus::AtRisk => "at risk",
            ObjectiveStatus::OffTrack => "off track",
        }
    }
}

/// The metrics that measure an objective: those it lists and those that name it.
pub fn metrics_of(objective: &views::Objective, metrics: &[views::Metric]) -> Vec<RecordId> {
    let mut ids: Vec<RecordId> = objective.metrics.clone().unwrap_or_default();
    for metric in metrics {
        if metric.objective == Some(objective.id) && !ids.contains(&metric.id) {
            ids.push(metric.id);
        }
    }
    ids
}

/// The status of an objective measured by `metrics`: the worst standing among their latest
/// measurements. Metrics without a target do not count towards it.
pub fn objective_status(
    metrics: &[&views::Metric],
    series: &HashMap<RecordId, Vec<views::Measurement>>,
) -> ObjectiveStatus {
    if metrics.is_empty() {
        return ObjectiveStatus::NoMetrics;
    }
    let standings: Vec<Standing> = metrics
        .iter()
        .filter_map(|metric| {
            let latest = series.get(&metric.id)?.last()?.value?;
            Some(standing(metric, latest))
        })
        .filter(|s| *s != Standing::NoTarget)
        .collect();
    if standings.contains(&Standing::Breach) {
        ObjectiveStatus::OffTrack
    } else if standings.contains(&Standing::Warning) {
        ObjectiveStatus::AtRisk
    } else if standings.is_empty() {
        ObjectiveStatus::NotMeasured
    } else {
        ObjectiveStatus::OnTrack
    }
}

/// Whether an objective's due date has passed by `today` without its result recorded: it
/// asks for its result (achieved or not, with evidence; clause 6.2).
pub fn result_due(objective: &views::Objective, today: NaiveDate) -> bool {
    objective.result.is_none()
        && objective
            .due
            .as_deref()
            .and_then(dates::date)
            .is_some_and(|due| due <= today)
}

/// An objective's result is stated with the day it was judged and the evidence for it.
pub const RULES: &[RecordRule] = &[RecordRule {
    kind: Kind::Objective,
    fields: &[
        views::Objective::result,
        views::Objective::result_on,
        views::Objective::result_evidence,
    ],
    field: views::Objective::result_evidence,
    message: "An objective's result says on which day it was judged and what shows it (the metrics' values, a report).",
    holds: |s| {
        s.text(views::Objective::result).is_empty()
            || (!s.text(views::Objective::result_on).is_empty()
                && !s.text(views::Objective::result_evidence).is_empty())
    },
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Value, sync::Device};

    fn metric(direction: &str, target: Option<f64>, warning: Option<f64>) -> views::Metric {
        let mut device = Device::new(crate::ClientId::new());
        let id = RecordId::new();
        let mut set = |field, value| device.edit(id, Kind::Metric, field, value, 1);
        set("name", Value::Text("m".into()));
        set("direction", Value::Text(direction.into()));
        set("frequency", Value::Text("monthly".into()));
        target.map(|t| set("target", Value::Num(t)));
        warning.map(|w| set("warning", Value::Num(w)));
        device.local.view(id).unwrap()
    }

    #[test]
    fn higher_is_better_stands_against_target_then_warning() {
        let patched = metric("higher_is_better", Some(95.0), Some(90.0));
        assert_eq!(standing(&patched, 97.0), Standing::Met);
        assert_eq!(standing(&patched, 95.0), Standing::Met);
        assert_eq!(standing(&patched, 92.0), Standing::Warning);
        assert_eq!(standing(&patched, 90.0), Standing::Warning);
        assert_eq!(standing(&patched, 80.0), Standing::Breach);
    }

    #[test]
    fn lower_is_better_mirrors_it() {
        let days_to_patch = metric("lower_is_better", Some(14.0), Some(30.0));
        assert_eq!(standing(&days_to_patch, 7.0), Standing::Met);
        assert_eq!(standing(&days_to_patch, 20.0), Standing::Warning);
        assert_eq!(standing(&days_to_patch, 45.0), Standing::Breach);
    }

    #[test]
    fn a_missing_threshold_or_target_still_gives_a_standing() {
        let target_only = metric("higher_is_better", Some(10.0), None);
        assert_eq!(standing(&target_only, 12.0), Standing::Met);
        assert_eq!(standing(&target_only, 8.0), Standing::Breach);
        let warning_only = metric("lower_is_better", None, Some(5.0));
        assert_eq!(standing(&warning_only, 5.0), Standing::Met);
        assert_eq!(standing(&warning_only, 6.0), Standing::Breach);
        let neither = metric("lower_is_better", None, None);
        assert_eq!(standing(&neither, 6.0), Standing::NoTarget);
    }

    fn measured(device: &mut Device, metric: RecordId, value: f64, date: &str) {
        let id = RecordId::new();
        device.edit(
            id,
            Kind::Measurement,
            "metric",
            Value::Text(metric.to_string()),
            1,
        );
        device.edit(id, Kind::Measurement, "value", Value::Num(value), 1);
        device.edit(id, Kind::Measurement, "date", Value::Text(date.into()), 1);
    }

    #[test]
    fn series_are_grouped_by_metric_in_date_order_and_due_by_frequency() {
        let mut device = Device::new(crate::ClientId::new());
        let m = metric("higher_is_better", Some(95.0), Some(90.0));
        let other = RecordId::new();
        measured(&mut device, m.id, 91.0, "2026-10-01");
        measured(&mut device, m.id, 96.0, "2026-08-31");
        measured(&mut device, other, 1.0, "2026-09-15");
        let series = measurements_by_metric(&device.local);
        let dates: Vec<_> = series[&m.id]
            .iter()
            .map(|s| s.date.clone().unwrap())
            .collect();
        assert_eq!(dates, ["2026-08-31", "2026-10-01"]);
        assert_eq!(series[&other].len(), 1);
        assert_eq!(next_due(&m, &series[&m.id]), dates::date("2026-11-01"));
        assert!(!is_due(
            &m,
            &series[&m.id],
            dates::date("2026-10-31").unwrap()
        ));
        assert!(is_due(
            &m,
            &series[&m.id],
            dates::date("2026-11-01").unwrap()
        ));
        assert!(is_due(&m, &[], dates::date("2026-01-01").unwrap()));
        let quarterly = views::Metric {
            frequency: Some(Frequency::Quarterly),
            ..m.clone()
        };
        assert_eq!(
            next_due(&quarterly, &series[&m.id]),
            dates::date("2027-01-01")
        );
    }

    #[test]
    fn due_metrics_are_the_unmeasured_and_the_overdue_by_name() {
        let mut device = Device::new(crate::ClientId::new());
        let mut define = |name: &str| {
            let id = RecordId::new();
            device.edit(id, Kind::Metric, "name", Value::Text(name.into()), 1);
            device.edit(
                id,
                Kind::Metric,
                "frequency",
                Value::Text("monthly".into()),
                1,
            );
            id
        };
        let (fresh, stale, never) = (define("Fresh"), define("Stale"), define("Awaited"));
        measured(&mut device, fresh, 1.0, "2026-11-20");
        measured(&mut device, stale, 1.0, "2026-09-20");
        let today = dates::date("2026-11-29").unwrap();
        let due: Vec<RecordId> = due_metrics(&device.local, today)
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(due, [never, stale]);
    }

    #[test]
    fn an_objective_takes_the_worst_latest_standing_of_its_metrics() {
        let mut device = Device::new(crate::ClientId::new());
        let good = metric("higher_is_better", Some(95.0), Some(90.0));
        let slipping = metric("lower_is_better", Some(14.0), Some(30.0));
        let untargeted = metric("lower_is_better", None, None);
        let objective = {
            let id = RecordId::new();
            let listed = Value::List(vec![good.id.to_string()]);
            device.edit(id, Kind::Objective, "metrics", listed, 1);
            device.local.view::<views::Objective>(id).unwrap()
        };
        let named = views::Metric {
            objective: Some(objective.id),
            ..slipping.clone()
        };
        let all = [good.clone(), named.clone(), untargeted.clone()];
        assert_eq!(metrics_of(&objective, &all), vec![good.id, named.id]);

        let status = |device: &Device, metrics: &[&views::Metric]| {
            objective_status(metrics, &measurements_by_metric(&device.local))
        };
        assert_eq!(status(&device, &[]), ObjectiveStatus::NoMetrics);
        assert_eq!(
            status(&device, &[&good, &named]),
            ObjectiveStatus::NotMeasured
        );
        measured(&mut device, good.id, 97.0, "2026-11-01");
        assert_eq!(status(&device, &[&good, &named]), ObjectiveStatus::OnTrack);
        measured(&mut device, named.id, 20.0, "2026-11-01");
        assert_eq!(status(&device, &[&good, &named]), ObjectiveStatus::AtRisk);
        // Only the latest measurement counts: an old breach that has recovered does not.
        measured(&mut device, good.id, 50.0, "2026-10-01");
        assert_eq!(status(&device, &[&good, &named]), ObjectiveStatus::AtRisk);
        measured(&mut device, good.id, 50.0, "2026-11-15");
        assert_eq!(status(&device, &[&good, &named]), ObjectiveStatus::OffTrack);
        measured(&mut device, untargeted.id, 99.0, "2026-11-15");
        assert_eq!(
            status(&device, &[&untargeted]),
            ObjectiveStatus::NotMeasured
        );
    }
}
