//! Metrics (clause 9.1): what is measured, how, and what good looks like; which are due for
//! measurement; and a form for a new one.

pub mod detail;

use crate::components::{
    list::{Describe, Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use register::choices::{Direction, Frequency};
use register::{
    Kind, RecordId, Value, View, dates,
    metrics::{due_metrics, measurements_by_metric, next_due, standing},
    sync::Device,
    views,
};

pub static METRICS: ListSpec = ListSpec {
    kind: Kind::Metric,
    path: "/metrics",
    noun: "metrics",
    label: "Metrics",
    filters: &[views::Metric::frequency, views::Metric::direction],
    person: views::Metric::owner,
    describe: describe_metrics,
    empty: "No metrics yet. A metric turns a control or an objective into a number you can watch: the share of laptops encrypted, days to patch a critical flaw, phishing reports per month.",
};

/// A measured value with its metric's unit.
pub fn with_unit(value: f64, metric: &views::Metric) -> String {
    match metric.unit.as_deref() {
        Some(unit) if !unit.is_empty() => format!("{value} {unit}"),
        _ => value.to_string(),
    }
}

fn describe_metrics(device: &Device) -> Describe {
    let series = measurements_by_metric(&device.local);
    Box::new(move |id, record| {
        let metric = views::Metric::from_record(id, record);
        let measured = series.get(&id).map(Vec::as_slice).unwrap_or_default();
        let mut tags = Vec::new();
        match measured.last().and_then(|m| m.value) {
            Some(latest) => {
                let standing = standing(&metric, latest).label();
                tags.push(Tag::toned(
                    format!("{} ({standing})", with_unit(latest, &metric)),
                    standing,
                ));
            }
            None => tags.push(Tag::plain("not measured yet")),
        }
        if let Some(frequency) = &metric.frequency {
            tags.push(Tag::plain(words(frequency)));
        }
        Extras {
            image: None,
            tags,
            due: next_due(&metric, measured).map(|d| (d.to_string(), "Next measurement")),
            order: None,
        }
    })
}

#[component]
pub fn Metrics() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let due = Memo::new(move |_| {
        let today = dates::date(&state.today.get());
        let Some(today) = today else {
            return Vec::new();
        };
        state.read(|d| {
            due_metrics(&d.local, today)
                .into_iter()
                .map(|m| (m.id, m.name.unwrap_or_default()))
                .collect::<Vec<_>>()
        })
    });
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/metrics/{id}"), Default::default()));
    view! {
        <section class="page">
            <h1>"Metrics"</h1>
            <p class="lede">
                "Measure whether controls work and objectives are met (clause 9.1). Record a value each period; the chart shows the trend against the target, and a value past the warning threshold offers to raise a finding."
            </p>
            <h2>"Due for measurement"</h2>
            <Show
                when=move || !due.get().is_empty()
                fallback=|| view! { <p class="empty">"Nothing is due: every metric has a measurement for its current period."</p> }
            >
                <ul class="record-list" aria-label="Due for measurement">
                    {move || due.get().into_iter().map(|(id, name)| view! {
                        <li class="record"><A href=format!("/metrics/{id}") attr:class="record-title">{name}</A></li>
                    }).collect_view()}
                </ul>
            </Show>
            <Show when=move || state.may_write(Kind::Metric)>
                <details class="new-record">
                    <summary>"Define a metric"</summary>
                    <NewRecordForm
                        kind=Kind::Metric
                        fields=fields!(Metric: name, description, unit, direction, target, warning, frequency)
                        defaults=Callback::new(|()| vec![
                            (views::Metric::direction, Value::from(Direction::HigherIsBetter)),
                            (views::Metric::frequency, Value::from(Frequency::Monthly)),
                        ])
                        submit="Add metric"
                        on_created=created
                    />
                </details>
            </Show>
            <h2>"All metrics"</h2>
            <RegisterList spec=&METRICS />
        </section>
    }
}
