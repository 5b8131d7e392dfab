//! Evidence (clause 7.5, documented information): every file and photo kept as proof, what
//! it supports, and when it lapses; with how much of this device's storage the files use.

pub mod detail;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::words,
};
use engine::files::{size_words, type_words};
use leptos::prelude::*;
use register::choices::EvidenceStatus;
use register::{Kind, RecordId, RecordState, View, views::Evidence};
use wasm_bindgen_futures::JsFuture;

pub static EVIDENCE: ListSpec = ListSpec {
    kind: Kind::Evidence,
    path: "/evidence",
    noun: "files",
    label: "Evidence",
    filters: &[Evidence::status],
    person: Evidence::captured_by,
    describe: |_| Box::new(describe_evidence),
    empty: "No evidence yet. Add a photo or a file from the page of the control, risk, finding, action, report or review it supports.",
};

fn describe_evidence(id: RecordId, record: &RecordState) -> Extras {
    let evidence = Evidence::from_record(id, record);
    let mut tags = vec![Tag::plain(
        type_words(evidence.media_type.as_deref().unwrap_or_default())
            .trim_start_matches("A ")
            .to_owned(),
    )];
    if let Some(size) = evidence.size {
        tags.push(Tag::plain(size_words(size as u64)));
    }
    if let Some(status) = evidence.status.filter(|s| *s != EvidenceStatus::Current) {
        tags.push(Tag::plain(words(status)));
    }
    let image = evidence
        .media_type
        .as_deref()
        .is_some_and(|t| t.starts_with("image/"))
        .then(|| evidence.sha256.clone())
        .flatten();
    Extras {
        image,
        tags,
        due: evidence
            .expires_on
            .filter(|_| evidence.status != Some(EvidenceStatus::Superseded))
            .map(|on| (on, "Expires")),
        order: None,
    }
}

#[component]
pub fn EvidenceRegister() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Evidence"</h1>
            <p class="lede">
                "The files that show the ISMS works: photos from site checks, logs, reports and certificates. Each is named by its SHA-256, which the organisation's log records, so nobody can swap a file unnoticed."
            </p>
            <StorageUse />
            <RegisterList spec=&EVIDENCE />
        </section>
    }
}

/// Share of the browser's quota this site may use before the page warns.
const STORAGE_WARNING_SHARE: f64 = 0.8;

/// How much of this browser's storage the site uses, with a warning well before it is full.
#[component]
fn StorageUse() -> impl IntoView {
    let estimate = LocalResource::new(|| async {
        let storage = window().navigator().storage();
        let estimate: web_sys::StorageEstimate =
            JsFuture::from(storage.estimate().ok()?).await.ok()?.into();
        let kept = match storage.persisted() {
            Ok(asked) => JsFuture::from(asked).await.ok()?.as_bool(),
            Err(_) => None,
        };
        Some((estimate.get_usage()?, estimate.get_quota()?, kept))
    });
    move || {
        estimate.get().flatten().map(|(usage, quota, kept)| {
            let kept = match kept {
                Some(true) => " The browser has agreed to keep it even when space runs low.",
                Some(false) => " The browser may clear it when space runs low (it keeps it for a site installed as an app, or used often); sync it with an organisation so it is kept elsewhere too.",
                None => "",
            };
            let text = format!(
                "This device keeps {} for Ratchet, of the {} this browser allows.{kept}",
                size_words(usage as u64),
                size_words(quota as u64)
            );
            let near_full = quota > 0.0 && usage / quota >= STORAGE_WARNING_SHARE;
            view! {
                <p class="storage" class:notice=near_full role=near_full.then_some("alert")>
                    {text}
                    {near_full.then_some(" Storage is nearly full: sync, then remove old files from this browser or free space on the device.")}
                </p>
            }
        })
    }
}
