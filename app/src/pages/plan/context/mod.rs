//! The organisation's context (clauses 4.1–4.3): the ISMS scope, internal and external issues,
//! and interested parties with their requirements, each with the day it last changed. A
//! management review reads what changed since the one before.

pub mod detail;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::{ContextItemType, ContextStatus};
use register::{Kind, RecordId, RecordState, View, views::ContextItem};

pub static CONTEXT: ListSpec = ListSpec {
    kind: Kind::ContextItem,
    path: "/context",
    noun: "items",
    label: "Context of the organisation",
    filters: &[ContextItem::item_type, ContextItem::status],
    person: ContextItem::owner,
    describe: |_| Box::new(describe_item),
    empty: "Nothing recorded yet. Write the ISMS scope, the internal and external issues that bear on it (growth, remote work, new laws, threats to your sector) and the interested parties with what they require of you.",
};

fn describe_item(id: RecordId, record: &RecordState) -> Extras {
    let item = ContextItem::from_record(id, record);
    let mut tags = vec![Tag::plain(words(
        item.item_type.map_or("", ContextItemType::name),
    ))];
    if item.status == Some(ContextStatus::Retired) {
        tags.push(Tag::plain("Retired"));
    }
    if let Some(day) = register::reviews::last_changed(record) {
        tags.push(Tag::plain(format!("changed {day}")));
    }
    Extras {
        image: None,
        tags,
        due: None,
        order: None,
    }
}

#[component]
pub fn Context() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/context/{id}"), Default::default()));
    view! {
        <section class="page">
            <h1>"Context"</h1>
            <p class="lede">"The ISMS scope, the issues inside and outside the organisation that bear on it (4.1), and the interested parties with their requirements (4.2, 4.3). Each management review sees what changed since the last."</p>
            <Show when=move || state.may_write(Kind::ContextItem)>
                <details class="new-record">
                    <summary>"Add an issue, a party or the scope"</summary>
                    <NewRecordForm
                        kind=Kind::ContextItem
                        fields=fields!(ContextItem: item_type, title, description, requirements)
                        submit="Add to the context"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&CONTEXT />
        </section>
    }
}
