//! One module per route, as in Leptos' hackernews example.

/// Declares `$route`, the route of page `$page`, loaded on its first visit: the page's code
/// is split out of the first-load wasm (`xtask/src/split.rs`) and precached for offline use.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> leptos::prelude::AnyView {
                let _ = this;
                leptos::prelude::view! { <$page /> }.into_any()
            }
        }
    };
}

pub mod chart;
pub mod control;
pub mod controls;
pub mod event;
pub mod history;
pub mod inbox;
pub mod list;
pub mod metric;
pub mod metrics;
pub mod not_found;
pub mod objective;
pub mod objectives;
pub mod organisation;
pub mod overview;
pub mod record;
pub mod report;
pub mod risk;
pub mod risks;
pub mod soa;

use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::LazyRoute;
use leptos_router::{components::A, hooks::use_params_map};
use register::{FieldError, Kind, RecordId};

/// Loads every lazily loaded page's code, all at once, after the app is up: pages then open
/// at once and keep working if the network goes before the service worker has stored them.
/// When all are in, `<html data-offline-ready="true">` says so (tests wait for it).
pub fn preload_pages() {
    use std::{cell::Cell, future::Future, pin::Pin, rc::Rc};
    let loads: Vec<Pin<Box<dyn Future<Output = ()>>>> = vec![
        Box::pin(risks::RisksRoute::preload()),
        Box::pin(risk::RiskRoute::preload()),
        Box::pin(report::ReportRoute::preload()),
        Box::pin(inbox::InboxRoute::preload()),
        Box::pin(event::EventRoute::preload()),
        Box::pin(controls::ControlsRoute::preload()),
        Box::pin(control::ControlRoute::preload()),
        Box::pin(soa::SoaRoute::preload()),
        Box::pin(objectives::ObjectivesRoute::preload()),
        Box::pin(objective::ObjectiveRoute::preload()),
        Box::pin(metrics::MetricsRoute::preload()),
        Box::pin(metric::MetricRoute::preload()),
        Box::pin(organisation::OrganisationRoute::preload()),
    ];
    let left = Rc::new(Cell::new(loads.len()));
    for load in loads {
        let left = left.clone();
        leptos::task::spawn_local(async move {
            load.await;
            left.set(left.get() - 1);
            if left.get() == 0
                && let Some(root) = document().document_element()
            {
                root.set_attribute("data-offline-ready", "true").ok();
            }
        });
    }
}

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
            <p><A href=back>{back_label}</A></p>
            {move || match shown.get() {
                Some((id, false)) => page(id),
                Some((_, true)) => view! { <p class="empty">{format!("This {noun} was deleted.")}</p> }.into_any(),
                None => view! { <p class="empty">{format!("There is no such {noun} on this device (yet).")}</p> }.into_any(),
            }}
        </section>
    }
}

/// The message for one field among a form's errors, shown under that field.
pub fn error_for(
    errors: RwSignal<Vec<FieldError>>,
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

pub const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
pub const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];

#[component]
pub fn ScaleSelect(
    id: &'static str,
    label: &'static str,
    names: [&'static str; 5],
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id bind:value=value>
                {names.iter().enumerate().map(|(i, name)| {
                    let n = (i + 1).to_string();
                    view! { <option value=n.clone()>{format!("{n} – {name}")}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
