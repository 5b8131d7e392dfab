//! A risk's treatment plan (clause 6.1.3 e): the actions that carry it out, with their owners
//! and due dates, and the owner's approval of the plan; and the owner's acceptance of what is
//! left (6.1.3 f), which the register requires in their own name, with a rationale and an
//! expiry, whenever the risk stays above the organisation's appetite.

use crate::components::{RecordLink, record::words, write::Write};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*};
use register::{Kind, RecordId, choices::RiskStatus, risk, views};

fn me(state: crate::state::AppState) -> Option<RecordId> {
    state.me().and_then(|m| m.parse().ok())
}

/// The actions that treat the risk, and the owner's approval of them.
#[component]
pub fn TreatmentPlan(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let actions = Memo::new(move |_| {
        state.read(|d| {
            let mut actions: Vec<views::Action> = d
                .local
                .all::<views::Action>()
                .into_iter()
                .filter(|a| a.risk == Some(id))
                .collect();
            actions.sort_by(|a, b| a.due.cmp(&b.due));
            actions
        })
    });
    let approval = move || {
        state.read(|d| {
            let risk = d.local.view::<views::Risk>(id)?;
            let on = risk.plan_approved_on?;
            let by = risk
                .plan_approved_by
                .map(|m| {
                    format!(
                        " by {}",
                        state.name_of(m).unwrap_or_else(|| "a former member".into())
                    )
                })
                .unwrap_or_default();
            Some(format!("Plan approved{by} on {on}."))
        })
    };
    let write = Write::new();
    let approve = move |_| {
        let today = state.today.get_untracked();
        write.start(vec![risk::approve_plan(id, me(state), &today)]);
    };
    view! {
        <section class="treatment-plan" aria-labelledby="treatment-plan">
            <h2 id="treatment-plan">"Treatment plan"</h2>
            {move || {
                let actions = actions.get();
                if actions.is_empty() {
                    view! { <p class="empty">"No action treats this risk yet. Add one under Act → Actions, naming this risk."</p> }.into_any()
                } else {
                    view! {
                        <ul class="record-list" aria-label="Actions treating this risk">
                            {actions.into_iter().map(|a| {
                                let owner = a.owner.map(|o| state.name_of(o).unwrap_or_else(|| "a former member".into())).unwrap_or_else(|| "no owner".into());
                                let due = a.due.clone().unwrap_or_else(|| "no due date".into());
                                let status = a.status.map_or("open".to_owned(), |s| words(s.name()));
                                view! {
                                    <li class="record">
                                        <RecordLink kind=Kind::Action id=a.id />
                                        <span class="tags"><span class="tag">{owner}</span><span class="tag">{format!("due {due}")}</span><span class="tag">{status}</span></span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <p class="added" role="status">{approval}</p>
            <Show when=move || state.may_write(Kind::Risk)>
                <button type="button" class="secondary" on:click=approve disabled=move || write.pending()>"Approve this plan as the risk's owner"</button>
            </Show>
            {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        </section>
    }
}

/// The owner's acceptance of the risk as it stands: given here, judged by the register.
#[component]
pub fn Acceptance(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let risk = Memo::new(move |_| state.read(|d| d.local.view::<views::Risk>(id)));
    let appetite = Memo::new(move |_| state.read(|d| risk::Criteria::read(&d.local).appetite));
    let rationale = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let write = Write::new();
    let accept = move |ev: SubmitEvent| {
        ev.prevent_default();
        let today = state.today.get_untracked();
        write.start(vec![risk::accept(
            id,
            me(state),
            &today,
            &rationale.get_untracked(),
            &expires.get_untracked(),
        )]);
    };
    let standing = move || {
        let risk = risk.get()?;
        let score = risk.current_score()?;
        let appetite = appetite.get();
        let accepted = risk.status == Some(RiskStatus::Accepted);
        Some(match (accepted, score > appetite) {
            (true, _) => format!(
                "Accepted{} on {}, until {}. {}",
                risk.acceptance_approver
                    .map(|m| format!(
                        " by {}",
                        state.name_of(m).unwrap_or_else(|| "a former member".into())
                    ))
                    .unwrap_or_default(),
                risk.accepted_on
                    .clone()
                    .unwrap_or_else(|| "an unrecorded day".into()),
                risk.acceptance_expires
                    .clone()
                    .unwrap_or_else(|| "no expiry".into()),
                risk.acceptance_rationale.clone().unwrap_or_default(),
            ),
            (false, true) => format!(
                "Score {score} is above the appetite of {appetite}: only the risk's owner may accept it, with a rationale and an expiry."
            ),
            (false, false) => format!("Score {score} is within the appetite of {appetite}."),
        })
    };
    view! {
        <section class="acceptance" aria-labelledby="acceptance">
            <h2 id="acceptance">"Acceptance"</h2>
            <p data-testid="acceptance-standing">{standing}</p>
            <Show when=move || state.may_write(Kind::Risk)>
                <form class="record-form" on:submit=accept novalidate=true aria-label="Accept this risk">
                    <div class="field">
                        <label for="acceptance-rationale">"Why the risk is accepted"</label>
                        <textarea id="acceptance-rationale" rows="2" bind:value=rationale></textarea>
                    </div>
                    <div class="field">
                        <label for="acceptance-expires">"Accepted until"</label>
                        <input id="acceptance-expires" type="date" bind:value=expires />
                    </div>
                    <button type="submit" disabled=move || write.pending()>"Accept as the risk's owner"</button>
                    {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
                </form>
            </Show>
        </section>
    }
}
