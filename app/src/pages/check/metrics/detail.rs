//! One metric: its trend against target and warning threshold, its measurements (append-only:
//! a wrong value is corrected by a new measurement, never edited), and for a value past the
//! threshold, a finding raised with a link to the measurement.

use super::with_unit;
use crate::components::{
    RecordLink, RoutedDetail,
    chart::{Line, Point, TrendChart},
    evidence::EvidencePanel,
    history::RecordHistory,
    record::{NewRecordForm, RecordEditor, fields, now_stored},
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::choices::{FindingSource, FindingStatus, FindingType};
use register::{
    Kind, RecordId, Value, dates,
    evidence::supporting,
    gate::Edit,
    metrics::{Standing, measurements_by_metric, next_due, standing},
    views::{self, Finding},
};

#[component]
pub fn MetricDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Metric back="/metrics" back_label="← All metrics" page=|id| view! { <MetricPage id /> }.into_any() />
    }
}

/// Raises a finding about a measurement past its metric's threshold, linked to both the
/// measurement and the metric's control.
fn breach_finding(
    metric: &views::Metric,
    measurement: &views::Measurement,
) -> Vec<(&'static str, Value)> {
    // Short enough that the finding's title stays within its limit.
    let name: String = metric
        .name
        .clone()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect();
    let value = with_unit(measurement.value.unwrap_or_default(), metric);
    let date = measurement.date.clone().unwrap_or_default();
    let threshold = metric
        .warning
        .or(metric.target)
        .map(|t| with_unit(t, metric))
        .unwrap_or_default();
    let mut fields = vec![
        (
            Finding::title,
            Value::Text(format!("{name} breached: {value} on {date}")),
        ),
        (Finding::finding_type, Value::from(FindingType::Observation)),
        (Finding::source, Value::from(FindingSource::Measurement)),
        (
            Finding::measurement,
            Value::Text(measurement.id.to_string()),
        ),
        (Finding::status, Value::from(FindingStatus::Open)),
        (
            Finding::requirement,
            Value::Text(format!("{name} stays within {threshold} (clause 9.1).")),
        ),
        (
            Finding::evidence,
            Value::Text(format!("The measurement of {date} was {value}.")),
        ),
        (
            Finding::deviation,
            Value::Text(format!(
                "The measurement of {date} ({value}) is past the threshold of {threshold}."
            )),
        ),
        (Finding::raised_at, Value::Text(now_stored())),
    ];
    if let Some(control) = metric.control {
        fields.push((Finding::control, Value::Text(control.to_string())));
    }
    fields
}

#[component]
fn MetricPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let metric = Memo::new(move |_| state.read(|d| d.local.view::<views::Metric>(id)));
    let series = Memo::new(move |_| {
        state.read(|d| {
            measurements_by_metric(&d.local)
                .remove(&id)
                .unwrap_or_default()
        })
    });
    // Findings already raised, by the measurement they are about.
    let raised = Memo::new(move |_| {
        state.read(|d| {
            d.local
                .all::<views::Finding>()
                .into_iter()
                .filter_map(|f| Some((f.measurement?, f.id)))
                .collect::<Vec<(RecordId, RecordId)>>()
        })
    });
    let finding_for = move |measurement: RecordId| {
        raised.with(|r| {
            r.iter()
                .find(|(m, _)| *m == measurement)
                .map(|(_, finding)| *finding)
        })
    };
    let just_added = RwSignal::new(None::<RecordId>);
    let dismissed = RwSignal::new(false);
    // One finding per tap: the buttons wait while it is saved.
    let raising = Write::new();
    let raise = move |measurement: views::Measurement| {
        let Some(metric) = metric.get_untracked() else {
            return;
        };
        if raising.pending_untracked() {
            return;
        }
        raising.start(vec![Edit {
            record: RecordId::new(),
            kind: Kind::Finding,
            fields: breach_finding(&metric, &measurement),
        }]);
    };
    let name = move || metric.get().and_then(|m| m.name).unwrap_or_default();
    let chart = move || {
        let metric = metric.get()?;
        let points = series
            .get()
            .iter()
            .filter_map(|m| {
                let date = dates::date(m.date.as_deref()?)?;
                let value = m.value?;
                Some(Point {
                    x: date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() as f64,
                    y: value,
                    when: date.to_string(),
                    value: with_unit(value, &metric),
                })
            })
            .collect();
        let lines = [(metric.target, "target"), (metric.warning, "warning")]
            .into_iter()
            .filter_map(|(y, class)| {
                let y = y?;
                Some(Line {
                    y,
                    name: format!("{class} {}", with_unit(y, &metric)),
                    class,
                })
            })
            .collect();
        Some(view! { <TrendChart title=format!("{} over time", name()) points lines /> })
    };
    let summary = move || {
        let metric = metric.get()?;
        let series = series.get();
        let latest = series.last().map(|m| {
            let value = m.value.unwrap_or_default();
            format!(
                "Latest: {} on {} ({}).",
                with_unit(value, &metric),
                m.date.clone().unwrap_or_default(),
                standing(&metric, value).label()
            )
        });
        let due = match next_due(&metric, &series) {
            Some(due) => format!(" Next measurement due {due}."),
            None => " Not measured yet: add the first value below.".into(),
        };
        Some(format!("{}{due}", latest.unwrap_or_default()))
    };
    // Offered once, right after a value past the threshold is recorded.
    let prompt = move || {
        let added = just_added.get()?;
        if dismissed.get() || finding_for(added).is_some() {
            return None;
        }
        let metric = metric.get()?;
        let measurement = series.get().into_iter().find(|m| m.id == added)?;
        let value = measurement.value?;
        (standing(&metric, value) == Standing::Breach).then(|| {
            let threshold = metric.warning.or(metric.target).map(|t| with_unit(t, &metric)).unwrap_or_default();
            view! {
                <div class="prompt" role="alert">
                    <p>{format!("{} is past the threshold of {threshold}. Raise a finding so the cause is analysed and acted on?", with_unit(value, &metric))}</p>
                    <button type="button" disabled=move || raising.pending() on:click=move |_| raise(measurement.clone())>"Raise a finding"</button>
                    " "
                    <button type="button" class="secondary" on:click=move |_| dismissed.set(true)>"Not now"</button>
                </div>
            }
        })
    };
    let me = state.me();
    let recorded = Callback::new(move |added: RecordId| {
        dismissed.set(false);
        just_added.set(Some(added));
    });
    let mut fixed = vec![(views::Measurement::metric, Value::Text(id.to_string()))];
    if let Some(me) = me {
        fixed.push((views::Measurement::recorded_by, Value::Text(me)));
    }
    let rows = move || {
        let metric = metric.get()?;
        let people = state.people();
        let mut rows = series.get();
        rows.reverse();
        Some(rows.into_iter().map(|m| {
            let value = m.value.unwrap_or_default();
            let standing = standing(&metric, value);
            let who = m.recorded_by.and_then(|id| people.iter().find(|(p, _)| *p == id.to_string())).map(|(_, n)| n.clone()).unwrap_or_default();
            let date = m.date.clone().unwrap_or_default();
            let finding = match (standing, finding_for(m.id)) {
                (_, Some(finding)) => view! { <span>"Finding raised: "<RecordLink kind=Kind::Finding id=finding /></span> }.into_any(),
                (Standing::Breach, None) => {
                    let label = format!("Raise a finding about the measurement of {date}");
                    let measurement = m.clone();
                    view! { <button type="button" class="secondary small" aria-label=label disabled=move || raising.pending() on:click=move |_| raise(measurement.clone())>"Raise a finding"</button> }.into_any()
                }
                _ => ().into_any(),
            };
            let files = state.read(|d| supporting(&d.local, Kind::Measurement, m.id));
            view! {
                <tr role="row">
                    <td role="cell" data-label="Date">{date.clone()}</td>
                    <td role="cell" data-label="Value">{with_unit(value, &metric)}</td>
                    <td role="cell" data-label="Standing"><span class="tag" data-tone=standing.label()>{standing.label()}</span></td>
                    <td role="cell" data-label="Note">{m.note.clone().unwrap_or_default()}</td>
                    <td role="cell" data-label="Recorded by">{who}</td>
                    <td role="cell" data-label="Finding">{finding}</td>
                    <td role="cell" data-label="Evidence">
                        {files.into_iter().map(|file| view! { <RecordLink kind=Kind::Evidence id=file.id /> " " }).collect_view()}
                    </td>
                </tr>
            }
        }).collect_view())
    };
    view! {
        <h1>{name}</h1>
        <p class="lede" data-testid="metric-summary">{summary}</p>
        {chart}
        <Show when=move || state.may_write(Kind::Measurement)>
            <h2>"Record a measurement"</h2>
            <NewRecordForm
                kind=Kind::Measurement
                fields=fields!(Measurement: value, date, note)
                defaults=Callback::new(move |()| vec![(views::Measurement::date, Value::Text(state.today.get_untracked()))])
                fixed=fixed.clone()
                submit="Add measurement"
                on_created=recorded
            />
        </Show>
        {prompt}
        // The measurement just recorded can take what its value comes from (a report, an export).
        {move || just_added.get().map(|measurement| view! { <EvidencePanel kind=Kind::Measurement id=measurement /> })}
        {move || raising.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        <h2>"Measurements"</h2>
        <div class="table-wrap">
            // Explicit roles: on a phone the rows are laid out as cards, which would otherwise
            // drop the table's semantics in some browsers.
            <table class="stacked" role="table" aria-label="Measurements">
                <thead role="rowgroup"><tr role="row">
                    <th role="columnheader">"Date"</th><th role="columnheader">"Value"</th><th role="columnheader">"Standing"</th>
                    <th role="columnheader">"Note"</th><th role="columnheader">"Recorded by"</th><th role="columnheader">"Finding"</th>
                    <th role="columnheader">"Evidence"</th>
                </tr></thead>
                <tbody role="rowgroup">{rows}</tbody>
            </table>
        </div>
        <h2>"Definition"</h2>
        <RecordEditor kind=Kind::Metric id />
        <RecordHistory id kind=Kind::Metric />
    }
}
