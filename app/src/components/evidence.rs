//! Evidence on a record's page (clause 7.5): the files that show it is done, each with its
//! validity, and a way to add one. "Take photo" opens the camera on a phone; on a desktop a
//! file is chosen or dropped. Photos are made smaller and lose their metadata (the location
//! among it) before they are kept; the record keeps the location only if the organisation's
//! policy says so. A file not yet on this device is fetched the first time it
//! is shown here, and kept for offline use.

use crate::{
    api::Api,
    components::{FieldMessage, RecordLink, error_for},
    state::{AppState, Timing, use_app_state},
    store::NewFile,
};
use engine::files::{MEDIA_TYPES, size_words};
use leptos::{prelude::*, task::spawn_local};
use register::{
    FieldError, Kind, RecordId, Value, dates,
    evidence::{self, Validity},
    policy,
    views::Evidence,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Longest side of a photo as kept, in pixels.
const PHOTO_MAX_SIDE: u32 = 1600;
/// The JPEG quality a photo is kept at.
const PHOTO_QUALITY: f64 = 0.8;

/// The evidence linked to one record, and (for those who may add evidence) the way to add more:
/// only "Take photo" when `photo_only` (a walkthrough's check, on a phone).
#[component]
pub fn EvidencePanel(
    kind: Kind,
    id: RecordId,
    #[prop(optional)] photo_only: bool,
) -> impl IntoView {
    let state = use_app_state();
    let found = move || state.read(|d| evidence::supporting(&d.local, kind, id));
    view! {
        <section class="evidence" aria-labelledby=format!("evidence-{id}")>
            <h2 id=format!("evidence-{id}")>"Evidence"</h2>
            <Show
                when=move || !found().is_empty()
                fallback=|| view! { <p class="empty">"No evidence yet: a photo, a log or a report that shows this is done."</p> }
            >
                <ul class="evidence-list">
                    <For each=found key=|e| (e.id, e.title.clone(), e.expires_on.clone(), e.status, e.sha256.clone()) let:evidence>
                        <EvidenceItem evidence />
                    </For>
                </ul>
            </Show>
            <Show when=move || state.may_write(Kind::Evidence)>
                <AttachForm kind id photo_only />
            </Show>
        </section>
    }
}

/// Where a file stands today (and again when the day turns).
pub fn validity_today(state: AppState, evidence: &Evidence) -> Validity {
    let today = state.today.get();
    evidence::validity(evidence, dates::date(&today).unwrap_or_default())
}

/// One file: its preview, its name (a link to its page), validity, size and upload state.
#[component]
pub fn EvidenceItem(evidence: Evidence) -> impl IntoView {
    let state = use_app_state();
    let id = evidence.id;
    let sha256 = evidence.sha256.clone().unwrap_or_default();
    let media_type = evidence.media_type.clone().unwrap_or_default();
    let title = evidence.title.clone().unwrap_or_default();
    let details = [
        evidence.size.map(|s| size_words(s as u64)),
        evidence
            .captured_at
            .as_deref()
            .map(|at| format!("captured {}", at.get(..10).unwrap_or(at))),
        evidence
            .coordinates
            .as_deref()
            .map(|at| format!("taken at {at}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let validity = Memo::new(move |_| validity_today(state, &evidence));
    view! {
        <li class="evidence-item" data-validity=move || validity.get().tag()>
            <FilePreview sha256=sha256.clone() media_type title />
            <div class="evidence-text">
                <RecordLink kind=Kind::Evidence id />
                <span class=move || format!("tag validity {}", validity.get().tag())>{move || validity.get().words()}</span>
                <span class="meta">{details}</span>
                <UploadState sha256 />
            </div>
        </li>
    }
}

/// Whether the server has a file attached on this device yet.
#[component]
fn UploadState(sha256: String) -> impl IntoView {
    let state = use_app_state();
    let upload = move || {
        state.uploads.with(|uploads| {
            uploads
                .iter()
                .find(|u| u.sha256 == sha256)
                .map(|u| u.refused.clone())
        })
    };
    move || match upload() {
        Some(None) if state.settings.get().is_some() => {
            Some(view! { <span class="meta upload">"Waiting to upload"</span> }.into_any())
        }
        Some(Some(reason)) => Some(
            view! { <span class="field-error upload">{format!("Not uploaded: {reason}")}</span> }
                .into_any(),
        ),
        _ => None,
    }
}

/// The file itself: a thumbnail of an image, a link that opens a PDF, or a link that
/// downloads any other file; what is shown is decided by the file's own bytes, never by the
/// type its record states (`engine::files::inline_type`), so no upload renders as a page of
/// the app. Fetched from the server the first time it is shown on this device; fetched again
/// after a sync if it was not there yet.
#[component]
pub fn FilePreview(sha256: String, media_type: String, title: String) -> impl IntoView {
    let state = use_app_state();
    let saved_as = format!(
        "{}.{}",
        title.replace(['/', '\\'], "-"),
        engine::files::extension(&media_type)
    );
    let urls = StoredValue::new(Vec::<String>::new());
    let file = LocalResource::new(move || {
        let (sha256, media_type) = (sha256.clone(), media_type.clone());
        // Tried again once the device is online, and after each sync.
        let _ = (
            state.online.get(),
            state
                .settings
                .with(|s| s.as_ref().map(|s| s.last_synced_ms)),
        );
        async move { file_url(state, &sha256, &media_type).await }
    });
    on_cleanup(move || {
        for url in urls.get_value() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let shown = move || {
        file.get().map(|found| match found {
            Ok((url, shown)) => {
                urls.update_value(|urls| urls.push(url.clone()));
                let href = url.clone();
                match shown {
                    Some(image) if image.starts_with("image/") => view! {
                        <a class="thumb" href=href target="_blank" rel="noopener">
                            <img src=url alt=title.clone() loading="lazy" />
                        </a>
                    }
                    .into_any(),
                    Some(_) => view! { <a class="thumb file" href=url target="_blank" rel="noopener" aria-label=format!("Open {title}")>"Open"</a> }
                        .into_any(),
                    None => view! { <a class="thumb file" href=url download=saved_as.clone() aria-label=format!("Download {title}")>"Download"</a> }
                        .into_any(),
                }
            }
            Err(message) => view! { <p class="thumb missing">{message}</p> }.into_any(),
        })
    };
    view! { <Suspense fallback=|| view! { <p class="thumb missing">"Loading…"</p> }>{shown}</Suspense> }
}

/// A small picture of an image file this device keeps, beside its row in a list (decorative:
/// the row's link names it). A list fetches nothing: a hundred photos over a phone's data
/// would be too much, and each comes the first time its record is opened.
#[component]
pub fn Thumbnail(sha256: String) -> impl IntoView {
    let state = use_app_state();
    let url = StoredValue::new(None::<String>);
    let kept = LocalResource::new(move || {
        let sha256 = sha256.clone();
        async move {
            let (_, blob) = state.store().evidence(&sha256).await.ok()??;
            let (shown, kind) = as_shown(&blob).await.ok()?;
            kind.filter(|k| k.starts_with("image/"))?;
            web_sys::Url::create_object_url_with_blob(&shown).ok()
        }
    });
    on_cleanup(move || {
        if let Some(url) = url.get_value() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    move || {
        kept.get().flatten().map(|src| {
            url.set_value(Some(src.clone()));
            view! { <img class="list-thumb" src=src alt="" /> }
        })
    }
}

/// The file's bytes as an object URL, with the type its bytes prove it may be shown as (None:
/// only downloaded): from this device, or from the server (kept here after).
async fn file_url(
    state: AppState,
    sha256: &str,
    media_type: &str,
) -> Result<(String, Option<&'static str>), String> {
    let (blob, shown) = as_shown(&file_blob(state, sha256, media_type).await?).await?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "This browser cannot show the file.".to_owned())?;
    Ok((url, shown))
}

/// The file typed as its first bytes prove (an image or a PDF), or as bytes a browser only
/// downloads, whatever type it was stored with.
async fn as_shown(blob: &web_sys::Blob) -> Result<(web_sys::Blob, Option<&'static str>), String> {
    let unreadable = |_| "The file could not be read.".to_owned();
    let head = blob.slice_with_f64_and_f64(0.0, 16.0).map_err(unreadable)?;
    let shown = engine::files::inline_type(&blob_bytes(&head).await?);
    let typed = blob
        .slice_with_f64_and_f64_and_content_type(
            0.0,
            blob.size(),
            shown.unwrap_or("application/octet-stream"),
        )
        .map_err(unreadable)?;
    Ok((typed, shown))
}

/// The file's bytes, from this device or from the server (kept here after).
pub async fn file_bytes(
    state: AppState,
    sha256: &str,
    media_type: &str,
) -> Result<Vec<u8>, String> {
    blob_bytes(&file_blob(state, sha256, media_type).await?).await
}

/// The file as a Blob: from this device, or fetched from the server (checked against its
/// digest) and kept here for offline use.
async fn file_blob(
    state: AppState,
    sha256: &str,
    media_type: &str,
) -> Result<web_sys::Blob, String> {
    let store = state.store();
    if let Some((_, blob)) = store.evidence(sha256).await.map_err(|e| e.to_string())? {
        return Ok(blob);
    }
    let Some(settings) = state.settings.get_untracked() else {
        return Err("This file is not on this device.".into());
    };
    if !state.online.get_untracked() {
        return Err("On another device: it comes the first time it is opened online.".into());
    }
    let bytes = Api::new(&settings.server, &settings.credential)
        .download(sha256)
        .await
        .map_err(|e| format!("Not here yet: {e}."))?;
    store
        .put_evidence(&bytes, media_type)
        .await
        .map_err(|e| e.to_string())?;
    Ok(NewFile::from_bytes(&bytes, media_type)
        .map_err(|e| e.to_string())?
        .blob)
}

/// What the attach form asks: a caption, the record's title (the file's name when left
/// empty) and, for a file that lapses (a certificate, a penetration test report), when it
/// expires.
#[component]
fn AttachForm(kind: Kind, id: RecordId, photo_only: bool) -> impl IntoView {
    let state = use_app_state();
    let link = evidence::link_field(kind).expect("a kind that can need evidence");
    let title = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let added = RwSignal::new(None::<String>);
    let keep = move |file: web_sys::File| {
        busy.set(true);
        spawn_local(async move {
            // A photo taken during a check is named after what was checked.
            let named = state.read_untracked(|d| {
                d.local
                    .record(id)
                    .map(crate::components::record::record_label)
            });
            let given = match title.get_untracked() {
                typed if !typed.trim().is_empty() || !photo_only => typed,
                _ => named.map(|n| format!("Photo: {n}")).unwrap_or_default(),
            };
            let details = Details {
                title: given
                    .chars()
                    .take(register::schema::SHORT_TEXT_MAX_CHARS)
                    .collect(),
                expires_on: expires.get_untracked(),
                link,
                to: id,
            };
            let outcome = attach_file(state, file, details).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match outcome {
                Ok(name) => {
                    errors.set(Vec::new());
                    title.set(String::new());
                    expires.set(String::new());
                    added.set(Some(format!("Added “{name}”.")));
                }
                Err(refused) => {
                    added.set(None);
                    errors.set(refused);
                }
            }
        });
    };
    let on_chosen = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            keep(file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev
            .data_transfer()
            .and_then(|t| t.files())
            .and_then(|files| files.get(0))
        {
            keep(file);
        }
    };
    let file_error = error_for(errors, Evidence::sha256);
    let whole_form = move || {
        errors.with(|all| {
            all.iter()
                .filter(|e| e.field != Evidence::sha256 && e.field != Evidence::expires_on)
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let accept = MEDIA_TYPES
        .iter()
        .map(|m| m.essence)
        .collect::<Vec<_>>()
        .join(",");
    let ids = (
        format!("attach-title-{id}"),
        format!("attach-expires-{id}"),
        format!("attach-photo-{id}"),
        format!("attach-file-{id}"),
        format!("attach-error-{id}"),
    );
    let (title_id, expires_id, photo_id, file_id, error_id) = ids;
    let file_described_by = error_id.clone();
    view! {
        <div
            class="attach"
            class:busy=move || busy.get()
            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <h3>{if photo_only { "Photos" } else { "Add evidence" }}</h3>
            <div class="attach-fields" hidden=photo_only>
                <label for=title_id.clone()>"Caption"</label>
                <input id=title_id type="text" placeholder="The file's name if left empty" bind:value=title />
                <label for=expires_id.clone()>"Expires on (if it lapses)"</label>
                <input
                    id=expires_id
                    type="date"
                    bind:value=expires
                    aria-describedby=format!("{error_id}-expiry")
                />
                <FieldMessage id=format!("{error_id}-expiry") message=error_for(errors, Evidence::expires_on) />
            </div>
            <div class="attach-buttons">
                <label class="button" for=photo_id.clone()>"Take photo"</label>
                <input
                    id=photo_id
                    class="visually-hidden"
                    type="file"
                    accept="image/*"
                    capture="environment"
                    aria-describedby=error_id.clone()
                    on:change=on_chosen
                />
                <Show when=move || !photo_only>
                    <label class="button secondary" for=file_id.clone()>"Choose a file"</label>
                    <input
                        id=file_id.clone()
                        class="visually-hidden"
                        type="file"
                        accept=accept.clone()
                        aria-describedby=file_described_by.clone()
                        on:change=on_chosen
                    />
                    <span class="hint">"or drop one here"</span>
                </Show>
            </div>
            <FieldMessage id=error_id message=move || file_error().or_else(|| Some(whole_form()).filter(|m| !m.is_empty())) />
            <p class="added" role="status">{move || if busy.get() { Some("Keeping the file…".to_owned()) } else { added.get() }}</p>
        </div>
    }
}

/// What a new piece of evidence says beside its file.
struct Details {
    title: String,
    expires_on: String,
    /// The Evidence field that links it, and the record it supports.
    link: &'static str,
    to: RecordId,
}

/// Reads a chosen file (a photo made smaller first), keeps it with its Evidence record, and
/// asks the browser to keep the site's storage. The record's title.
async fn attach_file(
    state: AppState,
    file: web_sys::File,
    details: Details,
) -> Result<String, Vec<FieldError>> {
    let at_file = |message: String| {
        vec![FieldError {
            field: Evidence::sha256.to_owned(),
            message,
        }]
    };
    let name = file.name();
    // From the chosen file until it is stored: what the bench times for a photo.
    let timing = Timing::start("ratchet-attach");
    let position = kept_position(state, &file).await;
    let (bytes, media_type) = read_file(&file).await.map_err(at_file)?;
    let kept = NewFile::from_bytes(&bytes, &media_type).map_err(|e| at_file(e.to_string()))?;
    let title = match details.title.trim() {
        "" => name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem)
            .to_owned(),
        title => title.to_owned(),
    };
    let mut fields = vec![
        (Evidence::title, Value::from(title.as_str())),
        (details.link, Value::List(vec![details.to.to_string()])),
    ];
    if !details.expires_on.is_empty() {
        fields.push((Evidence::expires_on, Value::from(details.expires_on)));
    }
    if let Some(position) = position {
        fields.push((Evidence::coordinates, Value::from(position)));
    }
    state.attach(kept, fields, &name).await?;
    timing.finish();
    keep_storage();
    Ok(title)
}

/// Where a photo was taken, read from the file as chosen (before it is drawn again without
/// its metadata), when the organisation's policy keeps it.
async fn kept_position(state: AppState, file: &web_sys::File) -> Option<String> {
    let keeps = state.read_untracked(|d| policy::keeps_photo_location(&d.local));
    if !keeps || !file.type_().starts_with("image/") {
        return None;
    }
    let original = blob_bytes(file).await.ok()?;
    policy::photo_position(&original).map(|p| p.field_value())
}

/// Asks the browser not to clear this site's storage under pressure: the evidence on this
/// device may exist nowhere else until it syncs.
fn keep_storage() {
    if let Ok(asked) = window().navigator().storage().persist() {
        spawn_local(async move {
            let _ = JsFuture::from(asked).await;
        });
    }
}

/// A file's bytes and media type; a photo (JPEG, PNG, WebP) drawn again at most
/// `PHOTO_MAX_SIDE` pixels on its longest side, which also leaves its metadata behind.
async fn read_file(file: &web_sys::File) -> Result<(Vec<u8>, String), String> {
    let media_type = engine::files::essence(&file.type_());
    if matches!(
        media_type.as_str(),
        "image/jpeg" | "image/png" | "image/webp"
    ) {
        // A photo the browser cannot draw is kept as it came.
        if let Ok(redrawn) = redraw(file, &media_type).await {
            return Ok(redrawn);
        }
    }
    Ok((blob_bytes(file).await?, media_type))
}

/// A Blob's (or File's) bytes.
pub async fn blob_bytes(blob: &web_sys::Blob) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "The file could not be read.".to_owned())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Draws an image on a canvas at most `PHOTO_MAX_SIDE` pixels long, and encodes it again:
/// PNG stays PNG (screenshots of logs stay sharp), a photo becomes JPEG.
async fn redraw(file: &web_sys::File, media_type: &str) -> Result<(Vec<u8>, String), JsValue> {
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(window().create_image_bitmap_with_blob(file)?)
            .await?
            .dyn_into()?;
    let (width, height) = (bitmap.width(), bitmap.height());
    let scale = (f64::from(PHOTO_MAX_SIDE) / f64::from(width.max(height).max(1))).min(1.0);
    let (to_width, to_height) = (
        (f64::from(width) * scale).round().max(1.0),
        (f64::from(height) * scale).round().max(1.0),
    );
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width(to_width as u32);
    canvas.set_height(to_height as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    context.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, to_width, to_height)?;
    bitmap.close();
    let encoded = if media_type == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let mut encode = |resolve: js_sys::Function, reject: js_sys::Function| {
        if let Err(error) =
            canvas.to_blob_with_type_and_encoder_options(&resolve, encoded, &PHOTO_QUALITY.into())
        {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    };
    let blob: web_sys::Blob = JsFuture::from(js_sys::Promise::new(&mut encode))
        .await?
        .dyn_into()?;
    let bytes = blob_bytes(&blob).await.map_err(|e| JsValue::from_str(&e))?;
    Ok((bytes, encoded.to_owned()))
}
