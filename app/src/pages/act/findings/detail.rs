//! One finding: where it came from, its workflow from open to closed (closing is refused,
//! with the reason, until the register's rules hold), a likely recurrence, the statement and
//! root-cause analysis, and its actions.

use crate::components::{
    RecordLink, RoutedDetail,
    evidence::EvidencePanel,
    history::RecordHistory,
    list::Tag,
    record::{NewRecordForm, RecordEditor, fields, now_stored, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::choices::{ActionStatus, ActionType, FindingStatus, FindingType, Verdict};
use register::{
    Kind, RecordId, Value,
    findings::{move_to, next_status, recurrence_candidates, recurrences, reopen},
    gate::Edit,
    views::{Action, Finding},
};

#[component]
pub fn FindingDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Finding back="/findings" back_label="← All findings" page=|id| view! { <FindingPage id /> }.into_any() />
    }
}

#[component]
fn FindingPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let finding = Memo::new(move |_| state.read(|d| d.local.view::<Finding>(id)));
    let title = move || finding.get().and_then(|f| f.title).unwrap_or_default();
    let tags = move || {
        let finding = finding.get()?;
        let mut tags = vec![Tag::plain(words(
            finding
                .finding_type
                .unwrap_or(FindingType::Observation)
                .name(),
        ))];
        tags.push(Tag::plain(words(
            finding.status.unwrap_or(FindingStatus::Open).name(),
        )));
        Some(
            tags.into_iter()
                .map(|t| view! { <span class="tag">{t.text}</span> })
                .collect_view(),
        )
    };
    view! {
        <h1>{title}</h1>
        <p class="tags">{tags}</p>
        <Source finding />
        <Workflow id finding />
        <Recurrence id finding />
        <RecordEditor kind=Kind::Finding id />
        <Actions finding=id />
        <EvidencePanel kind=Kind::Finding id />
        <RecordHistory id kind=Kind::Finding />
    }
}

/// What raised the finding, each a link to it.
#[component]
fn Source(finding: Memo<Option<Finding>>) -> impl IntoView {
    let state = use_app_state();
    move || {
        let finding = finding.get()?;
        let links: Vec<(Kind, RecordId, &str)> = [
            (Kind::Audit, finding.audit, "Audit"),
            (Kind::Event, finding.event, "Report"),
            (Kind::Finding, finding.recurrence_of, "Recurrence of"),
        ]
        .into_iter()
        .filter_map(|(kind, id, what)| Some((kind, id?, what)))
        .collect();
        let check = finding.audit_check.zip(finding.audit).map(|(check, audit)| {
            view! { <li>"Audit check: "<A href=format!("/audits/{audit}#check-{check}")>"the check that raised it"</A></li> }
        });
        let measured = finding.measurement.map(|m| {
            let metric = state.read_untracked(|d| {
                d.local
                    .view::<register::views::Measurement>(m)
                    .and_then(|m| m.metric)
            });
            match metric {
                Some(metric) => {
                    view! { <li>"Measurement of "<RecordLink kind=Kind::Metric id=metric /></li> }
                        .into_any()
                }
                None => view! { <li>"A measurement not on this device"</li> }.into_any(),
            }
        });
        Some(view! {
            <ul class="sources" aria-label="Raised from">
                {links.into_iter().map(|(kind, id, what)| view! { <li>{format!("{what}: ")}<RecordLink kind id /></li> }).collect_view()}
                {check}
                {measured}
            </ul>
        })
    }
}

/// The workflow's steps with the current one marked, moving on one step at a time, closing
/// (refused with every reason until the rules hold) and reopening with a reason.
#[component]
fn Workflow(id: RecordId, finding: Memo<Option<Finding>>) -> impl IntoView {
    let state = use_app_state();
    let status = move || {
        finding
            .get()
            .and_then(|f| f.status)
            .unwrap_or(FindingStatus::Open)
    };
    let write = Write::new();
    let reason = RwSignal::new(String::new());
    // A reopening stored, its reason is not offered again.
    Effect::new(move |_| {
        if write.stored() {
            reason.set(String::new());
        }
    });
    let change = move |edit: Edit| write.start(vec![edit]);
    let steps = move || {
        let now = status();
        FindingStatus::ALL
            .iter()
            .map(|step| {
                let current = *step == now;
                view! { <li class:current=current aria-current=current.then_some("step")>{words(step.name())}</li> }
            })
            .collect_view()
    };
    let next = move || {
        let next = next_status(status())?;
        let label = if next == FindingStatus::Closed {
            "Close finding".to_owned()
        } else {
            format!("Move to “{}”", words(next.name()))
        };
        Some(view! {
            <button type="button" on:click=move |_| change(move_to(id, next, &now_stored()))>{label}</button>
        })
    };
    let close_now = move || {
        (status() != FindingStatus::Closed && next_status(status()) != Some(FindingStatus::Closed)).then(|| view! {
            <button type="button" class="secondary" on:click=move |_| change(move_to(id, FindingStatus::Closed, &now_stored()))>"Close finding"</button>
        })
    };
    let reopen = move |_| change(reopen(id, &reason.get_untracked()));
    view! {
        <section class="workflow" aria-label="Workflow">
            <ol class="steps">{steps}</ol>
            <Show when=move || state.may_write(Kind::Finding)>
                <Show when=move || status() != FindingStatus::Closed fallback=move || view! {
                    <div class="field">
                        <label for="reopen-reason">"Reason to reopen"</label>
                        <textarea id="reopen-reason" rows="2" bind:value=reason></textarea>
                    </div>
                    <button type="button" class="secondary" on:click=reopen>"Reopen finding"</button>
                }>
                    {next}
                    {close_now}
                </Show>
            </Show>
            <Show when=move || !write.refused().is_empty()>
                <div class="form-error" role="alert">
                    <p>"Not yet:"</p>
                    <ul>{move || write.refused().into_iter().map(|p| view! { <li>{p.message}</li> }).collect_view()}</ul>
                </div>
            </Show>
        </section>
    }
}

/// A likely recurrence of a finding closed in the last year (same control or cause), to
/// confirm; and the later findings that recurred this one.
#[component]
fn Recurrence(id: RecordId, finding: Memo<Option<Finding>>) -> impl IntoView {
    let state = use_app_state();
    let candidates = Memo::new(move |_| {
        let finding = finding.get()?;
        if finding.recurrence_of.is_some() {
            return None;
        }
        let today = state.today.get();
        let found = state.read(|d| recurrence_candidates(&d.local, &finding, &today));
        (!found.is_empty()).then(|| found.into_iter().map(|f| f.id).collect::<Vec<_>>())
    });
    let recurred = move || state.read(|d| recurrences(&d.local, id));
    let write = Write::new();
    let confirm = move |earlier: RecordId| {
        write.start(vec![Edit {
            record: id,
            kind: Kind::Finding,
            fields: vec![(Finding::recurrence_of, Value::Text(earlier.to_string()))],
        }]);
    };
    view! {
        {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        {move || candidates.get().map(|earlier| view! {
            <section class="notice" aria-label="Possible recurrence">
                <p>"This may be a recurrence of a finding closed in the last 12 months:"</p>
                <ul>
                    {earlier.into_iter().map(|e| view! {
                        <li>
                            <RecordLink kind=Kind::Finding id=e />" "
                            <Show when=move || state.may_write(Kind::Finding)>
                                <button type="button" class="secondary small" on:click=move |_| confirm(e)>"Mark as recurrence"</button>
                            </Show>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {move || {
            let later = recurred();
            (!later.is_empty()).then(|| view! {
                <p class="notice" role="note">"Recurred: "
                    {later.into_iter().map(|l| view! { <RecordLink kind=Kind::Finding id=l />" " }).collect_view()}
                </p>
            })
        }}
    }
}

/// The finding's actions, and a form for a new one.
#[component]
fn Actions(finding: RecordId) -> impl IntoView {
    let state = use_app_state();
    let actions = move || {
        state.read(|d| {
            let mut actions: Vec<Action> = d
                .local
                .all::<Action>()
                .into_iter()
                .filter(|a| !a.deleted && a.finding == Some(finding))
                .collect();
            actions.sort_by(|a, b| a.due.cmp(&b.due));
            actions
        })
    };
    let name_of = move |member: Option<RecordId>| state.name_of(member?);
    let defaults = Callback::new(|()| {
        vec![
            (Action::action_type, Value::from(ActionType::Corrective)),
            (Action::status, Value::from(ActionStatus::Open)),
        ]
    });
    view! {
        <h2>"Actions"</h2>
        <Show when=move || !actions().is_empty() fallback=|| view! {
            <p class="empty">"No actions yet. A correction contains the problem now; a corrective action removes its cause so it does not happen again."</p>
        }>
            <ul class="record-list" aria-label="Actions on this finding">
                {move || actions().into_iter().map(|a| {
                    let mut tags = vec![words(a.action_type.map_or("", ActionType::name)), words(a.status.unwrap_or(ActionStatus::Open).name())];
                    tags.extend(a.effective.map(Verdict::name).map(|e| format!("verified {}", words(e).to_lowercase())));
                    tags.extend(name_of(a.owner));
                    tags.extend(a.due.clone().map(|d| format!("due {d}")));
                    view! {
                        <li class="record">
                            <A href=format!("/actions/{}", a.id) attr:class="record-title">{a.title.unwrap_or_default()}</A>
                            <span class="tags">{tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
        <Show when=move || state.may_write(Kind::Action)>
            <details class="new-record">
                <summary>"Add an action"</summary>
                <NewRecordForm
                    kind=Kind::Action
                    fields=fields!(Action: title, action_type, description, owner, due)
                    defaults
                    fixed=vec![(Action::finding, Value::Text(finding.to_string()))]
                    submit="Add action"
                    on_created=Callback::new(|_| ())
                />
            </details>
        </Show>
    }
}
