use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::Rating;

#[component]
pub fn Overview() -> impl IntoView {
    let state = use_app_state();
    let total = move || state.risks.with(Vec::len);
    let severe = move || {
        state.risks.with(|risks| {
            risks
                .iter()
                .filter(|r| matches!(r.rating(), Rating::High | Rating::Critical))
                .count()
        })
    };
    view! {
        <section class="page">
            <h1>"Overview"</h1>
            <p class="lede">
                "Your ISMS register, kept on this device. It works without a network; nothing you enter leaves the device."
            </p>
            <div class="cards">
                <A href="/risks" attr:class="card">
                    <span class="card-figure" data-testid="risk-count">{total}</span>
                    <span class="card-label">"risks recorded"</span>
                </A>
                <A href="/risks" attr:class="card">
                    <span class="card-figure">{severe}</span>
                    <span class="card-label">"rated high or critical"</span>
                </A>
            </div>
        </section>
    }
}
