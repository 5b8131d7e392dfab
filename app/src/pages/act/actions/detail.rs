//! One action: what it is and where it comes from, marking it done, and the check that it
//! worked, recorded in the verifier's own name by someone who neither owns it nor marked it
//! done (the register's verbs make the changes; the gate judges them). An action found not
//! effective sends its finding back to planning for a follow-up action.

use crate::components::{
    FieldMessage, RecordLink, RoutedDetail, error_for,
    evidence::EvidencePanel,
    history::RecordHistory,
    record::{RecordEditor, now_stored, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*};
use register::choices::{ActionStatus, ActionType, Verdict};
use register::{
    FieldError, Kind, RecordId,
    findings::{Verification, checked_early, mark_done, verification_barred, verify},
    views::Action,
};

#[component]
pub fn ActionDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Action back="/actions" back_label="← All actions" page=|id| view! { <ActionPage id /> }.into_any() />
    }
}

#[component]
fn ActionPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let action = Memo::new(move |_| state.read(|d| d.local.view::<Action>(id)));
    let title = move || action.get().and_then(|a| a.title).unwrap_or_default();
    let status = move || {
        action
            .get()
            .and_then(|a| a.status)
            .unwrap_or(ActionStatus::Open)
    };
    let finished = move || matches!(status(), ActionStatus::Done | ActionStatus::Cancelled);
    let write = Write::new();
    let mark_done = move |_| {
        let Some(current) = action.get_untracked() else {
            return;
        };
        write.start(vec![mark_done(
            &current,
            state.me().as_deref(),
            &now_stored(),
            &state.today.get_untracked(),
        )]);
    };
    view! {
        <h1>{title}</h1>
        <p class="tags">
            <span class="tag">{move || words(action.get().and_then(|a| a.action_type).map_or("", ActionType::name))}</span>
            <span class="tag">{move || words(status().name())}</span>
        </p>
        {move || action.get().and_then(|a| a.finding).map(|finding| view! {
            <p>"For the finding "<RecordLink kind=Kind::Finding id=finding /></p>
        })}
        <Show when=move || !finished() && state.may_write(Kind::Action)>
            <button type="button" on:click=mark_done disabled=move || write.pending()>"Mark done"</button>
        </Show>
        {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        <RecordEditor kind=Kind::Action id sections=&["Action", "Progress"] />
        <Show when=move || status() == ActionStatus::Done>
            <Effectiveness action />
        </Show>
        <EvidencePanel kind=Kind::Action id />
        <RecordHistory id kind=Kind::Action />
    }
}

/// The effectiveness check: when it is due, and its result once recorded, or the form that
/// records it.
#[component]
fn Effectiveness(action: Memo<Option<Action>>) -> impl IntoView {
    let state = use_app_state();
    let current = action.get_untracked();
    let method = RwSignal::new(
        current
            .as_ref()
            .and_then(|a| a.check_method.clone())
            .unwrap_or_default(),
    );
    let result = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    // Checked on the page before anything is written: a result must be chosen.
    let unchosen = RwSignal::new(Vec::<FieldError>::new());
    let write = Write::new();
    let errors = Signal::derive(move || {
        let mut all = unchosen.get();
        all.extend(write.refused());
        all
    });
    // The finding a "not effective" result sends back, shown once it is stored.
    let sent_back = RwSignal::new(None::<RecordId>);
    let follow_up = move || sent_back.get().filter(|_| write.stored());
    let name_of =
        move |member: RecordId| state.name_of(member).unwrap_or_else(|| member.to_string());
    let verified = move || {
        let action = action.get()?;
        let result = action.effective?;
        let by = action
            .verified_by
            .map(name_of)
            .unwrap_or_else(|| "this device".into());
        let at = action.verified_at.unwrap_or_default();
        Some(format!(
            "{} — verified by {by} at {at}.",
            words(result.name())
        ))
    };
    // Who may not record it is told why instead of being offered the form.
    let barred = move || {
        let action = action.get()?;
        if !state.may_write(Kind::Action) {
            return Some("Your role does not record effectiveness checks.".to_owned());
        }
        verification_barred(
            &action,
            state.me().as_deref(),
            state.role(),
            &state.today.get(),
        )
    };
    // An owner or admin checking before the due date says why.
    let early = move || {
        action
            .get()
            .is_some_and(|a| checked_early(&a, &state.today.get()))
    };
    let early_reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(outcome) = Verdict::from_name(&result.get_untracked()) else {
            return unchosen.set(vec![FieldError {
                field: Action::effective.into(),
                message: "Choose whether the action worked.".into(),
            }]);
        };
        unchosen.set(Vec::new());
        let Some(current) = action.get_untracked() else {
            return;
        };
        let (method, seen) = (method.get_untracked(), notes.get_untracked());
        let early_reason = early_reason.get_untracked();
        let found = Verification {
            result: outcome,
            method: &method,
            seen: &seen,
            early_reason: &early_reason,
        };
        let set = state.read_untracked(|d| {
            verify(
                &d.local,
                &current,
                state.me().as_deref(),
                &found,
                &now_stored(),
            )
        });
        sent_back.set(
            set.iter()
                .find(|edit| edit.kind == Kind::Finding)
                .map(|edit| edit.record),
        );
        write.start(set);
    };
    view! {
        <section class="effectiveness" aria-label="Effectiveness check">
            <h2>"Effectiveness check"</h2>
            {move || action.get().and_then(|a| a.check_due).map(|due| view! { <p>{format!("Due {due}.")}</p> })}
            {move || match (verified(), barred()) {
                (Some(text), _) => view! { <p class="verified" role="status">{text}</p> }.into_any(),
                (None, Some(reason)) => view! { <p class="notice" role="note">{reason}</p> }.into_any(),
                (None, None) => view! {
                    <form class="record-form" on:submit=on_submit novalidate=true aria-label="Record the effectiveness check">
                        <fieldset>
                            <div class="field">
                                <label for="check-method">"Method and criterion"</label>
                                <textarea id="check-method" rows="2" bind:value=method></textarea>
                            </div>
                            <div class="field">
                                <label for="check-result">"Result"</label>
                                <select id="check-result" aria-describedby="check-result-error" bind:value=result>
                                    <option value="">"—"</option>
                                    {Verdict::ALL.iter().map(|v| view! { <option value=v.name()>{words(v.name())}</option> }).collect_view()}
                                </select>
                                <FieldMessage id="check-result-error" message=error_for(errors, Action::effective) />
                            </div>
                            <div class="field">
                                <label for="check-notes">"What was seen"</label>
                                <textarea id="check-notes" rows="2" bind:value=notes></textarea>
                            </div>
                            <Show when=early>
                                <div class="field">
                                    <label for="check-early-reason">"Why check it before its due date"</label>
                                    <textarea id="check-early-reason" rows="2" aria-describedby="check-early-reason-error" bind:value=early_reason></textarea>
                                    <FieldMessage id="check-early-reason-error" message=error_for(errors, Action::early_check_reason) />
                                </div>
                            </Show>
                            <button type="submit" disabled=move || write.pending()>"Record verification"</button>
                            <FieldMessage id="check-verifier-error" message=error_for(errors, Action::verified_by) />
                        </fieldset>
                    </form>
                }.into_any(),
            }}
            {move || follow_up().map(|finding| view! {
                <p class="notice" role="status">"Not effective: the finding is back to “actions planned”. Add a follow-up action on "<RecordLink kind=Kind::Finding id=finding />"."</p>
            })}
        </section>
    }
}
