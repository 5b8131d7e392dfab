//! A trend chart drawn by the app as SVG: values over time, with reference lines (a metric's
//! target and warning threshold), a text alternative and its figures in a table on request.
//! It needs no library and prints as it shows.

use leptos::prelude::*;

/// One plotted value: where it falls in time (any unit, increasing), its value, and how both
/// read in words.
#[derive(Clone, PartialEq, Debug)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub when: String,
    pub value: String,
}

/// A horizontal reference line and its name ("target 95").
#[derive(Clone, PartialEq, Debug)]
pub struct Line {
    pub y: f64,
    pub name: String,
    pub class: &'static str,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// Spreads `[low, high]` so a flat series or a single point still has room.
fn span(low: f64, high: f64) -> (f64, f64) {
    if (high - low).abs() < f64::EPSILON {
        let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.1 };
        (low - pad, high + pad)
    } else {
        let pad = (high - low) * 0.1;
        (low - pad, high + pad)
    }
}

fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    rounded.to_string()
}

/// The dates under the axis: the first and the last, or one in the middle when every value
/// falls on one date (two labels would print on top of each other).
fn time_labels(points: &[Point], x: impl Fn(f64) -> f64) -> AnyView {
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let y = HEIGHT - 10.0;
    if first.when == last.when {
        let middle = LEFT + (WIDTH - LEFT - RIGHT) / 2.0;
        return view! { <text class="tick" x=middle y=y text-anchor="middle">{first.when.clone()}</text> }.into_any();
    }
    view! {
        <text class="tick" x=x(first.x) y=y text-anchor="start">{first.when.clone()}</text>
        <text class="tick" x=x(last.x) y=y text-anchor="end">{last.when.clone()}</text>
    }
    .into_any()
}

#[component]
pub fn TrendChart(
    #[prop(into)] title: String,
    points: Vec<Point>,
    lines: Vec<Line>,
) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="empty">"Nothing to chart yet."</p> }.into_any();
    }
    let ys = points.iter().map(|p| p.y).chain(lines.iter().map(|l| l.y));
    let (low, high) = span(
        ys.clone().fold(f64::INFINITY, f64::min),
        ys.fold(f64::NEG_INFINITY, f64::max),
    );
    let (first, last) = span(points[0].x, points[points.len() - 1].x);
    let x = move |v: f64| LEFT + (v - first) / (last - first) * (WIDTH - LEFT - RIGHT);
    let y = move |v: f64| TOP + (high - v) / (high - low) * (HEIGHT - TOP - BOTTOM);
    let path = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.x), y(p.y)))
        .collect::<Vec<_>>()
        .join(" ");
    let latest = points
        .last()
        .map(|p| format!("latest {} on {}", p.value, p.when));
    let summary = format!(
        "{title}: {} value{} from {} to {}{}",
        points.len(),
        if points.len() == 1 { "" } else { "s" },
        points[0].when,
        points[points.len() - 1].when,
        latest.map(|l| format!(", {l}")).unwrap_or_default()
    );
    let axis_y = HEIGHT - BOTTOM;
    let table: Vec<(String, String)> = points
        .iter()
        .map(|p| (p.when.clone(), p.value.clone()))
        .collect();
    view! {
        <figure class="trend">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=axis_y />
                <line class="axis" x1=LEFT y1=axis_y x2=WIDTH - RIGHT y2=axis_y />
                <text class="tick" x=LEFT - 6.0 y=y(high) + 4.0 text-anchor="end">{number(high)}</text>
                <text class="tick" x=LEFT - 6.0 y=y(low) + 4.0 text-anchor="end">{number(low)}</text>
                {time_labels(&points, x)}
                {lines.into_iter().map(|line| view! {
                    <line class=format!("reference {}", line.class) x1=LEFT y1=y(line.y) x2=WIDTH - RIGHT y2=y(line.y) />
                    <text class=format!("tick {}", line.class) x=WIDTH - RIGHT y=y(line.y) - 4.0 text-anchor="end">{line.name}</text>
                }).collect_view()}
                <polyline class="series" points=path />
                {points.into_iter().map(|p| view! {
                    <circle class="point" cx=x(p.x) cy=y(p.y) r="4">
                        <title>{format!("{}: {}", p.when, p.value)}</title>
                    </circle>
                }).collect_view()}
            </svg>
            <details class="figures">
                <summary>"Show the figures"</summary>
                <table>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>
                        {table.into_iter().map(|(when, value)| view! { <tr><td>{when}</td><td>{value}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
