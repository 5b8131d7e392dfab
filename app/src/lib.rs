//! Ratchet's browser app: opens the device's register in IndexedDB, then mounts the UI.

mod online;
mod pages;
mod shell;
mod state;
pub mod store;

use leptos::prelude::*;
use store::{LOCAL_DB, Store, StoreError};

/// Opens the register before the first paint, so every page starts with its data.
pub fn start() {
    console_error_panic_hook::set_once();
    // Leptos' executor is set up by mount_to_body, which has not run yet.
    wasm_bindgen_futures::spawn_local(async {
        match load(LOCAL_DB).await {
            Ok((store, risks)) => {
                mount_to_body(move || view! { <shell::App store risks /> });
            }
            Err(error) => mount_to_body(move || view! { <shell::StorageUnavailable error /> }),
        }
    });
}

async fn load(name: &str) -> Result<(Store, Vec<register::Risk>), StoreError> {
    let store = Store::open(name).await?;
    let risks = store.risks().await?;
    Ok((store, risks))
}
