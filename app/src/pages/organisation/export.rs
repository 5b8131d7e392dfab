//! The register in the organisation's own hands: export it as one `.ratchet` file (the
//! backup, and what an auditor is given), check any such file end to end, and restore one as
//! the register kept on this device. The format and its checks are `register::archive`.

use crate::{
    api::{self, Api},
    components::{evidence::file_bytes, offer_download, safe_file_name},
    state::{AppState, Timing, now_ms, use_app_state},
    store::{EXPORT_VIEW_DB, LOCAL_DB, NewFile, Restored, Store},
};
use engine::chain;
use engine::pace::PUSH_MAX_BYTES;
use leptos::{prelude::*, task::spawn_local};
use register::{
    ClientId,
    api::{CreateOrgRequest, Credential, ImportRequest, ImportSource},
    archive::{self, Export, FileEntry, Member, Opened, Organisation},
    catalogue,
    sync::LogEntry,
    views::Evidence,
};
use wasm_bindgen::JsCast;

/// Most pages of the organisation's log one export reads: a million entries.
const MAX_PAGES: usize = 1_000;

/// The catalogue name of the register kept on a device alone.
const LOCAL_REGISTER: &str = "local";

#[component]
pub fn ExportAndRestore(api: Option<StoredValue<Api>>) -> impl IntoView {
    let state = use_app_state();
    let exporting = RwSignal::new(false);
    let exported = RwSignal::new(None::<Result<String, String>>);
    let last_exported = LocalResource::new(move || {
        exported.track();
        async move { state.store().last_exported_ms().await.ok().flatten() }
    });
    let export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        exported.set(None);
        spawn_local(async move {
            let outcome = export_register(state, api.map(|a| a.get_value())).await;
            exported.try_set(Some(outcome));
            exporting.try_set(false);
        });
    };
    let noun = if api.is_some() {
        "the organisation"
    } else {
        "this device's register"
    };
    view! {
        <section class="export" aria-labelledby="export-heading">
            <h2 id="export-heading">"Export and restore"</h2>
            <p class="hint">{format!("One file holds {noun}: every record with its history, the log with its hashes, the evidence files, every register as CSV and an index to read. Keep it as a backup, restore from it, or give it to an auditor, who can check it without an account.")}</p>
            <button type="button" on:click=export disabled=move || exporting.get() || (api.is_some() && !state.online.get())>
                {move || if exporting.get() { "Exporting…".to_owned() } else { format!("Export {noun}") }}
            </button>
            {move || (api.is_some() && !state.online.get()).then(|| view! {
                <p class="hint">"Exporting the organisation reads its log from the server: connect to export."</p>
            })}
            <p role="status">{move || match exported.get() {
                Some(Ok(words)) => words,
                _ => last_exported.get().flatten().map(|ms| format!("Last exported on this device {}.", register::dates::instant_words(ms))).unwrap_or_else(|| {
                    if api.is_none() { "Never exported from this device: export to keep a copy that does not depend on this browser.".to_owned() } else { String::new() }
                }),
            }}</p>
            {move || exported.get().and_then(Result::err).map(|problem| view! { <p class="form-error" role="alert">{problem}</p> })}
            <OpenExport alone=api.is_none() />
        </section>
    }
}

/// Builds the export file and offers it as a download; says what it holds.
async fn export_register(state: AppState, api: Option<Api>) -> Result<String, String> {
    let timing = Timing::start("ratchet-export");
    let settings = state.settings.get_untracked();
    let (log, chained_on_export, members, organisation, exported_by) = match (&api, &settings) {
        (Some(api), Some(settings)) => {
            let log = organisation_log(api).await?;
            let members = api
                .members()
                .await
                .map_err(|e| format!("The members could not be read: {e}."))?
                .members
                .into_iter()
                .map(|m| Member {
                    id: m.member,
                    name: m.name,
                    role: m.role,
                    removed: m.revoked,
                    devices: m.devices.iter().map(|d| d.client).collect(),
                })
                .collect();
            let credential = &settings.credential;
            let organisation = Organisation {
                id: credential.org.clone(),
                name: credential.org_name.clone(),
            };
            (
                log,
                0,
                members,
                Some(organisation),
                Some(credential.member_name.clone()),
            )
        }
        _ => {
            let history = state.store().history().await.map_err(|e| e.to_string())?;
            let (log, chained) = state.read_untracked(|d| archive::device_log(history, d));
            (log, chained, Vec::new(), None, None)
        }
    };
    let register = archive::replay(&log);
    let mut files = Vec::new();
    for evidence in register.all::<Evidence>() {
        let (Some(sha256), media_type) = (evidence.sha256, evidence.media_type) else {
            continue;
        };
        let media_type = media_type.unwrap_or_default();
        // A file neither here nor on the server is listed in the file as not held.
        if let Ok(bytes) = file_bytes(state, &sha256, &media_type).await {
            files.push((
                FileEntry {
                    sha256,
                    size: bytes.len() as u64,
                    media_type,
                },
                bytes,
            ));
        }
    }
    let name = organisation
        .as_ref()
        .map_or("register", |o| o.name.as_str());
    let file_name = format!(
        "{}-{}.{}",
        safe_file_name(name),
        state.today.get_untracked(),
        archive::EXTENSION
    );
    let held = files.len();
    let bytes = archive::write(Export {
        organisation,
        exported_by,
        exported_at_ms: now_ms(),
        log: &log,
        chained_on_export,
        members: &members,
        files,
    })
    .map_err(|e| format!("The export could not be written: {e}."))?;
    offer_download(&file_name, "application/zip", &bytes)
        .map_err(|_| "This browser would not save the file.".to_owned())?;
    timing.finish();
    // The reminder counts from here; failing to note it loses nothing.
    let _ = state.store().put_last_exported_ms(now_ms()).await;
    Ok(format!(
        "Exported {} records, {} log entries and {held} evidence file{} as {file_name} ({}).",
        register.len(),
        log.len(),
        if held == 1 { "" } else { "s" },
        engine::files::size_words(bytes.len() as u64)
    ))
}

/// The organisation's whole log, read from its server page by page and checked as it comes.
async fn organisation_log(api: &Api) -> Result<Vec<LogEntry>, String> {
    let mut log: Vec<LogEntry> = Vec::new();
    let mut head = chain::GENESIS.to_owned();
    for _page in 0..MAX_PAGES {
        let at = log.len() as u64;
        let page = api
            .pull(at)
            .await
            .result
            .map_err(|e| format!("The export stopped at log entry {at}: {e}."))?;
        head = chain::verify(at, &head, &page.ops)
            .map_err(|e| format!("The organisation's log fails its check: {e}."))?;
        log.extend(page.ops);
        if !page.more {
            return Ok(log);
        }
    }
    Err("The log has more pages than one export reads.".to_owned())
}

/// Opens an export file: checks it end to end and says what it found; a verified file can
/// then be restored as the register kept on this device.
#[component]
fn OpenExport(alone: bool) -> impl IntoView {
    let report = RwSignal::new(None::<(Vec<String>, bool)>);
    let opened = StoredValue::new_local(None::<Opened>);
    let checking = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        checking.set(true);
        report.set(None);
        opened.set_value(None);
        spawn_local(async move {
            let timing = Timing::start("ratchet-verify");
            let verification = match crate::components::evidence::blob_bytes(&file).await {
                Ok(bytes) => archive::verify(&bytes),
                Err(problem) => {
                    report.try_set(Some((vec![problem], false)));
                    checking.try_set(false);
                    return;
                }
            };
            timing.finish();
            let intact = verification.is_intact();
            report.try_set(Some((verification.words(), intact)));
            opened.try_set_value(verification.opened.filter(|_| intact));
            checking.try_set(false);
        });
    };
    let may_restore = alone && crate::active_database() == LOCAL_DB;
    view! {
        <div class="field">
            <label for="export-file">"Check or restore an export file (.ratchet)"</label>
            <input id="export-file" type="file" accept=".ratchet,application/zip" on:change=on_change />
        </div>
        {move || checking.get().then(|| view! { <p role="status">"Checking the file…"</p> })}
        {move || report.get().map(|(lines, intact)| view! {
            <div class=if intact { "verify-report" } else { "verify-report form-error" } role=if intact { "status" } else { "alert" }>
                <p><strong>{if intact { "The file is intact." } else { "The file is not intact:" }}</strong></p>
                <ul aria-label="What the check found">
                    {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            </div>
        })}
        {move || report.get().is_some_and(|(_, intact)| intact).then(|| view! { <ReadOnly opened /> })}
        {move || (may_restore && report.get().is_some_and(|(_, intact)| intact)).then(|| view! { <Restore opened /> })}
        {move || (alone && report.get().is_some_and(|(_, intact)| intact)).then(|| view! { <RestoreAsOrganisation opened /> })}
    }
}

/// Restores a verified export as the register kept on this device, replacing it in one
/// transaction. A register holding records of its own is replaced only when the person says
/// so, having been offered an export of it first.
#[component]
fn Restore(opened: StoredValue<Option<Opened>, LocalStorage>) -> impl IntoView {
    let state = use_app_state();
    let own = state.read_untracked(|d| catalogue::own_records(&d.local, LOCAL_REGISTER));
    // The catalogue is added to a new register in idle moments; a slice written after the
    // restore would land in the restored register.
    let last: register::RecordId = catalogue::LOCAL_LAST_CONTROL.parse().expect("a record id");
    let seeding = move || state.read(|d| d.cursor == 0 && d.local.record(last).is_none());
    let replace = RwSignal::new(own == 0);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let restore = write_then_reload(opened, busy, error, move |opened| async move {
        restore_register(state, &opened).await
    });
    let records = opened.with_value(|o| o.as_ref().map_or(0, |o| o.register.len()));
    view! {
        <div class="restore">
            {(own > 0).then(|| view! {
                <p class="notice warning">{format!("This device's register holds {own} records of its own beyond the Annex A catalogue. Restoring replaces all of it: export it first.")}</p>
                <label class="check">
                    <input type="checkbox" on:change=move |ev| replace.set(event_target_checked(&ev)) />
                    {format!(" Replace this device's register and its {own} records")}
                </label>
            })}
            {move || seeding().then(|| view! { <p class="hint">"The Annex A catalogue is still being added to this device's register: restore in a moment."</p> })}
            <button type="button" on:click=restore disabled=move || busy.get() || !replace.get() || seeding()>
                {format!("Restore these {records} records as this device's register")}
            </button>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// Writes a verified export into `store`, replacing what it held, in one transaction.
async fn write_into(store: &Store, opened: &Opened) -> Result<(), String> {
    let mut files = Vec::new();
    for file in &opened.manifest.files {
        let bytes = &opened.files[&file.sha256];
        files.push(NewFile::from_bytes(bytes, &file.media_type).map_err(|e| e.to_string())?);
    }
    let mut device = archive::restored_device(opened, ClientId::new());
    let restored = Restored {
        organisation: opened
            .manifest
            .organisation
            .as_ref()
            .map(|o| o.name.clone()),
        exported_at: opened.manifest.exported_at.clone(),
        entries: opened.log.len() as u64,
        head: opened.manifest.log.head.clone(),
        restored_ms: now_ms(),
        members: opened.members.clone(),
    };
    store
        .replace_with(&mut device, &opened.log, &files, &restored)
        .await
        .map_err(|e| e.to_string())
}

async fn restore_register(state: AppState, opened: &Opened) -> Result<(), String> {
    write_into(&state.store(), opened)
        .await
        .map_err(|e| format!("Nothing was restored: {e}."))
}

/// Writes a verified export into the database of an export being read, and makes it the one
/// this tab opens, remembering the register to come back to.
async fn open_read_only(opened: &Opened) -> Result<(), String> {
    let _ = Store::delete(EXPORT_VIEW_DB).await;
    let store = Store::open(EXPORT_VIEW_DB)
        .await
        .map_err(|e| e.to_string())?;
    let written = write_into(&store, opened).await;
    store.close();
    written?;
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(
            crate::shell::BEFORE_EXPORT_VIEW_KEY,
            &crate::active_database(),
        );
    }
    crate::set_active_database(EXPORT_VIEW_DB);
    Ok(())
}

/// A click that writes a checked file somewhere (`write`), then opens the app again on what
/// it wrote; or says why not, having changed nothing.
fn write_then_reload<F, Fut>(
    opened: StoredValue<Option<Opened>, LocalStorage>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    write: F,
) -> impl Fn(leptos::ev::MouseEvent) + Copy + 'static
where
    F: Fn(Opened) -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + 'static,
{
    move |_| {
        let Some(opened) = opened.get_value() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match write(opened).await {
                Ok(()) => {
                    let _ = window().location().set_href("/");
                }
                Err(problem) => {
                    error.try_set(Some(problem));
                    busy.try_set(false);
                }
            }
        });
    }
}

/// Opens a verified export to be read, in a database of its own: every register, record,
/// history and evidence file, nothing editable and nothing synced. Closing it comes back to
/// the register this tab had open.
#[component]
fn ReadOnly(opened: StoredValue<Option<Opened>, LocalStorage>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let read = write_then_reload(opened, busy, error, |opened| async move {
        open_read_only(&opened)
            .await
            .map_err(|problem| format!("The export could not be opened: {problem}."))
    });
    view! {
        <p class="hint">"Read it here as an auditor would: every register, record, history and evidence file, with nothing editable and nothing synced. This device's own register is left as it is."</p>
        <button type="button" class="secondary" on:click=read disabled=move || busy.get()>"Read the export here"</button>
        <p class="form-error" role="alert">{move || error.get()}</p>
    }
}

/// Restores a verified export as a new organisation on a sync server: creates it (the person
/// becomes its owner), gives it the file's log as its history (the same entries and hashes,
/// marked as imported), sends the evidence files, and switches this device to it.
#[component]
fn RestoreAsOrganisation(opened: StoredValue<Option<Opened>, LocalStorage>) -> impl IntoView {
    let server = RwSignal::new(super::origin());
    let org_name = RwSignal::new(opened.with_value(|o| {
        o.as_ref()
            .and_then(|o| o.manifest.organisation.as_ref())
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }));
    let your_name = RwSignal::new(String::new());
    let setup_code = RwSignal::new(String::new());
    let progress = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(opened) = opened.get_value() else {
            return;
        };
        busy.set(true);
        error.set(None);
        let request = CreateOrgRequest {
            org_name: org_name.get_untracked().trim().to_owned(),
            owner_name: your_name.get_untracked().trim().to_owned(),
            setup_code: Some(setup_code.get_untracked().trim().to_owned())
                .filter(|c| !c.is_empty()),
        };
        let server = server.get_untracked();
        spawn_local(async move {
            match restore_as_organisation(&server, &request, &opened, progress).await {
                Ok(credential) => {
                    if let Err(problem) = super::switch_to(server, credential, false).await {
                        error.try_set(Some(problem));
                    }
                }
                Err(problem) => drop(error.try_set(Some(problem))),
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="card" on:submit=submit aria-labelledby="restore-org-heading">
            <h3 id="restore-org-heading">"Restore as a new organisation"</h3>
            <p class="hint">"Creates an organisation on a sync server with this file's history as its own, every entry as it was and marked as imported; you become its owner and invite the others again."</p>
            <div class="field">
                <label for="restore-server">"Sync server"</label>
                <input id="restore-server" type="url" bind:value=server />
            </div>
            <div class="field">
                <label for="restore-org-name">"Name of the new organisation"</label>
                <input id="restore-org-name" type="text" maxlength="100" bind:value=org_name />
            </div>
            <div class="field">
                <label for="restore-your-name">"Your name in it"</label>
                <input id="restore-your-name" type="text" maxlength="100" bind:value=your_name />
            </div>
            <div class="field">
                <label for="restore-setup">"Setup code for the new organisation"</label>
                <input id="restore-setup" type="text" autocomplete="off" bind:value=setup_code />
            </div>
            <button type="submit" disabled=busy>"Restore as a new organisation"</button>
            <p role="status">{move || progress.get()}</p>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Creates the organisation, imports the history page by page and sends the files; the
/// credential once all of it is on the server.
async fn restore_as_organisation(
    server: &str,
    request: &CreateOrgRequest,
    opened: &Opened,
    progress: RwSignal<Option<String>>,
) -> Result<Credential, String> {
    let credential = api::create_org(server, request)
        .await
        .map_err(|e| e.to_string())?;
    let api = Api::new(server, &credential);
    let source = ImportSource {
        organisation: opened
            .manifest
            .organisation
            .as_ref()
            .map(|o| o.name.clone()),
        exported_at: opened.manifest.exported_at.clone(),
    };
    let incomplete = |what: String| {
        format!(
            "The organisation “{}” was created, but {what}. It holds only part of the history: restore again into another new organisation.",
            credential.org_name
        )
    };
    let total = opened.log.len();
    let mut sent = 0;
    for page in archive::import_pages(&opened.log, PUSH_MAX_BYTES) {
        api.import(&ImportRequest {
            entries: page.to_vec(),
            source: source.clone(),
        })
        .await
        .map_err(|e| incomplete(format!("the history stopped at entry {sent}: {e}")))?;
        sent += page.len();
        progress.try_set(Some(format!(
            "History: {sent} of {total} entries on the server…"
        )));
    }
    for (n, file) in opened.manifest.files.iter().enumerate() {
        let bytes = &opened.files[&file.sha256];
        let new = NewFile::from_bytes(bytes, &file.media_type).map_err(|e| e.to_string())?;
        api.upload(&file.sha256, new.blob)
            .await
            .map_err(|e| incomplete(format!("the evidence file {} was refused: {e}", n + 1)))?;
        progress.try_set(Some(format!(
            "Evidence files: {} of {} on the server…",
            n + 1,
            opened.manifest.files.len()
        )));
    }
    Ok(credential)
}

/// Where an organisation's history began, when it was restored from an export.
#[component]
pub fn ImportedHistory(api: StoredValue<Api>) -> impl IntoView {
    let imported = LocalResource::new(move || {
        let api = api.get_value();
        async move { api.imported().await.ok().flatten() }
    });
    move || {
        imported.get().flatten().map(|i| {
            let from = i
                .source
                .organisation
                .map_or_else(|| "a register kept on one device".to_owned(), |o| format!("“{o}”"));
            view! {
                <p class="notice" role="note">{format!(
                    "This organisation's log begins with history imported from an export of {from} made {}: entries 1 to {}, ending in hash {}…, imported by {} {}.",
                    i.source.exported_at,
                    i.up_to,
                    i.head.chars().take(16).collect::<String>(),
                    i.by_name,
                    register::dates::instant_words(i.at_ms),
                )}</p>
            }
        })
    }
}
