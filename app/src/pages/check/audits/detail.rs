//! One audit: its plan (scope, criteria, team, dates), a warning when an auditor would audit
//! their own controls, and the checklist: checks added from clauses, controls or the previous
//! audit's open findings, each recorded with one tap and its objective evidence (in words,
//! and files), and a finding raised from a check in one more.

use crate::components::{
    RecordLink, RoutedDetail,
    evidence::EvidencePanel,
    history::RecordHistory,
    picker::RecordPicker,
    record::{RecordEditor, now_stored, words},
    write::Write,
};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use register::choices::{AuditStatus, AuditType, CheckResult};
use register::{
    Kind, RecordId, Replica, Value,
    audits::{
        CHECKS_REPORTED, NewCheck, add_to_checklist, checks_of, clause_checks, control_checks,
        controls_in, independence_conflicts, is_checked, is_reported, open_finding_checks,
        progress, record_result,
    },
    catalogue::{self, Theme},
    findings::{finding_type_for, from_check},
    gate::Edit,
    rules::Lookup,
    views::{Audit, AuditCheck, Control, Evidence, Finding},
};
use std::collections::HashMap;

#[component]
pub fn AuditDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Audit back="/audits" back_label="← Audit programme" page=|id| view! { <AuditPage id /> }.into_any() />
    }
}

#[component]
fn AuditPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let audit = Memo::new(move |_| state.read(|d| d.local.view::<Audit>(id)));
    let title = move || audit.get().and_then(|a| a.title).unwrap_or_default();
    let conflicts = move || {
        let audit = audit.get()?;
        let conflicts = state.read(|d| independence_conflicts(&d.local, &audit));
        let people = state.people();
        let name = |member: RecordId| {
            let member = member.to_string();
            people
                .iter()
                .find(|(id, _)| *id == member)
                .map_or(member, |(_, n)| n.clone())
        };
        (!conflicts.is_empty()).then(|| {
            let list = conflicts
                .into_iter()
                .map(|(member, control)| format!("{} owns {control}", name(member)))
                .collect::<Vec<_>>()
                .join("; ");
            view! {
                <p class="notice warning" role="note">
                    {format!("Independence (9.2.2 b): an auditor would audit their own work — {list}. Choose another auditor for those checks.")}
                </p>
            }
        })
    };
    view! {
        <h1>{title}</h1>
        <p class="tags">
            <span class="tag">{move || words(audit.get().and_then(|a| a.audit_type).unwrap_or(AuditType::Internal).name())}</span>
            <span class="tag">{move || words(audit.get().and_then(|a| a.status).unwrap_or(AuditStatus::Planned).name())}</span>
            <A href=format!("/audits/{id}/report")>"Audit report"</A>
            <A href=format!("/audits/{id}/evidence")>"Evidence pack"</A>
            <Show when=move || audit.get().and_then(|a| a.audit_type) == Some(AuditType::Walkthrough)>
                <A href=format!("/audits/{id}/walk")>"Walk it"</A>
            </Show>
        </p>
        {conflicts}
        <RecordEditor kind=Kind::Audit id />
        <Checklist audit=id />
        <RecordHistory id kind=Kind::Audit />
    }
}

#[component]
fn Checklist(audit: RecordId) -> impl IntoView {
    let state = use_app_state();
    let checks = Memo::new(move |_| state.read(|d| checks_of(&d.local, audit)));
    let beside = Memo::new(move |_| state.read(|d| Beside::of(&d.local, audit)));
    let counted = move || {
        let (checked, total) = checks.with(|c| progress(c));
        format!("{checked} of {total} checked")
    };
    // A reported audit's checks stay as reported: shown, not changed.
    let reported = Memo::new(move |_| {
        state.read(|d| {
            d.local
                .view::<Audit>(audit)
                .and_then(|a| a.status)
                .is_some_and(is_reported)
        })
    });
    let open = Signal::derive(move || state.may_write(Kind::AuditCheck) && !reported.get());
    view! {
        <section class="checklist-section" aria-label="Checklist">
            <h2>"Checklist"</h2>
            <p class="progress" role="status" data-testid="check-progress">{counted}</p>
            <Show when=move || reported.get()>
                <p class="notice" role="note">{CHECKS_REPORTED}</p>
            </Show>
            <Show when=move || open.get()>
                <AddChecks audit />
            </Show>
            <ol class="checklist">
                <For each=move || checks.get() key=|c| c.id children=move |check| view! { <CheckRow audit id=check.id beside open /> } />
            </ol>
        </section>
    }
}

/// What each of an audit's checks has beside it: the finding it raised, and how many files
/// show it. Found once per change for the whole checklist rather than once per check.
#[derive(Clone, PartialEq, Default)]
struct Beside {
    findings: HashMap<RecordId, RecordId>,
    files: HashMap<RecordId, usize>,
}

impl Beside {
    fn of(register: &Replica, audit: RecordId) -> Self {
        let findings = register
            .linked(Kind::Finding, Finding::audit, audit)
            .into_iter()
            .filter_map(|id| register.view::<Finding>(id))
            .filter(|finding| !finding.deleted)
            .filter_map(|finding| Some((finding.audit_check?, finding.id)))
            .collect();
        let mut files = HashMap::new();
        for evidence in register.all::<Evidence>() {
            for check in evidence.audit_checks.unwrap_or_default() {
                *files.entry(check).or_default() += 1;
            }
        }
        Self { findings, files }
    }
}

/// The ways to add checks: clauses, chosen controls, an Annex A theme, every applicable
/// control, or the open findings of an earlier audit.
#[component]
fn AddChecks(audit: RecordId) -> impl IntoView {
    let state = use_app_state();
    let write = Write::new();
    // What a form asks that names nothing to add, and how many checks the last write adds.
    let asked = RwSignal::new(None::<String>);
    let adding = StoredValue::new(0);
    let run = move |new: Vec<NewCheck>| {
        let set =
            state.read_untracked(|d| add_to_checklist(&checks_of(&d.local, audit), audit, &new));
        asked.set(None);
        adding.set_value(set.len());
        write.start(set);
    };
    let clauses = RwSignal::new(String::new());
    let add_clauses = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = clauses.get_untracked();
        let ids: Vec<&str> = text
            .split([',', ' ', ';'])
            .filter(|s| !s.is_empty())
            .collect();
        let unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| catalogue::clause(id).is_none())
            .collect();
        if ids.is_empty() || !unknown.is_empty() {
            return asked.set(Some(format!(
                "Name clauses of ISO/IEC 27001 such as 9.2.2 or 7.5.3{}.",
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!("; not a clause: {}", unknown.join(", "))
                }
            )));
        }
        clauses.set(String::new());
        run(clause_checks(&ids));
    };
    let chosen = RwSignal::new(String::new());
    let add_controls = move |_| {
        let ids: Vec<RecordId> = chosen
            .get_untracked()
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect();
        let controls: Vec<Control> =
            state.read_untracked(|d| ids.iter().filter_map(|id| d.local.view(*id)).collect());
        chosen.set(String::new());
        run(control_checks(&controls));
    };
    let theme = RwSignal::new(Theme::Organizational.value().to_owned());
    let add_theme = move |_| {
        let wanted = Theme::ALL
            .into_iter()
            .find(|t| t.value() == theme.get_untracked());
        run(state.read_untracked(|d| control_checks(&controls_in(&d.local, wanted))));
    };
    let add_applicable =
        move |_| run(state.read_untracked(|d| control_checks(&controls_in(&d.local, None))));
    let earlier = Memo::new(move |_| {
        state.read(|d| {
            d.local
                .all::<Audit>()
                .into_iter()
                .filter(|a| a.id != audit && !a.deleted)
                .map(|a| (a.id.to_string(), a.title.unwrap_or_default()))
                .collect::<Vec<_>>()
        })
    });
    let previous = RwSignal::new(String::new());
    let add_rechecks = move |_| {
        if let Ok(previous) = previous.get_untracked().parse::<RecordId>() {
            run(state.read_untracked(|d| open_finding_checks(&d.local, previous)));
        }
    };
    view! {
        <details class="new-record add-checks">
            <summary>"Add checks"</summary>
            <form class="inline-form" on:submit=add_clauses aria-label="Add clause checks">
                <div class="field">
                    <label for="check-clauses">"Clauses"</label>
                    <input id="check-clauses" type="text" list="clause-list" placeholder="e.g. 6.1.2, 9.2.2" bind:value=clauses />
                    <datalist id="clause-list">
                        {catalogue::CLAUSES.iter().map(|c| view! { <option value=c.id>{c.title}</option> }).collect_view()}
                    </datalist>
                </div>
                <button type="submit" class="secondary">"Add clause checks"</button>
            </form>
            <div class="inline-form">
                <div class="field">
                    <label for="check-controls">"Controls"</label>
                    <RecordPicker input_id="check-controls" error_id="check-controls-note" target=Kind::Control multiple=true draft=chosen />
                </div>
                <button type="button" class="secondary" on:click=add_controls disabled=move || chosen.get().is_empty()>"Add control checks"</button>
            </div>
            <div class="inline-form">
                <div class="field">
                    <label for="check-theme">"Annex A theme"</label>
                    <select id="check-theme" bind:value=theme>
                        {Theme::ALL.map(|t| view! { <option value=t.value()>{format!("A.{} {}", t.section(), words(t.value()))}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="secondary" on:click=add_theme>"Add the theme's controls"</button>
                <button type="button" class="secondary" on:click=add_applicable>"Add all applicable controls"</button>
            </div>
            <Show when=move || !earlier.get().is_empty()>
                <div class="inline-form">
                    <div class="field">
                        <label for="check-previous">"Earlier audit"</label>
                        <select id="check-previous" bind:value=previous>
                            <option value="">"—"</option>
                            {move || earlier.get().into_iter().map(|(id, title)| view! { <option value=id>{title}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="button" class="secondary" on:click=add_rechecks>"Re-check its open findings"</button>
                </div>
            </Show>
            <p id="check-controls-note" role="status">{move || match (asked.get().or_else(|| write.message()), write.stored()) {
                (Some(problem), _) => problem,
                (None, false) => String::new(),
                (None, true) => match adding.get_value() {
                    0 => "Those are all on the checklist already.".to_owned(),
                    n => format!("Added {n} check{}.", if n == 1 { "" } else { "s" }),
                },
            }}</p>
        </details>
    }
}

/// The results a check can record, with one button each; "not checked" is the default.
fn result_options() -> &'static [CheckResult] {
    &CheckResult::ALL[1..]
}

/// One check: its question, a result in one tap, the objective evidence and sample, and the
/// finding it raised.
#[component]
fn CheckRow(
    audit: RecordId,
    id: RecordId,
    beside: Memo<Beside>,
    /// Whether this person may record results now (not once the audit is reported).
    open: Signal<bool>,
) -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let check = Memo::new(move |_| state.read(|d| d.local.view::<AuditCheck>(id)));
    let finding = Memo::new(move |_| beside.with(|b| b.findings.get(&id).copied()));
    let files = Memo::new(move |_| beside.with(|b| b.files.get(&id).copied().unwrap_or(0)));
    // The panel is drawn only once opened: a checklist may have a hundred checks.
    let files_open = RwSignal::new(false);
    let start = check.get_untracked();
    let evidence = RwSignal::new(
        start
            .as_ref()
            .and_then(|c| c.evidence.clone())
            .unwrap_or_default(),
    );
    let sample = RwSignal::new(
        start
            .as_ref()
            .and_then(|c| c.sample.clone())
            .unwrap_or_default(),
    );
    let (result_write, evidence_write) = (Write::new(), Write::new());
    // One finding per tap: the button waits while it is saved, then opens it.
    let raising = Write::new();
    Effect::new(move |_| {
        if let Some(finding) = raising.stored_record() {
            navigate(&format!("/findings/{finding}"), Default::default());
        }
    });
    let record = move |result: CheckResult| {
        let current = state.read_untracked(|d| d.local.view::<Audit>(audit));
        result_write.start(record_result(
            current.as_ref(),
            id,
            result,
            state.me().as_deref(),
            &now_stored(),
            &state.today.get_untracked(),
        ));
    };
    let save_evidence = move |ev: SubmitEvent| {
        ev.prevent_default();
        let changes = vec![
            (AuditCheck::evidence, Value::Text(evidence.get_untracked())),
            (AuditCheck::sample, Value::Text(sample.get_untracked())),
        ];
        evidence_write.start(vec![Edit {
            record: id,
            kind: Kind::AuditCheck,
            fields: changes,
        }]);
    };
    let raise = move |_| {
        let Some(check) = check.get_untracked() else {
            return;
        };
        if raising.pending_untracked() {
            return;
        }
        let requirement = check
            .reference
            .as_deref()
            .and_then(catalogue::requirement)
            .unwrap_or_default();
        raising.start(vec![Edit {
            record: RecordId::new(),
            kind: Kind::Finding,
            fields: from_check(&check, &requirement, &now_stored()),
        }]);
    };
    let question = move || check.get().and_then(|c| c.question).unwrap_or_default();
    let checked = move || {
        let check = check.get()?;
        if !is_checked(check.result) {
            return None;
        }
        let by = check
            .checked_by
            .map(|member| state.name_of(member).unwrap_or_else(|| member.to_string()));
        let at = check
            .checked_at
            .map(|t| t.replace('T', " ").trim_end_matches('Z').to_owned());
        Some(match (by, at) {
            (Some(by), Some(at)) => format!("Checked by {by} at {at} UTC."),
            (None, Some(at)) => format!("Checked at {at} UTC."),
            _ => "Checked.".to_owned(),
        })
    };
    let reference = move || check.get().and_then(|c| c.reference).unwrap_or_default();
    let result = move || {
        check
            .get()
            .and_then(|c| c.result)
            .unwrap_or(CheckResult::NotChecked)
    };
    let raises = move || finding_type_for(result()).is_some();
    let group = format!("result-{id}");
    view! {
        <li class="audit-check" id=format!("check-{id}") class:checked=move || is_checked(Some(result()))>
            <p class="question"><strong>{reference}</strong>" "{question}</p>
            <fieldset class="results" disabled=move || !open.get()>
                <legend class="visually-hidden">{move || format!("Result: {}", question())}</legend>
                {result_options().iter().map(|&option| {
                    view! {
                        <label class="result" data-result=option.name()>
                            <input type="radio" name=group.clone() value=option.name()
                                prop:checked=move || result() == option
                                on:change=move |_| record(option) />
                            {words(option.name())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="checked-by">{checked}</p>
            <form class="evidence" on:submit=save_evidence aria-label="Evidence seen">
                <fieldset disabled=move || !open.get()>
                    <div class="field">
                        <label for=format!("evidence-{id}")>"Objective evidence"</label>
                        <textarea id=format!("evidence-{id}") rows="2" bind:value=evidence></textarea>
                    </div>
                    <div class="field">
                        <label for=format!("sample-{id}")>"Sample"</label>
                        <input id=format!("sample-{id}") type="text" maxlength="200" bind:value=sample />
                    </div>
                    <button type="submit" class="secondary small">"Save evidence"</button>
                    <span role="status">{move || evidence_write.stored().then_some("Saved.")}</span>
                </fieldset>
            </form>
            <details
                class="check-files"
                on:toggle=move |ev| files_open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())
            >
                <summary>{move || match files.get() {
                    0 => "Files: none yet".to_owned(),
                    n => format!("Files: {n}"),
                }}</summary>
                <Show when=move || files_open.get()>
                    <EvidencePanel kind=Kind::AuditCheck id />
                </Show>
            </details>
            {move || match (finding.get(), raises()) {
                (Some(finding), _) => view! { <p>"Finding: "<RecordLink kind=Kind::Finding id=finding /></p> }.into_any(),
                (None, true) if state.may_create(Kind::Finding) => view! {
                    <button type="button" class="small" disabled=move || raising.pending() on:click=raise>"Raise a finding"</button>
                }.into_any(),
                _ => ().into_any(),
            }}
            {move || [result_write, evidence_write, raising].into_iter().find_map(Write::message).map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
        </li>
    }
}
