//! A member's due work as an iCalendar feed (RFC 5545), for the calendar they already use:
//! each item of My work with a date (`work::my_work`) becomes an all-day event on the day it
//! is due, linking back to its record. Written with the `icalendar` crate; every stamp is
//! given, so writing a feed reads no clock and draws no randomness.

use crate::{RecordId, Replica, dates, work};
use chrono::NaiveDate;
use icalendar::{Calendar, Component, Event, EventLike};

/// Whether `role` may have the organisation-wide feed (everyone's due work): owners and
/// admins, who answer for all of it. A feed follows its member's current role.
pub fn may_read_whole(role: crate::Role) -> bool {
    role.manages_members()
}

/// How often a calendar program should fetch the feed again.
const REFRESH: chrono::Duration = chrono::Duration::hours(6);

/// The feed of `me`'s due work (everyone's, for `None`), as of `today`, written at `now_ms`.
/// `origin` is the app's address, which each event links back into (`{origin}/go/{id}`).
pub fn feed(
    register: &Replica,
    me: Option<RecordId>,
    today: NaiveDate,
    now_ms: u64,
    origin: &str,
    name: &str,
) -> String {
    let work = work::my_work(register, me, today);
    let stamp = dates::instant_of_ms(now_ms).unwrap_or_default();
    let mut calendar = Calendar::new();
    calendar.name(name).ttl(&REFRESH);
    for item in work
        .overdue
        .iter()
        .chain(&work.this_week)
        .chain(&work.later)
    {
        let Some(due) = item.due else { continue };
        let link = format!("{origin}/go/{}", item.id);
        calendar.push(
            Event::new()
                .uid(&format!(
                    "{}-{}@ratchet",
                    item.id,
                    item.what.to_lowercase().replace(' ', "-")
                ))
                .timestamp(stamp)
                .summary(&format!("{}: {}", item.what, item.title))
                .description(&format!(
                    "{} “{}” in Ratchet: {link}",
                    item.kind.spec().label,
                    item.title
                ))
                .url(&link)
                .all_day(due)
                .done(),
        );
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Kind,
        fixture::{Fixture, day, link, text},
    };

    #[test]
    fn each_due_item_is_an_all_day_event_linking_back_to_its_record() {
        let mut register = Fixture::new();
        let ada = register.add(Kind::Member, &[("name", text("Ada"))]);
        let bob = register.add(Kind::Member, &[("name", text("Bob"))]);
        let finding = register.add(
            Kind::Finding,
            &[
                ("title", text("Backups never restored")),
                ("finding_type", text("minor_nc")),
            ],
        );
        let mine = register.add(
            Kind::Action,
            &[
                ("title", text("Restore a backup, monthly; check it")),
                ("finding", link(finding)),
                ("owner", link(ada)),
                ("due", text("2026-12-10")),
            ],
        );
        register.add(
            Kind::Action,
            &[
                ("title", text("Bob's action")),
                ("finding", link(finding)),
                ("owner", link(bob)),
                ("due", text("2026-12-11")),
            ],
        );
        let ics = feed(
            register.register(),
            Some(ada),
            day("2026-12-07"),
            1_765_100_000_000,
            "https://ratchet.example",
            "Ada's work",
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.contains("X-WR-CALNAME:Ada's work"), "{ics}");
        assert!(ics.contains("DTSTART;VALUE=DATE:20261210"), "{ics}");
        assert!(
            ics.contains(&format!("URL:https://ratchet.example/go/{mine}")),
            "{ics}"
        );
        assert!(ics.contains("DTSTAMP:20251207T093320Z"), "{ics}");
        // Commas and semicolons are escaped, as RFC 5545 asks.
        assert!(
            ics.contains("Restore a backup\\, monthly\\; check it"),
            "{ics}"
        );
        assert!(!ics.contains("Bob's action"), "only Ada's work: {ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        let everyone = feed(register.register(), None, day("2026-12-07"), 0, "", "All");
        assert!(everyone.contains("Bob's action"));
    }
}
