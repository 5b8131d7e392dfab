//! Controls (Annex A and the organisation's own): find them by text, theme, status, owner or
//! overdue review, and open one to set its place in the Statement of Applicability.

pub mod detail;
pub mod soa;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use register::choices::{ControlStatus, ControlTheme};
use register::{
    Kind, RecordId, RecordState, Value, View,
    catalogue::{next_review, reference_key},
    views,
};

pub static CONTROLS: ListSpec = ListSpec {
    kind: Kind::Control,
    path: "/controls",
    noun: "controls",
    label: "Controls",
    filters: &[views::Control::theme, views::Control::status],
    person: views::Control::owner,
    describe: |_| Box::new(describe_control),
    empty: "No controls yet. Every organisation starts with the 93 Annex A controls; they appear here once this device has them.",
};

fn describe_control(id: RecordId, record: &RecordState) -> Extras {
    let control = views::Control::from_record(id, record);
    let mut tags = Vec::new();
    if control.applicable == Some(false) {
        tags.push(Tag::toned("Not applicable", "excluded"));
    }
    tags.push(Tag::plain(words(
        control.status.unwrap_or(ControlStatus::NotStarted).name(),
    )));
    // References sort as numbers: A.5.9 before A.5.10.
    let (numbers, text) = reference_key(control.reference.as_deref().unwrap_or_default());
    let order = numbers
        .iter()
        .map(|n| format!("{n:010}"))
        .chain([text])
        .collect::<Vec<_>>()
        .join(".");
    Extras {
        image: None,
        tags,
        due: next_review(&control).map(|d| (d.to_string(), "Review")),
        order: Some(order),
    }
}

#[component]
pub fn Controls() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/controls/{id}"), Default::default()));
    view! {
        <section class="page">
            <h1>"Controls"</h1>
            <p class="lede">
                "The safeguards you run. Every Annex A control is here from the start: decide whether it applies, who owns it, how far it is implemented and when it is next reviewed."
            </p>
            <p><A href="/soa">"Statement of Applicability →"</A></p>
            <Show when=move || state.may_write(Kind::Control)>
                <details class="new-record">
                    <summary>"Add a control of your own"</summary>
                    <NewRecordForm
                        kind=Kind::Control
                        fields=fields!(Control: reference, title, guidance, owner)
                        fixed=vec![(views::Control::theme, Value::from(ControlTheme::Custom))]
                        submit="Add control"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&CONTROLS />
            {move || (!state.may_write(Kind::Control)).then(|| view! { <p class="lede">"You can read controls but not change them."</p> })}
        </section>
    }
}
