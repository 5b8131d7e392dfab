//! The parts every register's pages share: the schema-driven record editor and new-record
//! form, the record picker, the one register list with its CSV import, a record's history,
//! the trend and bar charts, evidence files on a record's page, the control block of a
//! printed document, and the frame of a detail page.

pub mod bars;
pub mod chart;
pub mod document;
pub mod evidence;
pub mod heatmap;
pub mod history;
pub mod import;
pub mod list;
pub mod picker;
pub mod record;
pub mod write;

use crate::{routes::record_path, state::use_app_state};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use register::{FieldError, Kind, RecordId};

/// The record of `kind` the route's `:id` names, as `(id, deleted)`, while it is on the
/// device. A memo, so a detail page is drawn again only when its record appears, goes or is
/// deleted, not on every change (its editor would lose what someone is typing).
pub fn routed_record(kind: Kind) -> Memo<Option<(RecordId, bool)>> {
    let state = use_app_state();
    let params = use_params_map();
    Memo::new(move |_| {
        let id: RecordId = params.read().get("id")?.parse().ok()?;
        state.read(|d| {
            d.local
                .record(id)
                .filter(|r| r.kind == kind)
                .map(|r| (id, r.is_deleted()))
        })
    })
}

/// A record's page under its route: a link back to its register, then `page` for the record
/// while it is on the device, or why it is not shown.
#[component]
pub fn RoutedDetail(
    kind: Kind,
    back: &'static str,
    back_label: &'static str,
    page: fn(RecordId) -> AnyView,
) -> impl IntoView {
    let shown = routed_record(kind);
    let noun = kind.spec().label.to_lowercase();
    view! {
        <section class="page">
            <p class="back"><A href=back>{back_label}</A></p>
            {move || match shown.get() {
                Some((id, false)) => page(id),
                Some((_, true)) => view! { <p class="empty">{format!("This {noun} was deleted.")}</p> }.into_any(),
                None => view! { <p class="empty">{format!("There is no such {noun} on this device (yet).")}</p> }.into_any(),
            }}
        </section>
    }
}

/// A title as a file name: lower-case letters and digits, words joined by hyphens.
pub fn safe_file_name(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Offers `bytes` to the person as a file download (an export, an evidence pack).
pub fn offer_download(
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}

/// A refusal's messages as one sentence after another, for a form that shows them together.
pub fn messages(errors: Vec<FieldError>) -> String {
    errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message for one field among a form's errors, shown under that field.
pub fn error_for(
    errors: impl With<Value = Vec<FieldError>> + Copy + Send + Sync + 'static,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    }
}

#[component]
pub fn FieldMessage(
    #[prop(into)] id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p class="field-error" id=id>{message}</p> }
}

/// A link to another record's page, named as lists name it; plain text when that record is
/// not on this device or has no page.
#[component]
pub fn RecordLink(kind: Kind, id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let label = move || {
        state.read(|d| {
            d.local
                .record(id)
                .map(record::record_label)
                .unwrap_or_else(|| {
                    format!("a {} not on this device", kind.spec().label.to_lowercase())
                })
        })
    };
    match record_path(kind, id) {
        Some(href) => view! { <A href=href>{label}</A> }.into_any(),
        None => view! { <span>{label}</span> }.into_any(),
    }
}
