//! The app shell: header with connection and sync status, navigation, refused changes, and
//! the routed page.

use crate::{
    online::online_signal,
    routes::{AppRoutes, Group, NAV, preload_pages},
    state::{AppState, use_app_state},
    store::{Store, StoreError, SyncSettings},
    sync::{self, SyncStatus},
};
use leptos::prelude::*;
use leptos_router::components::{A, Router};
use register::{Kind, Role, sync::Device};

#[component]
pub fn App(
    store: Store,
    device: Device,
    settings: Option<SyncSettings>,
    /// A new register kept on this device alone, to be given the catalogue once drawn.
    seed: bool,
) -> impl IntoView {
    let state = AppState::new(store, device, settings, online_signal());
    provide_context(state);
    leptos::task::spawn_local(async move {
        if let Ok(Some(restored)) = state.store().restored().await {
            if state.settings.with_untracked(Option::is_none) && !restored.members.is_empty() {
                state.members.set(restored.member_infos());
            }
            state.restored.set(Some(restored));
        }
    });
    sync::start(state);
    crate::state::follow_the_calendar(state.today);
    Effect::new(move |_| {
        if state.online.get() {
            state.kick_sync();
        }
    });
    // The page is drawn in the task after the shell's, so that on a slow phone neither is one
    // long task (together they were ~130 ms at 4x CPU, Lighthouse's biggest share of blocking).
    let page_drawn = RwSignal::new(false);
    set_timeout(
        move || {
            page_drawn.set(true);
            request_animation_frame(move || {
                after_first_frame(state, seed);
                // A task queued in a frame's callbacks runs once that frame is painted.
                set_timeout(move || state.painted.set(true), std::time::Duration::ZERO);
            });
        },
        std::time::Duration::ZERO,
    );
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Ratchet"</A>
                <Show when=move || state.may_create(Kind::Event)>
                    <A href="/report" attr:class="report-link button">"Report"</A>
                </Show>
                <div class="status">
                    <SyncBadge />
                    <ConnectionIndicator online=state.online />
                </div>
            </header>
            <Navigation />
            <Notices />
            <main>
                <Show when=move || page_drawn.get()>
                    <AppRoutes />
                </Show>
            </main>
        </Router>
    }
}

/// Once the first page is on screen: says so, seeds a new register's catalogue, takes the
/// monthly snapshot, then loads the rest of the code in idle time.
fn after_first_frame(state: AppState, seed: bool) {
    // Tests and the cold-start benchmark wait for this: the page is drawn and holds its data.
    if let Some(root) = document().document_element() {
        root.set_attribute("data-ready", "true").ok();
    }
    if let Some(performance) = window().performance() {
        performance.mark("ratchet-ready").ok();
    }
    leptos::task::spawn_local(async move {
        state.refresh_uploads().await;
        if seed {
            // After the frame is painted.
            gloo_timers::future::TimeoutFuture::new(0).await;
            crate::seed_local_register(state).await;
        }
        crate::routes::idle().await;
        crate::pages::dashboard::monthly_snapshot(state).await;
        // Then the other pages' code, in idle time.
        preload_pages().await;
        // The register lives in this browser's storage: ask that it not be cleared when
        // space runs low (the browser decides; the Evidence page says what it decided).
        if let Ok(asked) = window().navigator().storage().persist() {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        }
    });
}

/// The registers, grouped as the loop they serve; on a phone the four groups sit side by
/// side, so every register is one tap away without scrolling sideways.
#[component]
fn Navigation() -> impl IntoView {
    let state = use_app_state();
    let links = |group: Group| {
        NAV.iter()
            .filter(move |link| link.group == group)
            .map(|link| {
                // "My work" carries the count of what is pressing, once its code is in.
                let badge = (link.path == "/my-work").then(|| {
                    view! {
                        <Show when=move || state.painted.get()>
                            <Suspense>{Suspend::new(crate::routes::View::Badge.load())}</Suspense>
                        </Show>
                    }
                });
                view! { <A href=link.path exact={link.path == "/"}>{link.label}{badge}</A> }
            })
            .collect_view()
    };
    view! {
        <nav class="registers" aria-label="Registers">
            <div class="nav-top">{links(Group::Top)}</div>
            <div class="nav-loop">
                {Group::LOOP.map(|group| view! {
                    <div class="nav-group" role="group" aria-label=group.name()>
                        <span class="nav-step" aria-hidden="true">{group.name()}</span>
                        {links(group)}
                    </div>
                }).collect_view()}
            </div>
        </nav>
    }
}

#[component]
fn ConnectionIndicator(online: RwSignal<bool>) -> impl IntoView {
    view! {
        <p class="connection" class:offline=move || !online.get() role="status" aria-live="polite">
            {move || if online.get() { "Online" } else { "Offline: changes stay on this device" }}
        </p>
    }
}

fn time_of_day(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Sync state and pending changes, always on screen.
#[component]
fn SyncBadge() -> impl IntoView {
    let state = use_app_state();
    let pending = move || state.read(|d| d.pending());
    let label = move || match state.sync.get() {
        SyncStatus::LocalOnly => "On this device only".to_owned(),
        SyncStatus::Offline => "Offline".to_owned(),
        SyncStatus::Idle => "Not synced yet".to_owned(),
        SyncStatus::Syncing { done, total } if total > 0 => format!("Syncing {done}/{total}"),
        SyncStatus::Syncing { .. } => "Syncing".to_owned(),
        SyncStatus::Synced { at_ms } => format!("Synced {}", time_of_day(at_ms)),
        SyncStatus::Error { .. } => "Sync failed".to_owned(),
    };
    let progress = move || match state.sync.get() {
        SyncStatus::Syncing { done, total } if total > 0 => Some((done, total)),
        _ => None,
    };
    let error = move || match state.sync.get() {
        SyncStatus::Error { message } => Some(message),
        _ => None,
    };
    view! {
        <div
            class="sync"
            data-testid="sync-status"
            data-synced-at=move || state.settings.get().and_then(|s| s.last_synced_ms).map(|ms| ms.to_string())
            title=move || error().unwrap_or_default()
        >
            <span class="sync-label">{label}</span>
            <span class="pending" data-testid="pending-count">
                // Pending means "not yet sent": nothing is sent while the device syncs with no one.
                {move || match pending() {
                    n if n > 0 && state.settings.get().is_some() => format!("{n} pending"),
                    _ => String::new(),
                }}
            </span>
            <span class="pending" data-testid="uploads-count">
                {move || {
                    let waiting = state.uploads.with(|u| u.iter().filter(|u| u.refused.is_none()).count());
                    match waiting {
                        0 => String::new(),
                        _ if state.settings.get().is_none() => String::new(),
                        1 => "1 file to upload".to_owned(),
                        n => format!("{n} files to upload"),
                    }
                }}
            </span>
            {move || progress().map(|(done, total)| view! {
                <progress max=total.to_string() value=done.to_string() aria-label="Sync progress"></progress>
            })}
            <Show when=move || state.settings.get().is_some()>
                <button type="button" class="small" on:click=move |_| state.kick_sync()>"Sync now"</button>
            </Show>
        </div>
    }
}

/// Refused changes and storage problems, until the person dismisses them; and a page whose
/// code has not reached this device yet, while it waits for a connection.
#[component]
fn Notices() -> impl IntoView {
    let state = use_app_state();
    // The part loader fetches again when the connection returns (`xtask/src/split.rs`).
    let part_waiting = RwSignal::new(false);
    let waiting =
        window_event_listener_untyped("ratchet-part-waiting", move |_| part_waiting.set(true));
    let loaded =
        window_event_listener_untyped("ratchet-part-loaded", move |_| part_waiting.set(false));
    on_cleanup(move || {
        waiting.remove();
        loaded.remove();
    });
    let refused = move || state.read(|d| d.refused.clone());
    let dismiss = move |_| {
        leptos::task::spawn_local(async move {
            let _ = state.apply(|d| d.clear_refused()).await;
        });
    };
    let label_of = |field: &str| field.replace('_', " ");
    view! {
        <Show when=move || !refused().is_empty()>
            <section class="notice refused" role="alert" aria-label="Refused changes">
                <h2>"The server refused some changes"</h2>
                <ul>
                    {move || refused().into_iter().map(|r| view! {
                        <li>{format!("“{}”: {}", label_of(&r.field), r.message)}</li>
                    }).collect_view()}
                </ul>
                <p>"Those fields show the organisation's value again."</p>
                <button type="button" on:click=dismiss>"Dismiss"</button>
            </section>
        </Show>
        <Show when=move || part_waiting.get()>
            <p class="notice" role="status">
                "This page needs a connection once: its code has not reached this device yet. It opens by itself when you are back online."
            </p>
        </Show>
        <Show when=move || state.notice.get().is_some()>
            <section class="notice" role="alert">
                <p>{move || state.notice.get()}</p>
                <button type="button" on:click=move |_| state.notice.set(None)>"Dismiss"</button>
            </section>
        </Show>
        {state.read_only.then(|| view! { <ExportView /> })}
        <Show when=move || !state.may_write(Kind::Risk) && state.settings.get().is_some()>
            <p class="notice readonly">{move || match state.role() {
                Role::Auditor => "You are an auditor here: you can read the register and record audits, findings and reports, but not change risks or controls.",
                _ => "You are a viewer here: you can read the register and report what you see, but not change it.",
            }}</p>
        </Show>
    }
}

/// localStorage key naming the database to go back to when an export being read is closed.
pub const BEFORE_EXPORT_VIEW_KEY: &str = "ratchet.database-before-export-view";

/// On every page of an export opened to be read: whose it is, that nothing can change, and
/// the way back to the device's own register.
#[component]
fn ExportView() -> impl IntoView {
    let state = use_app_state();
    let close = move |_| {
        leptos::task::spawn_local(async move {
            state.store().close();
            let _ = crate::store::Store::delete(crate::store::EXPORT_VIEW_DB).await;
            let storage = window().local_storage().ok().flatten();
            let before = storage
                .as_ref()
                .and_then(|s| s.get_item(BEFORE_EXPORT_VIEW_KEY).ok().flatten())
                .unwrap_or_else(|| crate::store::LOCAL_DB.to_owned());
            crate::set_active_database(&before);
            let _ = window().location().set_href("/");
        });
    };
    view! {
        <aside class="notice readonly" aria-label="Export being read">
            <p>{move || state.restored.get().map(|r| format!(
                "You are reading an export of {}, exported {}: {} log entries. Nothing here can be changed, and nothing is synced.",
                r.organisation.map_or_else(|| "a register kept on one device".to_owned(), |o| format!("“{o}”")),
                r.exported_at,
                r.entries,
            ))}</p>
            <button type="button" on:click=close>"Close the export"</button>
        </aside>
    }
}

/// Shown while another tab of this browser has the register open; this one carries on when
/// that tab closes.
#[component]
pub fn OpenElsewhere() -> impl IntoView {
    view! {
        <main class="fatal" role="status">
            <h1>"Ratchet is open in another tab"</h1>
            <p>"This browser keeps one copy of your register, and one tab works on it at a time. Use the other tab or window, or close it: this page then opens the register by itself."</p>
        </main>
    }
}

#[component]
pub fn StorageUnavailable(error: StoreError) -> impl IntoView {
    view! {
        <main class="fatal">
            <h1>"Ratchet cannot open its storage"</h1>
            <p>{error.to_string()}</p>
            <p>"Your register lives in this browser's storage. Allow site data for this page, or leave private browsing, then reload."</p>
        </main>
    }
}
