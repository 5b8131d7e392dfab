//! The one route table: each page's path, the part of the code it is loaded with (lazily,
//! unless it is the first screen), where the navigation lists it, and which kind of record it
//! shows. The routes,
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
    (
        eager $home:tt => $($home_page:ident)::+, nav $home_group:ident $home_label:literal;
        $(
            part $part:ident {
                $(
                    $name:ident $path:tt => $($page:ident)::+
                    $(, nav $group:ident $label:literal)?
                    $(, shows $kind:ident)?
                    ;
                )*
            }
            $( and views { $( $extra:ident => $($extra_view:ident)::+; )* } )?
        )*
    ) => {
        /// Every lazily loaded view: the pages, and the parts of pages that load after them.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum View {
            $( $( $( $extra, )* )? $( $name, )* )*
        }

        impl View {
            /// This view, once the code of its part has loaded.
            pub async fn load(self) -> AnyView {
                match self {
                    $( $( $( View::$extra => $part::view(self).await, )* )? $( View::$name => $part::view(self).await, )* )*
                }
            }
        }

        $(
            /// One part of the app's code, split out of the first load and loaded whole on
            /// the first visit to any of its views (`xtask/src/split.rs`).
            pub mod $part {
                use super::*;

                #[leptos::lazy($part)]
                pub fn view(view: View) -> AnyView {
                    match view {
                        $( $( View::$extra => leptos::prelude::view! { <$($extra_view)::+ /> }.into_any(), )* )?
                        $( View::$name => leptos::prelude::view! { <$($page)::+ /> }.into_any(), )*
                        #[allow(unreachable_patterns)]
                        _ => unreachable!("{view:?} is not in this part"),
                    }
                }

                pub async fn preload() {
                    __preload_view().await;
                }

                $(
                    pub struct $name;

                    impl LazyRoute for $name {
                        fn data() -> Self {
                            Self
                        }

                        async fn view(_: Self) -> AnyView {
                            view(View::$name).await
                        }

                        async fn preload() {
                            __preload_view().await;
                        }
                    }
                )*
            }
        )*

        /// Every page under its path.
        #[component]
        pub fn AppRoutes() -> impl IntoView {
            view! {
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!($home) view={$($home_page)::+} />
                    $( $( <Route path=path!($path) view={Lazy::<$part::$name>::new()} /> )* )*
                </Routes>
            }
        }

        /// The navigation, in the table's order.
        pub const NAV: &[NavLink] = &[
            NavLink { group: Group::$home_group, path: $home, label: $home_label },
            $( $( $( NavLink { group: Group::$group, path: $path, label: $label }, )? )* )*
        ];

        /// The page of a record of `kind`, if one shows that kind.
        pub fn record_path(kind: Kind, id: RecordId) -> Option<String> {
            #[allow(unreachable_patterns)]
            match kind {
                $( $( $( Kind::$kind => Some($path.replace(":id", &id.to_string())), )? )* )*
                _ => None,
            }
        }

        /// Loads the code left out of the first load (the write path, sync and every part of
        /// the pages) in the background, one part at a time and each when the browser is
        /// idle, so a first visit on a slow phone stays responsive. Pages then open at once
        /// and keep working if the network goes before the service worker has stored them.
        /// When all are in, `<html data-offline-ready="true">` says so (tests wait for it).
        pub async fn preload_pages() {
            use std::{future::Future, pin::Pin};
            // The write path and sync first: a page opened offline is little use without them.
            let loads: Vec<Pin<Box<dyn Future<Output = ()>>>> = vec![
                Box::pin(crate::state::preload_writes()),
                Box::pin(crate::sync::preload()),
                Box::pin(pages::preload_parts()),
                $( Box::pin($part::preload()), )*
            ];
            for load in loads {
                idle().await;
                load.await;
            }
            if let Some(root) = document().document_element() {
                root.set_attribute("data-offline-ready", "true").ok();
            }
        }
    };
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
    // The dashboard's figures and the badge beside "My work" come with the first paint's
    // code; the pages that explain them share their part.
    part measuring {
        MyWork "/my-work" => pages::my_work::MyWorkPage, nav Top "My work";
        GoToRecord "/go/:id" => pages::go::GoToRecord;
        Board "/board" => pages::board::Board, nav Top "PDCA board";
        Indicator "/indicators/:key" => pages::dashboard::indicator::IndicatorDetail;
        Maturity "/maturity" => pages::dashboard::maturity::Maturity;
        Summary "/summary" => pages::dashboard::summary::MonthlySummaryPage, nav Act "Monthly summary";
    } and views {
        Figures => pages::dashboard::figures::Figures;
        Badge => pages::my_work::Badge;
    }
    part plan_do {
        Context "/context" => pages::plan::context::Context, nav Plan "Context";
        ContextItem "/context/:id" => pages::plan::context::detail::ContextItemDetail, shows ContextItem;
        Risks "/risks" => pages::plan::risks::Risks, nav Plan "Risks";
        Risk "/risks/:id" => pages::plan::risks::detail::RiskDetail, shows Risk;
        TreatmentPlan "/risk-treatment-plan" => pages::plan::risks::plan::TreatmentPlanPage;
        RiskCriteria "/risk-criteria" => pages::plan::criteria::RiskCriteriaPage, nav Plan "Risk criteria", shows RiskCriteria;
        Soa "/soa" => pages::r#do::controls::soa::Soa, nav Plan "SoA";
        SoaVersion "/soa/versions/:id" => pages::r#do::controls::soa::SoaVersionDetail, shows SoaVersion;
        Objectives "/objectives" => pages::plan::objectives::Objectives, nav Plan "Objectives";
        Objective "/objectives/:id" => pages::plan::objectives::detail::ObjectiveDetail, shows Objective;
        Controls "/controls" => pages::r#do::controls::Controls, nav Do "Controls";
        Control "/controls/:id" => pages::r#do::controls::detail::ControlDetail, shows Control;
        Documents "/documents" => pages::r#do::documents::Documents, nav Do "Documents";
        Document "/documents/:id" => pages::r#do::documents::detail::DocumentDetail, shows Document;
        DocumentVersion "/documents/versions/:id" => pages::r#do::documents::detail::DocumentVersionDetail, shows DocumentVersion;
        EvidenceRegister "/evidence" => pages::r#do::evidence::EvidenceRegister, nav Do "Evidence";
        Evidence "/evidence/:id" => pages::r#do::evidence::detail::EvidenceDetail, shows Evidence;
    }
    part check {
        Metrics "/metrics" => pages::check::metrics::Metrics, nav Check "Metrics";
        Metric "/metrics/:id" => pages::check::metrics::detail::MetricDetail, shows Metric;
        Inbox "/inbox" => pages::check::inbox::Inbox, nav Check "Inbox";
        Event "/inbox/:id" => pages::check::inbox::detail::EventDetail, shows Event;
        Report "/report" => pages::check::inbox::report::Report;
        Audits "/audits" => pages::check::audits::Audits, nav Check "Audits";
        Audit "/audits/:id" => pages::check::audits::detail::AuditDetail, shows Audit;
        AuditReport "/audits/:id/report" => pages::check::audits::report::AuditReport;
        EvidencePack "/audits/:id/evidence" => pages::check::audits::pack::EvidencePack;
        Walkthroughs "/walkthroughs" => pages::check::walkthroughs::Walkthroughs, nav Check "Walkthroughs";
        WalkthroughRun "/audits/:id/walk" => pages::check::walkthroughs::run::WalkthroughRun;
        WalkthroughTemplate "/walkthroughs/templates/:id" => pages::check::walkthroughs::template::TemplateDetail, shows WalkthroughTemplate;
    }
    part act {
        Findings "/findings" => pages::act::findings::Findings, nav Act "Findings";
        Finding "/findings/:id" => pages::act::findings::detail::FindingDetail, shows Finding;
        Actions "/actions" => pages::act::actions::Actions, nav Act "Actions";
        Action "/actions/:id" => pages::act::actions::detail::ActionDetail, shows Action;
        Reviews "/reviews" => pages::act::reviews::Reviews, nav Act "Reviews";
        Review "/reviews/:id" => pages::act::reviews::detail::ReviewDetail, shows Review;
        Minutes "/reviews/:id/minutes" => pages::act::reviews::minutes::MinutesDetail;
    }
    part organisation {
        Organisation "/organisation" => pages::organisation::Organisation, nav Top "Organisation";
        Join "/join" => pages::organisation::Organisation;
    }
}
