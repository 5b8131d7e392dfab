//! The app shell: header with the connection indicator, navigation, and the routed page.

use crate::{online::online_signal, pages, state::AppState, store::Store, store::StoreError};
use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};
use register::Risk;

#[component]
pub fn App(store: Store, risks: Vec<Risk>) -> impl IntoView {
    let state = AppState::new(store, risks, online_signal());
    provide_context(state);
    // Tests and the cold-start benchmark wait for this: the page is drawn and holds its data.
    request_animation_frame(|| {
        if let Some(root) = document().document_element() {
            root.set_attribute("data-ready", "true").ok();
        }
        if let Some(performance) = window().performance() {
            performance.mark("ratchet-ready").ok();
        }
    });
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Ratchet"</A>
                <ConnectionIndicator online=state.online />
            </header>
            <nav class="tabs" aria-label="Registers">
                <A href="/" exact=true>"Overview"</A>
                <A href="/risks">"Risks"</A>
            </nav>
            <main>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::overview::Overview />
                    <Route path=path!("/risks") view=pages::risks::Risks />
                </Routes>
            </main>
        </Router>
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
