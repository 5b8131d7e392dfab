//! The feedback inbox: incidents, near misses, observations and suggestions from anyone,
//! triaged here; how fast problems are detected and resolved shows how the ISMS is doing.

pub mod detail;
pub mod report;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::words,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::choices::EventStatus;
use register::{
    Kind, RecordId, RecordState, View,
    dates::{duration_words, minutes_between},
    views,
};

pub static EVENTS: ListSpec = ListSpec {
    kind: Kind::Event,
    path: "/inbox",
    noun: "reports",
    label: "Reports",
    filters: &[
        views::Event::event_type,
        views::Event::status,
        views::Event::severity,
    ],
    person: views::Event::reporter,
    describe: |_| Box::new(describe_event),
    empty: "Nothing reported yet. Editors and auditors report an incident, a near miss, something they noticed or an idea with the Report button at the top of every screen, even offline.",
};

/// Whether a report is new: nobody has looked at it yet.
pub fn awaiting_triage(event: &views::Event) -> bool {
    matches!(event.status, None | Some(EventStatus::New))
}

/// Minutes from occurrence to detection, and from detection to resolution.
pub fn timings(event: &views::Event) -> (Option<i64>, Option<i64>) {
    let between = |from: &Option<String>, to: &Option<String>| {
        minutes_between(from.as_deref()?, to.as_deref()?)
    };
    (
        between(&event.occurred_at, &event.detected_at),
        between(&event.detected_at, &event.resolved_at),
    )
}

fn describe_event(id: RecordId, record: &RecordState) -> Extras {
    let event = views::Event::from_record(id, record);
    let mut tags = Vec::new();
    if let Some(kind) = &event.event_type {
        tags.push(Tag::plain(words(kind)));
    }
    if let Some(severity) = event.severity {
        // The tag's tone is its severity's name.
        let tone = severity.name();
        tags.push(Tag::toned(words(severity), tone));
    }
    tags.push(Tag::plain(words(
        event.status.unwrap_or(EventStatus::New).name(),
    )));
    if let (Some(detect), _) = timings(&event) {
        tags.push(Tag::plain(format!(
            "detected after {}",
            duration_words(detect)
        )));
    }
    Extras {
        image: None,
        tags,
        due: None,
        order: None,
    }
}

/// The median of some durations, in words.
fn median(mut minutes: Vec<i64>) -> Option<String> {
    minutes.sort_unstable();
    let middle = *minutes.get(minutes.len() / 2)?;
    Some(duration_words(middle))
}

#[component]
pub fn Inbox() -> impl IntoView {
    let state = use_app_state();
    let figures = Memo::new(move |_| {
        let events = state.read(|d| d.local.all::<views::Event>());
        let open = events.iter().filter(|e| awaiting_triage(e)).count();
        let (detect, resolve): (Vec<_>, Vec<_>) = events.iter().map(timings).unzip();
        let detect: Vec<i64> = detect.into_iter().flatten().collect();
        let resolve: Vec<i64> = resolve.into_iter().flatten().collect();
        (open, median(detect), median(resolve))
    });
    view! {
        <section class="page">
            <h1>"Feedback inbox"</h1>
            <p class="lede">
                "Incidents, near misses, observations and suggestions. Triage each new report: link the controls and risks it concerns, and record when it was resolved."
            </p>
            <p><A href="/report" attr:class="button">"Report something"</A></p>
            <dl class="timings">
                <div><dt>"Waiting for triage"</dt><dd>{move || figures.get().0}</dd></div>
                <div><dt>"Median time to detect"</dt><dd>{move || figures.get().1.unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Median time to resolve"</dt><dd>{move || figures.get().2.unwrap_or_else(|| "—".into())}</dd></div>
            </dl>
            <RegisterList spec=&EVENTS />
        </section>
    }
}
