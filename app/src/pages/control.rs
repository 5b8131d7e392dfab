//! One control: our guidance, its Statement of Applicability entry, ownership and review,
//! and the risks that rely on it.

use super::{record::RecordEditor, routed_record};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{Kind, views};

#[component]
pub fn ControlDetail() -> impl IntoView {
    let state = use_app_state();
    let shown = routed_record(Kind::Control);
    let control = move |id| state.read_untracked(|d| d.local.view::<views::Control>(id));
    view! {
        <section class="page">
            <p><A href="/controls">"← All controls"</A></p>
            {move || match shown.get() {
                Some((id, false)) => control(id).map(|control| view! { <ControlPage control /> }).into_any(),
                Some((_, true)) => view! { <p class="empty">"This control was deleted."</p> }.into_any(),
                None => view! { <p class="empty">"There is no such control on this device (yet)."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ControlPage(control: views::Control) -> impl IntoView {
    let state = use_app_state();
    let id = control.id;
    let risks = move || {
        state.read(|d| {
            d.local
                .all::<views::Risk>()
                .into_iter()
                .filter(|r| r.controls.as_ref().is_some_and(|c| c.contains(&id)))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <h1>{format!("{} {}", control.reference.unwrap_or_default(), control.title.unwrap_or_default())}</h1>
        {control.guidance.map(|g| view! { <p class="lede">{g}</p> })}
        <RecordEditor
            kind=Kind::Control
            id
            fields=&["applicable", "justification", "status", "owner", "effectiveness", "last_reviewed", "review_interval_days", "title", "reference", "theme"]
        />
        <h2>"Risks this control treats"</h2>
        <Show
            when=move || !risks().is_empty()
            fallback=|| view! { <p class="empty">"No risk is linked to this control yet. Link controls from a risk's page."</p> }
        >
            <ul class="record-list" aria-label="Linked risks">
                {move || risks().into_iter().map(|r| view! {
                    <li class="record"><A href=format!("/risks/{}", r.id)>{r.title.unwrap_or_default()}</A></li>
                }).collect_view()}
            </ul>
        </Show>
    }
}
