//! Importing a register's records from a CSV file: every row is checked as the server will
//! check it, then all are saved in one transaction, or none.

use super::list::ListSpec;
use crate::state::use_app_state;
use leptos::{prelude::*, task::spawn_local};

/// Imports records of the list's kind from a CSV file whose first row names the fields. Every
/// row is checked first; all rows are saved in one transaction, or none.
#[component]
pub fn ImportCsv(spec: &'static ListSpec) -> impl IntoView {
    let state = use_app_state();
    let kind = spec.kind;
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
            let rows = match register::import::parse_csv(kind, &text) {
                Ok(rows) => rows,
                Err(problems) => {
                    outcome.try_set(Some(Err(problems)));
                    return;
                }
            };
            // The schema's own names for the columns (`parse_csv` refused any it has not).
            let records = rows
                .into_iter()
                .map(|fields| {
                    fields
                        .into_iter()
                        .filter_map(|(name, value)| Some((kind.spec().field(&name)?.name, value)))
                        .collect()
                })
                .collect();
            // Stored through the one write path: judged as this member, in one transaction.
            let imported = state.create_many(kind, records).await;
            outcome.try_set(Some(
                imported
                    .map(|ids| ids.len())
                    .map_err(|errors| errors.into_iter().map(|e| e.message).collect()),
            ));
        });
    };
    let required: Vec<&str> = kind.spec().required().map(|f| f.name).collect();
    let input_id = format!("{}-import", kind.name());
    view! {
        <details class="import">
            <summary>{format!("Import {} from a CSV file", spec.noun)}</summary>
            <p>{format!("The first row names the columns: {}, and any other {} fields.", required.join(", "), kind.spec().label.to_lowercase())}</p>
            <label for=input_id.clone()>"CSV file"</label>
            <input id=input_id type="file" accept=".csv,text/csv" on:change=on_change />
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Ok(count)) => view! { <p role="status">{format!("Imported {count} {}.", spec.noun)}</p> }.into_any(),
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
