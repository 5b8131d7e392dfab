//! The monthly summary for management, one printable page: what changed since last month's
//! snapshot, the headline indicators with their arrows, maturity against target, overdue work
//! by owner and the month's nonconformities. Computed by `register::summary`; this draws it.

use super::figures::arrow;
use crate::components::document::{Control, DocumentControl};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{dates, summary};

#[component]
pub fn MonthlySummaryPage() -> impl IntoView {
    let state = use_app_state();
    let summary = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        Some(state.read(|d| summary::monthly(&d.local, today)))
    });
    let name = move |member| {
        state
            .name_of(member)
            .unwrap_or_else(|| "a former member".into())
    };
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <section class="page summary">
            <p class="back no-print"><A href="/">"← Dashboard"</A></p>
            {move || summary.get().map(|s| view! {
                <h1>{format!("Management summary: {}", s.month)}</h1>
                <DocumentControl document=format!("Management summary, {}", s.month) control=Signal::stored(Control::default()) />
                <p class="lede">{match &s.compared_with {
                    Some(day) => format!("The register as it stands on {}, compared with the monthly snapshot of {day}.", s.as_of),
                    None => format!("The register as it stands on {}. There is no earlier monthly snapshot to compare with: next month's summary will compare with this month's.", s.as_of),
                }}</p>
                <div class="actions no-print"><button type="button" class="secondary" on:click=print>"Print"</button></div>

                <h2>"What changed since last month"</h2>
                {if s.changes.is_empty() {
                    view! { <p class="empty">"Nothing moved since the last monthly snapshot."</p> }.into_any()
                } else {
                    view! { <ul aria-label="What changed since last month">{s.changes.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul> }.into_any()
                }}

                <h2>{format!("Nonconformities in {}", s.month)}</h2>
                <p>{format!("{} opened, {} closed.", s.nonconformities_opened, s.nonconformities_closed)}</p>

                <h2>"Maturity against target"</h2>
                <div class="table-wrap">
                    <table aria-label="Maturity against target">
                        <thead><tr><th scope="col">"Area"</th><th scope="col">"Level"</th><th scope="col">"Target"</th><th scope="col">"Last month"</th></tr></thead>
                        <tbody>
                            {s.maturity.iter().map(|a| view! {
                                <tr>
                                    <th scope="row">{a.area.title()}</th>
                                    <td>{a.level.to_string()}</td>
                                    <td>{a.target.map_or("not set".to_owned(), |t| t.to_string())}</td>
                                    <td>{a.last_month.map_or("—".to_owned(), |l| l.to_string())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>

                <h2>"Overdue work by owner"</h2>
                {if s.overdue_by_owner.is_empty() {
                    view! { <p class="empty">"Nothing is overdue."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table aria-label="Overdue work by owner">
                                <thead><tr><th scope="col">"Owner"</th><th scope="col">"Overdue"</th></tr></thead>
                                <tbody>
                                    {s.overdue_by_owner.iter().map(|(owner, overdue)| view! {
                                        <tr><th scope="row">{name(*owner)}</th><td>{overdue.to_string()}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}

                <h2>"Headline indicators"</h2>
                <div class="table-wrap">
                    <table aria-label="Headline indicators">
                        <thead><tr><th scope="col">"Indicator"</th><th scope="col">"Now"</th><th scope="col">"Period before"</th><th scope="col">"Move"</th></tr></thead>
                        <tbody>
                            {s.headline.into_iter().map(|h| view! {
                                <tr>
                                    <th scope="row"><A href=format!("/indicators/{}", h.key)>{h.name}</A></th>
                                    <td>{h.now}</td>
                                    <td>{h.before}</td>
                                    <td>{format!("{} {}", arrow(h.trend), h.trend.short()).trim().to_owned()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
