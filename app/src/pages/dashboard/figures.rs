//! The dashboard's figures: headline indicators against the previous period, maturity against
//! target and over time, risk reduction over time, nonconformities opened and closed per month,
//! and the actions overdue. All computed by `register`; this only draws them.

use crate::{
    components::{
        RecordLink,
        bars::{Level, LevelBars, PairedBars},
        chart::{Point, TrendChart},
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
    let facts = Facts::new(register, today, indicators::DEFAULT_APPETITE);
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

fn arrow(trend: Trend) -> &'static str {
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

/// The dashboard's figures, drawn once their code has loaded.
#[leptos::lazy]
pub fn figures() -> AnyView {
    let state = use_app_state();
    let figures = Memo::new(move |_| {
        let today = dates::date(&state.today.get())?;
        // Measured for the bench: every indicator and level, over the whole register.
        let timing = crate::state::Timing::start("ratchet-indicators");
        let figures = state.read(|d| compute(&d.local, today));
        timing.finish();
        Some(figures)
    });
    view! {
        {move || figures.get().map(|f| {
            let average = |levels: &[u8]| levels.iter().map(|&l| f64::from(l)).sum::<f64>() / levels.len().max(1) as f64;
            let maturity_points = series(
                &f.snapshots,
                |s| {
                    let levels: Vec<u8> = maturity::levels_of(s).into_values().collect();
                    (!levels.is_empty()).then(|| average(&levels))
                },
                |v| format!("{v:.1}"),
            );
            let targets: Vec<u8> = f.assessments.iter().filter_map(|a| a.target).collect();
            let target_line = (!targets.is_empty()).then(|| crate::components::chart::Line {
                y: average(&targets),
                name: format!("target {:.1}", average(&targets)),
                class: "target",
            });
            let reduction_points = series(&f.snapshots, |s| maturity::figures_of(s).get("risk_reduction").copied(), |v| format!("{v:.0} points"));
            let levels: Vec<Level> = f.assessments.iter().map(|a| Level { name: a.area.title().to_owned(), level: a.level, target: a.target }).collect();
            view! {
                <section class="dashboard-part" aria-labelledby="headline">
                    <h2 id="headline">"Indicators: the last 90 days against the 90 before"</h2>
                    {Group::ALL.into_iter().map(|group| {
                        let tiles = f.headline.iter().filter(|(key, ..)| indicators::definition(key).is_some_and(|d| d.group == group)).cloned().collect::<Vec<_>>();
                        view! {
                            <h3 class="group-title">{group.title()}</h3>
                            <ul class="tiles" aria-label=group.title()>
                                {tiles.into_iter().map(|(key, now, before)| {
                                    let definition = indicators::definition(key).expect("a listed indicator");
                                    let trend = Trend::of(definition.better, now, before);
                                    let shown = now.map_or_else(|| "not enough data".to_owned(), |v| definition.unit.show(v));
                                    let previous = before.map_or_else(|| "no figure".to_owned(), |v| definition.unit.show(v));
                                    view! {
                                        <li class="tile" data-indicator=key>
                                            <A href=format!("/indicators/{key}") attr:class="tile-name">{definition.name}</A>
                                            <span class="tile-value" data-testid=format!("indicator-{key}")>{shown}</span>
                                            <span class="tile-trend" data-trend=format!("{trend:?}").to_lowercase()>
                                                <span aria-hidden="true">{arrow(trend)}" "</span>
                                                {format!("{} (before: {previous})", trend.short())}
                                            </span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    }).collect_view()}
                </section>
                <section class="dashboard-part" aria-labelledby="maturity">
                    <h2 id="maturity">"Maturity against target"</h2>
                    <LevelBars title="Maturity level per area (0–5), the mark is the target" rows=levels top=maturity::TOP />
                    <p><A href="/maturity">"Why each level, and what the next needs"</A></p>
                    <div class="charts">
                        <TrendChart title="Maturity over time (average of the seven areas, monthly snapshots)" points=maturity_points lines=target_line.into_iter().collect() />
                        <TrendChart title="Risk reduced over time (inherent minus residual score)" points=reduction_points lines=vec![] />
                    </div>
                </section>
                <section class="dashboard-part" aria-labelledby="findings">
                    <h2 id="findings">"Nonconformities opened and closed"</h2>
                    <PairedBars title="Nonconformities opened and closed per month, last 12 months" rows=f.by_month.clone() names=("opened", "closed") />
                </section>
                <section class="dashboard-part" aria-labelledby="overdue">
                    <h2 id="overdue">"Actions overdue"</h2>
                    {if f.overdue.is_empty() {
                        view! { <p class="empty">"No action is overdue."</p> }.into_any()
                    } else {
                        let more = f.overdue.len().saturating_sub(10);
                        view! {
                            <ul class="record-list" aria-label="Actions overdue">
                                {f.overdue.iter().take(10).map(|a| {
                                    let due = findings::action_due(a).map(|(due, what)| format!("{what} {due}")).unwrap_or_default();
                                    view! {
                                        <li class="record"><RecordLink kind=Kind::Action id=a.id /><span class="tags"><span class="tag overdue">{due}</span></span></li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! { <p><A href="/actions">{format!("and {more} more in Actions")}</A></p> })}
                        }.into_any()
                    }}
                </section>
            }
        })}
    }
    .into_any()
}
