//! One piece of evidence: the file itself, what it says and supports, when it lapses, and
//! the file's facts (digest, size, who captured it), which nobody edits.

use crate::components::{
    RoutedDetail,
    evidence::{FilePreview, validity_today},
    history::RecordHistory,
    record::RecordEditor,
};
use crate::state::use_app_state;
use engine::files::size_words;
use leptos::prelude::*;
use register::{Kind, RecordId, views::Evidence};

#[component]
pub fn EvidenceDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Evidence back="/evidence" back_label="← All evidence" page=|id| view! { <EvidencePage id /> }.into_any() />
    }
}

#[component]
fn EvidencePage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let evidence = state
        .read_untracked(|d| d.local.view::<Evidence>(id))
        .expect("the routed evidence is on the device");
    let current = Memo::new(move |_| state.read(|d| d.local.view::<Evidence>(id)));
    let validity = move || current.get().map(|e| validity_today(state, &e));
    let who = move || state.name_of(evidence.captured_by?);
    view! {
        <h1>{move || current.get().and_then(|e| e.title).unwrap_or_default()}</h1>
        <p class=move || format!("tag validity {}", validity().map(|v| v.tag()).unwrap_or_default())>
            {move || validity().map(|v| v.words())}
        </p>
        <div class="evidence-file">
            <FilePreview
                sha256=evidence.sha256.clone().unwrap_or_default()
                media_type=evidence.media_type.clone().unwrap_or_default()
                title=evidence.title.clone().unwrap_or_default()
            />
            <dl class="facts">
                <dt>"File"</dt><dd>{evidence.file_name.clone()}</dd>
                <dt>"Size"</dt><dd>{evidence.size.map(|s| size_words(s as u64))}</dd>
                <dt>"Type"</dt><dd>{evidence.media_type.clone()}</dd>
                <dt>"Captured"</dt><dd>{evidence.captured_at.clone()} " " {who}</dd>
                <dt>"SHA-256"</dt><dd class="digest">{evidence.sha256.clone()}</dd>
            </dl>
        </div>
        <RecordEditor kind=Kind::Evidence id sections=&["Evidence", "Validity", "Supports"] />
        <RecordHistory id kind=Kind::Evidence />
    }
}
