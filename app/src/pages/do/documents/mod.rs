//! Controlled documents (clauses 5.2, 7.5; A.5.1): the information security policy,
//! topic-specific policies and procedures, each with its owner, review date and approved
//! versions (`register::documents`).

pub mod detail;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::DocumentType;
use register::{Kind, RecordId, Value, View, documents, views::Document};

pub static DOCUMENTS: ListSpec = ListSpec {
    kind: Kind::Document,
    path: "/documents",
    noun: "documents",
    label: "Controlled documents",
    filters: &[Document::document_type],
    person: Document::owner,
    describe: |device| {
        let latest = documents::latest_versions(&device.local);
        Box::new(move |id, record| {
            let document = Document::from_record(id, record);
            let latest = latest.get(&id);
            let mut tags = vec![Tag::plain(words(
                document.document_type.map_or("", DocumentType::name),
            ))];
            tags.push(Tag::plain(match latest.and_then(|v| v.version) {
                Some(n) => format!("version {n}"),
                None => "not yet approved".to_owned(),
            }));
            if latest.is_some() && documents::draft_pending(&document, latest) {
                tags.push(Tag::plain("draft changed"));
            }
            Extras {
                image: None,
                tags,
                due: document.next_review.map(|on| (on, "Review")),
                order: None,
            }
        })
    },
    empty: "No documents yet. Start with the information security policy (clause 5.2), then the topic-specific policies and procedures your controls rely on.",
};

#[component]
pub fn Documents() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created = Callback::new(move |id: RecordId| {
        navigate(&format!("/documents/{id}"), Default::default())
    });
    let defaults = Callback::new(move |()| {
        state
            .me()
            .map(|me| vec![(Document::owner, Value::from(me))])
            .unwrap_or_default()
    });
    view! {
        <section class="page">
            <h1>"Documents"</h1>
            <p class="lede">"The policies and procedures the ISMS runs on, each with an owner, a review date and its approved versions. A draft is approved by an owner or admin other than its author; every approved version stays readable as it was."</p>
            <Show when=move || state.may_write(Kind::Document)>
                <details class="new-record">
                    <summary>"Write a document"</summary>
                    <NewRecordForm
                        kind=Kind::Document
                        fields=fields!(Document: title, document_type, owner, review_interval_months)
                        defaults
                        submit="Add document"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&DOCUMENTS />
        </section>
    }
}
