//! One risk: change its title, owner and scores. Each saved field is one change that syncs
//! on its own, so two people editing different fields never overwrite each other.

use super::{FieldMessage, IMPACT, LIKELIHOOD, ScaleSelect, error_for};
use crate::state::{AppState, use_app_state};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};
use register::{FieldError, Kind, RecordId, Value, views};

#[component]
pub fn RiskDetail() -> impl IntoView {
    let state = use_app_state();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<RecordId>().ok())
    };
    let risk = move || id().and_then(|id| state.read(|d| d.local.view::<views::Risk>(id)));
    // Outside the form: the form is redrawn whenever the risk changes (after a save, or when
    // a colleague's change arrives), and these must survive that.
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saved = RwSignal::new(false);
    view! {
        <section class="page">
            <p><A href="/risks">"← All risks"</A></p>
            {move || match risk() {
                Some(risk) if !risk.deleted => view! { <RiskForm risk errors saved /> }.into_any(),
                Some(_) => view! { <p class="empty">"This risk was deleted."</p> }.into_any(),
                None => view! { <p class="empty">"There is no such risk on this device (yet)."</p> }.into_any(),
            }}
        </section>
    }
}

/// The field values the form starts from, as text.
fn text_of(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

#[component]
fn RiskForm(
    risk: views::Risk,
    errors: RwSignal<Vec<FieldError>>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let state = use_app_state();
    let id = risk.id;
    let title = RwSignal::new(risk.title.clone().unwrap_or_default());
    let owner = RwSignal::new(risk.owner.map(|o| o.to_string()).unwrap_or_default());
    let likelihood = RwSignal::new(text_of(risk.inherent_likelihood));
    let impact = RwSignal::new(text_of(risk.inherent_impact));
    let read_only = move || !state.may_write(Kind::Risk);
    let original = StoredValue::new(risk.clone());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let before = original.get_value();
        let number = |text: String| text.parse::<i64>().map_or(Value::Null, Value::Int);
        let owner_value = match owner.get_untracked() {
            text if text.is_empty() => Value::Null,
            text => Value::Text(text),
        };
        let mut changes: Vec<(&'static str, Value)> = Vec::new();
        if Some(title.get_untracked().trim().to_owned()) != before.title {
            changes.push((
                "title",
                Value::Text(title.get_untracked().trim().to_owned()),
            ));
        }
        if owner_value
            != before
                .owner
                .map_or(Value::Null, |o| Value::Text(o.to_string()))
        {
            changes.push(("owner", owner_value));
        }
        if likelihood.get_untracked() != text_of(before.inherent_likelihood) {
            changes.push(("inherent_likelihood", number(likelihood.get_untracked())));
        }
        if impact.get_untracked() != text_of(before.inherent_impact) {
            changes.push(("inherent_impact", number(impact.get_untracked())));
        }
        spawn_local(save(state, id, changes, errors, saved));
    };
    let delete = move |_| {
        spawn_local(async move {
            let _ = state
                .set(id, Kind::Risk, "deleted", Value::Bool(true))
                .await;
        });
    };
    let title_error = error_for(errors, "title");
    let members = move || state.members.get();
    let me = move || {
        state
            .settings
            .get()
            .map(|s| (s.credential.member, s.credential.member_name))
    };

    view! {
        <h1>{risk.title.clone().unwrap_or_else(|| "(untitled)".into())}</h1>
        <form class="record-form detail" on:submit=on_submit novalidate=true aria-label="Edit risk">
            <fieldset disabled=read_only>
                <div class="field">
                    <label for="risk-title">"Title"</label>
                    <input id="risk-title" type="text" maxlength="200" bind:value=title
                        aria-describedby="risk-title-error"
                        aria-invalid=move || title_error().is_some().to_string() />
                    <FieldMessage id="risk-title-error" message=title_error />
                </div>
                <div class="field">
                    <label for="risk-owner">"Owner"</label>
                    <select id="risk-owner" bind:value=owner>
                        <option value="">"— nobody yet —"</option>
                        {move || {
                            let mut people: Vec<(String, String)> = members().into_iter().filter(|m| !m.revoked).map(|m| (m.member, m.name)).collect();
                            if let Some(me) = me() && !people.iter().any(|(id, _)| *id == me.0) {
                                people.push(me);
                            }
                            let current = owner.get_untracked();
                            if !current.is_empty() && !people.iter().any(|(id, _)| *id == current) {
                                people.push((current.clone(), "(a former member)".into()));
                            }
                            people.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()
                        }}
                    </select>
                    <FieldMessage id="risk-owner-error" message=error_for(errors, "owner") />
                </div>
                <ScaleSelect id="risk-likelihood" label="Likelihood" names=LIKELIHOOD value=likelihood />
                <ScaleSelect id="risk-impact" label="Impact" names=IMPACT value=impact />
                <button type="submit">"Save changes"</button>
                <FieldMessage id="risk-form-error" message=error_for(errors, "") />
                <p class="saved" role="status">{move || saved.get().then_some("Saved on this device.")}</p>
            </fieldset>
        </form>
        <Show when=move || !read_only()>
            <button type="button" class="danger" on:click=delete>"Delete this risk"</button>
        </Show>
    }
}

async fn save(
    state: AppState,
    id: RecordId,
    changes: Vec<(&'static str, Value)>,
    errors: RwSignal<Vec<FieldError>>,
    saved: RwSignal<bool>,
) {
    let mut problems = Vec::new();
    for (field, value) in changes {
        if let Err(problem) = state.set(id, Kind::Risk, field, value).await {
            problems.push(problem);
        }
    }
    saved.set(problems.is_empty());
    errors.set(problems);
}
