//! One item of the organisation's context.

use crate::components::{RoutedDetail, history::RecordHistory, record::RecordEditor};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::{Kind, RecordId, views::ContextItem};

#[component]
pub fn ContextItemDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::ContextItem back="/context" back_label="← The whole context" page=|id| view! { <ContextItemPage id /> }.into_any() />
    }
}

#[component]
fn ContextItemPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let title = move || {
        state
            .read(|d| d.local.view::<ContextItem>(id).and_then(|c| c.title))
            .unwrap_or_default()
    };
    let changed = move || {
        state
            .read(|d| register::reviews::changed_on(&d.local, id))
            .map(|d| format!("Last changed {d}."))
    };
    view! {
        <h1>{title}</h1>
        <p class="lede">{changed}</p>
        <RecordEditor kind=Kind::ContextItem id />
        <RecordHistory id kind=Kind::ContextItem />
    }
}
