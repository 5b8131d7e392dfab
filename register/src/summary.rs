//! The monthly summary for management (clause 9.3's inputs, kept moving between reviews):
//! the headline indicators against the period before, maturity against target, overdue work
//! by owner, the month's nonconformities opened and closed, and what changed since the month
//! before, read from the last monthly maturity snapshot taken before this month began (the
//! kept record; this month's snapshot is what next month's summary compares with).

use crate::{
    RecordId, Replica, Role,
    choices::Occasion,
    dates,
    indicators::{self, INDICATORS, Trend},
    maturity::{self, Area, Facts},
    work,
};
use chrono::{Datelike, NaiveDate};

/// One headline indicator: now, in the period before, and the move between.
#[derive(Clone, PartialEq, Debug)]
pub struct Headline {
    pub key: &'static str,
    pub name: &'static str,
    pub now: String,
    pub before: String,
    pub trend: Trend,
}

/// One area's maturity: computed now, the organisation's target, and last month's level.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AreaLevel {
    pub area: Area,
    pub level: u8,
    pub target: Option<u8>,
    pub last_month: Option<u8>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct MonthlySummary {
    /// The month summarised: the last one ended ("November 2026").
    pub month: String,
    /// The month's key ("2026-11"), which a reminder names.
    pub month_key: String,
    pub as_of: NaiveDate,
    pub headline: Vec<Headline>,
    pub maturity: Vec<AreaLevel>,
    /// Members with overdue work, most first.
    pub overdue_by_owner: Vec<(RecordId, usize)>,
    pub nonconformities_opened: usize,
    pub nonconformities_closed: usize,
    /// The day of the monthly snapshot compared with, if there is one.
    pub compared_with: Option<String>,
    /// What moved since that snapshot, one sentence each.
    pub changes: Vec<String>,
}

/// The month before `today`'s, as its first day.
fn last_month(today: NaiveDate) -> NaiveDate {
    today
        .with_day(1)
        .and_then(|first| first.checked_sub_months(chrono::Months::new(1)))
        .unwrap_or(today)
}

/// The summary of the month before `today`'s, as the register stands on `today`.
pub fn monthly(register: &Replica, today: NaiveDate) -> MonthlySummary {
    let facts = Facts::new(register, today);
    let month_began = today.with_day(1).unwrap_or(today);
    let previous = facts
        .snapshots
        .iter()
        .rfind(|s| {
            s.occasion == Some(Occasion::Monthly)
                && s.taken_on.as_deref().and_then(dates::date) < Some(month_began)
        })
        .cloned();
    let levels_then = previous
        .as_ref()
        .map(maturity::levels_of)
        .unwrap_or_default();
    let figures_then = previous
        .as_ref()
        .map(maturity::figures_of)
        .unwrap_or_default();

    let headline = INDICATORS
        .iter()
        .map(|d| {
            let (now, before) = (facts.value(d.key), facts.previous(d.key));
            let show =
                |v: Option<f64>| v.map_or_else(|| "not enough data".into(), |v| d.unit.show(v));
            Headline {
                key: d.key,
                name: d.name,
                now: show(now),
                before: show(before),
                trend: Trend::of(d.better, now, before),
            }
        })
        .collect();
    let maturity: Vec<AreaLevel> = maturity::assess_facts(&facts)
        .into_iter()
        .map(|a| AreaLevel {
            area: a.area,
            level: a.level,
            target: a.target,
            last_month: levels_then.get(&a.area).copied(),
        })
        .collect();

    let mut changes = Vec::new();
    for area in &maturity {
        if let Some(then) = area.last_month.filter(|then| *then != area.level) {
            let moved = if area.level > then { "rose" } else { "fell" };
            changes.push(format!(
                "{} maturity {moved} from level {then} to {}.",
                area.area.title(),
                area.level
            ));
        }
    }
    for d in INDICATORS {
        let (Some(now), Some(&then)) = (facts.value(d.key), figures_then.get(d.key)) else {
            continue;
        };
        match Trend::of(d.better, Some(now), Some(then)) {
            Trend::Better | Trend::Worse => changes.push(format!(
                "{}: {} ({} → {}).",
                d.name,
                Trend::of(d.better, Some(now), Some(then)).short(),
                d.unit.show(then),
                d.unit.show(now)
            )),
            Trend::Same | Trend::Unknown => {}
        }
    }

    let mut overdue_by_owner: Vec<(RecordId, usize)> = work::everyones_work(register, today)
        .into_iter()
        .map(|(owner, work)| (owner, work.overdue.len()))
        .filter(|(_, overdue)| *overdue > 0)
        .collect();
    overdue_by_owner.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let summarised = last_month(today);
    let month_key = summarised.format("%Y-%m").to_string();
    let (opened, closed) = indicators::findings_by_month(facts.inputs.findings(), today, 2)
        .into_iter()
        .find(|(month, _, _)| *month == month_key)
        .map_or((0, 0), |(_, opened, closed)| (opened, closed));
    MonthlySummary {
        month: summarised.format("%B %Y").to_string(),
        month_key,
        as_of: today,
        headline,
        maturity,
        overdue_by_owner,
        nonconformities_opened: opened,
        nonconformities_closed: closed,
        compared_with: previous.and_then(|s| s.taken_on),
        changes,
    }
}

/// The month (`2026-11`) whose summary a member with `role` hears is ready on `today`: on the
/// first of a month, the month before, for owners and admins (who answer to management).
pub fn ready_for(role: Role, today: NaiveDate) -> Option<String> {
    (today.day() == 1 && role.manages_members())
        .then(|| last_month(today).format("%Y-%m").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, fixture::day, sync::Device};

    #[test]
    fn the_demos_summary_compares_with_last_months_snapshot() {
        let today = day("2026-07-03");
        let mut device = Device::new(ClientId::new());
        crate::demo::build(&mut device, today, 1);
        let summary = monthly(&device.local, today);
        assert_eq!(summary.month, "June 2026");
        assert_eq!(summary.month_key, "2026-06");
        assert_eq!(summary.headline.len(), INDICATORS.len());
        assert_eq!(summary.maturity.len(), Area::ALL.len());
        let compared = summary
            .compared_with
            .as_deref()
            .expect("the demo keeps monthly snapshots");
        assert!(compared < "2026-07-01", "{compared}");
        assert!(
            summary.maturity.iter().all(|a| a.last_month.is_some()),
            "last month's levels come from its snapshot"
        );
        // Overdue work by owner agrees with each owner's own work.
        for (owner, overdue) in &summary.overdue_by_owner {
            assert_eq!(
                work::my_work(&device.local, Some(*owner), today)
                    .overdue
                    .len(),
                *overdue
            );
        }
        let by_month =
            indicators::findings_by_month(&device.local.all::<crate::views::Finding>(), today, 2);
        assert_eq!(
            (
                summary.nonconformities_opened,
                summary.nonconformities_closed
            ),
            (by_month[0].1, by_month[0].2)
        );
    }

    #[test]
    fn a_register_with_no_snapshot_has_nothing_to_compare() {
        let summary = monthly(&Replica::default(), day("2026-12-07"));
        assert_eq!(summary.month, "November 2026");
        assert_eq!(summary.compared_with, None);
        assert!(summary.changes.is_empty());
        assert!(summary.overdue_by_owner.is_empty());
    }

    #[test]
    fn owners_and_admins_hear_the_summary_is_ready_on_the_first_of_the_month() {
        assert_eq!(
            ready_for(Role::Owner, day("2026-12-01")),
            Some("2026-11".into())
        );
        assert_eq!(
            ready_for(Role::Admin, day("2027-01-01")),
            Some("2026-12".into())
        );
        assert_eq!(ready_for(Role::Owner, day("2026-12-02")), None);
        assert_eq!(ready_for(Role::Editor, day("2026-12-01")), None);
    }
}
