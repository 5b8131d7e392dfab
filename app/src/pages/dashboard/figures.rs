//! The dashboard's figures: headline indicators against the previous period, maturity against
//! target and over time, risk reduction over time, nonconformities opened and closed per month,
//! and the actions overdue. All computed by `register`; this only draws them.

use crate::{
    components::{
        RecordLink,
        bars::{Level, LevelBars, PairedBars},
        chart::{Line, Point, TrendChart},
    },
    state::use_app_state,
};
use leptos::prelude::*;
use leptos_router::components::A;
use register::{
    Kind,
    dates::{self, NaiveDate},
    findings,
    indicators::{self, Group, INDICATORS, Trend},
    maturity::{self, Assessment, Facts},
    views::{self, MaturitySnapshot},
};

/// What the dashboard shows, computed in one pass over the register.
#[derive(Clone, PartialEq)]
struct Figures {
    /// Each indicator's key, value now and in the period before.
    headline: Vec<(&'static str, Option<f64>, Option<f64>)>,
    assessments: Vec<Assessment>,
    snapshots: Vec<MaturitySnapshot>,
    by_month: Vec<(String, usize, usize)>,
    overdue: Vec<views::Action>,
}

fn compute(register: &register::Replica, today: NaiveDate) -> Figures {
    let facts = Facts::new(register, today);
    let headline = INDICATORS
        .iter()
        .map(|d| (d.key, facts.value(d.key), facts.previous(d.key)))
        .collect();
    let overdue = findings::overdue(facts.inputs.actions(), &today.to_string())
        .into_iter()
        .cloned()
        .collect();
    Figures {
        headline,
        assessments: maturity::assess_facts(&facts),
        snapshots: facts.snapshots.clone(),
        by_month: indicators::findings_by_month(facts.inputs.findings(), today, 12),
        overdue,
    }
}

pub(crate) fn arrow(trend: Trend) -> &'static str {
    match trend {
        Trend::Better => "▲",
        Trend::Worse => "▼",
        Trend::Same => "=",
        Trend::Unknown => "",
    }
}

fn day_number(stored: &str) -> Option<f64> {
    dates::day_number(stored).map(f64::from)
}

/// One point per snapshot: the value `of` reads from it, dated.
fn series(
    snapshots: &[MaturitySnapshot],
    of: impl Fn(&MaturitySnapshot) -> Option<f64>,
    shown: impl Fn(f64) -> String,
) -> Vec<Point> {
    snapshots
        .iter()
        .filter_map(|s| {
            let when = s.taken_on.clone()?;
            let y = of(s)?;
            Some(Point {
                x: day_number(&when)?,
                y,
                when,
                value: shown(y),
            })
        })
        .collect()
}

/// The maturity charts' series: the average level over time against the target, and the risk
/// reduced over time.
#[derive(Clone, PartialEq)]
struct Trends {
    maturity: Vec<Point>,
    target: Option<Line>,
    reduction: Vec<Point>,
}

fn trends(f: &Figures) -> Trends {
    let average = |levels: &[u8]| {
        levels.iter().map(|&l| f64::from(l)).sum::<f64>() / levels.len().max(1) as f64
    };
    let maturity = series(
        &f.snapshots,
        |s| {
            let levels: Vec<u8> = maturity::levels_of(s).into_values().collect();
            (!levels.is_empty()).then(|| average(&levels))
        },
        |v| format!("{v:.1}"),
    );
    let targets: Vec<u8> = f.assessments.iter().filter_map(|a| a.target).collect();
    let target = (!targets.is_empty()).then(|| Line {
        y: average(&targets),
        name: format!("target {:.1}", average(&targets)),
        class: "target",
    });
    let reduction = series(
        &f.snapshots,
        |s| maturity::figures_of(s).get("risk_reduction").copied(),
        |v| format!("{v:.0} points"),
    );
    Trends {
        maturity,
        target,
        reduction,
    }
}

fn levels(f: &Figures) -> Vec<Level> {
    f.assessments
        .iter()
        .map(|a| Level {
            name: a.area.title().to_owned(),
            level: a.level,
            target: a.target,
        })
        .collect()
}

/// One section's share of the figures, so a section is drawn again only when its share
/// changes.
fn share<T: Clone + PartialEq + Send + Sync + 'static>(
    figures: Memo<Option<Figures>>,
    pick: fn(&Figures) -> T,
) -> Memo<Option<T>> {
    Memo::new(move |_| figures.with(|f| f.as_ref().map(pick)))
}

/// The steps of a first drawing: computing the figures, then each of the four sections, each
/// in an idle moment of its own, so that on a phone no step holds the page for long.
const STEPS: u8 = 5;

/// The dashboard's figures, drawn once their code has loaded (`routes::View::Figures`), and
/// computed again once the register settles after a change.
#[component]
pub fn Figures() -> impl IntoView {
    let state = use_app_state();
    let figures = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        // Measured for the bench: every indicator and level, over the whole register.
        let timing = crate::state::Timing::start("ratchet-indicators");
        let figures = state.read_settled(|d| compute(&d.local, today));
        timing.finish();
        Some(figures)
    });
    let step = RwSignal::new(0);
    leptos::task::spawn_local(async move {
        for next in 1..=STEPS {
            crate::routes::idle().await;
            // The dashboard may have been left during the wait: then there is nothing to draw.
            let gone = next == 1 && figures.try_with_untracked(|_| ()).is_none();
            if gone || step.try_set(next).is_some() {
                return;
            }
        }
    });
    let levels = share(figures, levels);
    let trends = share(figures, trends);
    let by_month = share(figures, |f| f.by_month.clone());
    let overdue = share(figures, |f| f.overdue.clone());
    let headline = move |index: usize| {
        figures.with(|f| {
            f.as_ref()
                .map_or((None, None), |f| (f.headline[index].1, f.headline[index].2))
        })
    };
    view! {
        <Show when=move || { step.get() < 2 }>
            {super::computing()}
        </Show>
        <Show when=move || { step.get() >= 2 }>
            <section class="dashboard-part" aria-labelledby="headline">
                <h2 id="headline">"Indicators: the last 90 days against the 90 before"</h2>
                {Group::ALL.into_iter().map(|group| view! {
                    <h3 class="group-title">{group.title()}</h3>
                    <ul class="tiles" aria-label=group.title()>
                        {INDICATORS.iter().enumerate().filter(|(_, d)| d.group == group).map(|(index, definition)| {
                            let key = definition.key;
                            let trend = move || {
                                let (now, before) = headline(index);
                                Trend::of(definition.better, now, before)
                            };
                            let shown = move || headline(index).0.map_or_else(|| "not enough data".to_owned(), |v| definition.unit.show(v));
                            let previous = move || headline(index).1.map_or_else(|| "no figure".to_owned(), |v| definition.unit.show(v));
                            view! {
                                <li class="tile" data-indicator=key>
                                    <A href=format!("/indicators/{key}") attr:class="tile-name">{definition.name}</A>
                                    <span class="tile-value" data-testid=format!("indicator-{key}")>{shown}</span>
                                    <span class="tile-trend" data-trend=move || format!("{:?}", trend()).to_lowercase()>
                                        <span aria-hidden="true">{move || arrow(trend())}" "</span>
                                        {move || format!("{} (before: {})", trend().short(), previous())}
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }).collect_view()}
            </section>
        </Show>
        <Show when=move || { step.get() >= 3 }>
            <section class="dashboard-part" aria-labelledby="maturity">
                <h2 id="maturity">"Maturity against target"</h2>
                {move || levels.get().map(|rows| view! {
                    <LevelBars title="Maturity level per area (0–5), the mark is the target" rows top=maturity::TOP />
                })}
                <p><A href="/maturity">"Why each level, and what the next needs"</A></p>
                {move || trends.get().map(|t| view! {
                    <div class="charts">
                        <TrendChart title="Maturity over time (average of the seven areas, monthly snapshots)" points=t.maturity lines=t.target.into_iter().collect() />
                        <TrendChart title="Risk reduced over time (inherent minus residual score)" points=t.reduction lines=vec![] />
                    </div>
                })}
            </section>
        </Show>
        <Show when=move || { step.get() >= 4 }>
            <section class="dashboard-part" aria-labelledby="findings">
                <h2 id="findings">"Nonconformities opened and closed"</h2>
                {move || by_month.get().map(|rows| view! {
                    <PairedBars title="Nonconformities opened and closed per month, last 12 months" rows names=("opened", "closed") />
                })}
            </section>
        </Show>
        <Show when=move || { step.get() >= STEPS }>
            <section class="dashboard-part" aria-labelledby="overdue">
                <h2 id="overdue">"Actions overdue"</h2>
                {move || overdue.get().map(|overdue| if overdue.is_empty() {
                    view! { <p class="empty">"No action is overdue."</p> }.into_any()
                } else {
                    let more = overdue.len().saturating_sub(10);
                    view! {
                        <ul class="record-list" aria-label="Actions overdue">
                            {overdue.iter().take(10).map(|a| {
                                let due = findings::action_due(a).map(|(due, what)| format!("{what} {due}")).unwrap_or_default();
                                view! {
                                    <li class="record"><RecordLink kind=Kind::Action id=a.id /><span class="tags"><span class="tag overdue">{due}</span></span></li>
                                }
                            }).collect_view()}
                        </ul>
                        {(more > 0).then(|| view! { <p><A href="/actions">{format!("and {more} more in Actions")}</A></p> })}
                    }.into_any()
                })}
            </section>
        </Show>
    }
}
