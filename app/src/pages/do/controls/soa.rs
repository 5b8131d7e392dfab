//! The Statement of Applicability: every control, whether it applies and why, and how far it
//! is implemented. Prints cleanly and exports as CSV.

use crate::components::{offer_download, record::words};
use crate::state::use_app_state;
use leptos::prelude::*;
use register::choices::ControlStatus;
use register::{
    catalogue::{reference_key, soa_csv},
    views,
};

#[component]
pub fn Soa() -> impl IntoView {
    let state = use_app_state();
    let controls = Memo::new(move |_| {
        let mut controls = state.read(|d| d.local.all::<views::Control>());
        controls.sort_by_key(|c| reference_key(c.reference.as_deref().unwrap_or_default()));
        controls
    });
    let org = move || {
        state
            .settings
            .get()
            .map_or("this organisation".to_owned(), |s| s.credential.org_name)
    };
    let export = move |_| {
        let csv = soa_csv(&controls.get_untracked());
        if offer_download("statement-of-applicability.csv", "text/csv", csv.as_bytes()).is_err() {
            state
                .notice
                .set(Some("This browser would not save the file.".into()));
        }
    };
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <section class="page soa">
            <h1>"Statement of Applicability"</h1>
            <p class="lede">{move || format!("The Annex A controls of {}, whether each applies, why, and how far it is implemented. Generated {}.", org(), state.today.get())}</p>
            <div class="actions no-print">
                <button type="button" on:click=export>"Export CSV"</button>
                <button type="button" class="secondary" on:click=print>"Print"</button>
            </div>
            <div class="table-wrap">
                <table aria-label="Statement of Applicability">
                    <thead>
                        <tr><th scope="col">"Control"</th><th scope="col">"Title"</th><th scope="col">"Applicable"</th><th scope="col">"Justification"</th><th scope="col">"Status"</th></tr>
                    </thead>
                    <tbody>
                        <For each=move || controls.get() key=|c| (c.id, c.reference.clone(), c.title.clone(), c.applicable, c.justification.clone(), c.status) children=|c| {
                            let applicable = match c.applicable { Some(true) => "Yes", Some(false) => "No", None => "—" };
                            view! {
                                <tr>
                                    <th scope="row">{c.reference.unwrap_or_default()}</th>
                                    <td>{c.title.unwrap_or_default()}</td>
                                    <td>{applicable}</td>
                                    <td>{c.justification.unwrap_or_default()}</td>
                                    <td>{words(c.status.unwrap_or(ControlStatus::NotStarted).name())}</td>
                                </tr>
                            }
                        } />
                    </tbody>
                </table>
            </div>
        </section>
    }
}
