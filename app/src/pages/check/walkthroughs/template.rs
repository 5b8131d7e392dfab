//! One of the organisation's walkthrough templates: its name, what it is for, and its
//! checks, one per line (`A.7.2 Is every visitor signed in?`).

use crate::components::{RoutedDetail, history::RecordHistory, record::RecordEditor};
use leptos::prelude::*;
use register::{Kind, RecordId};

#[component]
pub fn TemplateDetail() -> impl IntoView {
    view! {
        <RoutedDetail kind=Kind::WalkthroughTemplate back="/walkthroughs" back_label="← Walkthroughs" page=|id| view! { <TemplatePage id /> }.into_any() />
    }
}

#[component]
fn TemplatePage(id: RecordId) -> impl IntoView {
    view! {
        <h1>"Walkthrough template"</h1>
        <p class="lede">"One check per line: the control's reference (such as A.7.2), then the question to answer on site."</p>
        <RecordEditor kind=Kind::WalkthroughTemplate id />
        <RecordHistory id kind=Kind::WalkthroughTemplate />
    }
}
