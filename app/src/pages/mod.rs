//! The pages, grouped as the loop they serve: Plan (risks, SoA, objectives), Do (controls),
//! Check (metrics, the report inbox, audits), Act (findings, actions, reviews), plus the
//! dashboard with maturity, the PDCA board, my work, the demo and the organisation. One folder per register holds its list, detail page and forms; the
//! parts they share are in `components`, and `routes.rs` says where each page lives.

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

pub mod act;
pub mod board;
pub mod check;
pub mod dashboard;
pub mod demo;
pub mod r#do;
pub mod my_work;
pub mod not_found;
pub mod organisation;
pub mod plan;

/// Loads, in the background, the code the pages call lazily outside their routes (the
/// dashboard's figures, the "My work" badge, the monthly snapshot, the demo), so they work
/// offline too (`routes::preload_pages`).
pub async fn preload_parts() {
    dashboard::preload().await;
    my_work::preload().await;
    demo::preload().await;
}
