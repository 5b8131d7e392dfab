//! Organisations: create one on a sync server, join one with an invite, see members and
//! devices, invite colleagues, change roles, revoke devices, and leave (which wipes this
//! device's copy); the organisation's policies, and a check of its whole history. What a role may not do is hidden; the
//! server enforces it regardless.

mod export;
mod policy;
mod verify;

use crate::{
    api::{self, Api, ApiError},
    components::record::record_label,
    set_active_database,
    state::{AppState, use_app_state},
    store::{LOCAL_DB, Store, SyncSettings, org_db_name},
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use register::{
    Role,
    api::{
        CreateOrgRequest, Credential, InviteRequest, JoinRequest, MemberInfo, PendingInvite,
        RoleChange,
    },
    membership,
    sync::Device,
};

pub(super) fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

#[component]
pub fn Organisation() -> impl IntoView {
    let state = use_app_state();
    // Only joining or leaving redraws the page; a finished sync (which updates the settings'
    // last-synced time) must not wipe an invite code just shown.
    let joined = Memo::new(move |_| {
        state
            .settings
            .with(|s| s.as_ref().map(|s| (s.server.clone(), s.credential.clone())))
    });
    view! {
        <section class="page">
            <h1>"Organisation"</h1>
            {move || match joined.get() {
                None => view! { <NotJoined /> }.into_any(),
                Some((server, credential)) => view! { <Joined server credential /> }.into_any(),
            }}
        </section>
    }
}

/// Makes the organisation's own database on this device and switches to it. The device that
/// founds an organisation gives it the Annex A controls.
pub(super) async fn switch_to(
    server: String,
    credential: Credential,
    founded: bool,
) -> Result<(), String> {
    let name = org_db_name(&credential);
    let store = Store::open(&name).await.map_err(|e| e.to_string())?;
    let mut device = Device::new(credential.client);
    if founded {
        register::catalogue::seed_controls(&mut device, &credential.org, crate::state::now_ms());
    }
    store.save(&mut device).await.map_err(|e| e.to_string())?;
    let settings = SyncSettings {
        server,
        credential,
        last_synced_ms: None,
    };
    store
        .put_sync_settings(&settings)
        .await
        .map_err(|e| e.to_string())?;
    store.close();
    set_active_database(&name);
    window()
        .location()
        .set_href("/")
        .map_err(|_| "could not reload the app".to_owned())
}

/// Creates or joins an organisation, then switches this device to it; shows what went wrong.
fn connect(
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    server: String,
    founded: bool,
    call: impl std::future::Future<Output = Result<Credential, ApiError>> + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        let outcome = match call.await {
            Ok(credential) => switch_to(server, credential, founded).await,
            Err(error) => Err(error.to_string()),
        };
        // The person may have left the page while it was asked.
        busy.try_set(false);
        error.try_set(outcome.err());
    });
}

#[component]
fn NotJoined() -> impl IntoView {
    let server = RwSignal::new(origin());
    let org_name = RwSignal::new(String::new());
    let your_name = RwSignal::new(String::new());
    let setup_code = RwSignal::new(String::new());
    let invite_code = RwSignal::new(
        window()
            .location()
            .hash()
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_owned(),
    );
    let join_name = RwSignal::new(String::new());
    let create_error = RwSignal::new(None::<String>);
    let join_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = CreateOrgRequest {
            org_name: org_name.get_untracked(),
            owner_name: your_name.get_untracked(),
            setup_code: Some(setup_code.get_untracked()).filter(|c| !c.is_empty()),
        };
        let base = server.get_untracked();
        connect(busy, create_error, base.clone(), true, async move {
            api::create_org(&base, &request).await
        });
    };
    let join = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = JoinRequest {
            code: invite_code.get_untracked().trim().to_owned(),
            name: join_name.get_untracked(),
        };
        let base = server.get_untracked();
        connect(busy, join_error, base.clone(), false, async move {
            api::join(&base, &request).await
        });
    };

    view! {
        <p class="lede">
            "This device keeps its register to itself. To work with colleagues, create an organisation on a sync server or join one with an invite. Each organisation gets its own copy on this device."
        </p>
        <form class="stack-form" on:submit=join aria-label="Join an organisation">
            <h2>"Join with an invite"</h2>
            <div class="field">
                <label for="join-code">"Invite code"</label>
                <input id="join-code" type="text" autocomplete="off" bind:value=invite_code />
            </div>
            <div class="field">
                <label for="join-name">"Your name"</label>
                <input id="join-name" type="text" maxlength="100" bind:value=join_name />
            </div>
            <button type="submit" disabled=busy>"Join"</button>
            <p class="form-error" role="alert">{move || join_error.get()}</p>
        </form>
        <form class="stack-form" on:submit=create aria-label="Create an organisation">
            <h2>"Create an organisation"</h2>
            <div class="field">
                <label for="org-server">"Sync server"</label>
                <input id="org-server" type="url" bind:value=server />
            </div>
            <div class="field">
                <label for="org-name">"Organisation name"</label>
                <input id="org-name" type="text" maxlength="100" bind:value=org_name />
            </div>
            <div class="field">
                <label for="org-owner">"Your name"</label>
                <input id="org-owner" type="text" maxlength="100" bind:value=your_name />
            </div>
            <div class="field">
                <label for="org-setup">"Setup code (from the server's operator)"</label>
                <input id="org-setup" type="text" autocomplete="off" bind:value=setup_code />
            </div>
            <button type="submit" disabled=busy>"Create organisation"</button>
            <p class="form-error" role="alert">{move || create_error.get()}</p>
        </form>
        <policy::Policies />
        <export::ExportAndRestore api=None />
    }
}

#[component]
fn Joined(server: String, credential: Credential) -> impl IntoView {
    let state = use_app_state();
    let api = StoredValue::new(Api::new(&server, &credential));
    let error = RwSignal::new(None::<String>);
    let refresh = move || {
        // A role change or revocation may finish after the person has left this page.
        let Some(api) = api.try_get_value() else {
            return;
        };
        spawn_local(async move {
            match api.members().await {
                Ok(list) => state.members.set(list.members),
                Err(e) => drop(error.try_set(Some(e.to_string()))),
            }
        });
    };
    if state.online.get_untracked() {
        refresh();
    }
    let manages = move || state.role().manages_members();
    let reminders_credential = credential.clone();
    let leaving = RwSignal::new(Leaving::No);
    let leave = move |_| match leaving.get_untracked() {
        Leaving::No => spawn_local(send_before_leaving(state, leaving)),
        Leaving::Confirm | Leaving::Unsent(_) => {
            leaving.set(Leaving::No);
            spawn_local(leave_organisation(state, api.get_value(), error))
        }
        Leaving::Sending => {}
    };
    view! {
        <p class="lede">
            {format!("{} — you are {} ({}).", credential.org_name, credential.member_name, state.role().name())}
        </p>
        <p class="form-error" role="alert">{move || error.get()}</p>
        <h2>"Members"</h2>
        <ul class="record-list" aria-label="Members">
            <For each=move || state.members.get() key=|m| (m.member.clone(), m.role, m.revoked, m.devices.len()) let:member>
                <MemberRow member api error refresh=move || refresh() me=credential.member.clone() />
            </For>
        </ul>
        <Show when=manages>
            <InviteForm api />
        </Show>
        <crate::pages::reminders::RemindersOn server=server credential=reminders_credential />
        <policy::Policies />
        <verify::VerifyHistory api />
        <export::ImportedHistory api />
        <export::ExportAndRestore api=Some(api) />
        <h2>"This device"</h2>
        {move || {
            let unsent = match leaving.get() {
                Leaving::Unsent(records) => records,
                _ => Vec::new(),
            };
            let changes: usize = unsent.iter().map(|(_, n)| n).sum();
            let (one, it) = if changes == 1 { ("", "it") } else { ("s", "them") };
            (!unsent.is_empty()).then(|| view! {
                <div class="form-error" role="alert">
                    <p>{format!(
                        "{changes} change{one} on this device {} not reached the server, so leaving now loses {it}:",
                        if changes == 1 { "has" } else { "have" },
                    )}</p>
                    <ul aria-label="Changes that would be lost">
                        {unsent.into_iter().map(|(label, n)| view! {
                            <li>{format!("{label} ({n} change{})", if n == 1 { "" } else { "s" })}</li>
                        }).collect_view()}
                    </ul>
                    <p>{format!("Stay, and leave once {it} {} synced; or leave anyway.", if changes == 1 { "has" } else { "have" })}</p>
                </div>
            })
        }}
        <Show when=move || matches!(leaving.get(), Leaving::Confirm | Leaving::Unsent(_))>
            <p class="notice warning">"Leaving wipes this device's copy of the organisation. "<a href="#export-heading">"Export it first"</a>" to keep one of your own."</p>
        </Show>
        <div class="actions">
            <Show when=move || matches!(leaving.get(), Leaving::Unsent(_))>
                <button type="button" on:click=move |_| leaving.set(Leaving::No)>"Stay"</button>
            </Show>
            <button type="button" class="danger" on:click=leave disabled=move || leaving.get() == Leaving::Sending>
                {move || match leaving.get() {
                    Leaving::No => "Leave this organisation on this device".to_owned(),
                    Leaving::Sending => "Sending this device's changes first…".to_owned(),
                    Leaving::Confirm => "Really leave: wipe this organisation from this device".to_owned(),
                    Leaving::Unsent(records) => format!(
                        "Leave anyway and lose {}",
                        if records.iter().map(|(_, n)| n).sum::<usize>() == 1 { "it" } else { "them" }
                    ),
                }}
            </button>
        </div>
    }
}

/// Where leaving stands. Leaving wipes the device's copy, so what the server has not got yet
/// is sent first; if it cannot be, the person is told what would be lost, record by record.
#[derive(Clone, PartialEq)]
enum Leaving {
    No,
    Sending,
    /// Changes that could not be sent: each record's label and how many changes.
    Unsent(Vec<(String, usize)>),
    Confirm,
}

const LAST_OWNER_LEAVING: &str = "You are the last owner who can sign in: make someone else an owner before you leave, or the organisation would have no owner. Nothing was wiped.";

/// How long leaving waits for this device's changes to reach the server.
const SEND_WAIT_MS: u32 = 20_000;

async fn send_before_leaving(state: AppState, leaving: RwSignal<Leaving>) {
    let unsent = move || state.read_untracked(|d| d.unsent_records());
    if !unsent().is_empty() && state.online.get_untracked() {
        leaving.set(Leaving::Sending);
        state.kick_sync();
        // Bounded: polls until sent or the wait is over.
        for _ in 0..SEND_WAIT_MS / 250 {
            gloo_timers::future::TimeoutFuture::new(250).await;
            if unsent().is_empty() {
                break;
            }
        }
    }
    let records: Vec<(String, usize)> = state.read_untracked(|d| {
        d.unsent_records()
            .into_iter()
            .map(|(id, changes)| {
                let label = d.local.record(id).map_or_else(
                    || "(a record no longer on this device)".to_owned(),
                    |r| format!("{}: {}", r.kind.spec().label, record_label(r)),
                );
                (label, changes)
            })
            .collect()
    });
    leaving.try_set(if records.is_empty() {
        Leaving::Confirm
    } else {
        Leaving::Unsent(records)
    });
}

/// Leaves the organisation on this device: revokes its credential, then wipes its copy. An
/// owner's device that is the last an owner can act from is not wiped: the server refuses
/// to revoke it, and the person is told to hand ownership over first. Anything else the
/// server refuses keeps the copy too, but for a credential it no longer knows (revoked
/// already); an unreachable server lets a device that is not an owner's leave unrevoked
/// (its credential goes with its copy).
async fn leave_organisation(state: AppState, api: Api, error: RwSignal<Option<String>>) {
    if let Some(settings) = state.settings.get_untracked() {
        let credential = &settings.credential;
        let members = state.members.get_untracked();
        let judged = membership::may_revoke_device(
            &members,
            &credential.member,
            state.role(),
            credential.client,
        );
        if judged == Err(membership::LAST_OWNER) {
            error.try_set(Some(LAST_OWNER_LEAVING.to_owned()));
            return;
        }
        let answer = if state.online.get_untracked() {
            api.revoke_device(credential.client).await
        } else {
            Err(ApiError::Unreachable("offline".into()))
        };
        match answer {
            // Revoked already (a lost phone's credential withdrawn elsewhere): nothing to keep.
            Err(ApiError::Refused { status: 401, .. }) => {}
            Err(ApiError::Refused { body, .. }) => {
                let message = if body.error.code == membership::LAST_OWNER.code {
                    LAST_OWNER_LEAVING.to_owned()
                } else {
                    body.error.message
                };
                error.try_set(Some(message));
                return;
            }
            Err(_) if judged.is_err() && state.role() == Role::Owner => {
                error.try_set(Some(
                    "The sync server could not be reached to check that another owner remains; leave once this device is online.".to_owned(),
                ));
                return;
            }
            _ => {}
        }
        let name = org_db_name(&settings.credential);
        state.store().close();
        let _ = Store::delete(&name).await;
    }
    set_active_database(LOCAL_DB);
    let _ = window().location().set_href("/");
}

#[component]
fn MemberRow(
    member: MemberInfo,
    api: StoredValue<Api>,
    error: RwSignal<Option<String>>,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
    me: String,
) -> impl IntoView {
    let state = use_app_state();
    let manages = move || state.role().manages_members();
    let mine = member.member == me;
    let member_id = StoredValue::new(member.member.clone());
    let report = move |result: Result<(), ApiError>| match result {
        Ok(()) => refresh(),
        Err(e) => drop(error.try_set(Some(e.to_string()))),
    };
    let change_role = move |role: String| {
        let Some(role) = Role::from_name(&role) else {
            return;
        };
        let (api, member_id) = (api.get_value(), member_id.get_value());
        spawn_local(async move {
            report(api.change_role(&member_id, &RoleChange { role }).await);
        });
    };
    let devices = member.devices.clone();
    let role_label = format!("Role of {}", member.name);
    view! {
        <li class="record member" class:revoked=member.revoked>
            <span class="record-title">{member.name.clone()}{mine.then_some(" (you)")}</span>
            {move || if manages() && !mine && !member.revoked {
                let current = member.role;
                view! {
                    <select aria-label=role_label.clone() on:change=move |ev| change_role(event_target_value(&ev))>
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.name() selected=r == current>{r.name()}</option>
                        }).collect_view()}
                    </select>
                }.into_any()
            } else {
                view! { <span class="role">{if member.revoked { "removed".to_owned() } else { member.role.name().to_owned() }}</span> }.into_any()
            }}
            <ul class="devices" aria-label=format!("Devices of {}", member.name)>
                {devices.into_iter().map(|device| {
                    let client = device.client;
                    let revoke = move |_| {
                        let api = api.get_value();
                        spawn_local(async move { report(api.revoke_device(client).await) })
                    };
                    let since = js_sys::Date::new(&(device.created_ms as f64).into()).to_date_string().as_string().unwrap_or_default();
                    view! {
                        <li>
                            {format!("Device since {since}")}
                            {if device.revoked {
                                view! { <span class="role">" — revoked"</span> }.into_any()
                            } else if mine || manages() {
                                view! { <button type="button" class="small" on:click=revoke aria-label=format!("Revoke device since {since}")>"Revoke"</button> }.into_any()
                            } else {
                                ().into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn InviteForm(api: StoredValue<Api>) -> impl IntoView {
    let state = use_app_state();
    let role = RwSignal::new("editor".to_owned());
    let days = RwSignal::new("7".to_owned());
    let code = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(Vec::<PendingInvite>::new());
    // The list may arrive after the person has left the page.
    let load = move || {
        let Some(api) = api.try_get_value() else {
            return;
        };
        spawn_local(async move {
            match api.invites().await {
                Ok(list) => drop(pending.try_set(list.invites)),
                Err(e) => drop(error.try_set(Some(e.to_string()))),
            }
        });
    };
    if state.online.get_untracked() {
        load();
    }
    let withdraw = move |id: String| {
        let api = api.get_value();
        spawn_local(async move {
            match api.withdraw_invite(&id).await {
                Ok(()) => load(),
                Err(e) => drop(error.try_set(Some(e.to_string()))),
            }
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(role) = Role::from_name(&role.get_untracked()) else {
            return;
        };
        let days: u32 = days.get_untracked().parse().unwrap_or(7);
        let api = api.get_value();
        spawn_local(async move {
            let request = InviteRequest {
                role,
                expires_in_seconds: days.saturating_mul(86_400),
            };
            match api.invite(&request).await {
                Ok(invite) => {
                    code.try_set(Some(invite.code));
                    error.try_set(None);
                    load();
                }
                Err(e) => drop(error.try_set(Some(e.to_string()))),
            }
        });
    };
    let link = move || code.get().map(|c| format!("{}/join#{c}", origin()));
    let copy = move |_| {
        if let Some(code) = code.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&code);
        }
    };
    view! {
        <form class="stack-form" on:submit=submit aria-label="Invite a colleague">
            <h2>"Invite a colleague"</h2>
            <div class="field">
                <label for="invite-role">"Role"</label>
                <select id="invite-role" bind:value=role>
                    <option value="editor">"editor — keeps the register"</option>
                    <option value="auditor">"auditor — audits, checks, findings, events"</option>
                    <option value="viewer">"viewer — reads only"</option>
                    <option value="admin">"admin — also manages members"</option>
                    <option value="owner">"owner"</option>
                </select>
            </div>
            <div class="field">
                <label for="invite-days">"Valid for (days)"</label>
                <input id="invite-days" type="number" min="1" max="30" bind:value=days />
            </div>
            <button type="submit">"Create invite"</button>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <Show when=move || code.get().is_some()>
                <div class="field">
                    <label for="invite-code">"Invite code (single use)"</label>
                    <input id="invite-code" type="text" readonly=true prop:value=move || code.get().unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="invite-link">"Or send this link"</label>
                    <input id="invite-link" type="text" readonly=true prop:value=move || link().unwrap_or_default() />
                </div>
                <button type="button" on:click=copy>"Copy code"</button>
            </Show>
        </form>
        <h2>"Invites not used yet"</h2>
        <ul class="record-list" aria-label="Invites not used yet">
            <For each=move || pending.get() key=|invite| invite.id.clone() let:invite>
                {
                    let id = invite.id.clone();
                    let until = js_sys::Date::new(&(invite.expires_at_ms as f64).into())
                        .to_date_string()
                        .as_string()
                        .unwrap_or_default();
                    // The device it was made on, as the members list names devices.
                    let made_on = invite.created_by_device.and_then(|client| {
                        state.members.with_untracked(|members| {
                            members.iter().flat_map(|m| &m.devices).find(|d| d.client == client).map(|d| {
                                let since = js_sys::Date::new(&(d.created_ms as f64).into()).to_date_string().as_string().unwrap_or_default();
                                format!(" on the device since {since}")
                            })
                        })
                    });
                    let text = format!("{} invite by {}{}, valid until {until}", invite.role.name(), invite.created_by_name, made_on.unwrap_or_default());
                    view! {
                        <li class="record">
                            <span class="record-title">{text.clone()}</span>
                            <button type="button" class="small" aria-label=format!("Withdraw the {text}")
                                on:click=move |_| withdraw(id.clone())>"Withdraw"</button>
                        </li>
                    }
                }
            </For>
        </ul>
        <Show when=move || pending.with(Vec::is_empty)>
            <p class="lede">"No invite is waiting to be used."</p>
        </Show>
    }
}
