//! The risk treatment plan (clause 6.1.3 e), printable: each open risk, highest first, with
//! its owner, score, treatment, the actions that carry it out and the owner's approvals.

use crate::components::{
    document::{Control, DocumentControl},
    record::words,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    RecordId,
    risk::{Criteria, treatment_plan},
};

#[component]
pub fn TreatmentPlanPage() -> impl IntoView {
    let state = use_app_state();
    let plan = Memo::new(move |_| state.read(|d| treatment_plan(&d.local)));
    let criteria = Memo::new(move |_| state.read(|d| Criteria::read(&d.local)));
    let name = move |member: Option<RecordId>| {
        member.map_or_else(
            || "—".to_owned(),
            |m| state.name_of(m).unwrap_or_else(|| "a former member".into()),
        )
    };
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <section class="page treatment-plan">
            <h1>"Risk treatment plan"</h1>
            <DocumentControl document="Risk treatment plan" control=Signal::stored(Control::default()) />
            <p class="lede">"Every risk not closed, highest current score first: how it is treated, the actions that carry the treatment out, and its owner's approval of the plan and of what is left."</p>
            <div class="actions no-print"><button type="button" class="secondary" on:click=print>"Print"</button></div>
            <div class="table-wrap">
                <table aria-label="Risk treatment plan">
                    <thead><tr><th scope="col">"Risk"</th><th scope="col">"Owner"</th><th scope="col">"Score"</th><th scope="col">"Treatment"</th><th scope="col">"Actions"</th><th scope="col">"Plan approved"</th><th scope="col">"Acceptance"</th></tr></thead>
                    <tbody>
                        {move || plan.get().into_iter().map(|row| {
                            let risk = row.risk;
                            let score = risk.current_score().map_or("not scored".to_owned(), |s| format!("{s} {}", criteria.get().rating(s).label()));
                            let approved = risk.plan_approved_on.clone().map_or("not yet".to_owned(), |on| format!("{} on {on}", name(risk.plan_approved_by)));
                            let acceptance = risk.accepted_on.clone().map_or(String::new(), |on| format!("{} on {on}, until {}", name(risk.acceptance_approver), risk.acceptance_expires.clone().unwrap_or_default()));
                            view! {
                                <tr>
                                    <th scope="row"><A href=format!("/risks/{}", risk.id)>{risk.title.clone().unwrap_or_default()}</A></th>
                                    <td>{name(risk.owner)}</td>
                                    <td>{score}</td>
                                    <td>{risk.treatment.map(|t| words(t.name())).unwrap_or_default()}</td>
                                    <td>
                                        <ul class="plain">
                                            {row.actions.into_iter().map(|a| view! {
                                                <li>{format!("{} · {} · due {} · {}", a.title.unwrap_or_default(), name(a.owner), a.due.unwrap_or_else(|| "—".into()), a.status.map_or("open".to_owned(), |s| words(s.name())))}</li>
                                            }).collect_view()}
                                        </ul>
                                    </td>
                                    <td>{approved}</td>
                                    <td>{acceptance}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
