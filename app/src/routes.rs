//! The one route table: each page's path, its code (loaded lazily unless it is the first
//! screen), where the navigation lists it, and which kind of record it shows. The routes,
//! the navigation, the links to records and the offline preload are all generated from it,
//! so a page cannot be routed and yet missing offline or from the menu.

use crate::pages;
use leptos::prelude::*;
use leptos_router::{
    Lazy, LazyRoute,
    components::{Route, Routes},
    path,
};
use register::{Kind, RecordId};

/// Where a navigation link sits: the top bar, or one of the four steps of the loop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Group {
    Top,
    Plan,
    Do,
    Check,
    Act,
}

impl Group {
    pub const LOOP: [Group; 4] = [Group::Plan, Group::Do, Group::Check, Group::Act];

    pub fn name(self) -> &'static str {
        match self {
            Group::Top => "",
            Group::Plan => "Plan",
            Group::Do => "Do",
            Group::Check => "Check",
            Group::Act => "Act",
        }
    }
}

pub struct NavLink {
    pub group: Group,
    pub path: &'static str,
    pub label: &'static str,
}

macro_rules! route_table {
    ($(
        $load:ident $path:tt => $($page:ident)::+
        $(, nav $group:ident $label:literal)?
        $(, shows $kind:ident)?
        ;
    )*) => {
        /// Every page under its path.
        #[component]
        pub fn AppRoutes() -> impl IntoView {
            view! {
                <Routes fallback=pages::not_found::NotFound>
                    $( <Route path=path!($path) view={route_table!(@view $load $($page)::+)} /> )*
                </Routes>
            }
        }

        /// The navigation, in the table's order.
        pub const NAV: &[NavLink] = &[
            $( $( NavLink { group: Group::$group, path: $path, label: $label }, )? )*
        ];

        /// The page of a record of `kind`, if one shows that kind.
        pub fn record_path(kind: Kind, id: RecordId) -> Option<String> {
            #[allow(unreachable_patterns)]
            match kind {
                $( $( Kind::$kind => Some($path.replace(":id", &id.to_string())), )? )*
                _ => None,
            }
        }

        /// Loads the code left out of the first load (the write path, sync and every lazily
        /// loaded page) in the background, one part at a time and
        /// each when the browser is idle, so a first visit on a slow phone stays responsive
        /// and its network quiet (all at once, the ~190 parts' fetches and instantiations
        /// made long tasks and held time to interactive back by seconds). Pages then open at
        /// once and keep working if the network goes before the service worker has stored
        /// them. When all are in, `<html data-offline-ready="true">` says so (tests wait for
        /// it).
        pub async fn preload_pages() {
            use std::{future::Future, pin::Pin};
            // The write path and sync first: a page opened offline is little use without them.
            let code: [Pin<Box<dyn Future<Output = ()>>>; 3] = [
                Box::pin(crate::state::preload_writes()),
                Box::pin(crate::sync::preload()),
                Box::pin(pages::preload_parts()),
            ];
            let loads: Vec<Pin<Box<dyn Future<Output = ()>>>> = code
                .into_iter()
                .chain([$( route_table!(@preload $load $($page)::+), )*].into_iter().flatten())
                .collect();
            for load in loads {
                idle().await;
                load.await;
            }
            if let Some(root) = document().document_element() {
                root.set_attribute("data-offline-ready", "true").ok();
            }
        }
    };
    (@view lazy $($page:ident)::+) => { Lazy::<$($page)::+>::new() };
    (@view eager $($page:ident)::+) => { $($page)::+ };
    (@preload lazy $($page:ident)::+) => {
        Some(Box::pin(<$($page)::+>::preload()) as Pin<Box<dyn Future<Output = ()>>>)
    };
    (@preload eager $($page:ident)::+) => { None };
}

/// Resolves when the browser next has a moment with nothing else to do, or after a second at
/// most; where there is no `requestIdleCallback` (Safari), after a short pause.
pub(crate) async fn idle() {
    use wasm_bindgen::JsCast;
    let (done, idle) = futures_channel::oneshot::channel::<()>();
    let callback = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = done.send(());
    });
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(1_000);
    let asked = window().request_idle_callback_with_options(callback.unchecked_ref(), &options);
    if asked.is_ok() {
        let _ = idle.await;
    } else {
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
}

route_table! {
    eager "/" => pages::dashboard::Dashboard, nav Top "Dashboard";
    lazy "/my-work" => pages::my_work::MyWorkRoute, nav Top "My work";
    lazy "/board" => pages::board::BoardRoute, nav Top "PDCA board";
    lazy "/indicators/:key" => pages::dashboard::indicator::IndicatorRoute;
    lazy "/maturity" => pages::dashboard::maturity::MaturityRoute;
    lazy "/context" => pages::plan::context::ContextRoute, nav Plan "Context";
    lazy "/context/:id" => pages::plan::context::detail::ContextItemRoute, shows ContextItem;
    lazy "/risks" => pages::plan::risks::RisksRoute, nav Plan "Risks";
    lazy "/risks/:id" => pages::plan::risks::detail::RiskRoute, shows Risk;
    lazy "/soa" => pages::r#do::controls::soa::SoaRoute, nav Plan "SoA";
    lazy "/objectives" => pages::plan::objectives::ObjectivesRoute, nav Plan "Objectives";
    lazy "/objectives/:id" => pages::plan::objectives::detail::ObjectiveRoute, shows Objective;
    lazy "/controls" => pages::r#do::controls::ControlsRoute, nav Do "Controls";
    lazy "/controls/:id" => pages::r#do::controls::detail::ControlRoute, shows Control;
    lazy "/metrics" => pages::check::metrics::MetricsRoute, nav Check "Metrics";
    lazy "/metrics/:id" => pages::check::metrics::detail::MetricRoute, shows Metric;
    lazy "/inbox" => pages::check::inbox::InboxRoute, nav Check "Inbox";
    lazy "/inbox/:id" => pages::check::inbox::detail::EventRoute, shows Event;
    lazy "/report" => pages::check::inbox::report::ReportRoute;
    lazy "/audits" => pages::check::audits::AuditsRoute, nav Check "Audits";
    lazy "/audits/:id" => pages::check::audits::detail::AuditRoute, shows Audit;
    lazy "/audits/:id/report" => pages::check::audits::report::AuditReportRoute;
    lazy "/findings" => pages::act::findings::FindingsRoute, nav Act "Findings";
    lazy "/findings/:id" => pages::act::findings::detail::FindingRoute, shows Finding;
    lazy "/actions" => pages::act::actions::ActionsRoute, nav Act "Actions";
    lazy "/actions/:id" => pages::act::actions::detail::ActionRoute, shows Action;
    lazy "/reviews" => pages::act::reviews::ReviewsRoute, nav Act "Reviews";
    lazy "/reviews/:id" => pages::act::reviews::detail::ReviewRoute, shows Review;
    lazy "/reviews/:id/minutes" => pages::act::reviews::minutes::MinutesRoute;
    lazy "/organisation" => pages::organisation::OrganisationRoute, nav Top "Organisation";
    lazy "/join" => pages::organisation::OrganisationRoute;
}
