//! Ratchet's browser app: opens this device's register in IndexedDB, then mounts the UI.

mod api;
mod one_tab;
mod online;
mod pages;
mod shell;
mod state;
pub mod store;
mod sync;

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
        if !one_tab::hold_app_lock(false).await {
            let notice = leptos::mount::mount_to(
                document().body().expect("a page has a body"),
                shell::OpenElsewhere,
            );
            one_tab::hold_app_lock(true).await;
            drop(notice);
        }
        match load(&active_database()).await {
            Ok((store, device, settings)) => {
                mount_to_body(move || view! { <shell::App store device settings /> });
            }
            Err(error) => mount_to_body(move || view! { <shell::StorageUnavailable error /> }),
        }
    });
}

async fn load(name: &str) -> Result<(Store, Device, Option<SyncSettings>), StoreError> {
    let timing = state::Timing::start("ratchet-load");
    let store = Store::open(name).await?;
    let settings = store.sync_settings().await?;
    let client = settings
        .as_ref()
        .map_or_else(ClientId::new, |s| s.credential.client);
    let mut device = store.load(client, state::now_ms()).await?;
    // A register kept on this device alone starts, like an organisation's, with Annex A.
    if name == LOCAL_DB && device.record_count() == 0 && device.pending() == 0 {
        register::catalogue::seed_controls(&mut device, "local", state::now_ms());
        store.save(&mut device).await?;
    }
    timing.finish();
    Ok((store, device, settings))
}
