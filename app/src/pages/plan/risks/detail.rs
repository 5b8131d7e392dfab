//! One risk (clauses 6.1.2, 6.1.3, 8.2, 8.3): every field through the schema's editor. Each
//! saved field is one change that syncs on its own, so two people editing different fields
//! never overwrite each other.

use super::treatment::{Acceptance, TreatmentPlan};
use crate::components::{
    RoutedDetail, evidence::EvidencePanel, history::RecordHistory, record::RecordEditor,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::{Kind, RecordId, Value, gate::Edit, risk::Criteria, schema::DELETED, views};

#[component]
pub fn RiskDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Risk back="/risks" back_label="← All risks" page=|id| view! { <RiskPage id /> }.into_any() />
    }
}

#[component]
fn RiskPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let risk = move || state.read(|d| d.local.view::<views::Risk>(id));
    let title = move || {
        risk()
            .and_then(|r| r.title)
            .unwrap_or_else(|| "(untitled)".into())
    };
    let criteria = Memo::new(move |_| state.read(|d| Criteria::read(&d.local)));
    let scores = move || {
        let criteria = criteria.get();
        risk().map(|r| {
            let show = |s: Option<i64>| {
                s.map_or("not scored".to_owned(), |s| {
                    format!("{s} {}", criteria.rating(s).label())
                })
            };
            format!(
                "Inherent score {} · residual score {} · appetite {}",
                show(r.inherent_score()),
                show(r.residual_score()),
                criteria.appetite
            )
        })
    };
    let worse = move || risk().is_some_and(|r| r.residual_above_inherent());
    // Findings and incidents about the risk since its last assessment: reassess it.
    let raised = Memo::new(move |_| {
        state.read(|d| {
            let risk = d.local.view::<views::Risk>(id)?;
            let about = register::risk::raised_about(&d.local);
            let since: Vec<String> = register::risk::raised_since_assessed(&risk, about.get(&id))
                .into_iter()
                .map(|r| format!("“{}” ({})", r.title, r.on))
                .collect();
            (!since.is_empty()).then(|| since.join(", "))
        })
    });
    let reassessing = Write::new();
    let reassessed = move |_| {
        let today = state.today.get_untracked();
        reassessing.start(vec![register::risk::assessed(id, &today)]);
    };
    let write = Write::new();
    let delete = move |_| {
        write.start(vec![Edit {
            record: id,
            kind: Kind::Risk,
            fields: vec![(DELETED, Value::Bool(true))],
        }]);
    };
    view! {
        <h1>{title}</h1>
        <p class="lede" data-testid="risk-scores">{scores}</p>
        <Show when=worse>
            <p class="notice" role="note">"The residual score is above the inherent score: the treatment has made this risk worse, or one of the scores is wrong."</p>
        </Show>
        {move || raised.get().map(|since| view! {
            <p class="notice" role="note" data-testid="reassess">
                {format!("Raised about this risk since it was last assessed: {since}. Reassess its scores and treatment. ")}
                <button type="button" class="secondary small" on:click=reassessed disabled=move || reassessing.pending()>"Mark reassessed today"</button>
            </p>
        })}
        {move || reassessing.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        <RecordEditor kind=Kind::Risk id />
        <TreatmentPlan id />
        <Acceptance id />
        <EvidencePanel kind=Kind::Risk id />
        <RecordHistory id kind=Kind::Risk />
        <Show when=move || state.may_write(Kind::Risk)>
            <button type="button" class="danger" on:click=delete disabled=move || write.pending()>"Delete this risk"</button>
        </Show>
        {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
    }
}
