//! The risk register (clause 6.1.2): record a risk with its likelihood and impact.

use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use register::{FieldError, RecordId, Risk, RiskDraft};

const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];

#[component]
pub fn Risks() -> impl IntoView {
    let state = use_app_state();
    let title = RwSignal::new(String::new());
    let likelihood = RwSignal::new("3".to_owned());
    let impact = RwSignal::new("3".to_owned());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let save_error = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let draft = RiskDraft {
            title: title.get_untracked(),
            likelihood: likelihood.get_untracked(),
            impact: impact.get_untracked(),
        };
        match draft.validate(RecordId::new()) {
            Err(problems) => errors.set(problems),
            Ok(risk) => {
                errors.set(Vec::new());
                spawn_local(async move {
                    match state.save_risk(risk).await {
                        Ok(()) => {
                            title.set(String::new());
                            save_error.set(None);
                        }
                        Err(error) => save_error.set(Some(error.to_string())),
                    }
                });
            }
        }
    };
    let error_for = move |field: &'static str| {
        move || {
            errors.with(|all| {
                all.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        }
    };

    view! {
        <section class="page">
            <h1>"Risks"</h1>
            <p class="lede">
                "What could harm the confidentiality, integrity or availability of your information, how likely it is, and how bad it would be."
            </p>
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
                        aria-invalid=move || error_for("title")().is_some().to_string()
                        bind:value=title
                    />
                    <FieldMessage id="risk-title-error" message=error_for("title") />
                </div>
                <ScaleSelect id="risk-likelihood" label="Likelihood" names=LIKELIHOOD value=likelihood />
                <FieldMessage id="risk-likelihood-error" message=error_for("likelihood") />
                <ScaleSelect id="risk-impact" label="Impact" names=IMPACT value=impact />
                <FieldMessage id="risk-impact-error" message=error_for("impact") />
                <button type="submit">"Add risk"</button>
                <p class="form-error" role="alert">{move || save_error.get()}</p>
            </form>
            <RiskList risks=state.risks />
        </section>
    }
}

#[component]
fn ScaleSelect(
    id: &'static str,
    label: &'static str,
    names: [&'static str; 5],
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id bind:value=value>
                {names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let n = (i + 1).to_string();
                        view! { <option value=n.clone()>{format!("{n} – {name}")}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn FieldMessage(
    id: &'static str,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p class="field-error" id=id>{message}</p> }
}

#[component]
fn RiskList(risks: RwSignal<Vec<Risk>>) -> impl IntoView {
    view! {
        <Show
            when=move || risks.with(|r| !r.is_empty())
            fallback=|| {
                view! {
                    <p class="empty">
                        "No risks yet. Start with what worries you most: lost devices, phishing, a supplier outage. Score each one; the score tells you where to act first."
                    </p>
                }
            }
        >
            <ul class="record-list" aria-label="Recorded risks">
                <For each=move || risks.get() key=|risk| risk.id let:risk>
                    <li class="record">
                        <span class="record-title">{risk.title.clone()}</span>
                        <span class="score" data-rating=risk.rating().label()>
                            {format!(
                                "{} × {} = {} {}",
                                risk.likelihood,
                                risk.impact,
                                risk.score(),
                                risk.rating().label(),
                            )}
                        </span>
                    </li>
                </For>
            </ul>
        </Show>
    }
}
