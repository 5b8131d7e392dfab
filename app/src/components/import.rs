//! A register to and from a CSV file (`register::import`): exported with an id column and one
//! column per field; imported back, a row naming a record changes the cells that differ and
//! any other row adds a record. Every row is checked as the server will check it, then all
//! are saved in one transaction, or none.

use super::{list::ListSpec, offer_download};
use crate::state::use_app_state;
use leptos::{prelude::*, task::spawn_local};
use register::import;

/// Exports the list's register (every record of its kind, not only those shown) as CSV.
#[component]
pub fn ExportCsv(spec: &'static ListSpec) -> impl IntoView {
    let state = use_app_state();
    let byte_order_mark = RwSignal::new(false);
    let export = move |_| {
        let text = state.read_untracked(|d| {
            import::export(&d.local, spec.kind, byte_order_mark.get_untracked())
        });
        let name = format!("{}.csv", spec.noun.replace(' ', "-"));
        if offer_download(&name, "text/csv;charset=utf-8", text.as_bytes()).is_err() {
            state
                .notice
                .set(Some("This browser would not save the file.".into()));
        }
    };
    view! {
        <div class="export">
            <button type="button" class="secondary" on:click=export>{format!("Export {} as CSV", spec.noun)}</button>
            <label class="check">
                <input type="checkbox" bind:checked=byte_order_mark />
                "For Excel (starts the file with a byte-order mark)"
            </label>
        </div>
    }
}

/// How an import ended: records added and changed, or why nothing was.
#[derive(Clone, PartialEq, Debug)]
struct Imported {
    added: usize,
    changed: usize,
}

/// Imports records of the list's kind from a CSV file whose first row names the fields (an
/// export of this register, or one written by hand). Every row is checked first; all rows
/// are saved in one transaction, or none.
#[component]
pub fn ImportCsv(spec: &'static ListSpec) -> impl IntoView {
    let state = use_app_state();
    let kind = spec.kind;
    let outcome = RwSignal::new(None::<Result<Imported, Vec<String>>>);
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
            let rows = match import::parse_csv(kind, &text) {
                Ok(rows) => rows,
                Err(problems) => {
                    outcome.try_set(Some(Err(problems)));
                    return;
                }
            };
            let set = match state.read_untracked(|d| import::changes(&d.local, kind, rows)) {
                Ok(set) => set,
                Err(problems) => {
                    outcome.try_set(Some(Err(problems)));
                    return;
                }
            };
            let added = set
                .iter()
                .filter(|edit| state.read_untracked(|d| d.local.record(edit.record).is_none()))
                .count();
            let imported = Imported {
                added,
                changed: set.len() - added,
            };
            // Stored through the one write path: judged as this member, in one transaction.
            let stored = if set.is_empty() {
                Ok(())
            } else {
                state.commit(set).await
            };
            outcome.try_set(Some(
                stored
                    .map(|()| imported)
                    .map_err(|errors| errors.into_iter().map(|e| e.message).collect()),
            ));
        });
    };
    let required: Vec<&str> = kind.spec().required().map(|f| f.name).collect();
    let input_id = format!("{}-import", kind.name());
    view! {
        <details class="import">
            <summary>{format!("Import {} from a CSV file", spec.noun)}</summary>
            <p>{format!("The first row names the columns: {}, and any other {} fields. A row with the id of a record here changes that record; an emptied cell clears its field. An export of this register comes back as it went out.", required.join(", "), kind.spec().label.to_lowercase())}</p>
            <label for=input_id.clone()>"CSV file"</label>
            <input id=input_id type="file" accept=".csv,text/csv" on:change=on_change />
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Ok(Imported { added: 0, changed: 0 })) => view! { <p role="status">"Nothing to import: every row is as the register holds it."</p> }.into_any(),
                Some(Ok(Imported { added, changed })) => view! { <p role="status">{format!("Imported: {added} added, {changed} changed.")}</p> }.into_any(),
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
