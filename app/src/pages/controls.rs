//! Controls (Annex A and the organisation's own): find them by text, theme, status, owner or
//! overdue review, and open one to set its place in the Statement of Applicability.

use super::record::{today, words};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    Kind,
    catalogue::{next_review, reference_key},
    views,
};

const THEMES: [&str; 5] = [
    "organizational",
    "people",
    "physical",
    "technological",
    "custom",
];
const STATUSES: [&str; 4] = ["not_started", "planned", "partial", "implemented"];

/// One row of the list, computed once per change of the register or the filters.
#[derive(Clone, PartialEq)]
struct Row {
    control: views::Control,
    due: Option<String>,
    overdue: bool,
}

#[component]
pub fn Controls() -> impl IntoView {
    let state = use_app_state();
    let search = RwSignal::new(String::new());
    let theme = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let overdue_only = RwSignal::new(false);
    let all = Memo::new(move |_| {
        let today = today();
        let mut rows: Vec<Row> = state
            .read(|d| d.local.all::<views::Control>())
            .into_iter()
            .map(|control| {
                let due = next_review(&control).map(|d| d.format("%Y-%m-%d").to_string());
                let overdue = due.as_deref().is_some_and(|due| due < today.as_str());
                Row {
                    control,
                    due,
                    overdue,
                }
            })
            .collect();
        rows.sort_by_key(|r| reference_key(r.control.reference.as_deref().unwrap_or_default()));
        rows
    });
    let shown = Memo::new(move |_| {
        let needle = search.get().trim().to_lowercase();
        let (theme, status, owner, overdue_only) =
            (theme.get(), status.get(), owner.get(), overdue_only.get());
        let is = |value: &Option<String>, wanted: &str| {
            wanted.is_empty() || value.as_deref() == Some(wanted)
        };
        all.get()
            .into_iter()
            .filter(|r| {
                let c = &r.control;
                let text = format!(
                    "{} {} {}",
                    c.reference.as_deref().unwrap_or_default(),
                    c.title.as_deref().unwrap_or_default(),
                    c.guidance.as_deref().unwrap_or_default()
                );
                (needle.is_empty() || text.to_lowercase().contains(&needle))
                    && is(&c.theme, &theme)
                    && is(&c.status, &status)
                    && (owner.is_empty() || c.owner.map(|o| o.to_string()) == Some(owner.clone()))
                    && (!overdue_only || r.overdue)
            })
            .collect::<Vec<_>>()
    });
    let members = move || state.members.get();
    view! {
        <section class="page">
            <h1>"Controls"</h1>
            <p class="lede">
                "The safeguards you run. Every Annex A control is here from the start: decide whether it applies, who owns it, how far it is implemented and when it is next reviewed."
            </p>
            <p><A href="/soa">"Statement of Applicability →"</A></p>
            <form class="filters" role="search" aria-label="Filter controls" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="controls-search">"Search"</label>
                    <input id="controls-search" type="search" placeholder="e.g. backup or A.8.13" bind:value=search />
                </div>
                <div class="field">
                    <label for="controls-theme">"Theme"</label>
                    <select id="controls-theme" bind:value=theme>
                        <option value="">"All themes"</option>
                        {THEMES.map(|t| view! { <option value=t>{words(t)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="controls-status">"Status"</label>
                    <select id="controls-status" bind:value=status>
                        <option value="">"Any status"</option>
                        {STATUSES.map(|s| view! { <option value=s>{words(s)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="controls-owner">"Owner"</label>
                    <select id="controls-owner" bind:value=owner>
                        <option value="">"Anyone"</option>
                        {move || members().into_iter().map(|m| view! { <option value=m.member>{m.name}</option> }).collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" bind:checked=overdue_only />
                    "Review overdue"
                </label>
            </form>
            <p class="count" role="status">{move || format!("{} of {} controls", shown.get().len(), all.get().len())}</p>
            <Show
                when=move || !shown.get().is_empty()
                fallback=|| view! { <p class="empty">"No control matches these filters."</p> }
            >
                <ul class="record-list" aria-label="Controls">
                    <For each=move || shown.get() key=|row| {
                        let c = &row.control;
                        (c.id, c.reference.clone(), c.title.clone(), c.status.clone(), c.applicable, row.due.clone(), row.overdue)
                    } children=|row| {
                        let c = row.control;
                        let name = format!("{} {}", c.reference.clone().unwrap_or_default(), c.title.clone().unwrap_or_default());
                        let excluded = c.applicable == Some(false);
                        view! {
                            <li class="record">
                                <A href=format!("/controls/{}", c.id) attr:class="record-title">{name}</A>
                                <span class="tags">
                                    {excluded.then(|| view! { <span class="tag excluded">"Not applicable"</span> })}
                                    <span class="tag">{words(c.status.as_deref().unwrap_or("not_started"))}</span>
                                    {row.due.map(|due| view! {
                                        <span class="tag" class:overdue=row.overdue>{if row.overdue { format!("Review overdue since {due}") } else { format!("Review by {due}") }}</span>
                                    })}
                                </span>
                            </li>
                        }
                    } />
                </ul>
            </Show>
            {move || (!state.may_write(Kind::Control)).then(|| view! { <p class="lede">"You can read controls but not change them."</p> })}
        </section>
    }
}
