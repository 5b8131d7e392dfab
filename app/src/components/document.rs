//! The control block of a printed document (clause 7.5.2–7.5.3): whose it is, what it is,
//! which version, who approved it and when, and the point of the organisation's hash-chained
//! log it reflects, so a paper copy can be traced to the exact state of the register.

use crate::state::use_app_state;
use leptos::prelude::*;

/// One document's identity and approval, as its page knows them.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Control {
    pub version: Option<String>,
    /// "Ada Lovelace on 2026-12-07", or `None` while not approved.
    pub approved: Option<String>,
}

/// What a frozen version reflects: the log point its approver's device had reached.
pub fn reflected(position: Option<i64>, hash: Option<String>) -> String {
    match (position, hash) {
        (Some(position), Some(hash)) => {
            let short: String = hash.chars().take(16).collect();
            format!(
                "Entry {position} of the organisation's log, hash {short}, as the approver's device held it; this version's own entry vouches for its text"
            )
        }
        _ => "The register as its approver's device held it, outside any organisation's log"
            .to_owned(),
    }
}

#[component]
pub fn DocumentControl(
    #[prop(into)] document: String,
    #[prop(into)] control: Signal<Control>,
    /// What the document reflects, where it is not the register as it stands now (a frozen
    /// version: `reflected`).
    #[prop(optional)]
    reflects: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let organisation = move || {
        state
            .settings
            .get()
            .map_or("Kept on this device alone".to_owned(), |s| {
                s.credential.org_name
            })
    };
    let log = move || {
        if let Some(reflects) = &reflects {
            return reflects.clone();
        }
        // A register kept on this device alone has no log, and its changes are never sent.
        if state.settings.with(Option::is_none) {
            return "The register kept on this device alone, as it stands: it has no shared log"
                .to_owned();
        }
        let (cursor, hash, pending) = state.read(|d| (d.cursor, d.head_hash.clone(), d.pending()));
        let unsent = match pending {
            0 => String::new(),
            n => format!(", and {n} changes made on this device not yet synced"),
        };
        let short: String = hash.chars().take(16).collect();
        format!("Entry {cursor} of the organisation's log, hash {short}{unsent}")
    };
    view! {
        <dl class="document-control" aria-label="Document control">
            <div><dt>"Organisation"</dt><dd>{organisation}</dd></div>
            <div><dt>"Document"</dt><dd>{document}</dd></div>
            <div><dt>"Version"</dt><dd data-testid="document-version">{move || control.get().version.unwrap_or_else(|| "Draft, not approved".into())}</dd></div>
            <div><dt>"Approved"</dt><dd data-testid="document-approved">{move || control.get().approved.unwrap_or_else(|| "Not yet".into())}</dd></div>
            <div><dt>"Reflects"</dt><dd data-testid="document-log">{log}</dd></div>
            <div><dt>"Printed"</dt><dd>{move || state.today.get()}</dd></div>
        </dl>
    }
}
