//! The demo organisation: offered on a fresh device, built into a register of its own
//! (`ratchet-demo`, never synced and never mixed into a real one), and left again.

use crate::{
    set_active_database,
    state::use_app_state,
    store::{LOCAL_DB, Store},
};
use leptos::{prelude::*, task::spawn_local};
use register::{ClientId, Kind, sync::Device};

/// The database the demo organisation lives in on this device.
pub const DEMO_DB: &str = "ratchet-demo";

/// localStorage key the bench sets to build a larger demo (the year's work this many times).
const DEMO_SCALE_KEY: &str = "ratchet.demo-scale";

fn reload() {
    let _ = window().location().set_href("/");
}

/// Builds a year of the demo organisation up to `today` and switches this tab to it.
#[leptos::lazy]
async fn load(today: String) -> Result<(), String> {
    let today = register::dates::date(&today).ok_or("today's date is unreadable")?;
    let mut device = Device::new(ClientId::new());
    // The bench builds its 20,000-record register from the same demo, the year's work
    // repeated (`tests/bench`); people get one year.
    let scale = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(DEMO_SCALE_KEY).ok().flatten())
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    register::demo::build(&mut device, today, scale);
    let _ = Store::delete(DEMO_DB).await;
    let store = Store::open(DEMO_DB).await.map_err(|e| e.to_string())?;
    store.save(&mut device).await.map_err(|e| e.to_string())?;
    store.close();
    set_active_database(DEMO_DB);
    reload();
    Ok(())
}

/// On a fresh device, the offer of a demo organisation; in the demo, the way back.
#[component]
pub fn DemoOffer() -> impl IntoView {
    let state = use_app_state();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    if crate::active_database() == DEMO_DB {
        let leave = move |_| {
            busy.set(true);
            spawn_local(async move {
                state.store().close();
                let _ = Store::delete(DEMO_DB).await;
                set_active_database(LOCAL_DB);
                reload();
            });
        };
        return view! {
            <aside class="notice demo" aria-label="Demo organisation">
                <p>"This is a demo organisation: a year of a small software company, built on this device and never synced. Look around and change anything."</p>
                <button type="button" on:click=leave disabled=move || busy.get()>"Leave the demo"</button>
            </aside>
        }
        .into_any();
    }
    let fresh = move || {
        state.settings.get().is_none()
            && crate::active_database() == LOCAL_DB
            && state.read(|d| d.local.all::<register::views::Risk>().is_empty())
            && state.may_write(Kind::Risk)
    };
    let start = move |_| {
        busy.set(true);
        let today = state.today.get_untracked();
        spawn_local(async move {
            if let Err(problem) = load(today).await {
                error.try_set(Some(problem));
                busy.try_set(false);
            }
        });
    };
    view! {
        <Show when=fresh>
            <aside class="notice demo" aria-label="Demo organisation">
                <p>"New to Ratchet? See it working on a year of a small company's ISMS: risks, controls, audits, findings, actions, reviews and the maturity they show. It is kept apart from your own register."</p>
                <button type="button" on:click=start disabled=move || busy.get()>
                    {move || if busy.get() { "Building the demo…" } else { "Load a demo organisation" }}
                </button>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </aside>
        </Show>
    }
    .into_any()
}

/// Loads the demo's code in the background (`pages::preload_parts`).
pub async fn preload() {
    __preload_load().await;
}
