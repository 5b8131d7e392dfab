//! One controlled document: its draft in Markdown with a preview, approval by someone other
//! than the author, its approved versions, and each version printable with its control block.

use crate::components::{
    RoutedDetail,
    document::{Control, DocumentControl, reflected},
    history::RecordHistory,
    record::RecordEditor,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{Kind, RecordId, documents, sync::LogPoint, views};

#[component]
pub fn DocumentDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Document back="/documents" back_label="← All documents" page=|id| view! { <DocumentPage id /> }.into_any() />
    }
}

fn me(state: crate::state::AppState) -> Option<RecordId> {
    state.me().and_then(|m| m.parse().ok())
}

#[component]
fn DocumentPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let document = Memo::new(move |_| state.read(|d| d.local.view::<views::Document>(id)));
    let versions = Memo::new(move |_| state.read(|d| documents::versions_of(&d.local, id)));
    let pending = move || {
        document
            .get()
            .is_some_and(|doc| documents::draft_pending(&doc, versions.get().last()))
    };
    let draft = RwSignal::new(
        document
            .get_untracked()
            .and_then(|d| d.draft)
            .unwrap_or_default(),
    );
    let saving = Write::new();
    let save = move |_| {
        saving.start(vec![documents::edit_draft(
            id,
            &draft.get_untracked(),
            me(state),
        )]);
    };
    let approving = Write::new();
    let approve = move |_| {
        let Some(doc) = document.get_untracked() else {
            return;
        };
        let Some(today) = register::dates::date(&state.today.get_untracked()) else {
            return;
        };
        approving.start(state.read_untracked(|d| {
            documents::approve(&d.local, &doc, me(state), today, LogPoint::of(d).as_ref())
        }));
    };
    let preview = move || register::documents::html_of(&draft.get());
    let author = move || {
        document
            .get()
            .and_then(|d| d.draft_author)
            .map(|a| state.name_of(a).unwrap_or_else(|| "a former member".into()))
    };
    view! {
        <h1>{move || document.get().and_then(|d| d.title).unwrap_or_default()}</h1>
        <RecordEditor kind=Kind::Document id sections=&["Document", "Review", "Next version"] />
        <section class="draft" aria-labelledby="draft">
            <h2 id="draft">"Draft"</h2>
            <p class="hint">{move || match author() {
                Some(name) => format!("Last written by {name}. Markdown: # a heading, **bold**, - a list, [a link](https://…)."),
                None => "Markdown: # a heading, **bold**, - a list, [a link](https://…).".to_owned(),
            }}</p>
            <div class="field">
                <label for="document-draft">"Text"</label>
                <textarea id="document-draft" rows="12" bind:value=draft disabled=move || !state.may_write(Kind::Document)></textarea>
            </div>
            <Show when=move || state.may_write(Kind::Document)>
                <button type="button" on:click=save disabled=move || saving.pending()>"Save the draft"</button>
            </Show>
            {move || saving.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            <p class="saved" role="status">{move || saving.stored().then_some("Draft saved on this device.")}</p>
            <h3>"Preview"</h3>
            <div class="prose document-body" inner_html=preview></div>
        </section>
        <section class="approval" aria-labelledby="approval">
            <h2 id="approval">"Approval"</h2>
            <p>{move || match (versions.get().last().and_then(|v| v.version), pending()) {
                (None, _) => "Not yet approved.".to_owned(),
                (Some(n), true) => format!("Version {n} is approved; the saved draft differs from it."),
                (Some(n), false) => format!("Version {n} is approved and is the current text."),
            }}</p>
            <Show when=move || state.may_write(Kind::DocumentVersion) && pending()>
                <button type="button" on:click=approve disabled=move || approving.pending()>
                    {move || format!("Approve the saved draft as version {}", versions.with(|v| v.last().and_then(|v| v.version).unwrap_or(0) + 1))}
                </button>
            </Show>
            {move || approving.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            <ul class="record-list" aria-label="Approved versions">
                {move || versions.get().into_iter().rev().map(|v| {
                    let approver = v.approved_by.and_then(|m| state.name_of(m)).unwrap_or_else(|| "an owner or admin".into());
                    let label = format!("Version {}", v.version.unwrap_or_default());
                    view! {
                        <li class="record">
                            <A href=format!("/documents/versions/{}", v.id) attr:class="record-title">{label}</A>
                            <span class="tags"><span class="tag">{format!("approved by {approver} on {}", v.approved_on.unwrap_or_default())}</span></span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <RecordHistory id kind=Kind::Document />
    }
}

/// One approved version of a document, as approved, with its control block: what prints.
#[component]
pub fn DocumentVersionDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::DocumentVersion back="/documents" back_label="← All documents" page=|id| view! { <VersionPage id /> }.into_any() />
    }
}

#[component]
fn VersionPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let version = state
        .read_untracked(|d| d.local.view::<views::DocumentVersion>(id))
        .expect("the routed version is on the device");
    let title = version
        .document
        .and_then(|doc| state.read_untracked(|d| d.local.view::<views::Document>(doc)))
        .and_then(|doc| doc.title)
        .unwrap_or_else(|| "A document".into());
    let name = |member: Option<RecordId>| {
        member.map(|m| state.name_of(m).unwrap_or_else(|| "a former member".into()))
    };
    let approved = version
        .approved_on
        .clone()
        .map(|on| match name(version.approved_by) {
            Some(by) => format!("{by} on {on}"),
            None => format!("On {on}"),
        });
    let control = Control {
        version: version.version.map(|n| format!("Version {n}")),
        approved,
    };
    let print = move |_| {
        let _ = window().print();
    };
    let body = register::documents::html_of(version.body.as_deref().unwrap_or_default());
    view! {
        <h1>{title.clone()}</h1>
        <DocumentControl document=title control=Signal::stored(control) reflects=reflected(version.log_position, version.log_hash.clone()) />
        {name(version.author).map(|author| view! { <p class="hint">{format!("Written by {author}.")}</p> })}
        {version.change_note.clone().map(|note| view! { <p class="hint">{format!("What changed: {note}")}</p> })}
        <div class="actions no-print"><button type="button" class="secondary" on:click=print>"Print"</button></div>
        <article class="prose document-body" inner_html=body></article>
        {version.file.map(|file| view! { <p>"Attached file: "<crate::components::RecordLink kind=Kind::Evidence id=file /></p> })}
    }
}
