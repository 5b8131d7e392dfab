//! Choosing linked records: the chosen ones as removable chips (each a link to its record),
//! and a search box that offers the matching records to add. Replaces a native select that
//! listed every control at once.

use super::{RecordLink, record::record_label};
use crate::state::{AppState, use_app_state};
use leptos::prelude::*;
use register::{Kind, RecordId, Value, catalogue::reference_key};

/// Most matches offered at once; typing more narrows them.
const OFFERED: usize = 8;

/// The records `target` can link to, as `(id, label)`, control references in number order.
/// Members are the organisation's people, not records.
fn choices(state: AppState, target: Kind) -> Vec<(String, String)> {
    if target == Kind::Member {
        return state.people();
    }
    state.read(|d| {
        let mut choices: Vec<(_, String, String)> = d
            .local
            .of_kind(target)
            .filter(|(_, r)| !r.is_deleted())
            .map(|(id, r)| {
                let reference = r
                    .get(register::views::Control::reference)
                    .and_then(Value::as_text)
                    .unwrap_or_default();
                (reference_key(reference), id.to_string(), record_label(r))
            })
            .collect();
        choices.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        choices
            .into_iter()
            .map(|(_, id, label)| (id, label))
            .collect()
    })
}

/// Edits `draft`, the chosen ids joined by commas (one id when not `multiple`).
#[component]
pub fn RecordPicker(
    #[prop(into)] input_id: String,
    #[prop(into)] error_id: String,
    /// Whether the field's value was refused (`aria-invalid` of the search box).
    #[prop(into, optional)]
    invalid: Signal<String>,
    target: Kind,
    multiple: bool,
    draft: RwSignal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let query = RwSignal::new(String::new());
    let chosen = move || -> Vec<String> {
        draft
            .get()
            .split(',')
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let offered = move || {
        let needle = query.get().trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let taken = chosen();
        choices(state, target)
            .into_iter()
            .filter(|(id, label)| !taken.contains(id) && label.to_lowercase().contains(&needle))
            .take(OFFERED)
            .collect::<Vec<_>>()
    };
    let add = move |id: String| {
        draft.update(|draft| {
            if multiple && !draft.is_empty() {
                draft.push(',');
                draft.push_str(&id);
            } else {
                *draft = id;
            }
        });
        query.set(String::new());
    };
    let remove = move |id: String| {
        let rest: Vec<String> = chosen().into_iter().filter(|c| *c != id).collect();
        draft.set(rest.join(","));
    };
    let person = move |id: &str| {
        choices(state, Kind::Member)
            .into_iter()
            .find(|(member, _)| member == id)
            .map_or_else(|| "(a former member)".to_owned(), |(_, name)| name)
    };
    let chip_name = move |id: &str| {
        if target == Kind::Member {
            return person(id);
        }
        id.parse::<RecordId>()
            .ok()
            .and_then(|id| state.read_untracked(|d| d.local.record(id).map(record_label)))
            .unwrap_or_else(|| "a record not on this device".to_owned())
    };
    let noun = target.spec().label.to_lowercase();
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let placeholder = if multiple {
        format!("Type to add {article} {noun}")
    } else {
        format!("Type to choose {article} {noun}")
    };
    view! {
        <div class="picker">
            <ul class="chips" aria-label=format!("Chosen: {noun}")>
                <For each=chosen key=|id| id.clone() children=move |id| {
                    // Names follow the members list, which may load after the page.
                    let name = {
                        let id = id.clone();
                        move || chip_name(&id)
                    };
                    let link = match (target, id.parse::<RecordId>()) {
                        (Kind::Member, _) | (_, Err(_)) => view! { <span>{name.clone()}</span> }.into_any(),
                        (kind, Ok(record)) => view! { <RecordLink kind id=record /> }.into_any(),
                    };
                    view! {
                        <li class="chip">
                            {link}
                            <button type="button" class="chip-remove" aria-label=move || format!("Remove {}", name())
                                on:click=move |_| remove(id.clone())>"×"</button>
                        </li>
                    }
                } />
            </ul>
            <input id=input_id type="search" autocomplete="off" placeholder=placeholder
                aria-describedby=error_id aria-invalid=move || invalid.get() bind:value=query />
            <p class="visually-hidden" role="status">{move || {
                let n = offered().len();
                if query.get().trim().is_empty() { String::new() } else { format!("{n} match{}", if n == 1 { "" } else { "es" }) }
            }}</p>
            <Show when=move || !query.get().trim().is_empty()>
                <ul class="picker-options" aria-label=format!("Matching {noun}s")>
                    {move || {
                        let offered = offered();
                        if offered.is_empty() {
                            return view! { <li class="empty">"Nothing matches."</li> }.into_any();
                        }
                        offered.into_iter().map(|(id, label)| view! {
                            <li>
                                <button type="button" class="secondary small" aria-label=format!("Add {label}")
                                    on:click=move |_| add(id.clone())>{label.clone()}</button>
                            </li>
                        }).collect_view().into_any()
                    }}
                </ul>
            </Show>
        </div>
    }
}
