//! A walkthrough in progress, made for one hand on a phone: one check per screen, three big
//! answers, a note, a photo, and previous and next (buttons, or a swipe). It reopens at the
//! check it was left on, after a closed tab or a restarted phone, and works with no network
//! from the first check. A nonconforming check raises a finding in one tap, with the site,
//! the control, the note and the photos.

use crate::components::{
    RecordLink, RoutedDetail, evidence::EvidencePanel, record::now_stored, write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    Kind, RecordId, Value, audits,
    gate::Edit,
    views::{Audit, AuditCheck, Finding},
    walkthrough::{self, Answer, resume_at},
};

/// Least horizontal travel of a swipe, in CSS pixels.
const SWIPE_PX: i32 = 60;

#[component]
pub fn WalkthroughRun() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Audit back="/walkthroughs" back_label="← Walkthroughs" page=|id| view! { <Run audit=id /> }.into_any() />
    }
}

/// Where this device left a walkthrough: kept in `localStorage`, which outlives the tab.
fn left_on_key(audit: RecordId) -> String {
    format!("ratchet.walk.{audit}")
}

fn left_on(audit: RecordId) -> Option<usize> {
    window()
        .local_storage()
        .ok()??
        .get_item(&left_on_key(audit))
        .ok()??
        .parse()
        .ok()
}

fn remember(audit: RecordId, at: usize) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(&left_on_key(audit), &at.to_string());
    }
}

#[component]
fn Run(audit: RecordId) -> impl IntoView {
    let state = use_app_state();
    let checks = Memo::new(move |_| state.read(|d| audits::checks_of(&d.local, audit)));
    let at = RwSignal::new(resume_at(&checks.get_untracked(), left_on(audit)));
    Effect::new(move |_| remember(audit, at.get()));
    let total = move || checks.with(Vec::len);
    // A memo, so the check's screen is drawn again only when another check is shown.
    let current = Memo::new(move |_| checks.with(|c| c.get(at.get()).map(|c| c.id)));
    let go = move |step: i32| {
        let last = total().saturating_sub(1) as i32;
        at.update(|at| *at = (*at as i32 + step).clamp(0, last) as usize);
    };
    let answered = move || audits::progress(&checks.get()).0;
    let touch_x = StoredValue::new(None::<i32>);
    let title = move || {
        state
            .read(|d| d.local.view::<Audit>(audit))
            .and_then(|a| a.title)
            .unwrap_or_default()
    };
    view! {
        <div
            class="walk"
            on:touchstart=move |ev: leptos::ev::TouchEvent| {
                touch_x.set_value(ev.changed_touches().get(0).map(|t| t.client_x()));
            }
            on:touchend=move |ev: leptos::ev::TouchEvent| {
                let (Some(from), Some(to)) = (touch_x.get_value(), ev.changed_touches().get(0).map(|t| t.client_x())) else { return };
                if to - from <= -SWIPE_PX { go(1) } else if to - from >= SWIPE_PX { go(-1) }
            }
        >
            <h1 class="walk-title">{title}</h1>
            <p class="walk-progress" aria-live="polite">
                <span>{move || format!("{} of {}", at.get() + 1, total())}</span>
                <progress max=move || total().to_string() value=move || answered().to_string() aria-label="Checks answered"></progress>
                <span class="meta">{move || format!("{} answered", answered())}</span>
            </p>
            {move || current.get().map(|check| view! { <CheckScreen audit check on_answered=Callback::new(move |advance: bool| if advance { go(1) }) /> })}
            <div class="walk-nav">
                <button type="button" class="secondary big" on:click=move |_| go(-1) disabled=move || at.get() == 0>"Previous"</button>
                <Show
                    when=move || at.get() + 1 < total()
                    fallback=move || view! { <A href=format!("/audits/{audit}") attr:class="button big">"Finish"</A> }
                >
                    <button type="button" class="big" on:click=move |_| go(1)>"Next"</button>
                </Show>
            </div>
            <p class="meta">"Every answer is kept on this device as you go, and syncs when there is a signal."</p>
        </div>
    }
}

/// One check: its requirement, the question, the answers, a note, photos, and for a
/// nonconformity its finding.
#[component]
fn CheckScreen(audit: RecordId, check: RecordId, on_answered: Callback<bool>) -> impl IntoView {
    let state = use_app_state();
    let stored = Memo::new(move |_| state.read(|d| d.local.view::<AuditCheck>(check)));
    let note = RwSignal::new(
        stored
            .get_untracked()
            .and_then(|c| c.evidence)
            .unwrap_or_default(),
    );
    let (answering, noting) = (Write::new(), Write::new());
    let last_answer = StoredValue::new(None::<Answer>);
    let answer = move || Answer::of(stored.get().and_then(|c| c.result));
    let record = move |chosen: Answer| {
        let note = note.get_untracked();
        let mut changes = vec![
            (AuditCheck::result, Value::from(chosen.result())),
            (AuditCheck::checked_at, Value::Text(now_stored())),
            (AuditCheck::evidence, Value::Text(note)),
        ];
        if let Some(me) = state.me() {
            changes.push((AuditCheck::checked_by, Value::Text(me)));
        }
        last_answer.set_value(Some(chosen));
        answering.start(vec![Edit {
            record: check,
            kind: Kind::AuditCheck,
            fields: changes,
        }]);
    };
    // Once stored, the walk moves on; a nonconformity stays on screen for its note, photo and
    // finding. (A save that ends after this screen is gone moves nothing.)
    Effect::new(move |_| {
        if answering.stored()
            && last_answer
                .get_value()
                .is_some_and(|chosen| chosen != Answer::Nonconforming)
        {
            untrack(|| on_answered.run(true));
        }
    });
    let save_note = move |_| {
        let text = note.get_untracked();
        if stored
            .get_untracked()
            .and_then(|c| c.evidence)
            .unwrap_or_default()
            == text
        {
            return;
        }
        noting.start(vec![Edit {
            record: check,
            kind: Kind::AuditCheck,
            fields: vec![(AuditCheck::evidence, Value::Text(text))],
        }]);
    };
    let reference = move || stored.get().and_then(|c| c.reference).unwrap_or_default();
    let control = move || stored.get().and_then(|c| c.control);
    let finding = move || {
        state.read(|d| {
            d.local
                .all::<Finding>()
                .into_iter()
                .find(|f| f.audit_check == Some(check))
                .map(|f| f.id)
        })
    };
    let raising = Write::new();
    let raise = move |_| {
        let (Some(stored), Some(walk)) = (
            stored.get_untracked(),
            state.read_untracked(|d| d.local.view::<Audit>(audit)),
        ) else {
            return;
        };
        if raising.pending_untracked() {
            return;
        }
        let set =
            state.read_untracked(|d| walkthrough::raise(&d.local, &stored, &walk, &now_stored()));
        raising.start(set);
    };
    view! {
        <section class="walk-check" aria-labelledby="walk-question">
            <p class="walk-reference">
                {move || match control() {
                    Some(id) => view! { <RecordLink kind=Kind::Control id /> }.into_any(),
                    None => reference().into_any(),
                }}
            </p>
            <h2 id="walk-question">{move || stored.get().and_then(|c| c.question).unwrap_or_default()}</h2>
            <div class="walk-answers" role="group" aria-label="Answer">
                {Answer::ALL.map(|choice| view! {
                    <button
                        type="button"
                        class=format!("answer {}", choice.result())
                        aria-pressed=move || (answer() == Some(choice)).to_string()
                        on:click=move |_| record(choice)
                    >
                        {choice.label()}
                    </button>
                }).collect_view()}
            </div>
            <label for="walk-note">"Note"</label>
            <textarea id="walk-note" rows="3" bind:value=note on:change=save_note placeholder="What you saw, and where"></textarea>
            <p class="field-error" role="alert">{move || [answering, noting, raising].into_iter().find_map(Write::message)}</p>
            <Show when=move || answer() == Some(Answer::Nonconforming)>
                {move || match finding() {
                    Some(id) => view! { <p class="walk-finding">"Finding raised: " <RecordLink kind=Kind::Finding id /></p> }.into_any(),
                    None => view! { <button type="button" class="big raise" on:click=raise disabled=move || raising.pending()>"Raise a finding"</button> }.into_any(),
                }}
            </Show>
            <EvidencePanel kind=Kind::AuditCheck id=check photo_only=true />
        </section>
    }
}
