//! Quick capture, one tap from every screen: report an incident, a near miss, an observation
//! or a suggestion. It saves on the device first, so it works on a phone with no signal.

use crate::components::record::{NewRecordForm, fields, now_stored};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::choices::{EventStatus, EventType};
use register::{Kind, RecordId, Value, views::Event};

/// The report form's fields. The last, the reporter, is fixed for those who may only file.
const FIELDS: &[&str] = fields!(
    Event: event_type,
    title,
    description,
    location,
    severity,
    occurred_at,
    detected_at,
    reporter
);

#[component]
pub fn Report() -> impl IntoView {
    let state = use_app_state();
    let reported = RwSignal::new(None::<RecordId>);
    let defaults = Callback::new(move |()| {
        let mut defaults = vec![
            (Event::event_type, Value::from(EventType::Observation)),
            (Event::detected_at, Value::Text(now_stored())),
        ];
        if let Some(me) = state.me() {
            defaults.push((Event::reporter, Value::Text(me)));
        }
        defaults
    });
    let created = Callback::new(move |id| reported.set(Some(id)));
    // Those who may file but not triage (viewers) report in their own name only.
    let files_only = !state.may_write(Kind::Event);
    let mut fixed = vec![(Event::status, Value::from(EventStatus::New))];
    if let (true, Some(me)) = (files_only, state.me()) {
        fixed.push((Event::reporter, Value::Text(me)));
    }
    let fields = if files_only {
        FIELDS.split_last().map_or(FIELDS, |(_, rest)| rest)
    } else {
        FIELDS
    };
    let reporter_name = move || {
        state
            .settings
            .with(|s| s.as_ref().map(|s| s.credential.member_name.clone()))
    };
    view! {
        <section class="page">
            <h1>"Report something"</h1>
            <p class="lede">
                "An incident, a near miss, something that looked wrong, or an idea. Say what happened; the rest can be added when it is triaged. It is saved on this device at once and shared when you are online."
            </p>
            {move || reported.get().map(|id| view! {
                <p class="saved" role="status">
                    "Thank you: your report is saved. "
                    <A href=format!("/inbox/{id}")>"Open it"</A>
                </p>
            })}
            {files_only.then(|| view! {
                <p class="lede" data-testid="reported-by">{move || reporter_name().map(|name| format!("Reported by {name}."))}</p>
            })}
            <NewRecordForm
                kind=Kind::Event
                fields=fields
                defaults=defaults
                fixed=fixed
                submit="Send report"
                on_created=created
            />
        </section>
    }
}
