//! Actions (clause 10.1, 10.2): corrections, corrective and preventive actions and
//! improvements, from findings, risks, objectives, controls and reviews, with their owners,
//! due dates and whether they were verified effective.

pub mod detail;

use crate::components::{
    list::{Extras, ListSpec, RegisterList, Tag},
    record::{NewRecordForm, fields, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use register::choices::{ActionStatus, ActionType, Verdict};
use register::{Kind, RecordId, RecordState, Value, View, findings::action_due, views::Action};

pub static ACTIONS: ListSpec = ListSpec {
    kind: Kind::Action,
    path: "/actions",
    noun: "actions",
    label: "Actions",
    filters: &[Action::action_type, Action::status, Action::effective],
    person: Action::owner,
    describe: |_| Box::new(describe_action),
    empty: "No actions yet. Actions come from findings (a correction, a corrective or preventive action), from risks and objectives, or as improvements anyone proposes.",
};

fn describe_action(id: RecordId, record: &RecordState) -> Extras {
    let action = Action::from_record(id, record);
    let status = action.status.unwrap_or(ActionStatus::Open);
    let mut tags = vec![
        Tag::plain(words(action.action_type.map_or("", ActionType::name))),
        Tag::plain(words(status)),
    ];
    if let Some(effective) = action.effective {
        let tone = if effective == Verdict::Effective {
            "low"
        } else {
            "critical"
        };
        tags.push(Tag::toned(
            format!("verified {}", words(effective).to_lowercase()),
            tone,
        ));
    }
    Extras {
        image: None,
        tags,
        due: action_due(&action),
        order: None,
    }
}

#[component]
pub fn Actions() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let created =
        Callback::new(move |id: RecordId| navigate(&format!("/actions/{id}"), Default::default()));
    let defaults = Callback::new(|()| {
        vec![
            (Action::action_type, Value::from(ActionType::Improvement)),
            (Action::status, Value::from(ActionStatus::Open)),
        ]
    });
    view! {
        <section class="page">
            <h1>"Actions"</h1>
            <p class="lede">
                "What is being done, by whom and by when. An action that fixes a nonconformity is checked afterwards by someone other than its owner: did it work?"
            </p>
            <Show when=move || state.may_write(Kind::Action)>
                <details class="new-record">
                    <summary>"Propose an action"</summary>
                    <NewRecordForm
                        kind=Kind::Action
                        fields=fields!(Action: title, action_type, description, owner, due, risk, objective, control)
                        defaults
                        submit="Add action"
                        on_created=created
                    />
                </details>
            </Show>
            <RegisterList spec=&ACTIONS />
        </section>
    }
}
