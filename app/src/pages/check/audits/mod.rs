//! The internal audit programme (clause 9.2): the next twelve months of audits, coverage of
//! clauses 4–10 and the four Annex A themes over the last twelve, with the areas due, and
//! every audit.

pub mod detail;
pub mod pack;
pub mod report;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use register::choices::{AuditStatus, AuditType};
use register::{
    Kind, RecordId, RecordState, Value, View,
    audits::{coverage, programme},
    views::Audit,
};

pub static AUDITS: ListSpec = ListSpec {
    kind: Kind::Audit,
    path: "/audits",
    noun: "audits",
    label: "Audits",
    filters: &[Audit::audit_type, Audit::status],
    person: Audit::lead_auditor,
    describe: |_| Box::new(describe_audit),
    empty: "No audits yet. Plan the year's internal audits so that every clause and the Annex A controls you apply are audited at planned intervals, the riskiest areas more often.",
};

fn describe_audit(id: RecordId, record: &RecordState) -> Extras {
    let audit = Audit::from_record(id, record);
    let status = audit.status.unwrap_or(AuditStatus::Planned);
    let mut tags = vec![
        Tag::plain(words(
            audit.audit_type.unwrap_or(AuditType::Internal).name(),
        )),
        Tag::plain(words(status)),
    ];
    tags.extend(
        audit
            .performed_date
            .clone()
            .map(|d| Tag::plain(format!("held {d}"))),
    );
    Extras {
        image: None,
        tags,
        due: audit
            .planned_date
            .filter(|_| status == AuditStatus::Planned)
            .map(|d| (d, "Planned")),
        order: None,
    }
}

#[component]
pub fn Audits() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/audits/{id}"), Default::default()));
    let defaults = Callback::new(|()| {
        vec![
            (Audit::audit_type, Value::from(AuditType::Internal)),
            (Audit::status, Value::from(AuditStatus::Planned)),
        ]
    });
    view! {
        <section class="page">
            <h1>"Audits"</h1>
            <p class="lede">
                "Internal audits (clause 9.2) check that the ISMS meets your own requirements and the standard's, and is working. Plan them, build each checklist from the clauses and controls in scope, record what you see, and raise findings."
            </p>
            <Show when=move || state.may_write(Kind::Audit)>
                <details class="new-record">
                    <summary>"Plan an audit"</summary>
                    <NewRecordForm
                        kind=Kind::Audit
                        fields=fields!(Audit: title, audit_type, planned_date, lead_auditor, scope, criteria)
                        defaults
                        submit="Plan audit"
                        on_created=created
                    />
                </details>
            </Show>
            <Programme />
            <Coverage />
            <h2>"All audits"</h2>
            <RegisterList spec=&AUDITS />
        </section>
    }
}

/// The next twelve months, each with its audits.
#[component]
fn Programme() -> impl IntoView {
    let state = use_app_state();
    let months = Memo::new(move |_| {
        let today = state.today.get();
        state.read(|d| programme(&d.local, &today))
    });
    view! {
        <h2>"Programme: the next 12 months"</h2>
        <ol class="programme" aria-label="Audit programme">
            {move || months.get().into_iter().map(|(month, audits)| {
                let empty = audits.is_empty();
                view! {
                <li class="month" class:empty=empty>
                    <span class="month-name">{month}</span>
                    {audits.into_iter().map(|a| view! {
                        <A href=format!("/audits/{}", a.id)>
                            {format!("{} ({})", a.title.unwrap_or_default(), words(a.status.unwrap_or(AuditStatus::Planned).name()).to_lowercase())}
                        </A>
                    }).collect_view()}
                </li>
            }}).collect_view()}
        </ol>
    }
}

/// Which clauses and themes were audited in the last 12 months, and which are due.
#[component]
fn Coverage() -> impl IntoView {
    let state = use_app_state();
    let areas = Memo::new(move |_| {
        let today = state.today.get();
        state.read(|d| coverage(&d.local, &today))
    });
    let due_count = move || areas.with(|a| a.iter().filter(|a| !a.due.is_empty()).count());
    view! {
        <h2>"Coverage in the last 12 months"</h2>
        <p role="status">{move || format!("{} of {} areas due for audit.", due_count(), areas.with(Vec::len))}</p>
        <table class="coverage">
            <caption class="visually-hidden">"Audit coverage by clause and Annex A theme"</caption>
            <thead><tr><th scope="col">"Area"</th><th scope="col">"Last audited"</th><th scope="col">"Due because"</th></tr></thead>
            <tbody>
                {move || areas.get().into_iter().map(|area| {
                    let due = !area.due.is_empty();
                    view! {
                        <tr class:due=due>
                            <th scope="row">{area.title}</th>
                            <td>{area.last_audited.unwrap_or_else(|| "—".into())}</td>
                            <td>{if due { area.due.join("; ") } else { "not due".into() }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
