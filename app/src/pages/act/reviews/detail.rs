//! One management review: its inputs per 9.3.2 with the records behind them, commentary and
//! decisions, its outputs as actions, and the sign-off that freezes it.

use crate::components::{
    RecordLink, RoutedDetail,
    evidence::EvidencePanel,
    history::RecordHistory,
    record::{NewRecordForm, RecordEditor, fields, now_stored, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::choices::{ActionStatus, ActionType, OutputType};
use register::{
    Kind, RecordId, Value, dates, reviews,
    views::{Action, Review},
};

#[component]
pub fn ReviewDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Review back="/reviews" back_label="← All reviews" page=|id| view! { <ReviewPage id /> }.into_any() />
    }
}

/// A line's records as links, or how many when there are many.
fn line_records(records: Vec<RecordId>) -> AnyView {
    if records.len() > 6 {
        return view! { <span class="muted">{format!(" ({} records)", records.len())}</span> }
            .into_any();
    }
    let links = records.into_iter().map(|id| {
        let state = use_app_state();
        let kind = state.read_untracked(|d| d.local.record(id).map(|r| r.kind));
        kind.map(|kind| view! { " " <RecordLink kind id /> })
    });
    links.collect_view().into_any()
}

#[component]
fn ReviewPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let review = Memo::new(move |_| state.read(|d| d.local.view::<Review>(id)));
    let signed = move || review.get().is_some_and(|r| r.signed_off_at.is_some());
    let inputs = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        let review = review.get()?;
        Some(state.read(|d| reviews::inputs(&d.local, &review, today)))
    });
    let period = move || {
        let review = review.get()?;
        let period = state.read(|d| reviews::period(&d.local, &review))?;
        Some(format!("Covers {} to {}.", period.first, period.last))
    };
    let outputs = Memo::new(move |_| state.read(|d| reviews::outputs(&d.local, id)));
    let name_of = move |member: Option<RecordId>| {
        member
            .and_then(|m| state.name_of(m))
            .unwrap_or_else(|| "a former member".to_owned())
    };
    view! {
        <h1>{move || review.get().and_then(|r| r.title).unwrap_or_default()}</h1>
        <p class="lede">{period}" "<A href=format!("/reviews/{id}/minutes")>"Minutes"</A></p>
        <Show when=signed>
            <p class="notice signed" data-testid="signed-off">{move || review.get().map(|r| format!(
                "Signed off by {} on {}: this review no longer changes. Next review proposed for {}.",
                name_of(r.signed_off_by),
                r.signed_off_at.unwrap_or_default().replace('T', " ").trim_end_matches('Z'),
                r.next_review.unwrap_or_else(|| "—".into()),
            ))}</p>
        </Show>
        <h2>"Inputs (9.3.2)"</h2>
        {move || if signed() {
            let text = review.get().and_then(|r| r.inputs_snapshot).unwrap_or_default();
            view! { <pre class="inputs-snapshot" aria-label="Inputs as signed off">{text}</pre> }.into_any()
        } else {
            inputs.get().unwrap_or_default().into_iter().map(|section| view! {
                <section class="review-input" aria-label=section.title>
                    <h3>{format!("{} {}", section.clause, section.title)}</h3>
                    <ul>
                        {section.lines.into_iter().map(|line| view! { <li>{line.text}{line_records(line.records)}</li> }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        }}
        <h2>"Outputs (9.3.3)"</h2>
        {move || {
            let outputs = outputs.get();
            if outputs.is_empty() {
                view! { <p class="empty">"No output yet: each improvement, change to the ISMS or resource need decided becomes an action with an owner and a due date."</p> }.into_any()
            } else {
                view! {
                    <ul class="record-list" aria-label="Outputs">
                        {outputs.into_iter().map(|a: Action| view! {
                            <li class="record">
                                <RecordLink kind=Kind::Action id=a.id />
                                <span class="tags">
                                    <span class="tag">{words(a.output_type.unwrap_or(OutputType::Improvement).name())}</span>
                                    <span class="tag">{words(a.status.unwrap_or(ActionStatus::Open).name())}</span>
                                    {a.due.map(|d| view! { <span class="tag">{format!("due {d}")}</span> })}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        <Show when=move || !signed() && state.may_write(Kind::Action)>
            <details class="new-record">
                <summary>"Add an output"</summary>
                <NewRecordForm
                    kind=Kind::Action
                    fields=fields!(Action: title, output_type, owner, due)
                    fixed=vec![(Action::action_type, Value::from(ActionType::Improvement)), (Action::review, Value::from(id.to_string()))]
                    submit="Add output"
                    on_created=Callback::new(|_| ())
                />
            </details>
        </Show>
        <Show when=move || !signed() && state.role().manages_members()>
            <SignOff id />
        </Show>
        <RecordEditor kind=Kind::Review id sections=&["Review", "Commentary on the inputs", "Decisions"] />
        <EvidencePanel kind=Kind::Review id />
        <RecordHistory id kind=Kind::Review />
    }
}

/// Signing off: by the organisation member this device belongs to, or on a register kept on
/// one device, by the person chosen.
#[component]
fn SignOff(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let me: Option<RecordId> = state.me().and_then(|m| m.parse().ok());
    let people = state.people();
    let chosen = RwSignal::new(
        me.map(|m| m.to_string())
            .or_else(|| people.first().map(|(id, _)| id.clone()))
            .unwrap_or_default(),
    );
    let unnamed = RwSignal::new(None::<String>);
    let write = Write::new();
    let problem = move || unnamed.get().or_else(|| write.message());
    let sign = move |_| {
        let Ok(member) = chosen.get_untracked().parse::<RecordId>() else {
            unnamed.set(Some("Say who signs the review off.".into()));
            return;
        };
        unnamed.set(None);
        let Some(review) = state.read_untracked(|d| d.local.view::<Review>(id)) else {
            return;
        };
        let set = state
            .read_untracked(|d| reviews::sign_off(&d.local, &review, Some(member), &now_stored()));
        write.start(set);
    };
    view! {
        <section class="stack-form" aria-labelledby="sign-off">
            <h2 id="sign-off">"Sign off"</h2>
            <p>"Signing off keeps the inputs as they stand, marks the review held and proposes the next. After that, neither this device nor the server accepts a change to it."</p>
            {match me {
                Some(_) => view! { <p>"You sign in your own name."</p> }.into_any(),
                None => view! {
                    <div class="field">
                        <label for="signer">"Signed off by"</label>
                        <select id="signer" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                            {people.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </div>
                }.into_any(),
            }}
            <button type="button" on:click=sign disabled=move || write.pending()>"Sign off the review"</button>
            <p class="form-error" role="alert">{problem}</p>
        </section>
    }
}
