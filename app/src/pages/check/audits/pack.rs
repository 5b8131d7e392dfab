//! An audit's evidence pack (clauses 7.5 and 9.2): for each clause and control in its scope,
//! the evidence that shows it and what is missing or expired; and the whole pack as one zip,
//! built on this device (files not yet here are fetched first), with an index that names each
//! file's SHA-256.

use crate::components::{
    RecordLink, RoutedDetail,
    evidence::{file_bytes, validity_today},
    offer_download, safe_file_name,
};
use crate::state::{AppState, use_app_state};
use leptos::{prelude::*, task::spawn_local};
use register::{
    Kind, RecordId, dates,
    evidence::{PackEntry, pack, pack_index, pack_path, pack_status},
    views::Audit,
};

#[component]
pub fn EvidencePack() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::Audit back="/audits" back_label="← Audit programme" page=|id| view! { <Pack audit=id /> }.into_any() />
    }
}

#[component]
fn Pack(audit: RecordId) -> impl IntoView {
    let state = use_app_state();
    let entries = Memo::new(move |_| {
        let today = dates::date(&state.today.get()).unwrap_or_default();
        state.read(|d| pack(&d.local, audit, today))
    });
    let title = move || {
        state
            .read(|d| d.local.view::<Audit>(audit))
            .and_then(|a| a.title)
            .unwrap_or_default()
    };
    let summary = move || {
        entries.with(|entries| {
            let count = |status| entries.iter().filter(|e| pack_status(e) == status).count();
            format!(
                "{} requirements in scope: {} with evidence, {} missing, {} with expired evidence only.",
                entries.len(),
                count("evidenced"),
                count("missing"),
                count("expired")
            )
        })
    };
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let download = move |_| {
        busy.set(true);
        status.set(Some("Building the pack…".into()));
        let name = format!("evidence-pack-{}.zip", safe_file_name(&title()));
        spawn_local(async move {
            let outcome = match build_zip(state, &entries.get_untracked()).await {
                Ok(bytes) => offer_download(&name, "application/zip", &bytes)
                    .map(|()| format!("Saved {name}."))
                    .map_err(|_| "This browser could not save the file.".to_owned()),
                Err(problem) => Err(problem),
            };
            busy.try_set(false);
            status.try_set(Some(outcome.unwrap_or_else(|problem| problem)));
        });
    };
    view! {
        <h1>{move || format!("Evidence pack: {}", title())}</h1>
        <p class="lede">{summary}</p>
        <p>
            <button type="button" on:click=download disabled=move || busy.get()>"Download the evidence pack (zip)"</button>
        </p>
        <p role="status">{move || status.get()}</p>
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">"Evidence per requirement"</caption>
                <thead><tr><th scope="col">"Requirement"</th><th scope="col">"Evidence"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {move || entries.get().into_iter().map(|entry| {
                        let state_tag = pack_status(&entry);
                        view! {
                            <tr data-status=state_tag>
                                <td>{entry.requirement.clone()}</td>
                                <td>
                                    <ul class="plain">
                                        {entry.evidence.iter().map(|(evidence, _)| {
                                            let validity = validity_today(state, evidence);
                                            view! {
                                                <li>
                                                    <RecordLink kind=Kind::Evidence id=evidence.id />
                                                    " "
                                                    <span class=format!("tag validity {}", validity.tag())>{validity.words()}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </td>
                                <td><span class=format!("tag pack {state_tag}")>{state_tag}</span></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The pack as a zip: each file in its requirement's folder, and `index.csv`. Files are
/// stored as they are (photos and PDFs are compressed already).
async fn build_zip(state: AppState, entries: &[PackEntry]) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let failed = |e: std::io::Error| format!("The pack could not be built: {e}.");
    let zipped = |e: zip::result::ZipError| format!("The pack could not be built: {e}.");
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (position, entry) in entries.iter().enumerate() {
        for (evidence, _) in &entry.evidence {
            let sha256 = evidence.sha256.clone().unwrap_or_default();
            let media_type = evidence.media_type.clone().unwrap_or_default();
            let bytes = file_bytes(state, &sha256, &media_type)
                .await
                .map_err(|problem| {
                    format!(
                        "“{}”: {problem}",
                        evidence.title.as_deref().unwrap_or("a file")
                    )
                })?;
            zip.start_file(pack_path(position, entry, evidence), options)
                .map_err(zipped)?;
            zip.write_all(&bytes).map_err(failed)?;
        }
    }
    zip.start_file("index.csv", options).map_err(zipped)?;
    zip.write_all(pack_index(entries).as_bytes())
        .map_err(failed)?;
    Ok(zip.finish().map_err(zipped)?.into_inner())
}
