//! The organisation's risk criteria (clause 6.1.2 a–c), shown and printed as its risk
//! assessment methodology: what each point of likelihood and impact means, where each band
//! of a score begins, the risk appetite, how risks are assessed, and the approved version.

use crate::components::{
    document::{Control, DocumentControl},
    record::RecordEditor,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::{
    Kind,
    risk::{Criteria, criteria_id},
};

#[component]
pub fn RiskCriteriaPage() -> impl IntoView {
    let state = use_app_state();
    let criteria = Memo::new(move |_| state.read(|d| Criteria::read(&d.local)));
    let changed = Memo::new(move |_| state.read(|d| Criteria::changed_since_approval(&d.local)));
    let control = Signal::derive(move || {
        let c = criteria.get();
        let by = c.approved_by.and_then(|m| state.name_of(m));
        Control {
            version: c.version.map(|v| {
                let since = if changed.get() {
                    ", changed since: the changes are not yet approved"
                } else {
                    ""
                };
                format!("Version {v}{since}")
            }),
            approved: c.approved_on.map(|on| match by {
                Some(name) => format!("{name} on {on}"),
                None => format!("On {on}"),
            }),
        }
    });
    let write = Write::new();
    let adopt = move |_| write.start(vec![Criteria::adopt_defaults()]);
    let approve = move |_| {
        let me = state.me().and_then(|m| m.parse().ok());
        write.start(vec![
            criteria
                .get_untracked()
                .approve(me, &state.today.get_untracked()),
        ]);
    };
    let print = move |_| {
        let _ = window().print();
    };
    let scale = |points: Vec<String>, label: &'static str| {
        view! {
            <table aria-label=label>
                <thead><tr><th scope="col">"Point"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>
                    {points.into_iter().enumerate().map(|(i, text)| view! {
                        <tr><th scope="row">{i + 1}</th><td>{text}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section class="page criteria">
            <h1>"Risk criteria"</h1>
            <DocumentControl document="Risk assessment methodology" control />
            <p class="lede">"How this organisation assesses information security risk: each risk's likelihood and impact are scored from 1 to 5 on the scales below, and their product places it in a band. Every heat map, list, indicator and maturity level in Ratchet reads these criteria."</p>
            <Show when=move || !criteria.get().decided>
                <p class="notice" role="note">"These are Ratchet's defaults: the organisation has not yet set criteria of its own. An owner or admin adopts them here, then changes what differs."</p>
                <Show when=move || state.may_write(Kind::RiskCriteria)>
                    <button type="button" on:click=adopt disabled=move || write.pending()>"Adopt these criteria"</button>
                </Show>
            </Show>
            <h2>"Likelihood"</h2>
            {move || scale(criteria.get().likelihood, "Likelihood scale")}
            <h2>"Impact"</h2>
            {move || scale(criteria.get().impact, "Impact scale")}
            <h2>"Bands"</h2>
            <table aria-label="Rating bands">
                <thead><tr><th scope="col">"Rating"</th><th scope="col">"Scores"</th></tr></thead>
                <tbody>
                    {move || criteria.get().bands().into_iter().map(|(rating, from, to)| view! {
                        <tr><th scope="row">{rating.label()}</th><td>{format!("{from} to {to}")}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Risk appetite"</h2>
            <p data-testid="appetite">{move || format!(
                "A risk whose score (residual once assessed, else inherent) is {} or less may be accepted as part of its treatment. Above {}, it is accepted only by its owner, in their own name, with a rationale and an expiry date; until then it counts among the risks above appetite.",
                criteria.get().appetite, criteria.get().appetite
            )}</p>
            <h2>"Method"</h2>
            <p class="prose">{move || {
                let method = criteria.get().method;
                if method.is_empty() { "Not yet written: say who identifies risks, how often they are assessed, and who owns them.".to_owned() } else { method }
            }}</p>
            <div class="actions no-print">
                <Show when=move || criteria.get().decided && state.may_write(Kind::RiskCriteria)>
                    <button type="button" on:click=approve disabled=move || write.pending() || !changed.get()>"Approve as the next version"</button>
                </Show>
                <button type="button" class="secondary" on:click=print>"Print"</button>
            </div>
            {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            <Show when=move || criteria.get().decided>
                <div class="no-print">
                    <h2>"Change the criteria"</h2>
                    <RecordEditor kind=Kind::RiskCriteria id=criteria_id() sections=&["Scales", "Bands and appetite", "Method"] />
                </div>
            </Show>
        </section>
    }
}
