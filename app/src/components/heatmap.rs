//! The 5×5 risk heat map: likelihood against impact, the number of risks in each cell, and a
//! cell that filters the risk list when chosen.

use crate::state::use_app_state;
use leptos::prelude::*;
use register::{risk::Criteria, views};

/// Which pair of scores a heat map places risks by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scale {
    Inherent,
    Residual,
}

impl Scale {
    pub fn name(self) -> &'static str {
        match self {
            Scale::Inherent => "inherent",
            Scale::Residual => "residual",
        }
    }

    pub fn of(self, risk: &views::Risk) -> Option<(i64, i64)> {
        match self {
            Scale::Inherent => risk.inherent_likelihood.zip(risk.inherent_impact),
            Scale::Residual => risk.residual_likelihood.zip(risk.residual_impact),
        }
    }
}

/// A 5×5 grid of likelihood against impact with the number of risks in each cell; choosing a
/// cell filters the list below to those risks.
#[component]
pub fn HeatMap(scale: Scale, cell: RwSignal<Option<(Scale, i64, i64)>>) -> impl IntoView {
    let state = use_app_state();
    let counts = Memo::new(move |_| {
        let mut counts = [[0usize; 5]; 5];
        for risk in state.read(|d| d.local.all::<views::Risk>()) {
            if let Some((l, i)) = scale.of(&risk)
                && (1..=5).contains(&l)
                && (1..=5).contains(&i)
            {
                counts[(i - 1) as usize][(l - 1) as usize] += 1;
            }
        }
        counts
    });
    let criteria = Memo::new(move |_| state.read(|d| Criteria::read(&d.local)));
    let title = format!("{} risk", super::record::words(scale.name()));
    view! {
        <figure class="heatmap">
            <figcaption>{title.clone()}</figcaption>
            <div class="heatmap-grid" role="group" aria-label=format!("{title} heat map: impact against likelihood")>
                {(1..=5).rev().map(|i| (1..=5).map(move |l| {
                    let rating = move || criteria.get().rating(l * i).label();
                    let count = move || counts.get()[(i - 1) as usize][(l - 1) as usize];
                    let pressed = move || cell.get() == Some((scale, l, i));
                    view! {
                        <button type="button" class="heat-cell" data-rating=rating
                            aria-pressed=move || pressed().to_string()
                            aria-label=move || format!("{} likelihood {l}, impact {i}: {} risks", scale.name(), count())
                            on:click=move |_| cell.set(if pressed() { None } else { Some((scale, l, i)) })>
                            {move || match count() { 0 => String::new(), n => n.to_string() }}
                        </button>
                    }
                }).collect_view()).collect_view()}
            </div>
            <p class="heatmap-axes" aria-hidden="true">"↑ impact · likelihood →"</p>
        </figure>
    }
}
