//! One report from the inbox: how long it took to detect and to resolve, and triage.

use super::timings;
use crate::components::{
    RecordLink, RoutedDetail,
    evidence::EvidencePanel,
    history::RecordHistory,
    record::{RecordEditor, now_stored, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::{EventStatus, FindingStatus};
use register::{
    Kind, RecordId, Value, dates::duration_words, events, findings::from_event, gate::Edit, views,
};

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
            .is_some_and(|e| !matches!(e.status, Some(EventStatus::Resolved | EventStatus::Closed)))
    };
    // A personal-data breach's notification deadline, counted down each minute the page is open.
    let now = RwSignal::new(crate::state::now_ms());
    if let Ok(tick) = set_interval_with_handle(
        move || now.set(crate::state::now_ms()),
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || tick.clear());
    }
    let breach = move || {
        let at = register::dates::instant_of_ms(now.get())?;
        events::notification_standing(&event.get()?, at)
    };
    let resolving = Write::new();
    let resolve_now = move |_| {
        resolving.start(vec![Edit {
            record: id,
            kind: Kind::Event,
            fields: vec![
                (views::Event::status, Value::from(EventStatus::Resolved)),
                (views::Event::resolved_at, Value::Text(now_stored())),
            ],
        }]);
    };
    view! {
        <h1>{title}</h1>
        <dl class="timings" aria-label="Timings">
            <div><dt>"Time to detect"</dt><dd data-testid="time-to-detect">{detect}</dd></div>
            <div><dt>"Time to resolve"</dt><dd data-testid="time-to-resolve">{resolve}</dd></div>
        </dl>
        {move || breach().map(|standing| view! { <p class="notice breach" role="status" data-testid="breach-notification">{standing}</p> })}
        <Show when=move || open() && state.may_write(Kind::Event)>
            <button type="button" on:click=resolve_now disabled=move || resolving.pending()>"Mark resolved now"</button>
        </Show>
        {move || resolving.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        <Outcome id event />
        <RecordEditor kind=Kind::Event id />
        <EvidencePanel kind=Kind::Event id />
        <RecordHistory id kind=Kind::Event />
    }
}

/// What became of the report: the findings raised from it, which its reporter can follow;
/// and for those who triage, raising one.
#[component]
fn Outcome(id: RecordId, event: Memo<Option<views::Event>>) -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let raised = Memo::new(move |_| {
        state.read(|d| {
            d.local
                .all::<views::Finding>()
                .into_iter()
                .filter(|f| !f.deleted && f.event == Some(id))
                .map(|f| (f.id, f.status.unwrap_or(FindingStatus::Open)))
                .collect::<Vec<_>>()
        })
    });
    // One finding per tap: the button waits while it is saved, then opens it.
    let raising = Write::new();
    Effect::new(move |_| {
        if let Some(finding) = raising.stored_record() {
            navigate(&format!("/findings/{finding}"), Default::default());
        }
    });
    let raise = move |_| {
        let Some(event) = event.get_untracked() else {
            return;
        };
        if raising.pending_untracked() {
            return;
        }
        raising.start(vec![Edit {
            record: RecordId::new(),
            kind: Kind::Finding,
            fields: from_event(&event, &now_stored()),
        }]);
    };
    view! {
        <Show when=move || !raised.get().is_empty()>
            <section class="outcome" aria-label="What became of this report">
                <h2>"What became of it"</h2>
                <ul>
                    {move || raised.get().into_iter().map(|(finding, status)| view! {
                        <li>"Finding "<RecordLink kind=Kind::Finding id=finding />{format!(" — {}", words(status).to_lowercase())}</li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <Show when=move || raised.get().is_empty() && state.may_create(Kind::Finding)>
            <button type="button" class="secondary" disabled=move || raising.pending() on:click=raise>"Raise a finding"</button>
        </Show>
        {move || raising.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
    }
}
