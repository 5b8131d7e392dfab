//! One report from the inbox: how long it took to detect and to resolve, and triage.

use super::{
    RoutedDetail,
    history::RecordHistory,
    inbox::timings,
    record::{RecordEditor, now_stored},
};
use crate::state::use_app_state;
use leptos::{prelude::*, task::spawn_local};
use register::{Kind, RecordId, Value, dates::duration_words, views};

lazy_page!(EventRoute, EventDetail);

#[component]
pub fn EventDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Event back="/inbox" back_label="← Inbox" page=|id| view! { <EventPage id /> }.into_any() />
    }
}

#[component]
fn EventPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let event = Memo::new(move |_| state.read(|d| d.local.view::<views::Event>(id)));
    let title = move || event.get().and_then(|e| e.title).unwrap_or_default();
    let detect = move || {
        let (detect, _) = timings(&event.get()?);
        Some(detect.map_or_else(|| "not known (when did it happen?)".into(), duration_words))
    };
    let resolve = move || {
        let event = event.get()?;
        let (_, resolve) = timings(&event);
        Some(match (resolve, event.resolved_at) {
            (Some(minutes), _) => duration_words(minutes),
            (None, Some(_)) => "not known (when was it detected?)".into(),
            (None, None) => "not resolved yet".into(),
        })
    };
    let open = move || {
        event
            .get()
            .is_some_and(|e| !matches!(e.status.as_deref(), Some("resolved" | "closed")))
    };
    let resolve_now = move |_| {
        spawn_local(async move {
            let changes = vec![
                ("status", Value::Text("resolved".into())),
                ("resolved_at", Value::Text(now_stored())),
            ];
            if let Err(errors) = state.update(id, Kind::Event, changes).await {
                let message = errors.into_iter().map(|e| e.message).collect::<Vec<_>>();
                state.notice.set(Some(message.join(" ")));
            }
        });
    };
    view! {
        <h1>{title}</h1>
        <dl class="timings" aria-label="Timings">
            <div><dt>"Time to detect"</dt><dd data-testid="time-to-detect">{detect}</dd></div>
            <div><dt>"Time to resolve"</dt><dd data-testid="time-to-resolve">{resolve}</dd></div>
        </dl>
        <Show when=move || open() && state.may_write(Kind::Event)>
            <button type="button" on:click=resolve_now>"Mark resolved now"</button>
        </Show>
        <RecordEditor kind=Kind::Event id fields=&["status", "event_type", "title", "description", "location", "severity", "occurred_at", "detected_at", "resolved_at", "reporter", "controls", "risks"] />
        <RecordHistory id kind=Kind::Event />
    }
}
