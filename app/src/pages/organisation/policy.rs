//! The organisation's decisions for its whole register (`register::policy`), made by its
//! owners and admins and shown to everyone: for now, whether photos keep where they were
//! taken.

use crate::{components::messages, state::use_app_state};
use leptos::{prelude::*, task::spawn_local};
use register::{Kind, Value, policy, views::Policy};

#[component]
pub fn Policies() -> impl IntoView {
    let state = use_app_state();
    let keeps = Memo::new(move |_| state.read(|d| policy::keeps_photo_location(&d.local)));
    let said = RwSignal::new(String::new());
    let decide = move |ev: leptos::ev::Event| {
        let keep = event_target_checked(&ev);
        let value = if keep { policy::KEEP } else { policy::STRIP };
        spawn_local(async move {
            let outcome = state
                .update(
                    policy::id(),
                    Kind::Policy,
                    vec![(Policy::photo_location, Value::from(value))],
                )
                .await;
            said.set(match outcome {
                Ok(()) if keep => {
                    "From now on, a photo's position is kept on its evidence record.".to_owned()
                }
                Ok(()) => "From now on, photos do not keep where they were taken.".to_owned(),
                Err(errors) => messages(errors),
            });
        });
    };
    view! {
        <section class="policies" aria-labelledby="policies">
            <h2 id="policies">"Policies"</h2>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || keeps.get()
                    disabled=move || !state.may_write(Kind::Policy)
                    aria-describedby="photo-location-hint"
                    on:change=decide
                />
                "Keep where photos were taken"
            </label>
            <p id="photo-location-hint" class="hint">
                "Off unless an owner or admin turns it on. When on, the position a phone records in a photo is written on the photo's evidence record, where everyone in the organisation can see it. The photo itself never keeps it: every photo is drawn again without its metadata."
            </p>
            <p class="added" role="status">{move || said.get()}</p>
        </section>
    }
}
