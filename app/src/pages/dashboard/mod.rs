//! The dashboard, the first screen: the register at a glance, drawn with the first paint,
//! then the indicators with their trends, maturity against target and the charts, whose code
//! loads just after (`figures`), so the first paint stays small.

pub mod figures;
pub mod indicator;
pub mod maturity;
pub mod summary;

use super::check::inbox::awaiting_triage;
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    findings::{open_nonconformities, overdue_actions},
    metrics::due_metrics,
    views,
};

#[component]
pub fn Dashboard() -> impl IntoView {
    let state = use_app_state();
    let risks = move || state.read(|d| d.local.all::<views::Risk>());
    let total = move || risks().len();
    let severe = move || {
        let criteria = state.read(|d| register::risk::Criteria::read(&d.local));
        risks()
            .iter()
            .filter_map(views::Risk::inherent_score)
            .filter(|&s| criteria.is_high(s))
            .count()
    };
    let waiting = move || {
        state.read(|d| {
            d.local
                .all::<views::Event>()
                .iter()
                .filter(|e| awaiting_triage(e))
                .count()
        })
    };
    let due = move || {
        let Some(today) = register::dates::date(&state.today.get()) else {
            return 0;
        };
        state.read(|d| due_metrics(&d.local, today).len())
    };
    let open_nc = move || state.read(|d| open_nonconformities(&d.local));
    let overdue = move || {
        let today = state.today.get();
        state.read(|d| overdue_actions(&d.local, &today))
    };
    let records = move || state.read(|d| d.record_count());
    let org = move || state.settings.get().map(|s| s.credential.org_name);
    view! {
        <section class="page">
            <h1>"Dashboard"</h1>
            <p class="lede">
                {move || match org() {
                    Some(name) => format!("The ISMS register of {name}, kept on this device and synced with your colleagues. It works without a network."),
                    None => "Your ISMS register, kept on this device. It works without a network; nothing you enter leaves the device until you create or join an organisation.".to_owned(),
                }}
            </p>
            <div class="cards">
                <A href="/risks" attr:class="card">
                    <span class="card-figure" data-testid="risk-count">{total}</span>
                    <span class="card-label">"risks recorded"</span>
                </A>
                <A href="/risks" attr:class="card">
                    <span class="card-figure">{severe}</span>
                    <span class="card-label">"rated high or critical"</span>
                </A>
                <A href="/inbox" attr:class="card">
                    <span class="card-figure" data-testid="waiting-count">{waiting}</span>
                    <span class="card-label">"reports waiting for triage"</span>
                </A>
                <A href="/metrics" attr:class="card">
                    <span class="card-figure">{due}</span>
                    <span class="card-label">"metrics due for measurement"</span>
                </A>
                <A href="/findings" attr:class="card">
                    <span class="card-figure" data-testid="open-nc-count">{open_nc}</span>
                    <span class="card-label">"nonconformities open"</span>
                </A>
                <A href="/actions" attr:class="card">
                    <span class="card-figure">{overdue}</span>
                    <span class="card-label">"actions overdue"</span>
                </A>
            </div>
            <p class="lede">
                <span data-testid="record-count">{records}</span>
                " records on this device."
            </p>
            <crate::pages::demo::DemoOffer />
            <ExportReminder />
            <Show when=move || state.painted.get() fallback=computing>
                <Suspense fallback=computing>
                    {Suspend::new(crate::routes::View::Figures.load())}
                </Suspense>
            </Show>
        </section>
    }
}

/// Shown while the figures' code loads, and then while they are computed.
fn computing() -> impl IntoView {
    view! { <p class="loading" role="status">"Computing the indicators…"</p> }
}

/// Takes this month's maturity snapshot, if it has not been taken and there is something to
/// measure, so the trend is kept as records that sync.
#[leptos::lazy]
pub async fn monthly_snapshot(state: crate::state::AppState) {
    use register::{Kind, choices::Occasion, maturity};
    let Some(today) = register::dates::date(&state.today.get_untracked()) else {
        return;
    };
    if !state.may_write(Kind::MaturitySnapshot) {
        return;
    }
    let fields = state.read_untracked(|d| {
        let used =
            !d.local.all::<views::Risk>().is_empty() || !d.local.all::<views::Finding>().is_empty();
        (used && maturity::monthly_snapshot_due(&d.local, today))
            .then(|| maturity::snapshot_of(&d.local, today, Occasion::Monthly, None))
    });
    if let Some(fields) = fields {
        let _ = state.create(Kind::MaturitySnapshot, fields).await;
    }
}

/// Loads the monthly snapshot's code in the background (`pages::preload_parts`).
pub async fn preload() {
    __preload_monthly_snapshot().await;
}

/// Days after which a register kept on this device alone asks to be exported again.
const EXPORT_EVERY_DAYS: u64 = 30;

/// On a register kept in this browser alone, which the browser may evict: when it was last
/// exported, once that is never or over a month ago, with the way to export it.
#[component]
fn ExportReminder() -> impl IntoView {
    let state = use_app_state();
    let last_exported =
        LocalResource::new(
            move || async move { state.store().last_exported_ms().await.ok().flatten() },
        );
    let alone = state.settings.with_untracked(Option::is_none)
        && crate::active_database() == crate::store::LOCAL_DB;
    // Records of its own, beyond the catalogue every register starts with.
    let own =
        move || state.read(|d| d.local.len() > d.local.of_kind(register::Kind::Control).count());
    move || {
        let last = last_exported.get()?;
        let now = crate::state::now_ms();
        let due = last.is_none_or(|ms| now.saturating_sub(ms) > EXPORT_EVERY_DAYS * 86_400_000);
        (alone && due && own()).then(|| {
            let said = match last {
                None => {
                    "This register is kept only in this browser, and it has never been exported."
                        .to_owned()
                }
                Some(ms) => format!(
                    "This register is kept only in this browser, last exported {} days ago.",
                    now.saturating_sub(ms) / 86_400_000
                ),
            };
            view! {
                <aside class="notice" aria-label="Export reminder">
                    <p>{said}" A browser may clear what it stores: keep a copy."</p>
                    <A href="/organisation#export-heading">"Export it"</A>
                </aside>
            }
        })
    }
}
