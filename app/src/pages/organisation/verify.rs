//! Checks the organisation's whole history from the server, end to end: every entry of the
//! hash-chained log follows the one before and matches its hash, and this device's copy is
//! that same history (`engine::chain::ChainCheck`). Said in words.

use crate::{api::Api, state::use_app_state};
use engine::chain::ChainCheck;
use leptos::{prelude::*, task::spawn_local};

/// Most pages one check reads: a million entries at the server's 1,000 a page.
const MAX_PAGES: usize = 1_000;

#[component]
pub fn VerifyHistory(api: StoredValue<Api>) -> impl IntoView {
    let state = use_app_state();
    let progress = RwSignal::new(None::<(u64, u64)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let running = RwSignal::new(false);
    let verify = move |_| {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        outcome.set(None);
        let api = api.get_value();
        spawn_local(async move {
            let (at, hash) = state.read_untracked(|d| (d.cursor, d.head_hash.clone()));
            let mut check = ChainCheck::new(at);
            let mut result = Err("The log has more pages than one check reads.".to_owned());
            for _page in 0..MAX_PAGES {
                let page = match api.pull(check.checked).await.result {
                    Ok(page) => page,
                    Err(error) => {
                        result = Err(format!(
                            "The check stopped at entry {}: {error}.",
                            check.checked
                        ));
                        break;
                    }
                };
                if let Err(error) = check.add(&page.ops) {
                    result = Err(format!("The organisation's log fails the check: {error}."));
                    break;
                }
                progress.try_set(Some((check.checked, page.head)));
                if !page.more {
                    result = Ok(check.words(&hash));
                    break;
                }
            }
            outcome.try_set(Some(result));
            running.try_set(false);
        });
    };
    view! {
        <section class="verify-history" aria-labelledby="verify-history">
            <h2 id="verify-history">"History"</h2>
            <p class="hint">"Every change is an entry in the organisation's log, each carrying the hash of the one before. Checking reads the whole log from the server and recomputes every hash."</p>
            <button type="button" class="secondary" on:click=verify disabled=move || running.get() || !state.online.get()>"Verify the organisation's history"</button>
            <p role="status">{move || match (outcome.get(), progress.get(), running.get()) {
                (Some(Ok(words)), _, _) => words,
                (_, Some((checked, head)), true) => format!("Checked {checked} of {head} entries…"),
                _ => String::new(),
            }}</p>
            {move || outcome.get().and_then(Result::err).map(|problem| view! { <p class="form-error" role="alert">{problem}</p> })}
        </section>
    }
}
