//! Bar charts drawn by the app as SVG, each with a text alternative and its figures in a table
//! on request: levels against targets (maturity per area), and two counts side by side per
//! period (findings opened and closed per month).

use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const ROW: f64 = 30.0;
const LABEL: f64 = 190.0;
const RIGHT: f64 = 40.0;

/// One bar of a level chart: its name, its level, and the target it is measured against.
#[derive(Clone, PartialEq, Debug)]
pub struct Level {
    pub name: String,
    pub level: u8,
    pub target: Option<u8>,
}

/// Levels 0–`top` as horizontal bars, a target as a mark across each bar.
#[component]
pub fn LevelBars(#[prop(into)] title: String, rows: Vec<Level>, top: u8) -> impl IntoView {
    let height = ROW * rows.len() as f64 + 24.0;
    let x = move |level: f64| LABEL + level / f64::from(top) * (WIDTH - LABEL - RIGHT);
    let summary = rows
        .iter()
        .map(|r| match r.target {
            Some(t) => format!("{} {} of target {t}", r.name, r.level),
            None => format!("{} {}", r.name, r.level),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let table = rows.clone();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=format!("{title}: {summary}")>
                {rows.into_iter().enumerate().map(|(i, row)| {
                    let y = ROW * i as f64;
                    let short = row.target.is_some_and(|t| row.level < t);
                    view! {
                        <text class="tick" x=LABEL - 8.0 y=y + 19.0 text-anchor="end">{row.name}</text>
                        <rect class="track" x=LABEL y=y + 6.0 width=x(f64::from(top)) - LABEL height="16" rx="3" />
                        <rect class="bar" class:short=short x=LABEL y=y + 6.0 width=x(f64::from(row.level)) - LABEL height="16" rx="3" />
                        <text class="tick" x=x(f64::from(row.level)) + 6.0 y=y + 19.0>{row.level.to_string()}</text>
                        {row.target.map(|t| view! {
                            <line class="target" x1=x(f64::from(t)) y1=y + 2.0 x2=x(f64::from(t)) y2=y + 26.0 />
                        })}
                    }
                }).collect_view()}
                {(0..=top).map(|level| view! {
                    <text class="tick" x=x(f64::from(level)) y=height - 4.0 text-anchor="middle">{level.to_string()}</text>
                }).collect_view()}
            </svg>
            <details class="figures">
                <summary>"Show the figures"</summary>
                <table>
                    <thead><tr><th scope="col">"Area"</th><th scope="col">"Level"</th><th scope="col">"Target"</th></tr></thead>
                    <tbody>
                        {table.into_iter().map(|r| view! {
                            <tr><td>{r.name}</td><td>{r.level.to_string()}</td><td>{r.target.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// Two counts per period, side by side, as vertical bars.
#[component]
pub fn PairedBars(
    #[prop(into)] title: String,
    rows: Vec<(String, usize, usize)>,
    names: (&'static str, &'static str),
) -> impl IntoView {
    const HEIGHT: f64 = 200.0;
    const BASE: f64 = 170.0;
    const LEFT: f64 = 30.0;
    let highest = rows.iter().map(|r| r.1.max(r.2)).max().unwrap_or(0).max(1) as f64;
    let step = (WIDTH - LEFT - 10.0) / rows.len().max(1) as f64;
    let bar = (step / 2.0 - 3.0).max(2.0);
    let y = move |n: usize| BASE - n as f64 / highest * (BASE - 14.0);
    let summary = rows
        .iter()
        .map(|(period, a, b)| format!("{period}: {a} {}, {b} {}", names.0, names.1))
        .collect::<Vec<_>>()
        .join("; ");
    let table = rows.clone();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <p class="legend" aria-hidden="true"><span class="key first"></span>{names.0}<span class="key second"></span>{names.1}</p>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=format!("{title}: {summary}")>
                <line class="axis" x1=LEFT y1=BASE x2=WIDTH - 10.0 y2=BASE />
                <text class="tick" x=LEFT - 6.0 y=y(highest as usize) + 4.0 text-anchor="end">{(highest as usize).to_string()}</text>
                <text class="tick" x=LEFT - 6.0 y=BASE + 4.0 text-anchor="end">"0"</text>
                {rows.into_iter().enumerate().map(|(i, (period, a, b))| {
                    let left = LEFT + step * i as f64 + 2.0;
                    let month = period.get(5..).unwrap_or(&period).to_owned();
                    view! {
                        <rect class="bar first" x=left y=y(a) width=bar height=BASE - y(a) />
                        <rect class="bar second" x=left + bar + 2.0 y=y(b) width=bar height=BASE - y(b) />
                        <text class="tick" x=left + bar y=BASE + 16.0 text-anchor="middle">{month}</text>
                    }
                }).collect_view()}
            </svg>
            <details class="figures">
                <summary>"Show the figures"</summary>
                <table>
                    <thead><tr><th scope="col">"Month"</th><th scope="col">{names.0}</th><th scope="col">{names.1}</th></tr></thead>
                    <tbody>
                        {table.into_iter().map(|(period, a, b)| view! {
                            <tr><td>{period}</td><td>{a.to_string()}</td><td>{b.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
