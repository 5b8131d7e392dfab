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
    let cell = RwSignal::new(None::<(Scale, i64, i64)>);

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
            <Show when=move || state.may_write(Kind::Risk)>
                <ImportCsv />
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
            <RiskList cell />
        </section>
    }
}

/// Which pair of scores a heat map places risks by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scale {
    Inherent,
    Residual,
}

impl Scale {
    fn name(self) -> &'static str {
        match self {
            Scale::Inherent => "inherent",
            Scale::Residual => "residual",
        }
    }

    fn of(self, risk: &views::Risk) -> Option<(i64, i64)> {
        match self {
            Scale::Inherent => risk.inherent_likelihood.zip(risk.inherent_impact),
            Scale::Residual => risk.residual_likelihood.zip(risk.residual_impact),
        }
    }
}

/// A 5×5 grid of likelihood against impact with the number of risks in each cell; choosing a
/// cell filters the list below to those risks.
#[component]
fn HeatMap(scale: Scale, cell: RwSignal<Option<(Scale, i64, i64)>>) -> impl IntoView {
    let state = use_app_state();
    let counts = Memo::new(move |_| {
        let mut counts = [[0usize; 5]; 5];
        for risk in state.read(|d| d.local.all::<views::Risk>()) {
            if let Some((l, i)) = scale.of(&risk)
                && (1..=5).contains(&l)
                && (1..=5).contains(&i)
            {
                counts[(i - 1) as usize][(l - 1) as usize] += 1;
            }
        }
        counts
    });
    let title = format!("{} risk", super::record::words(scale.name()));
    view! {
        <figure class="heatmap">
            <figcaption>{title.clone()}</figcaption>
            <div class="heatmap-grid" role="group" aria-label=format!("{title} heat map: impact against likelihood")>
                {(1..=5).rev().map(|i| (1..=5).map(move |l| {
                    let rating = Rating::of_score(l * i).label();
                    let count = move || counts.get()[(i - 1) as usize][(l - 1) as usize];
                    let pressed = move || cell.get() == Some((scale, l, i));
                    view! {
                        <button type="button" class="heat-cell" data-rating=rating
                            aria-pressed=move || pressed().to_string()
                            aria-label=move || format!("{} likelihood {l}, impact {i}: {} risks", scale.name(), count())
                            on:click=move |_| cell.set(if pressed() { None } else { Some((scale, l, i)) })>
                            {move || match count() { 0 => String::new(), n => n.to_string() }}
                        </button>
                    }
                }).collect_view()).collect_view()}
            </div>
            <p class="heatmap-axes" aria-hidden="true">"↑ impact · likelihood →"</p>
        </figure>
    }
}

#[component]
fn RiskList(cell: RwSignal<Option<(Scale, i64, i64)>>) -> impl IntoView {
    let state = use_app_state();
    let risks = move || {
        let all = state.read(|d| d.local.all::<views::Risk>());
        match cell.get() {
            None => all,
            Some((scale, l, i)) => all
                .into_iter()
                .filter(|r| scale.of(r) == Some((l, i)))
                .collect(),
        }
    };
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

/// Imports risks from a CSV file (header: title, likelihood, impact, and any other risk
/// fields). Every row is checked first; all rows are saved in one transaction or none.
#[component]
fn ImportCsv() -> impl IntoView {
    let state = use_app_state();
    let outcome = RwSignal::new(None::<Result<usize, Vec<String>>>);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let rows = match register::import::parse_csv(Kind::Risk, &text) {
                Ok(rows) => rows,
                Err(problems) => return outcome.set(Some(Err(problems))),
            };
            let count = rows.len();
            let now = crate::state::now_ms();
            let saved = state
                .apply(move |device| {
                    for fields in rows {
                        let id = register::RecordId::new();
                        for (field, value) in fields {
                            device.edit(id, Kind::Risk, &field, value, now);
                        }
                    }
                })
                .await;
            outcome.set(Some(saved.map(|()| count).map_err(|e| vec![e.to_string()])));
            state.kick_sync();
        });
    };
    view! {
        <details class="import">
            <summary>"Import risks from a CSV file"</summary>
            <p>"The first row names the columns: title, likelihood, impact (1–5), and any other risk fields."</p>
            <label for="risk-import">"CSV file"</label>
            <input id="risk-import" type="file" accept=".csv,text/csv" on:change=on_change />
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Ok(count)) => view! { <p role="status">{format!("Imported {count} risks.")}</p> }.into_any(),
                Some(Err(problems)) => view! {
                    <div role="alert" class="form-error">
                        <p>"Nothing was imported:"</p>
                        <ul>{problems.into_iter().take(20).map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
            }}
        </details>
    }
}
