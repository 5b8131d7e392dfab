//! One control: our guidance, its Statement of Applicability entry, ownership and review,
//! and the risks that rely on it.

use crate::components::{
    RoutedDetail, evidence::EvidencePanel, history::RecordHistory, record::RecordEditor,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{Kind, RecordId, views};

#[component]
pub fn ControlDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Control back="/controls" back_label="← All controls" page=|id| view! { <ControlPage id /> }.into_any() />
    }
}

#[component]
fn ControlPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let control = state
        .read_untracked(|d| d.local.view::<views::Control>(id))
        .expect("the routed control is on the device");
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
        <RecordEditor kind=Kind::Control id sections=&["Applicability", "Implementation", "Review", "Control"] />
        <EvidencePanel kind=Kind::Control id />
        <RecordHistory id kind=Kind::Control />
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
