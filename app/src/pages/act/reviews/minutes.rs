//! A review's minutes, to print: who took part, the inputs (as signed off, or as they stand),
//! the commentary, the decisions and outputs, and the sign-off, under its control block.

use crate::components::{
    RoutedDetail,
    document::{Control, DocumentControl},
    record::words,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::choices::OutputType;
use register::{Kind, RecordId, dates, reviews, views::Review};

#[component]
pub fn MinutesDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Review back="/reviews" back_label="← All reviews" page=|id| view! { <Minutes id /> }.into_any() />
    }
}

#[component]
fn Minutes(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let minutes = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        let people = state.people();
        state.read(|d| {
            let review = d.local.view::<Review>(id)?;
            let name = |m: RecordId| {
                let m = m.to_string();
                people
                    .iter()
                    .find(|(id, _)| *id == m)
                    .map_or_else(|| "a former member".to_owned(), |(_, name)| name.clone())
            };
            let inputs = review.inputs_snapshot.clone().unwrap_or_else(|| {
                reviews::inputs_text(&reviews::inputs(&d.local, &review, today))
            });
            let present: Vec<String> = review
                .attendees
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(name)
                .collect();
            let commentary: Vec<(String, String)> = Review::SPEC
                .sections
                .iter()
                .filter(|s| s.title == "Commentary on the inputs")
                .flat_map(|s| s.fields.iter())
                .filter_map(|f| Some((words(f), d.local.record(id)?.get(f)?.as_text()?.to_owned())))
                .collect();
            let outputs: Vec<String> = reviews::outputs(&d.local, id)
                .into_iter()
                .map(|a| {
                    format!(
                        "{} ({}; {}; due {})",
                        a.title.unwrap_or_default(),
                        words(a.output_type.unwrap_or(OutputType::Improvement).name()),
                        a.owner.map(name).unwrap_or_else(|| "no owner".into()),
                        a.due.unwrap_or_else(|| "—".into())
                    )
                })
                .collect();
            // "Alex Morgan on 2026-06-30T10:00:00Z": the control block's approval.
            let signed = review.signed_off_at.clone().map(|at| {
                format!(
                    "{} on {}",
                    review.signed_off_by.map(name).unwrap_or_default(),
                    at
                )
            });
            Some((
                review.clone(),
                review.chair.map(name),
                present,
                inputs,
                commentary,
                outputs,
                signed,
            ))
        })
    });
    view! {
        {move || minutes.get().map(|(review, chair, present, inputs, commentary, outputs, signed)| view! {
            <article class="minutes">
                <h1>{format!("Minutes: {}", review.title.clone().unwrap_or_default())}</h1>
                <DocumentControl document=format!("Management review minutes: {}", review.title.clone().unwrap_or_default()) control=Signal::stored(Control {
                    version: Some(if review.signed_off_at.is_some() { "Signed off".to_owned() } else { "Not signed off: the inputs as they stand today".to_owned() }),
                    approved: signed.clone(),
                }) />
                <p>{format!("Held on {}. Chair: {}. Present: {}.", review.date.clone().unwrap_or_default(), chair.unwrap_or_else(|| "—".into()), if present.is_empty() { "—".to_owned() } else { present.join(", ") })}</p>
                <h2>"Inputs"</h2>
                <pre class="inputs-snapshot">{inputs}</pre>
                <h2>"Commentary"</h2>
                {commentary.into_iter().map(|(on, text)| view! { <h3>{on}</h3><p>{text}</p> }).collect_view()}
                <h2>"Decisions"</h2>
                <p>{review.decisions.clone().unwrap_or_else(|| "None recorded.".into())}</p>
                <h2>"Outputs"</h2>
                <ul>{outputs.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                <p class="signature">{signed.map_or_else(|| "Not signed off yet.".into(), |signed| format!("Signed off by {signed}."))}</p>
                <button type="button" class="no-print" on:click=|_| { let _ = window().print(); }>"Print"</button>
            </article>
        })}
    }
}
