//! One indicator, drilled into: what it means, its value now and in the period before, and the
//! records it was computed from.

use crate::{components::RecordLink, state::use_app_state};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use register::{
    RecordId, dates,
    indicators::{self, Better, Inputs, Period, Trend},
};

#[component]
pub fn IndicatorDetail() -> impl IntoView {
    let state = use_app_state();
    let params = use_params_map();
    let reading = Memo::new(move |_| {
        let definition = indicators::definition(&params.read().get("key")?)?;
        let today = dates::date(&state.today.get())?;
        let period = Period::ending(today, indicators::DEFAULT_PERIOD_DAYS);
        state.read(|d| {
            let inputs = Inputs::new(&d.local, period, today);
            let of = |inputs: &Inputs| {
                indicators::compute(inputs)
                    .into_iter()
                    .find(|i| i.definition == definition)
            };
            let now = of(&inputs)?;
            let before = of(&inputs.for_period(period.previous()))?;
            let records: Vec<(RecordId, register::Kind)> = now
                .reading
                .records
                .iter()
                .filter_map(|id| Some((*id, d.local.record(*id)?.kind)))
                .collect();
            Some((now, before.value(), period, records))
        })
    });
    view! {
        <section class="page">
            <p class="back"><A href="/">"← Dashboard"</A></p>
            {move || match reading.get() {
                None => view! { <h1>"No such indicator"</h1> }.into_any(),
                Some((now, before, period, records)) => {
                    let d = now.definition;
                    let trend = Trend::of(d.better, now.value(), before);
                    let previous = before.map_or_else(|| "not enough data".to_owned(), |v| d.unit.show(v));
                    let better = match d.better { Better::Higher => "Higher is better.", Better::Lower => "Lower is better." };
                    view! {
                        <h1>{d.name}</h1>
                        <p class="lede">{d.meaning}" "{better}</p>
                        <dl class="facts">
                            <dt>{format!("{} to {}", period.first, period.last)}</dt>
                            <dd data-testid="indicator-value">{now.shown()}</dd>
                            <dt>"The 90 days before"</dt>
                            <dd>{previous}</dd>
                            <dt>"Trend"</dt>
                            <dd>{trend.words()}</dd>
                        </dl>
                        <h2>{format!("Computed from {} records", records.len())}</h2>
                        {if records.is_empty() {
                            view! { <p class="empty">"No record went into this figure."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="record-list" aria-label="Records behind this figure">
                                    {records.into_iter().map(|(id, kind)| view! { <li class="record"><RecordLink kind id /></li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}
