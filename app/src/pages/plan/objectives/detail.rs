//! One objective: its derived status, the metrics that measure it, and its fields.

use crate::state::use_app_state;
use crate::{
    components::{RoutedDetail, history::RecordHistory, record::RecordEditor},
    pages::check::metrics::with_unit,
};
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    Kind, RecordId,
    metrics::{measurements_by_metric, metrics_of, objective_status, standing},
    views,
};

#[component]
pub fn ObjectiveDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Objective back="/objectives" back_label="← All objectives" page=|id| view! { <ObjectivePage id /> }.into_any() />
    }
}

#[component]
fn ObjectivePage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    // (title, status, each metric as (id, name, latest in words))
    let progress = Memo::new(move |_| {
        state.read(|d| {
            let objective = d.local.view::<views::Objective>(id)?;
            let metrics = d.local.all::<views::Metric>();
            let series = measurements_by_metric(&d.local);
            let measured_by: Vec<&views::Metric> = metrics_of(&objective, &metrics)
                .iter()
                .filter_map(|id| metrics.iter().find(|m| m.id == *id))
                .collect();
            let status = objective_status(&measured_by, &series).label();
            let lines = measured_by
                .iter()
                .map(|m| {
                    let latest = series.get(&m.id).and_then(|s| s.last()).and_then(|l| {
                        let value = l.value?;
                        Some(format!(
                            "{} on {} ({})",
                            with_unit(value, m),
                            l.date.clone()?,
                            standing(m, value).label()
                        ))
                    });
                    (
                        m.id,
                        m.name.clone().unwrap_or_default(),
                        latest.unwrap_or_else(|| "not measured yet".into()),
                    )
                })
                .collect::<Vec<_>>();
            Some((objective.title.unwrap_or_default(), status, lines))
        })
    });
    view! {
        {move || progress.get().map(|(title, status, lines)| view! {
            <h1>{title}</h1>
            <p class="lede" data-testid="objective-status">
                "Status: " <span class="tag" data-tone=status>{status}</span>
            </p>
            <h2>"Measured by"</h2>
            {if lines.is_empty() {
                view! { <p class="empty">"No metric measures this objective yet. Choose metrics below, or name this objective on a metric's page."</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list" aria-label="Metrics of this objective">
                        {lines.into_iter().map(|(id, name, latest)| view! {
                            <li class="record"><A href=format!("/metrics/{id}") attr:class="record-title">{name}</A><span class="tags"><span class="tag">{latest}</span></span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        })}
        <Show when=move || state.read(|d| d.local.view::<views::Objective>(id)).is_some_and(|o| register::dates::date(&state.today.get()).is_some_and(|today| register::metrics::result_due(&o, today)))>
            <p class="notice" role="note" data-testid="objective-result-due">"This objective's due date has passed: record whether it was achieved, on which day, and what shows it (under Result)."</p>
        </Show>
        <RecordEditor kind=Kind::Objective id />
        <RecordHistory id kind=Kind::Objective />
    }
}
