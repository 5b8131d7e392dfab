//! The nonconformity register (clause 10.2): every finding, whatever raised it (an audit
//! check, a report, a metric breach, a management review, or someone directly), with its
//! type, status, owner and due date.

pub mod detail;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, now_stored, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::{FindingSource, FindingStatus, FindingType};
use register::{Kind, RecordId, RecordState, Value, View, views::Finding};

pub static FINDINGS: ListSpec = ListSpec {
    kind: Kind::Finding,
    path: "/findings",
    noun: "findings",
    label: "Findings",
    filters: &[Finding::finding_type, Finding::status, Finding::source],
    person: Finding::owner,
    describe: |_| Box::new(describe_finding),
    empty: "No findings yet. A finding is a nonconformity, an observation or an opportunity for improvement: raise one from an audit check, a report in the inbox, a metric past its threshold, or here.",
};

fn describe_finding(id: RecordId, record: &RecordState) -> Extras {
    let finding = Finding::from_record(id, record);
    let mut tags = Vec::new();
    if let Some(finding_type) = finding.finding_type {
        let tone = match finding_type {
            FindingType::MajorNc => "critical",
            FindingType::MinorNc => "high",
            FindingType::Observation | FindingType::Ofi => "low",
        };
        tags.push(Tag::toned(words(finding_type), tone));
    }
    let status = finding.status.unwrap_or(FindingStatus::Open);
    tags.push(Tag::plain(words(status)));
    if let Some(reference) = finding.reference.filter(|r| !r.is_empty()) {
        tags.push(Tag::plain(reference));
    }
    Extras {
        image: None,
        tags,
        // A closed finding is no longer due.
        due: finding
            .due
            .filter(|_| status != FindingStatus::Closed)
            .map(|due| (due, "Due")),
        order: None,
    }
}

#[component]
pub fn Findings() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/findings/{id}"), Default::default()));
    let defaults = Callback::new(|()| {
        vec![
            (Finding::finding_type, Value::from(FindingType::MinorNc)),
            (Finding::source, Value::from(FindingSource::Direct)),
            (Finding::status, Value::from(FindingStatus::Open)),
            (Finding::raised_at, Value::Text(now_stored())),
        ]
    });
    view! {
        <section class="page">
            <h1>"Findings"</h1>
            <p class="lede">
                "Nonconformities, observations and opportunities for improvement (clause 10.2). A nonconformity is corrected, its root cause found and removed by a corrective action, and it closes only once that action is verified effective."
            </p>
            <Show when=move || state.may_create(Kind::Finding)>
                <details class="new-record">
                    <summary>"Raise a finding"</summary>
                    <NewRecordForm
                        kind=Kind::Finding
                        fields=fields!(Finding: title, finding_type, requirement, evidence, deviation, owner, due)
                        defaults
                        submit="Raise finding"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&FINDINGS />
        </section>
    }
}
