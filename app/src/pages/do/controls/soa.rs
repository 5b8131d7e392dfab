//! The Statement of Applicability (clause 6.1.3 d): every control, whether it applies and
//! why, how far it is implemented, by whom, how effective it is and the risks it treats.
//! Controls start undecided; the SoA is approved as a numbered version once every control is
//! decided, and each version stays readable as it was approved. Prints and exports as CSV.

use crate::components::{
    RoutedDetail,
    document::{Control, DocumentControl, reflected},
    offer_download,
    record::words,
    write::Write,
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{Kind, RecordId, choices::ControlStatus, sheet, soa, sync::LogPoint, views};

#[component]
pub fn Soa() -> impl IntoView {
    let state = use_app_state();
    let controls = Memo::new(move |_| state.read(|d| soa::controls(&d.local)));
    // Each control with the titles of the risks it treats.
    let rows = Memo::new(move |_| {
        let risks = state.read(|d| d.local.all::<views::Risk>());
        controls
            .get()
            .into_iter()
            .map(|c| {
                let treated = soa::risks_treated_by(c.id, &risks)
                    .iter()
                    .filter_map(|r| r.title.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                (c, treated)
            })
            .collect::<Vec<_>>()
    });
    let versions = Memo::new(move |_| state.read(|d| soa::versions(&d.local)));
    let undecided = move || controls.with(|c| c.iter().filter(|c| !soa::decided(c)).count());
    let defaults = Memo::new(move |_| state.read(|d| soa::undecide_defaults(&d.local).len()));
    let changed = Memo::new(move |_| {
        let latest = versions.get().last().and_then(|v| v.contents.clone());
        latest.is_some_and(|text| state.read(|d| soa::csv(&d.local)) != text)
    });
    let control = Signal::derive(move || {
        let latest = versions.get().last().cloned();
        Control {
            version: latest.as_ref().and_then(|v| v.version).map(|n| {
                let since = if changed.get() {
                    ", changed since: the changes are not yet approved"
                } else {
                    ""
                };
                format!("Version {n}{since}")
            }),
            approved: latest.and_then(|v| approved_text(state, &v)),
        }
    });
    let write = Write::new();
    let approve = move |_| {
        let me = state.me().and_then(|m| m.parse().ok());
        let today = state.today.get_untracked();
        write.start(vec![state.read_untracked(|d| {
            soa::approve(&d.local, me, &today, LogPoint::of(d).as_ref())
        })]);
    };
    let undecide = move |_| write.start(state.read_untracked(|d| soa::undecide_defaults(&d.local)));
    let export = move |_| {
        let csv = state.read_untracked(|d| soa::csv(&d.local));
        if offer_download("statement-of-applicability.csv", "text/csv", csv.as_bytes()).is_err() {
            state
                .notice
                .set(Some("This browser would not save the file.".into()));
        }
    };
    let print = move |_| {
        let _ = window().print();
    };
    let owner_name = move |owner: Option<RecordId>| {
        owner.map_or(String::new(), |o| {
            state.name_of(o).unwrap_or_else(|| "a former member".into())
        })
    };
    view! {
        <section class="page soa">
            <h1>"Statement of Applicability"</h1>
            <DocumentControl document="Statement of Applicability" control />
            <p class="lede">"Every Annex A control and the organisation's own: whether each applies and why, how far it is implemented, by whom, how effective it is, and the risks it treats."</p>
            <p class="count" role="status" data-testid="soa-undecided">{move || match undecided() {
                0 => format!("All {} controls are decided.", controls.with(Vec::len)),
                n => format!("{n} of {} controls not yet decided.", controls.with(Vec::len)),
            }}</p>
            <Show when=move || defaults.get() != 0 && state.may_write(Kind::Control)>
                <p class="notice" role="note">
                    {move || format!("{} controls were marked applicable by default when this register was created, and no one has said why. A default is not a decision: mark them not decided, then decide each. ", defaults.get())}
                    <button type="button" class="secondary small" on:click=undecide disabled=move || write.pending()>"Mark them not decided"</button>
                </p>
            </Show>
            <div class="actions no-print">
                <Show when=move || state.may_write(Kind::SoaVersion)>
                    <button type="button" on:click=approve disabled=move || write.pending()>
                        {move || format!("Approve as version {}", versions.with(|v| v.last().and_then(|v| v.version).unwrap_or(0) + 1))}
                    </button>
                </Show>
                <button type="button" class="secondary" on:click=export>"Export CSV"</button>
                <button type="button" class="secondary" on:click=print>"Print"</button>
            </div>
            {move || write.message().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            <div class="table-wrap">
                <table aria-label="Statement of Applicability">
                    <thead>
                        <tr><th scope="col">"Control"</th><th scope="col">"Title"</th><th scope="col">"Applicable"</th><th scope="col">"Justification"</th><th scope="col">"Status"</th><th scope="col">"Owner"</th><th scope="col">"Effectiveness"</th><th scope="col">"Risks treated"</th></tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|(c, treated)| (c.id, c.applicable, c.justification.clone(), c.status, c.owner, c.effectiveness, treated.clone()) children=move |(c, treated)| {
                            let reference = c.reference.clone().unwrap_or_default();
                            view! {
                                <tr class:undecided=!soa::decided(&c)>
                                    <th scope="row"><A href=format!("/controls/{}", c.id)>{reference}</A></th>
                                    <td>{c.title.clone().unwrap_or_default()}</td>
                                    <td>{soa::applicability(&c)}</td>
                                    <td>{c.justification.clone().unwrap_or_default()}</td>
                                    <td>{words(c.status.unwrap_or(ControlStatus::NotStarted).name())}</td>
                                    <td>{owner_name(c.owner)}</td>
                                    <td>{c.effectiveness.map(|e| words(e.name())).unwrap_or_default()}</td>
                                    <td>{treated}</td>
                                </tr>
                            }
                        } />
                    </tbody>
                </table>
            </div>
            <h2>"Approved versions"</h2>
            {move || {
                let versions = versions.get();
                if versions.is_empty() {
                    view! { <p class="empty">"Not yet approved: an owner or admin approves the SoA once every control is decided."</p> }.into_any()
                } else {
                    view! {
                        <ul class="record-list" aria-label="Approved versions of the SoA">
                            {versions.into_iter().rev().map(|v| {
                                let label = format!("Version {}", v.version.unwrap_or_default());
                                let approved = approved_text(state, &v).unwrap_or_default();
                                view! { <li class="record"><A href=format!("/soa/versions/{}", v.id) attr:class="record-title">{label}</A><span class="tags"><span class="tag">{format!("approved by {approved}")}</span></span></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// "Olive Owner on 2026-12-07": who approved a version and when.
fn approved_text(state: crate::state::AppState, version: &views::SoaVersion) -> Option<String> {
    let on = version.approved_on.clone()?;
    Some(match version.approved_by.and_then(|m| state.name_of(m)) {
        Some(name) => format!("{name} on {on}"),
        None => format!("on {on}"),
    })
}

/// One approved version of the SoA, exactly as it was approved.
#[component]
pub fn SoaVersionDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::SoaVersion back="/soa" back_label="← The current SoA" page=|id| view! { <VersionPage id /> }.into_any() />
    }
}

#[component]
fn VersionPage(id: RecordId) -> impl IntoView {
    let state = use_app_state();
    let version = state
        .read_untracked(|d| d.local.view::<views::SoaVersion>(id))
        .expect("the routed version is on the device");
    let rows = sheet::rows(version.contents.as_deref().unwrap_or_default());
    let control = Control {
        version: version.version.map(|n| format!("Version {n}")),
        approved: approved_text(state, &version),
    };
    let print = move |_| {
        let _ = window().print();
    };
    let mut rows = rows.into_iter();
    let header = rows.next().unwrap_or_default();
    view! {
        <h1>{format!("Statement of Applicability, version {}", version.version.unwrap_or_default())}</h1>
        <DocumentControl document="Statement of Applicability" control=Signal::stored(control) reflects=reflected(version.log_position, version.log_hash.clone()) />
        <div class="actions no-print"><button type="button" class="secondary" on:click=print>"Print"</button></div>
        <div class="table-wrap">
            <table aria-label=format!("Statement of Applicability, version {}", version.version.unwrap_or_default())>
                <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.map(|row| {
                        let mut cells = row.into_iter();
                        let first = cells.next().unwrap_or_default();
                        view! { <tr><th scope="row">{first}</th>{cells.map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
