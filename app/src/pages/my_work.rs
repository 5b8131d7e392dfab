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
            {move || state.settings.get().map(|s| view! {
                <super::reminders::Reminders server=s.server.clone() credential=s.credential.clone() />
                <CalendarFeeds server=s.server credential=s.credential />
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

/// The member's calendar feed: a secret address their calendar program subscribes to (shown
/// once: the server keeps only its hash), the organisation-wide one for owners and admins,
/// and the way to stop them all.
#[component]
fn CalendarFeeds(server: String, credential: register::api::Credential) -> impl IntoView {
    let state = use_app_state();
    let api = StoredValue::new(crate::api::Api::new(&server, &credential));
    let address = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<Result<String, String>>);
    let ask = move |whole: bool| {
        let api = api.get_value();
        leptos::task::spawn_local(async move {
            match api.calendar(whole).await {
                Ok(url) => {
                    address.try_set(Some(url));
                    said.try_set(None);
                }
                Err(e) => drop(said.try_set(Some(Err(e.to_string())))),
            }
        });
    };
    let stop = move |_| {
        let api = api.get_value();
        leptos::task::spawn_local(async move {
            let outcome = api.revoke_calendars().await.map(|()| {
                "Every calendar address of yours has stopped: calendars subscribed to them get nothing more.".to_owned()
            });
            address.try_set(None);
            said.try_set(Some(outcome.map_err(|e| e.to_string())));
        });
    };
    let copy = move |_| {
        if let Some(url) = address.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&url);
        }
    };
    view! {
        <section class="calendar-feeds" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">"In your calendar"</h2>
            <p class="hint">"Subscribe to this address in Google Calendar, Outlook or Apple Calendar and what is due comes to you there, each day's work linking back here. Anyone with the address sees what it lists: keep it to yourself, and stop it here if it leaks."</p>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| ask(false)>"Get my calendar address"</button>
                <Show when=move || register::calendar::may_read_whole(state.role())>
                    <button type="button" class="secondary" on:click=move |_| ask(true)>"Get the organisation's calendar address"</button>
                </Show>
                <button type="button" class="secondary" on:click=stop>"Stop my calendar addresses"</button>
            </div>
            <Show when=move || address.get().is_some()>
                <div class="field">
                    <label for="calendar-address">"Calendar address (shown once: copy it now)"</label>
                    <input id="calendar-address" type="text" readonly=true prop:value=move || address.get().unwrap_or_default() />
                </div>
                <button type="button" on:click=copy>"Copy the address"</button>
                <div class="qr" role="img" aria-label="The calendar address as a QR code, for a phone to scan"
                    inner_html=move || address.get().map(|url| qr_svg(&url)).unwrap_or_default()></div>
            </Show>
            {move || said.get().map(|outcome| match outcome {
                Ok(words) => view! { <p role="status">{words}</p> }.into_any(),
                Err(problem) => view! { <p class="form-error" role="alert">{problem}</p> }.into_any(),
            })}
        </section>
    }
}

/// `text` as a QR code, an SVG image (dark on light, with its quiet zone).
fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}
