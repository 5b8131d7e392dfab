//! The organisation's decisions for its whole register (`register::policy`), made by its
//! owners and admins and shown to everyone: for now, whether photos keep where they were
//! taken.

use crate::{components::write::Write, state::use_app_state};
use leptos::prelude::*;
use register::{Kind, Value, gate::Edit, policy, views::Policy};

#[component]
pub fn Policies() -> impl IntoView {
    let state = use_app_state();
    let keeps = Memo::new(move |_| state.read(|d| policy::keeps_photo_location(&d.local)));
    let write = Write::new();
    let decide = move |ev: leptos::ev::Event| {
        let value = if event_target_checked(&ev) {
            policy::KEEP
        } else {
            policy::STRIP
        };
        write.start(vec![Edit {
            record: policy::id(),
            kind: Kind::Policy,
            fields: vec![(Policy::photo_location, Value::from(value))],
        }]);
    };
    let said = move || match write.message() {
        Some(refused) => refused,
        None if !write.stored() => String::new(),
        None if keeps.get() => {
            "From now on, a photo's position is kept on its evidence record.".to_owned()
        }
        None => "From now on, photos do not keep where they were taken.".to_owned(),
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
            <p class="added" role="status">{said}</p>
        </section>
    }
}
