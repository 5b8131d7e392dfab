//! A record's history: who changed which field, when. The organisation's log on the sync
//! server holds every change that reached it; this device adds its own changes not sent yet.
//! For a risk, the residual score over time is charted from the same changes.

use super::{
    chart::{Point, TrendChart},
    record::{draft_of, local_date_time, record_label, words},
};
use crate::{api::Api, state::use_app_state};
use leptos::prelude::*;
use register::{ClientId, FieldType, Kind, Op, RecordId, Value, device::Device};

/// One change as shown: when (ms), by whom, which field, to what.
#[derive(Clone, PartialEq, Debug)]
struct Change {
    wall: u64,
    client: ClientId,
    field: String,
    value: Value,
    /// Not on the server yet.
    unsent: bool,
}

impl Change {
    fn of(op: &Op, unsent: bool) -> Self {
        Self {
            wall: op.hlc.wall,
            client: op.client,
            field: op.field.clone(),
            value: op.value.clone(),
            unsent,
        }
    }
}

/// A value in words: people and records by their names, choices and field names as words.
fn value_words(
    device: &Device,
    people: &[(String, String)],
    ty: Option<FieldType>,
    value: &Value,
) -> String {
    let name = |id: &str| {
        id.parse::<RecordId>()
            .ok()
            .and_then(|id| device.local.record(id))
            .map_or_else(|| "(a record not on this device)".to_owned(), record_label)
    };
    match (ty, value) {
        (_, Value::Null) => "(cleared)".into(),
        (Some(FieldType::Ref(Kind::Member)), Value::Text(id)) => people
            .iter()
            .find(|(member, _)| member == id)
            .map_or_else(|| "(a former member)".to_owned(), |(_, name)| name.clone()),
        (Some(FieldType::Ref(_)), Value::Text(id)) => name(id),
        (Some(FieldType::Refs(_)), Value::List(ids)) if ids.is_empty() => "(none)".into(),
        (Some(FieldType::Refs(_)), Value::List(ids)) => {
            ids.iter().map(|id| name(id)).collect::<Vec<_>>().join(", ")
        }
        (Some(FieldType::Choice(_)), Value::Text(choice)) => words(choice),
        (Some(FieldType::DateTime), _) => {
            draft_of(FieldType::DateTime, Some(value)).replace('T', " ")
        }
        (Some(ty), _) => {
            let text = draft_of(ty, Some(value));
            match text.char_indices().nth(120) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        }
        (None, _) => format!("{value:?}"),
    }
}

/// The residual score after each change of either residual factor, oldest first.
fn residual_scores(changes: &[Change]) -> Vec<Point> {
    let (mut likelihood, mut impact) = (None, None);
    let mut points = Vec::new();
    for change in changes {
        match change.field.as_str() {
            "residual_likelihood" => likelihood = change.value.as_int(),
            "residual_impact" => impact = change.value.as_int(),
            _ => continue,
        }
        if let (Some(l), Some(i)) = (likelihood, impact) {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(change.wall as f64));
            points.push(Point {
                x: change.wall as f64,
                y: (l * i) as f64,
                when: local_date_time(&date),
                value: format!("{l} × {i} = {}", l * i),
            });
        }
    }
    points
}

#[component]
pub fn RecordHistory(id: RecordId, kind: Kind) -> impl IntoView {
    let state = use_app_state();
    // Fetched again when the device pulls new changes or comes back online.
    let logged = LocalResource::new(move || {
        let settings = state.settings.get();
        let online = state.online.get();
        state.read(|d| d.cursor);
        async move {
            let settings = settings?;
            if !online {
                return None;
            }
            let api = Api::new(&settings.server, &settings.credential);
            Some(api.history(id).await.map_err(|e| e.to_string()))
        }
    });
    let changes = move || {
        let mut changes: Vec<Change> = match logged.get().flatten() {
            Some(Ok(history)) => history
                .changes
                .iter()
                .map(|e| Change::of(&e.op, false))
                .collect(),
            _ => Vec::new(),
        };
        state.read(|d| changes.extend(d.unsent_ops(id).map(|op| Change::of(op, true))));
        changes
    };
    let note = move || match (state.settings.get().is_some(), logged.get().flatten()) {
        (false, _) => {
            Some("This device syncs with no one, so the history is its own changes.".to_owned())
        }
        (true, None) => {
            Some("Changes made on other devices show here when you are online.".to_owned())
        }
        (true, Some(Err(error))) => Some(format!("The full history could not be loaded: {error}.")),
        (true, Some(Ok(history))) => history
            .more
            .then(|| "Only the latest 1,000 changes are shown.".to_owned()),
    };
    let who = move |client: ClientId| {
        if state.read_untracked(|d| d.client) == client {
            return "you, on this device".to_owned();
        }
        state.members.with(|members| {
            members
                .iter()
                .find(|m| m.devices.iter().any(|d| d.client == client))
                .map_or_else(
                    || "a device no longer listed".to_owned(),
                    |m| m.name.clone(),
                )
        })
    };
    let spec = kind.spec();
    view! {
        {(kind == Kind::Risk).then(|| view! {
            {move || view! { <TrendChart title="Residual score over time" points=residual_scores(&changes()) lines=Vec::new() /> }}
        })}
        <details class="history">
            <summary>"History of changes"</summary>
            <p class="lede">{note}</p>
            <ol aria-label="Changes, newest first">
                {move || {
                    let mut all = changes();
                    all.reverse();
                    let people = state.people();
                    state.read(|d| all.into_iter().filter(|c| c.field != "deleted" || c.value == Value::Bool(true)).map(|change| {
                        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(change.wall as f64));
                        let ty = spec.field(&change.field).map(|f| f.ty);
                        let text = format!(
                            "{} · {} · {} → {}",
                            local_date_time(&date),
                            who(change.client),
                            words(&change.field),
                            value_words(d, &people, ty, &change.value),
                        );
                        view! { <li class:pending=change.unsent>{text}{change.unsent.then_some(" (not synced yet)")}</li> }
                    }).collect_view())
                }}
            </ol>
        </details>
    }
}
