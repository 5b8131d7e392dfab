//! The PDCA board: the current cycle's work in the four steps of the loop, each card a link
//! to its record.

use crate::{routes::record_path, state::use_app_state};
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    dates,
    work::{self, Card},
};

#[component]
fn Column(title: &'static str, what: &'static str, cards: Vec<Card>) -> impl IntoView {
    let count = cards.len();
    view! {
        <section class="column" aria-labelledby=format!("step-{title}")>
            <h2 id=format!("step-{title}")>{title}" "<span class="count">{format!("({count})")}</span></h2>
            <p class="muted">{what}</p>
            <ul class="cards-list" aria-label=title>
                {cards.into_iter().map(|card| {
                    let href = record_path(card.kind, card.id);
                    view! {
                        <li class="board-card">
                            {match href {
                                Some(href) => view! { <A href=href>{card.title}</A> }.into_any(),
                                None => view! { <span>{card.title}</span> }.into_any(),
                            }}
                            <span class="tag">{format!("{} · {}", card.kind.spec().label, card.note)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn Board() -> impl IntoView {
    let state = use_app_state();
    let board = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        Some(state.read(|d| work::board(&d.local, today)))
    });
    view! {
        <section class="page">
            <h1>"PDCA board"</h1>
            <p class="lede">"The current cycle's work in the four steps of the loop: what to plan, what is being done, what to check, and what to act on."</p>
            {move || board.get().map(|b| view! {
                <div class="board">
                    <Column title="Plan" what="Risks to assess or treat, objectives not on track, audits planned." cards=b.plan />
                    <Column title="Do" what="Actions in progress, controls being implemented." cards=b.r#do />
                    <Column title="Check" what="Measurements due, audits in progress, effectiveness checks due." cards=b.check />
                    <Column title="Act" what="Open findings, review outputs." cards=b.act />
                </div>
            })}
        </section>
    }
}
