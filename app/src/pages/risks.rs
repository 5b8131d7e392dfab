//! The risk register (clause 6.1.2): every risk with its score, and a form for a new one.

use super::{FieldMessage, IMPACT, LIKELIHOOD, ScaleSelect, error_for};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::components::A;
use register::{FieldError, Kind, Rating, Value, views};

#[component]
pub fn Risks() -> impl IntoView {
    let state = use_app_state();
    let title = RwSignal::new(String::new());
    let likelihood = RwSignal::new("3".to_owned());
    let impact = RwSignal::new("3".to_owned());
    let errors = RwSignal::new(Vec::<FieldError>::new());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let number = |text: String| text.parse::<i64>().map_or(Value::Null, Value::Int);
        let fields = vec![
            (
                "title",
                Value::Text(title.get_untracked().trim().to_owned()),
            ),
            ("inherent_likelihood", number(likelihood.get_untracked())),
            ("inherent_impact", number(impact.get_untracked())),
        ];
        spawn_local(async move {
            match state.create(Kind::Risk, fields).await {
                Ok(_) => {
                    errors.set(Vec::new());
                    title.set(String::new());
                }
                Err(problems) => errors.set(problems),
            }
        });
    };
    let title_error = error_for(errors, "title");

    view! {
        <section class="page">
            <h1>"Risks"</h1>
            <p class="lede">
                "What could harm the confidentiality, integrity or availability of your information, how likely it is, and how bad it would be."
            </p>
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
                    <ScaleSelect id="risk-likelihood" label="Likelihood" names=LIKELIHOOD value=likelihood />
                    <ScaleSelect id="risk-impact" label="Impact" names=IMPACT value=impact />
                    <button type="submit">"Add risk"</button>
                    <FieldMessage id="risk-likelihood-error" message=error_for(errors, "inherent_likelihood") />
                    <FieldMessage id="risk-impact-error" message=error_for(errors, "inherent_impact") />
                    <FieldMessage id="risk-form-error" message=error_for(errors, "") />
                </form>
            </Show>
            <RiskList />
        </section>
    }
}

#[component]
fn RiskList() -> impl IntoView {
    let state = use_app_state();
    let risks = move || state.read(|d| d.local.all::<views::Risk>());
    view! {
        <Show
            when=move || !risks().is_empty()
            fallback=|| view! {
                <p class="empty">
                    "No risks yet. Start with what worries you most: lost devices, phishing, a supplier outage. Score each one; the score tells you where to act first."
                </p>
            }
        >
            <ul class="record-list" aria-label="Recorded risks">
                <For each=risks key=|risk| (risk.id, risk.title.clone(), risk.inherent_score()) children=|risk| {
                    let title = risk.title.clone().unwrap_or_else(|| "(untitled)".into());
                    let score = risk.inherent_score().map(|score| {
                        let rating = Rating::of_score(score).label();
                        let text = format!(
                            "{} × {} = {score} {rating}",
                            risk.inherent_likelihood.unwrap_or_default(),
                            risk.inherent_impact.unwrap_or_default(),
                        );
                        view! { <span class="score" data-rating=rating>{text}</span> }
                    });
                    view! {
                        <li class="record">
                            <A href=format!("/risks/{}", risk.id) attr:class="record-title">{title}</A>
                            {score}
                        </li>
                    }
                } />
            </ul>
        </Show>
    }
}
