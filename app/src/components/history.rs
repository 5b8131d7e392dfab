//! A record's history: who changed which field, when. The organisation's log on the sync
//! server holds every change that reached it; this device adds its own changes not sent yet.
//! For a risk, the residual score over time is charted from the same changes.

use super::{
    chart::{Point, TrendChart},
    record::{draft_of, local_date_time, record_label, words},
};
use crate::{
    api::Api,
    state::{AppState, use_app_state},
};
use leptos::{prelude::*, task::spawn_local};
use register::{
    ClientId, FieldType, Kind, Op, RecordId, Value,
    sync::{Device, HistoryResponse, LogEntry, Logged},
};
use std::{cell::RefCell, rc::Rc};

thread_local! {
    /// The log a register restored from an export keeps (or an export being read), read
    /// from storage once per page load: it never changes.
    static KEPT: RefCell<Option<Rc<Vec<LogEntry>>>> = const { RefCell::new(None) };
}

/// The log this register was restored with, if it was.
async fn kept_log(state: AppState) -> Rc<Vec<LogEntry>> {
    if let Some(log) = KEPT.with_borrow(Clone::clone) {
        return log;
    }
    let log = Rc::new(state.store().history().await.unwrap_or_default());
    KEPT.set(Some(log.clone()));
    log
}

/// One change as shown: when (ms), by whom, which field, to what.
#[derive(Clone, PartialEq, Debug)]
struct Change {
    /// The writing device's clock.
    wall: u64,
    /// The sync server's clock when the change reached it, once it has.
    received_ms: Option<u64>,
    client: ClientId,
    field: String,
    value: Value,
    /// Not on the server yet.
    unsent: bool,
}

/// A device's clock further than this from the server's is named beside the server's time.
const CLOCK_NOTE_MS: u64 = 5 * 60 * 1000;

impl Change {
    fn of(op: &Op, received_ms: Option<u64>, unsent: bool) -> Self {
        Self {
            wall: op.hlc.wall,
            received_ms,
            client: op.client,
            field: op.field.clone(),
            value: op.value.clone(),
            unsent,
        }
    }

    /// When it happened: the server's time of receipt where known, since a device's clock
    /// may be wrong or set back on purpose.
    fn when(&self) -> u64 {
        self.received_ms.unwrap_or(self.wall)
    }

    /// The device's own time, when it is far from the server's.
    fn clock_note(&self) -> Option<String> {
        let received = self.received_ms?;
        (received.abs_diff(self.wall) > CLOCK_NOTE_MS).then(|| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(self.wall as f64));
            format!(" (the device's clock said {})", local_date_time(&date))
        })
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

/// The residual score after each save that changed a residual factor, oldest first. Fields
/// saved together share a client and a time; they make one point, not one per field.
fn residual_scores(changes: &[Change]) -> Vec<Point> {
    let (mut likelihood, mut impact) = (None, None);
    let mut touched = false;
    let mut points = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        match change.field.as_str() {
            "residual_likelihood" => likelihood = change.value.as_int(),
            "residual_impact" => impact = change.value.as_int(),
            _ => {}
        }
        touched |= change.field.starts_with("residual_");
        let same_save = changes
            .get(i + 1)
            .is_some_and(|next| (next.client, next.wall) == (change.client, change.wall));
        if same_save || !std::mem::take(&mut touched) {
            continue;
        }
        if let (Some(l), Some(i)) = (likelihood, impact) {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(change.when() as f64));
            points.push(Point {
                x: change.when() as f64,
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
    // The server's copy is fetched again only when the device has pulled something new (its
    // cursor moved), comes back online or joins an organisation; the last copy stays on
    // screen while offline.
    let cursor = Memo::new(move |_| state.read(|d| d.cursor));
    let server = Memo::new(move |_| {
        state
            .settings
            .with(|s| s.as_ref().map(|s| (s.server.clone(), s.credential.clone())))
    });
    let logged = LocalResource::new(move || {
        let (server, online) = (server.get(), state.online.get());
        cursor.track();
        async move {
            let (base, credential) = server?;
            if !online {
                return None;
            }
            let api = Api::new(&base, &credential);
            Some(api.history(id, None).await.map_err(|e| e.to_string()))
        }
    });
    // With no server, a register restored from an export has its history with it.
    let kept = LocalResource::new(move || {
        let restored = server.get().is_none() && cursor.get() > 0;
        async move {
            restored.then_some(())?;
            let log = kept_log(state).await;
            Some(
                log.iter()
                    .filter(|e| e.op.record == id)
                    .map(|e| Change::of(&e.op, None, false))
                    .collect::<Vec<_>>(),
            )
        }
    });
    let history = RwSignal::new(None::<HistoryResponse>);
    // Pages before the latest, loaded on request, oldest first; and whether more remain.
    let earlier = RwSignal::new((Vec::<Logged>::new(), false));
    let problem = RwSignal::new(None::<String>);
    let more = move || {
        earlier.with(|(changes, more)| {
            if changes.is_empty() {
                history.with(|h| h.as_ref().is_some_and(|h| h.more))
            } else {
                *more
            }
        })
    };
    let load_earlier = move |_| {
        let Some((base, credential)) = server.get_untracked() else {
            return;
        };
        let first = earlier
            .with_untracked(|(changes, _)| changes.first().map(|c| c.entry.seq))
            .or_else(|| {
                history.with_untracked(|h| h.as_ref()?.changes.first().map(|c| c.entry.seq))
            });
        spawn_local(async move {
            match Api::new(&base, &credential).history(id, first).await {
                Ok(page) => {
                    earlier.try_update(|(changes, more)| {
                        let mut all = page.changes;
                        all.append(changes);
                        *changes = all;
                        *more = page.more;
                    });
                }
                Err(error) => drop(problem.try_set(Some(error.to_string()))),
            }
        });
    };
    Effect::new(move |_| match logged.get().flatten() {
        Some(Ok(loaded)) => {
            history.set(Some(loaded));
            problem.set(None);
        }
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    let changes = move || {
        let of = |logged: &Logged| Change::of(&logged.entry.op, logged.received_ms, false);
        let mut changes: Vec<Change> = kept.get().flatten().unwrap_or_default();
        earlier.with(|(older, _)| changes.extend(older.iter().map(of)));
        history.with(|h| changes.extend(h.iter().flat_map(|h| &h.changes).map(of)));
        state.read(|d| changes.extend(d.unsent_ops(id).map(|op| Change::of(op, None, true))));
        changes
    };
    let note = move || {
        if server.get().is_none() {
            return Some(if state.read_only {
                "The history as the export holds it: every change in its log.".to_owned()
            } else if cursor.get() > 0 {
                "The history this register was restored with, from its export, then this device's own changes.".to_owned()
            } else {
                "This device syncs with no one, so the history is its own changes.".to_owned()
            });
        }
        if let Some(error) = problem.get() {
            return Some(format!("The full history could not be loaded: {error}."));
        }
        match (
            state.online.get(),
            history.with(|h| h.as_ref().map(|h| h.more)),
        ) {
            (false, None) => {
                Some("Changes made on other devices show here when you are online.".to_owned())
            }
            (false, Some(_)) => Some(
                "Offline: the history as last loaded, with this device's changes since.".to_owned(),
            ),
            (true, None) => Some("Loading the history from the sync server…".to_owned()),
            (true, Some(_)) => None,
        }
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
                    || {
                        if members.is_empty() {
                            "the device that kept this register".to_owned()
                        } else {
                            "a device no longer listed".to_owned()
                        }
                    },
                    |m| m.name.clone(),
                )
        })
    };
    let spec = kind.spec();
    let open = RwSignal::new(false);
    view! {
        {(kind == Kind::Risk).then(|| view! {
            {move || view! { <TrendChart title="Residual score over time" points=residual_scores(&changes()) lines=Vec::new() /> }}
        })}
        // The list is drawn only while open: redrawing every change on every edit is wasted work.
        <details class="history">
            <summary on:click=move |_| open.update(|open| *open = !*open)>"History of changes"</summary>
            <p class="lede">{note}</p>
            <ol aria-label="Changes, newest first">
                {move || open.get().then(|| {
                    let mut all = changes();
                    all.reverse();
                    let people = state.people();
                    state.read(|d| all.into_iter().filter(|c| c.field != register::schema::DELETED || c.value == Value::Bool(true)).map(|change| {
                        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(change.when() as f64));
                        let ty = spec.field(&change.field).map(|f| f.ty);
                        let text = format!(
                            "{}{} · {} · {} → {}",
                            local_date_time(&date),
                            change.clock_note().unwrap_or_default(),
                            who(change.client),
                            words(&change.field),
                            value_words(d, &people, ty, &change.value),
                        );
                        view! { <li class:pending=change.unsent>{text}{change.unsent.then_some(" (not synced yet)")}</li> }
                    }).collect_view())
                })}
            </ol>
            <Show when=move || more() && state.online.get()>
                <button type="button" class="secondary small" on:click=load_earlier>"Show earlier changes"</button>
            </Show>
        </details>
    }
}
