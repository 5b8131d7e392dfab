//! Security objectives (clause 6.2): what the organisation means to achieve, tied to a business
//! objective, with a status derived from the metrics that measure it.

pub mod detail;

use crate::components::{
    list::{Describe, Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::{
    Kind, RecordId, View,
    metrics::{measurements_by_metric, metrics_of, objective_status},
    sync::Device,
    views,
};

pub static OBJECTIVES: ListSpec = ListSpec {
    kind: Kind::Objective,
    path: "/objectives",
    noun: "objectives",
    label: "Objectives",
    filters: &[],
    person: views::Objective::owner,
    describe: describe_objectives,
    empty: "No objectives yet. An objective says what security should achieve for the business, such as “no customer data lost” or “recover any system within a day”, and which metrics show progress.",
};

fn describe_objectives(device: &Device) -> Describe {
    let series = measurements_by_metric(&device.local);
    let metrics = device.local.all::<views::Metric>();
    Box::new(move |id, record| {
        let objective = views::Objective::from_record(id, record);
        let measured_by: Vec<&views::Metric> = metrics_of(&objective, &metrics)
            .iter()
            .filter_map(|id| metrics.iter().find(|m| m.id == *id))
            .collect();
        let status = objective_status(&measured_by, &series).label();
        Extras {
            image: None,
            tags: vec![Tag::toned(status, status)],
            due: objective.due.map(|due| (due, "Due")),
            order: None,
        }
    })
}

#[component]
pub fn Objectives() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created = Callback::new(move |id: RecordId| {
        navigate(&format!("/objectives/{id}"), Default::default())
    });
    view! {
        <section class="page">
            <h1>"Objectives"</h1>
            <p class="lede">
                "Information security objectives (clause 6.2): each serves a business objective, has an owner, a target and a date, and is measured by metrics. Its status follows the latest measurement of each metric."
            </p>
            <Show when=move || state.may_write(Kind::Objective)>
                <details class="new-record">
                    <summary>"Set an objective"</summary>
                    <NewRecordForm
                        kind=Kind::Objective
                        fields=fields!(Objective: title, business_objective, owner, target, due)
                        submit="Add objective"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&OBJECTIVES />
        </section>
    }
}
