//! The pages, grouped as the loop they serve: Plan (risks, SoA, objectives), Do (controls),
//! Check (metrics, the report inbox, audits), Act (findings, actions, reviews), plus the
//! dashboard with maturity, the PDCA board, my work, the demo and the organisation. One folder per register holds its list, detail page and forms; the
//! parts they share are in `components`, and `routes.rs` says where each page lives.

pub mod act;
pub mod board;
pub mod check;
pub mod dashboard;
pub mod demo;
pub mod r#do;
pub mod go;
pub mod my_work;
pub mod not_found;
pub mod organisation;
pub mod plan;
pub mod reminders;

/// Loads, in the background, the code the pages call lazily outside the route table (the
/// monthly snapshot, the demo), so they work offline too (`routes::preload_pages`).
pub async fn preload_parts() {
    dashboard::preload().await;
    demo::preload().await;
}
