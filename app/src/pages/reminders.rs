//! Reminders: on My work, a member turns them on for this device (the hour and the topics),
//! sees their devices that have them and what was sent when, and turns any of them off; on
//! Organisation, everyone sees who has them on. The server sends them (`worker` reminders).

use crate::{api::Api, push, state::use_app_state};
use leptos::prelude::*;
use register::{
    ClientId,
    api::{Credential, ReminderSubscription, RemindersStatus},
    dates,
    reminders::{DEFAULT_HOUR, Schedule, Topic},
};
use std::collections::BTreeSet;

fn at_hour(schedule: &Schedule) -> String {
    let offset = schedule.utc_offset_minutes;
    let zone = match offset {
        0 => "UTC".to_owned(),
        _ if offset % 60 == 0 => format!("UTC{:+}", offset / 60),
        _ => format!("UTC{:+}:{:02}", offset / 60, (offset % 60).abs()),
    };
    format!("at {:02}:00 ({zone})", schedule.hour)
}

/// The device's clock's offset from UTC now, east positive.
fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// My work's section: reminders on this device and the member's others.
#[component]
pub fn Reminders(server: String, credential: Credential) -> impl IntoView {
    let api = StoredValue::new(Api::new(&server, &credential));
    let this_device = credential.client;
    let status = RwSignal::new(None::<RemindersStatus>);
    let said = RwSignal::new(None::<Result<String, String>>);
    let hour = RwSignal::new(DEFAULT_HOUR);
    let topics = RwSignal::new(Topic::ALL.into_iter().collect::<BTreeSet<_>>());
    let show = move |loaded: RemindersStatus| {
        if let Some(mine) = loaded.devices.iter().find(|d| d.client == this_device) {
            hour.try_set(mine.schedule.hour);
            topics.try_set(mine.schedule.topics.clone());
        }
        status.try_set(Some(loaded));
    };
    leptos::task::spawn_local(async move {
        match api.get_value().reminders().await {
            Ok(loaded) => show(loaded),
            Err(e) => drop(said.try_set(Some(Err(e.to_string())))),
        }
    });
    let on_here = move || {
        status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.devices.iter().any(|d| d.client == this_device))
        })
    };
    let turn_on = move |_| {
        let Some(key) = status.with_untracked(|s| s.as_ref().and_then(|s| s.server_key.clone()))
        else {
            return;
        };
        let schedule = Schedule {
            hour: hour.get_untracked(),
            utc_offset_minutes: utc_offset_minutes(),
            topics: topics.get_untracked(),
        };
        if let Some(problem) = schedule.problem() {
            said.set(Some(Err(problem)));
            return;
        }
        let api = api.get_value();
        leptos::task::spawn_local(async move {
            let outcome = async {
                let subscribed = push::subscribe(&key).await?;
                let request = ReminderSubscription {
                    endpoint: subscribed.endpoint,
                    p256dh: subscribed.keys.p256dh,
                    auth: subscribed.keys.auth,
                    schedule: schedule.clone(),
                };
                api.turn_on_reminders(&request)
                    .await
                    .map_err(|e| e.to_string())
            };
            match outcome.await {
                Ok(loaded) => {
                    show(loaded);
                    said.try_set(Some(Ok(format!(
                        "Reminders are on for this device, {} each day when there is something new.",
                        at_hour(&schedule)
                    ))));
                }
                Err(problem) => drop(said.try_set(Some(Err(problem)))),
            }
        });
    };
    let turn_off = move |client: ClientId| {
        let api = api.get_value();
        leptos::task::spawn_local(async move {
            if client == this_device {
                // The server forgets the subscription either way; a browser that cannot
                // unsubscribe gets nothing more from it.
                let _ = push::unsubscribe().await;
            }
            match api.turn_off_reminders(client).await {
                Ok(loaded) => {
                    show(loaded);
                    said.try_set(Some(Ok("Reminders are off for that device.".into())));
                }
                Err(e) => drop(said.try_set(Some(Err(e.to_string())))),
            }
        });
    };
    let device_name = move |client: ClientId| {
        if client == this_device {
            "This device".to_owned()
        } else {
            format!("Device {}", &client.to_string()[..8])
        }
    };
    view! {
        <section class="reminders" aria-labelledby="reminders-heading">
            <h2 id="reminders-heading">"Reminders on your devices"</h2>
            <p class="hint">"Once a day, at the hour you choose, this device tells you what is new in your work (even when Ratchet is closed), and the notification opens My work."</p>
            {move || status.get().map(|loaded| match loaded.server_key {
                None => view! { <p class="empty">"This server has no key to send reminders with, so it sends none (its operator sets RATCHET_VAPID_KEY)."</p> }.into_any(),
                Some(_) if !push::supported() => view! { <p class="empty">"This browser cannot receive reminders. On an iPhone or iPad, add Ratchet to the Home Screen and open it from there."</p> }.into_any(),
                Some(_) => view! {
                    <div class="field">
                        <label for="reminder-hour">"Each day at"</label>
                        <select id="reminder-hour" on:change=move |ev| {
                            if let Ok(h) = event_target_value(&ev).parse() { hour.set(h) }
                        }>
                            {(0..24u8).map(|h| view! {
                                <option value=h.to_string() selected=move || hour.get() == h>{format!("{h:02}:00")}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <fieldset>
                        <legend>"Remind me of"</legend>
                        {Topic::ALL.map(|topic| view! {
                            <label class="check">
                                <input type="checkbox"
                                    prop:checked=move || topics.with(|t| t.contains(&topic))
                                    on:change=move |ev| topics.update(|t| {
                                        if event_target_checked(&ev) { t.insert(topic); } else { t.remove(&topic); }
                                    }) />
                                {topic.label()}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="actions">
                        <button type="button" on:click=turn_on>
                            {move || if on_here() { "Save this device's reminders" } else { "Turn on reminders on this device" }}
                        </button>
                    </div>
                }.into_any(),
            })}
            {move || said.get().map(|outcome| match outcome {
                Ok(words) => view! { <p role="status">{words}</p> }.into_any(),
                Err(problem) => view! { <p class="form-error" role="alert">{problem}</p> }.into_any(),
            })}
            {move || status.get().filter(|s| !s.devices.is_empty()).map(|loaded| view! {
                <h3>"Your devices with reminders"</h3>
                <ul class="record-list" aria-label="Your devices with reminders">
                    {loaded.devices.into_iter().map(|device| {
                        let name = device_name(device.client);
                        let client = device.client;
                        view! {
                            <li class="record">
                                <span class="record-title">{name.clone()}</span>
                                <span class="tags"><span class="tag">{at_hour(&device.schedule)}</span></span>
                                <button type="button" class="secondary" aria-label=format!("Turn off reminders: {name}")
                                    on:click=move |_| turn_off(client)>"Turn off"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {move || status.get().filter(|s| !s.sent.is_empty()).map(|loaded| view! {
                <h3>"Reminders sent"</h3>
                <ul class="record-list" aria-label="Reminders sent">
                    {loaded.sent.into_iter().map(|sent| view! {
                        <li class="record">
                            <span class="record-title">{sent.body}</span>
                            <span class="tags">
                                <span class="tag">{device_name(sent.client)}</span>
                                <span class="tag">{dates::instant_words(sent.sent_ms)}</span>
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// Organisation's list of who has reminders on (never their devices' details).
#[component]
pub fn RemindersOn(server: String, credential: Credential) -> impl IntoView {
    let state = use_app_state();
    let api = Api::new(&server, &credential);
    let on = LocalResource::new(move || {
        let api = api.clone();
        async move { api.reminders().await.map(|s| s.members_on) }
    });
    view! {
        <section aria-labelledby="reminders-on-heading">
            <h2 id="reminders-on-heading">"Who has reminders on"</h2>
            {move || on.get().map(|loaded| match loaded {
                Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(members) if members.is_empty() => view! { <p class="empty">"No one yet: each person turns them on under My work."</p> }.into_any(),
                Ok(members) => {
                    let people = state.people();
                    let name = |member: &String| people.iter().find(|(id, _)| id == member)
                        .map_or_else(|| "A former member".to_owned(), |(_, name)| name.clone());
                    view! {
                        <ul aria-label="Members with reminders on">
                            {members.iter().map(|member| view! { <li>{name(member)}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </section>
    }
}
