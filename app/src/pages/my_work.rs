//! My work: everything assigned to me across the registers, overdue, this week and later; and
//! the navigation's badge, which also says once when something has become overdue.

use crate::{routes::record_path, state::use_app_state};
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    RecordId, dates,
    work::{self, Item, MyWork},
};

/// The person whose work this is: the organisation member this device belongs to; on a
/// register kept on one device, its one user (everything).
fn me(state: crate::state::AppState) -> Option<RecordId> {
    state.me().and_then(|m| m.parse().ok())
}

/// My work as the register stands; `settled`, once it has stopped changing (the badge, which
/// is on every page and need not follow each change of a burst).
fn mine(state: crate::state::AppState, settled: bool) -> Option<MyWork> {
    let today = dates::date(&state.today.get())?;
    let me = me(state);
    let of = |d: &register::sync::Device| work::my_work(&d.local, me, today);
    Some(if settled {
        state.read_settled_of(work::READS, of)
    } else {
        state.read(of)
    })
}

#[component]
fn Group(title: &'static str, items: Vec<Item>) -> impl IntoView {
    let count = items.len();
    view! {
        <h2>{format!("{title} ({count})")}</h2>
        {if items.is_empty() {
            view! { <p class="empty">"Nothing."</p> }.into_any()
        } else {
            view! {
                <ul class="record-list" aria-label=title>
                    {items.into_iter().map(|item| {
                        let due = item.due.map(|d| format!("due {d}")).unwrap_or_else(|| "no date".into());
                        let name = item.title.clone();
                        view! {
                            <li class="record">
                                {match record_path(item.kind, item.id) {
                                    Some(href) => view! { <A href=href attr:class="record-title">{name}</A> }.into_any(),
                                    None => view! { <span class="record-title">{name}</span> }.into_any(),
                                }}
                                <span class="tags">
                                    <span class="tag">{item.what}</span>
                                    <span class="tag">{item.kind.spec().label}</span>
                                    <span class="tag" class:overdue=title == "Overdue">{due}</span>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn MyWorkPage() -> impl IntoView {
    let state = use_app_state();
    let work = Memo::new(move |_| mine(state, false));
    view! {
        <section class="page">
            <h1>"My work"</h1>
            <p class="lede">{move || match state.me() {
                Some(_) => "Everything assigned to you across the registers, by when it is due.",
                None => "Everything the register asks of you, by when it is due: on a register kept on this device alone, all of it is yours.",
            }}</p>
            {move || work.get().map(|w| view! {
                <Group title="Overdue" items=w.overdue />
                <Group title="This week" items=w.this_week />
                <Group title="Later" items=w.later />
            })}
        </section>
    }
}

/// localStorage key of what was overdue when last looked at, per register.
fn seen_key() -> String {
    format!("ratchet.overdue-seen.{}", crate::active_database())
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The count of pressing work (overdue or due this week) beside "My work"; after start and
/// after every sync, a notice names what has become overdue since last seen.
#[component]
pub fn Badge() -> impl IntoView {
    let state = use_app_state();
    let work = Memo::new(move |_| mine(state, true));
    Effect::new(move |_| {
        let Some(work) = work.get() else { return };
        let now: Vec<RecordId> = work.overdue.iter().map(|i| i.id).collect();
        // The first look at a register is the baseline: only what turns overdue after it is news.
        let seen: Option<Vec<RecordId>> = storage()
            .and_then(|s| s.get_item(&seen_key()).ok().flatten())
            .map(|text| text.split(',').filter_map(|id| id.parse().ok()).collect());
        let fresh = seen
            .map(|seen| work::newly_overdue(&work, &seen))
            .unwrap_or_default();
        if !fresh.is_empty() {
            let names: Vec<String> = fresh
                .iter()
                .take(3)
                .map(|i| format!("“{}”", i.title))
                .collect();
            let more = fresh.len().saturating_sub(3);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            state.notice.set(Some(format!(
                "Now overdue: {}{tail}. See My work.",
                names.join(", ")
            )));
        }
        if let Some(storage) = storage() {
            let text: Vec<String> = now.iter().map(ToString::to_string).collect();
            let _ = storage.set_item(&seen_key(), &text.join(","));
        }
    });
    view! {
        {move || work.get().map(|w| w.pressing()).filter(|n| *n > 0).map(|n| view! {
            <span class="badge" data-testid="my-work-count" aria-label=format!("{n} due this week or overdue")>{n.to_string()}</span>
        })}
    }
}
