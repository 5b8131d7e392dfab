//! Ratchet's browser app: opens this device's register in IndexedDB, then mounts the UI.

mod api;
mod components;
mod one_tab;
mod online;
mod pages;
mod routes;
mod shell;
mod state;
pub mod store;
mod sync;

use futures_util::future::join;
use leptos::prelude::*;
use register::{ClientId, device::Device};
use store::{LOCAL_DB, Store, StoreError, SyncSettings};

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
            let notice = leptos::mount::mount_to(
                document().body().expect("a page has a body"),
                shell::OpenElsewhere,
            );
            one_tab::hold_app_lock(true).await;
            drop(notice);
            // The other tab has changed it since.
            open(&name).await
        };
        match opened {
            Ok((store, mut device, settings)) => {
                let seeded = seed_new_local_register(&name, &mut device);
                mount_to_body(move || view! { <shell::App store device settings seeded /> });
            }
            Err(error) => mount_to_body(move || view! { <shell::StorageUnavailable error /> }),
        }
    });
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
    let device = store.load(client, state::now_ms()).await?;
    timing.finish();
    Ok((store, device, settings))
}

/// A register kept on this device alone starts, like an organisation's, with Annex A. Only in
/// memory: the app stores it once the first page is drawn (the catalogue is ~560 edits, a
/// few hundred milliseconds to write on a slow phone). Returns whether it seeded.
fn seed_new_local_register(name: &str, device: &mut Device) -> bool {
    let new = name == LOCAL_DB && device.record_count() == 0 && device.pending() == 0;
    if new {
        register::catalogue::seed_controls(device, "local", state::now_ms());
    }
    new
}
