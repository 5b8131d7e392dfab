//! Management reviews (clause 9.3): each covers the period since the one before, its inputs
//! assembled from the register, its outputs the actions it decides, and its sign-off, after
//! which it no longer changes.

pub mod detail;
pub mod minutes;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::ReviewStatus;
use register::{Kind, RecordId, RecordState, View, views::Review};

pub static REVIEWS: ListSpec = ListSpec {
    kind: Kind::Review,
    path: "/reviews",
    noun: "reviews",
    label: "Management reviews",
    filters: &[Review::status],
    person: Review::chair,
    describe: |_| Box::new(describe_review),
    empty: "No management review yet. Top management reviews the ISMS at planned intervals: plan the next one here, and its inputs assemble themselves from the register.",
};

fn describe_review(id: RecordId, record: &RecordState) -> Extras {
    let review = Review::from_record(id, record);
    let mut tags = vec![Tag::plain(words(
        review.status.unwrap_or(ReviewStatus::Planned).name(),
    ))];
    if review.signed_off_at.is_some() {
        tags.push(Tag::toned("signed off", "low"));
    }
    let planned = review.signed_off_at.is_none();
    Extras {
        image: None,
        tags,
        due: review.date.filter(|_| planned).map(|d| (d, "Planned for")),
        order: None,
    }
}

#[component]
pub fn Reviews() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/reviews/{id}"), Default::default()));
    view! {
        <section class="page">
            <h1>"Management reviews"</h1>
            <p class="lede">"Top management's review of the ISMS (clause 9.3): what the register shows since the last review, what it decides, and who signed it off."</p>
            <Show when=move || state.may_write(Kind::Review)>
                <details class="new-record">
                    <summary>"Plan a review"</summary>
                    <NewRecordForm
                        kind=Kind::Review
                        fields=fields!(Review: title, date, chair)
                        submit="Plan review"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&REVIEWS />
        </section>
    }
}
