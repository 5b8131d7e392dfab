//! An audit's report (9.2.2 c), laid out to print: organisation, scope and criteria, the
//! team, every check with its result and evidence, the findings raised, the conclusion, and
//! its control block (the log position it reflects).

use crate::components::{
    RecordLink, RoutedDetail,
    document::{Control, DocumentControl},
    record::words,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::choices::{AuditStatus, AuditType, CheckResult, FindingStatus, FindingType};
use register::{
    Kind, RecordId,
    audits::{acknowledge, checks_of, is_reported, results},
    views::{Audit, Finding},
};

#[component]
pub fn AuditReport() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Audit back="/audits" back_label="← Audit programme" page=|id| view! { <ReportPage id /> }.into_any() />
    }
}

#[component]
fn ReportPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let audit = Memo::new(move |_| state.read(|d| d.local.view::<Audit>(id)));
    let checks = Memo::new(move |_| state.read(|d| checks_of(&d.local, id)));
    let findings = Memo::new(move |_| {
        state.read(|d| {
            d.local
                .all::<Finding>()
                .into_iter()
                .filter(|f| !f.deleted && f.audit == Some(id))
                .collect::<Vec<_>>()
        })
    });
    let name = move |member: Option<RecordId>| {
        let member = member?;
        Some(state.name_of(member).unwrap_or_else(|| member.to_string()))
    };
    let write = Write::new();
    let acknowledge = move |_| {
        write.start(vec![acknowledge(
            id,
            state.me().as_deref(),
            &state.today.get_untracked(),
        )]);
    };
    // Owners and admins acknowledge a report once it is out, in their own name.
    let may_acknowledge = move || {
        state.role().manages_members()
            && audit
                .get()
                .is_some_and(|a| a.acknowledged_at.is_none() && a.status.is_some_and(is_reported))
    };
    let print = move |_| {
        let _ = window().print();
    };
    move || {
        let audit = audit.get()?;
        let text = |value: Option<String>| {
            value
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "—".into())
        };
        let auditors = audit
            .auditors
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| name(Some(m)))
            .collect::<Vec<_>>()
            .join(", ");
        let by = name(audit.acknowledged_by)
            .map(|by| format!(" by {by}"))
            .unwrap_or_default();
        let reported = match (name(audit.reported_to), audit.acknowledged_at.clone()) {
            (Some(to), Some(at)) => format!("Reported to {to}, acknowledged on {at}{by}."),
            (None, Some(at)) => format!("Acknowledged on {at}{by}."),
            (Some(to), None) => format!("Reported to {to}; not yet acknowledged."),
            _ => "Not yet reported to management.".to_owned(),
        };
        Some(view! {
            <article class="audit-report">
                <h1>{format!("Audit report: {}", audit.title.clone().unwrap_or_default())}</h1>
                <DocumentControl document=format!("Audit report: {}", audit.title.clone().unwrap_or_default()) control=Signal::stored(Control {
                    version: Some(words(audit.status.unwrap_or(AuditStatus::Planned).name())),
                    approved: audit.acknowledged_at.clone().map(|at| format!("Acknowledged on {at}{by}")),
                }) />
                <button type="button" class="secondary no-print" on:click=print>"Print"</button>
                <dl class="report-facts">
                    <dt>"Type"</dt><dd>{words(audit.audit_type.unwrap_or(AuditType::Internal).name())}</dd>
                    <dt>"Status"</dt><dd>{words(audit.status.unwrap_or(AuditStatus::Planned).name())}</dd>
                    <dt>"Scope"</dt><dd>{text(audit.scope.clone())}</dd>
                    <dt>"Criteria"</dt><dd>{text(audit.criteria.clone())}</dd>
                    <dt>"Lead auditor"</dt><dd>{text(name(audit.lead_auditor))}</dd>
                    <dt>"Auditors"</dt><dd>{text(Some(auditors))}</dd>
                    <dt>"Auditees"</dt><dd>{text(audit.auditees.clone())}</dd>
                    <dt>"Planned"</dt><dd>{text(audit.planned_date.clone())}</dd>
                    <dt>"Performed"</dt><dd>{text(audit.performed_date.clone())}</dd>
                </dl>
                <h2>"Results"</h2>
                <p>{move || checks.with(|c| results(c)).into_iter().map(|(result, n)| format!("{}: {n}", words(result))).collect::<Vec<_>>().join(" · ")}</p>
                <div class="table-wrap">
                <table class="report-checks">
                    <thead><tr><th scope="col">"#"</th><th scope="col">"Requirement"</th><th scope="col">"Check"</th><th scope="col">"Result"</th><th scope="col">"Evidence"</th></tr></thead>
                    <tbody>
                        {move || checks.get().into_iter().enumerate().map(|(i, c)| view! {
                            <tr>
                                <td>{i + 1}</td>
                                <td>{c.reference.unwrap_or_default()}</td>
                                <td>{c.question.unwrap_or_default()}</td>
                                <td>{words(c.result.unwrap_or(CheckResult::NotChecked).name())}</td>
                                <td>{c.evidence.unwrap_or_default()}{c.sample.map(|s| format!(" (sample: {s})"))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <h2>"Findings raised"</h2>
                <Show when=move || !findings.get().is_empty() fallback=|| view! { <p>"None."</p> }>
                    <ul>
                        {move || findings.get().into_iter().map(|f| view! {
                            <li>
                                <RecordLink kind=Kind::Finding id=f.id />
                                {format!(" — {}, {}", words(f.finding_type.map_or("", FindingType::name)), words(f.status.unwrap_or(FindingStatus::Open).name()).to_lowercase())}
                            </li>
                        }).collect_view()}
                    </ul>
                </Show>
                <h2>"Conclusion"</h2>
                <p>{text(audit.conclusion.clone())}</p>
                <p>{reported}</p>
                <Show when=may_acknowledge>
                    <button type="button" class="no-print" on:click=acknowledge>"Acknowledge the report"</button>
                </Show>
                <p class="form-error no-print" role="alert">{move || write.message()}</p>
            </article>
        })
    }
}
