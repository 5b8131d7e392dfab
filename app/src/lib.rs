//! Ratchet's browser app: opens this device's register in IndexedDB, then mounts the UI.

mod api;
mod components;
mod one_tab;
mod online;
mod pages;
mod push;
mod routes;
mod shell;
mod state;
pub mod store;
mod sync;

use futures_util::future::join;
use leptos::prelude::*;
use register::{ClientId, sync::Device};
use store::{LOCAL_DB, Read, Store, StoreError, SyncSettings};

/// localStorage key naming the database the app opens (one per organisation and member).
const ACTIVE_DB_KEY: &str = "ratchet.database";

pub fn active_database() -> String {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(ACTIVE_DB_KEY).ok().flatten())
        .unwrap_or_else(|| LOCAL_DB.to_owned())
}

pub fn set_active_database(name: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(ACTIVE_DB_KEY, name);
    }
}

/// Opens the register before the first paint, so every page starts with its data.
pub fn start() {
    console_error_panic_hook::set_once();
    // Leptos' executor is set up by mount_to_body, which has not run yet.
    wasm_bindgen_futures::spawn_local(async {
        let name = active_database();
        // The register opens and is read while the lock is asked for; nothing is written
        // before this tab holds it.
        let (first, opened) = join(one_tab::hold_app_lock(false), open(&name)).await;
        let opened = if first {
            opened
        } else {
            if let Ok((store, ..)) = opened {
                store.close();
            }
            remove_prerendered();
            let notice = leptos::mount::mount_to(
                document().body().expect("a page has a body"),
                shell::OpenElsewhere,
            );
            one_tab::hold_app_lock(true).await;
            drop(notice);
            // The other tab has changed it since.
            open(&name).await
        };
        remove_prerendered();
        match opened {
            Ok((store, device, settings)) => {
                let seed = new_local_register(&name, &device);
                mount_to_body(move || view! { <shell::App store device settings seed /> });
            }
            Err(error) => mount_to_body(move || view! { <shell::StorageUnavailable error /> }),
        }
    });
}

/// The first screen the build wrote into index.html (`xtask/prerender.mjs`), painted while
/// the wasm loaded; the app draws its own in the same task.
fn remove_prerendered() {
    if let Some(prerendered) = document().get_element_by_id("prerendered") {
        prerendered.remove();
    }
}

type Opened = (Store, Device, Option<SyncSettings>);

/// Opens a register database and reads the device from it; writes nothing.
async fn open(name: &str) -> Result<Opened, StoreError> {
    let timing = state::Timing::start("ratchet-load");
    let store = Store::open(name).await?;
    let settings = store.sync_settings().await?;
    let client = settings
        .as_ref()
        .map_or_else(ClientId::new, |s| s.credential.client);
    let device = open_device(&store, client, state::now_ms()).await?;
    timing.finish();
    Ok((store, device, settings))
}

/// Opens the device from `store`: what the first paint needs. Converting earlier versions'
/// data writes, so its code is loaded only when there is some.
pub async fn open_device(
    store: &Store,
    client: ClientId,
    now_ms: u64,
) -> Result<Device, StoreError> {
    let read = store.read(client).await?;
    if read.needs_conversion() {
        convert_earlier(store.clone(), read, now_ms).await
    } else {
        Ok(read.into_device())
    }
}

#[cfg_attr(not(feature = "direct-calls"), leptos::lazy)]
async fn convert_earlier(store: Store, read: Read, now_ms: u64) -> Result<Device, StoreError> {
    store.convert(read, now_ms).await
}

/// Whether this is the register kept on this device alone and its Annex A catalogue is not
/// whole yet (new, or a seed cut short): `seed_local_register` completes it once drawn.
fn new_local_register(name: &str, device: &Device) -> bool {
    let last: register::RecordId = register::catalogue::LOCAL_LAST_CONTROL
        .parse()
        .expect("a record id");
    // A register restored from an export has its own history, catalogue included.
    name == LOCAL_DB && device.cursor == 0 && device.local.record(last).is_none()
}

/// Controls seeded in one write: ~50 edits, a task of a few milliseconds at 4× CPU throttle.
const SEED_SLICE: usize = 8;

/// Adds and stores the Annex A controls the local register lacks, a slice at a time in idle
/// time, after the first paint, with code (the catalogue's texts, the edit path) loaded only
/// when needed. Storage refusing a slice reloads the device from storage and says so, as for
/// any edit, and the rest waits for the next start.
#[leptos::lazy]
pub async fn seed_local_register(state: state::AppState) {
    let seed = |device: &mut Device| {
        register::catalogue::seed_missing_controls(device, "local", state::now_ms(), SEED_SLICE)
    };
    // Not in the task that brought this code: its first calls are compiled as they run.
    routes::idle().await;
    while let Ok(true) = state.apply(seed).await {
        routes::idle().await;
    }
}
