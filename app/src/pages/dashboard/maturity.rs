//! Maturity per area: the computed level and why, what the next level needs, and the
//! organisation's target and own view, set here.

use crate::{components::write::Write, state::use_app_state};
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::components::A;
use register::{
    Kind, Value, dates,
    gate::Edit,
    maturity::{self, Area, Assessment, level_name},
    views::MaturityTarget,
};

#[component]
pub fn Maturity() -> impl IntoView {
    let state = use_app_state();
    let assessments = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        Some(state.read(|d| maturity::assess(&d.local, today)))
    });
    view! {
        <section class="page">
            <p class="back"><A href="/">"← Dashboard"</A></p>
            <h1>"Maturity"</h1>
            <p class="lede">
                "Each area's level (0 not performed, 1 initial, 2 managed, 3 defined, 4 quantitatively managed, 5 optimising) is computed from the register by stated rules: an area is at the highest level whose rules, and every lower level's, all hold. Set a target per area, and record your own view beside the computed one."
            </p>
            {Area::ALL.map(|area| {
                let assessment = Signal::derive(move || {
                    assessments.get().and_then(|all| all.into_iter().find(|a| a.area == area))
                });
                view! { <AreaCard area assessment /> }
            }).collect_view()}
        </section>
    }
}

fn level_choice(value: Option<u8>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One area: its level and why, redrawn as the register changes; the form keeps what the
/// person is typing.
#[component]
fn AreaCard(area: Area, assessment: Signal<Option<Assessment>>) -> impl IntoView {
    let state = use_app_state();
    let first = assessment.get_untracked();
    let target = RwSignal::new(level_choice(first.as_ref().and_then(|a| a.target)));
    let own = RwSignal::new(level_choice(first.as_ref().and_then(|a| a.self_assessed)));
    let note = RwSignal::new(first.and_then(|a| a.note).unwrap_or_default());
    let write = Write::new();
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let level = |draft: String| draft.parse::<i64>().map_or(Value::Null, Value::Int);
        let fields = vec![
            (MaturityTarget::area, Value::from(area.key())),
            (MaturityTarget::target, level(target.get_untracked())),
            (MaturityTarget::self_assessed, level(own.get_untracked())),
            (
                MaturityTarget::note,
                Value::from(note.get_untracked().as_str()),
            ),
        ];
        write.start(vec![Edit {
            record: maturity::target_id(area),
            kind: Kind::MaturityTarget,
            fields,
        }]);
    };
    let key = area.key();
    let options = move || {
        (0..=maturity::TOP)
            .map(|l| view! { <option value=l.to_string()>{format!("{l} {}", level_name(l))}</option> })
            .collect_view()
    };
    view! {
        <article class="area" aria-labelledby=format!("area-{key}")>
            <h2 id=format!("area-{key}")>{area.title()}</h2>
            <p class="level" data-testid=format!("level-{key}")>
                {move || assessment.get().map(|a| {
                    let target = a.target.map(|t| format!(" — target {t}")).unwrap_or_default();
                    format!("Level {} ({}){target}", a.level, level_name(a.level))
                })}
            </p>
            <p class="explanation">{move || assessment.get().map(|a| a.explanation())}</p>
            <Show when=move || state.may_write(Kind::MaturityTarget)>
                <form class="record-form inline" on:submit=save>
                    <div class="field">
                        <label for=format!("target-{key}")>"Target level"</label>
                        <select id=format!("target-{key}") prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                            <option value="">"None"</option>
                            {options()}
                        </select>
                    </div>
                    <div class="field">
                        <label for=format!("own-{key}")>"Your own assessment"</label>
                        <select id=format!("own-{key}") prop:value=move || own.get() on:change=move |ev| own.set(event_target_value(&ev))>
                            <option value="">"None"</option>
                            {options()}
                        </select>
                    </div>
                    <div class="field">
                        <label for=format!("note-{key}")>"Note"</label>
                        <textarea id=format!("note-{key}") prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit">"Save"</button>
                    <p class="saved" role="status">{move || write.message().or_else(|| write.stored().then(|| "Saved on this device.".to_owned()))}</p>
                </form>
            </Show>
        </article>
    }
}
