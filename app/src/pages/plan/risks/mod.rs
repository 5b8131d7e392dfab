//! The risk register (clause 6.1.2): every risk with its score, and a form for a new one.

pub mod detail;
pub mod plan;
pub mod treatment;

use crate::components::{
    FieldMessage, error_for,
    heatmap::{HeatMap, Scale},
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{MemberSelect, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::components::A;
use register::{Kind, RecordId, RecordState, Value, View, gate::Edit, risk::Criteria, views};
use std::collections::HashSet;

#[component]
pub fn Risks() -> impl IntoView {
    let state = use_app_state();
    let title = RwSignal::new(String::new());
    let likelihood = RwSignal::new("3".to_owned());
    let impact = RwSignal::new("3".to_owned());
    // Whoever adds a risk owns it until they name someone else.
    let owner = RwSignal::new(state.me().unwrap_or_default());
    let criteria = Memo::new(move |_| state.read(|d| Criteria::read(&d.local)));
    let write = Write::new();
    let errors = Signal::derive(move || write.refused());
    let cell = RwSignal::new(None::<(Scale, i64, i64)>);
    let in_cell = Memo::new(move |_| {
        let (scale, l, i) = cell.get()?;
        let risks = state.read(|d| d.local.all::<views::Risk>());
        Some(
            risks
                .into_iter()
                .filter(|r| scale.of(r) == Some((l, i)))
                .map(|r| r.id)
                .collect::<HashSet<RecordId>>(),
        )
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let number = |text: String| text.parse::<i64>().map_or(Value::Null, Value::Int);
        let mut fields = vec![
            (
                views::Risk::title,
                Value::Text(title.get_untracked().trim().to_owned()),
            ),
            (
                views::Risk::inherent_likelihood,
                number(likelihood.get_untracked()),
            ),
            (views::Risk::inherent_impact, number(impact.get_untracked())),
        ];
        let owner = owner.get_untracked();
        if !owner.is_empty() {
            fields.push((views::Risk::owner, Value::from(owner)));
        }
        write.start(vec![Edit {
            record: RecordId::new(),
            kind: Kind::Risk,
            fields,
        }]);
    };
    // A risk stored, its title is cleared for the next one.
    Effect::new(move |_| {
        if write.stored() {
            title.set(String::new());
        }
    });
    let title_error = error_for(errors, views::Risk::title);
    let owner_error = error_for(errors, views::Risk::owner);

    view! {
        <section class="page">
            <h1>"Risks"</h1>
            <p class="lede">
                "What could harm the confidentiality, integrity or availability of your information, how likely it is, and how bad it would be."
            </p>
            <p><A href="/risk-treatment-plan">"Risk treatment plan →"</A>" · "<A href="/risk-criteria">"Risk criteria →"</A></p>
            <Show when=move || state.may_write(Kind::Risk)>
                <form class="record-form" on:submit=on_submit novalidate=true aria-label="New risk">
                    <div class="field">
                        <label for="risk-title">"Title"</label>
                        <input
                            id="risk-title"
                            name="title"
                            type="text"
                            maxlength="200"
                            placeholder="e.g. Laptop stolen from a car"
                            aria-describedby="risk-title-error"
                            aria-invalid=move || title_error().is_some().to_string()
                            bind:value=title
                        />
                        <FieldMessage id="risk-title-error" message=title_error />
                    </div>
                    <div class="field">
                        <label for="risk-owner">"Risk owner"</label>
                        <MemberSelect input_id="risk-owner".to_owned() error_id="risk-owner-error".to_owned() invalid=Signal::derive(move || owner_error().is_some().to_string()) draft=owner />
                        <FieldMessage id="risk-owner-error" message=owner_error />
                    </div>
                    <ScaleSelect id="risk-likelihood" label="Likelihood" names=Signal::derive(move || criteria.get().likelihood) value=likelihood />
                    <ScaleSelect id="risk-impact" label="Impact" names=Signal::derive(move || criteria.get().impact) value=impact />
                    <button type="submit">"Add risk"</button>
                    <FieldMessage id="risk-likelihood-error" message=error_for(errors, views::Risk::inherent_likelihood) />
                    <FieldMessage id="risk-impact-error" message=error_for(errors, views::Risk::inherent_impact) />
                    <FieldMessage id="risk-form-error" message=error_for(errors, "") />
                </form>
            </Show>
            <div class="heatmaps">
                <HeatMap scale=Scale::Inherent cell />
                <HeatMap scale=Scale::Residual cell />
            </div>
            {move || cell.get().map(|(scale, l, i)| view! {
                <p class="filtering" role="status">
                    {format!("Showing risks with {} likelihood {l} and impact {i}. ", scale.name())}
                    <button type="button" class="secondary small" on:click=move |_| cell.set(None)>"Show all risks"</button>
                </p>
            })}
            <RegisterList spec=&RISKS only=in_cell />
        </section>
    }
}

pub static RISKS: ListSpec = ListSpec {
    kind: Kind::Risk,
    path: "/risks",
    noun: "risks",
    label: "Recorded risks",
    filters: &[
        views::Risk::status,
        views::Risk::treatment,
        views::Risk::category,
    ],
    person: views::Risk::owner,
    describe: |device| {
        let criteria = Criteria::read(&device.local);
        Box::new(move |id, record| describe_risk(&criteria, id, record))
    },
    empty: "No risks yet. Start with what worries you most: lost devices, phishing, a supplier outage. Score each one; the score tells you where to act first.",
};

fn describe_risk(criteria: &Criteria, id: RecordId, record: &RecordState) -> Extras {
    let risk = views::Risk::from_record(id, record);
    let mut tags = Vec::new();
    if let Some(score) = risk.inherent_score() {
        let rating = criteria.rating(score).label();
        let text = format!(
            "{} × {} = {score} {rating}",
            risk.inherent_likelihood.unwrap_or_default(),
            risk.inherent_impact.unwrap_or_default(),
        );
        tags.push(Tag::toned(text, rating));
    }
    if let Some(score) = risk.residual_score() {
        let rating = criteria.rating(score).label();
        tags.push(Tag::toned(format!("residual {score} {rating}"), rating));
    }
    if let Some(status) = &risk.status {
        tags.push(Tag::plain(words(status)));
    }
    // The earlier of the review and the acceptance's expiry is what falls due first.
    let due = [
        (risk.review_due, "Review"),
        (risk.acceptance_expires, "Acceptance"),
    ]
    .into_iter()
    .filter_map(|(date, what)| Some((date?, what)))
    .min();
    Extras {
        image: None,
        tags,
        due,
        order: None,
    }
}

/// A choice of 1 to 5 on one of the organisation's scales, each point in its own words.
#[component]
fn ScaleSelect(
    id: &'static str,
    label: &'static str,
    names: Signal<Vec<String>>,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id bind:value=value>
                {move || names.get().into_iter().enumerate().map(|(i, name)| {
                    let n = (i + 1).to_string();
                    let selected = value.get_untracked() == n;
                    view! { <option value=n.clone() selected=selected>{format!("{n} – {name}")}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
