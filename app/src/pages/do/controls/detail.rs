//! One control: our guidance, its Statement of Applicability entry, ownership and review,
//! and the risks that rely on it.

use crate::components::{
    RoutedDetail, evidence::EvidencePanel, history::RecordHistory, record::RecordEditor,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{Kind, RecordId, Value, gate::Edit, soa, views};

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
            let all = d.local.all::<views::Risk>();
            soa::risks_treated_by(id, &all)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // An undecided control that treats risks is offered for inclusion on their account.
    let offered = Memo::new(move |_| {
        state.read(|d| {
            let control = d.local.view::<views::Control>(id)?;
            if soa::decided(&control) {
                return None;
            }
            soa::justification_from_risks(id, &d.local.all())
        })
    });
    let write = Write::new();
    let include = move |_| {
        let Some(why) = offered.get_untracked() else {
            return;
        };
        write.start(vec![Edit {
            record: id,
            kind: Kind::Control,
            fields: vec![
                (views::Control::applicable, Value::Bool(true)),
                (views::Control::justification, Value::from(why)),
            ],
        }]);
    };
    view! {
        <h1>{format!("{} {}", control.reference.unwrap_or_default(), control.title.unwrap_or_default())}</h1>
        {control.guidance.map(|g| view! { <p class="lede">{g}</p> })}
        {move || offered.get().filter(|_| state.may_write(Kind::Control)).map(|why| view! {
            <p class="notice" role="note">
                {format!("Not yet decided for the SoA. {why} ")}
                <button type="button" class="secondary small" on:click=include disabled=move || write.pending()>"Include it for these risks"</button>
            </p>
        })}
        {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        <RecordEditor kind=Kind::Control id sections=&["Applicability", "Implementation", "Review", "Control"] />
        <EvidencePanel kind=Kind::Control id />
        <RecordHistory id kind=Kind::Control />
        <h2>"Documents for this control"</h2>
        {move || {
            let documents = state.read(|d| {
                d.local
                    .all::<views::Document>()
                    .into_iter()
                    .filter(|doc| doc.controls.as_ref().is_some_and(|c| c.contains(&id)))
                    .collect::<Vec<_>>()
            });
            if documents.is_empty() {
                view! { <p class="empty">"No document names this control yet. Name it on a policy's or procedure's page."</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list" aria-label="Documents for this control">
                        {documents.into_iter().map(|doc| view! {
                            <li class="record"><A href=format!("/documents/{}", doc.id)>{doc.title.unwrap_or_default()}</A></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
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
