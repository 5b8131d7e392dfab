//! `/go/:id`: the address a calendar event or a message links to, naming only a record. It
//! opens the record's own page once the record is on this device (after a sync, if it has
//! only just been made elsewhere).

use crate::{routes::record_path, state::use_app_state};
use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_params_map},
};
use register::RecordId;

#[component]
pub fn GoToRecord() -> impl IntoView {
    let state = use_app_state();
    let params = use_params_map();
    let navigate = use_navigate();
    let target = Memo::new(move |_| {
        let id: RecordId = params.read().get("id")?.parse().ok()?;
        let kind = state.read(|d| d.local.record(id).map(|r| r.kind))?;
        record_path(kind, id)
    });
    Effect::new(move |_| {
        if let Some(path) = target.get() {
            navigate(
                &path,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <section class="page">
            <h1>"Opening the record"</h1>
            <p class="empty">"This record is not on this device yet: it opens here once this device has synced."</p>
        </section>
    }
}
