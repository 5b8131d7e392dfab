//! Reminders pushed to a member's devices: once a day, at the hour each device chose, what is
//! in the member's My work (`work::my_work`) on the topics that device asked for, if anything
//! in it is new since that device's last reminder. The server decides when and sends; these
//! rules decide what a reminder says and whether there is anything to say.

use crate::{Kind, dates, work::Item, work::MyWork};
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a device can be reminded of.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Overdue,
    DueThisWeek,
    /// Work that became the member's since the device's last reminder.
    Assigned,
    /// Audits and management reviews within the week.
    Meetings,
    /// Evidence that expires within `EVIDENCE_DAYS`.
    Evidence,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Overdue,
        Topic::DueThisWeek,
        Topic::Assigned,
        Topic::Meetings,
        Topic::Evidence,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Topic::Overdue => "Overdue work",
            Topic::DueThisWeek => "Work due this week",
            Topic::Assigned => "Work newly assigned to me",
            Topic::Meetings => "Audits and reviews coming up",
            Topic::Evidence => "Evidence expiring",
        }
    }
}

/// How far ahead expiring evidence is mentioned.
pub const EVIDENCE_DAYS: u64 = 30;

/// The hour of the day (on the device's clock) a device is reminded at unless it chooses.
pub const DEFAULT_HOUR: u8 = 8;

/// The widest offset from UTC any time zone has, in minutes.
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// A device's choice: the hour of its day, its clock's offset from UTC (east positive, as
/// it was when the choice was made) and the topics.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub hour: u8,
    pub utc_offset_minutes: i32,
    pub topics: BTreeSet<Topic>,
}

impl Schedule {
    /// Why the server cannot keep this choice, in words.
    pub fn problem(&self) -> Option<String> {
        if self.hour > 23 {
            return Some(format!(
                "{} is not an hour of the day (0 to 23).",
                self.hour
            ));
        }
        if self.utc_offset_minutes.abs() > MAX_OFFSET_MINUTES {
            return Some(format!(
                "{} minutes is not a time zone's offset from UTC.",
                self.utc_offset_minutes
            ));
        }
        if self.topics.is_empty() {
            return Some("Choose at least one thing to be reminded of.".into());
        }
        None
    }

    /// The device's own day at `now_ms`.
    fn local_day(&self, now_ms: u64) -> NaiveDate {
        let local = now_ms as i64 + i64::from(self.utc_offset_minutes) * 60_000;
        dates::instant_of_ms(local.max(0) as u64)
            .map(|instant| instant.date_naive())
            .unwrap_or_default()
    }

    /// The device's day whose reminder is due at `now_ms`: today on its clock, once its
    /// hour has come, unless that day's reminder was already worked out (`last_day`).
    pub fn due_day(&self, last_day: Option<NaiveDate>, now_ms: u64) -> Option<NaiveDate> {
        let day = self.local_day(now_ms);
        let hour_ms = self.instant_ms(day);
        (now_ms >= hour_ms && last_day.is_none_or(|last| last < day)).then_some(day)
    }

    /// When the next reminder is due: at the device's hour today, or at once if that has
    /// passed and today's is not yet worked out (`last_day`); else tomorrow.
    pub fn next_due_ms(&self, last_day: Option<NaiveDate>, now_ms: u64) -> u64 {
        let today = self.local_day(now_ms);
        if last_day.is_none_or(|last| last < today) {
            return self.instant_ms(today).max(now_ms);
        }
        self.instant_ms(today.checked_add_days(Days::new(1)).unwrap_or(today))
    }

    /// The instant (ms since the epoch, UTC) of this schedule's hour on `day`.
    fn instant_ms(&self, day: NaiveDate) -> u64 {
        let local = day
            .and_time(NaiveTime::from_hms_opt(u32::from(self.hour), 0, 0).unwrap_or_default())
            .and_utc()
            .timestamp_millis();
        (local - i64::from(self.utc_offset_minutes) * 60_000).max(0) as u64
    }
}

/// What a device's last reminder held and what its member's work was then: the next
/// reminder is sent only when something in it is new.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Memory {
    /// The records of the member's work at the last pass (a record's step may change, which
    /// makes it no more newly theirs); `None` before the first, when nothing counts as newly
    /// assigned.
    pub known: Option<BTreeSet<String>>,
    /// What the last reminder sent, each item under the topic it was sent for.
    pub sent: BTreeSet<String>,
}

/// How many items a reminder holds on each topic.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    pub overdue: usize,
    pub due_this_week: usize,
    pub assigned: usize,
    pub meetings: usize,
    pub evidence: usize,
}

/// One reminder, as a notification shows it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Reminder {
    pub title: String,
    pub body: String,
    pub counts: Counts,
    /// The app's page it opens: the monthly summary when it says the summary is ready.
    pub url: String,
}

/// My work's address, which a reminder opens.
pub const MY_WORK: &str = "/my-work";
/// The monthly summary's address.
pub const SUMMARY: &str = "/summary";

fn item_key(item: &Item) -> String {
    format!("{}:{}", item.id, item.what)
}

/// The items of `work` on `topic`, as of `today`.
fn on_topic<'a>(
    work: &'a MyWork,
    topic: Topic,
    today: NaiveDate,
    known: Option<&BTreeSet<String>>,
) -> Vec<&'a Item> {
    let everything = || {
        work.overdue
            .iter()
            .chain(&work.this_week)
            .chain(&work.later)
    };
    match topic {
        Topic::Overdue => work.overdue.iter().collect(),
        Topic::DueThisWeek => work.this_week.iter().collect(),
        Topic::Assigned => match known {
            Some(known) => everything()
                .filter(|item| !known.contains(&item.id.to_string()))
                .collect(),
            None => Vec::new(),
        },
        Topic::Meetings => work
            .overdue
            .iter()
            .chain(&work.this_week)
            .filter(|item| matches!(item.kind, Kind::Audit | Kind::Review))
            .collect(),
        Topic::Evidence => {
            let horizon = today
                .checked_add_days(Days::new(EVIDENCE_DAYS))
                .unwrap_or(today);
            everything()
                .filter(|item| {
                    item.kind == Kind::Evidence && item.due.is_some_and(|d| d <= horizon)
                })
                .collect()
        }
    }
}

/// "2 actions", "1 risk", "3 items": how many of what.
fn how_many(items: &[&Item]) -> String {
    let n = items.len();
    let kinds: BTreeSet<Kind> = items.iter().map(|item| item.kind).collect();
    let noun = match kinds.iter().next() {
        Some(kind) if kinds.len() == 1 => {
            let label = kind.spec().label.to_lowercase();
            if n == 1 || *kind == Kind::Evidence {
                label
            } else {
                format!("{label}s")
            }
        }
        _ if n == 1 => "item".into(),
        _ => "items".into(),
    };
    format!("{n} {noun}")
}

/// The reminder `work` calls for on `topics` as of `today`, if any of it is new since
/// `memory`; and the memory to keep either way. `summary` is the month (`2026-11`) whose
/// management summary became ready today, for an owner's or admin's device.
pub fn compose(
    work: &MyWork,
    today: NaiveDate,
    topics: &BTreeSet<Topic>,
    memory: &Memory,
    org_name: &str,
    summary: Option<&str>,
) -> (Option<Reminder>, Memory) {
    let mut counts = Counts::default();
    let mut parts = Vec::new();
    let mut sent = BTreeSet::new();
    if let Some(month) = summary {
        let name = dates::date(&format!("{month}-01"))
            .map_or_else(|| month.to_owned(), |first| first.format("%B").to_string());
        parts.push(format!("{name}'s management summary is ready"));
        sent.insert(format!("summary:{month}"));
    }
    for &topic in topics {
        let items = on_topic(work, topic, today, memory.known.as_ref());
        if items.is_empty() {
            continue;
        }
        sent.extend(
            items
                .iter()
                .map(|item| format!("{topic:?}:{}", item_key(item))),
        );
        let count = items.len();
        match topic {
            Topic::Overdue => {
                counts.overdue = count;
                parts.push(format!("{} overdue", how_many(&items)));
            }
            Topic::DueThisWeek => {
                counts.due_this_week = count;
                parts.push(format!("{} due this week", how_many(&items)));
            }
            Topic::Assigned => {
                counts.assigned = count;
                parts.push(format!("{} newly yours", how_many(&items)));
            }
            Topic::Meetings => {
                counts.meetings = count;
                for item in items.iter().take(2) {
                    let when = item.due.map_or_else(String::new, |due| {
                        if due < today {
                            " (overdue)".into()
                        } else {
                            format!(" on {} {} {}", due.weekday(), due.day(), month(due))
                        }
                    });
                    parts.push(format!(
                        "{} “{}”{when}",
                        item.kind.spec().label,
                        shortened(&item.title)
                    ));
                }
                if count > 2 {
                    parts.push(format!("{} more audits and reviews", count - 2));
                }
            }
            Topic::Evidence => {
                counts.evidence = count;
                parts.push(format!("{} to renew", how_many(&items)));
            }
        }
    }
    let known = work
        .overdue
        .iter()
        .chain(&work.this_week)
        .chain(&work.later)
        .map(|item| item.id.to_string())
        .collect();
    let new = sent.difference(&memory.sent).next().is_some();
    let reminder = new.then(|| Reminder {
        title: format!("Your work in {org_name}"),
        body: parts.join(" · "),
        counts,
        url: if summary.is_some() { SUMMARY } else { MY_WORK }.to_owned(),
    });
    // A reminder not sent leaves the last one's memory: what it held stays "already said".
    let sent = if reminder.is_some() {
        sent
    } else {
        memory.sent.intersection(&sent).cloned().collect()
    };
    (
        reminder,
        Memory {
            known: Some(known),
            sent,
        },
    )
}

/// Push services refuse payloads over about 4 KB: a title is said in at most this many
/// characters.
const TITLE_CHARS: usize = 80;

fn shortened(title: &str) -> String {
    if title.chars().count() <= TITLE_CHARS {
        return title.to_owned();
    }
    let kept: String = title.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", kept.trim_end())
}

fn month(day: NaiveDate) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[day.month0() as usize]
}

/// Why a push subscription's endpoint will not be sent to, in words: push services are
/// reached over HTTPS; plain HTTP only on this machine's loopback, for local push services.
pub fn endpoint_problem(endpoint: &str) -> Option<String> {
    const MAX: usize = 2048;
    if endpoint.len() > MAX {
        return Some(format!("A push endpoint is at most {MAX} characters."));
    }
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
    ];
    if endpoint
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Some("A push endpoint has no spaces in it.".into());
    }
    let ok = (endpoint.starts_with("https://") && endpoint.len() > "https://".len())
        || loopback.iter().any(|prefix| endpoint.starts_with(prefix));
    (!ok).then(|| "A push endpoint must be an https:// address.".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;

    fn item(kind: Kind, what: &'static str, title: &str, due: Option<NaiveDate>) -> Item {
        Item {
            kind,
            id: RecordId::new(),
            title: title.into(),
            what,
            due,
        }
    }

    fn day(text: &str) -> NaiveDate {
        dates::date(text).unwrap()
    }

    fn all_topics() -> BTreeSet<Topic> {
        Topic::ALL.into_iter().collect()
    }

    #[test]
    fn a_reminder_counts_each_topic_and_names_the_meetings() {
        let today = day("2026-12-07");
        let work = MyWork {
            overdue: vec![
                item(
                    Kind::Action,
                    "Complete the action",
                    "Patch",
                    Some(day("2026-12-01")),
                ),
                item(
                    Kind::Action,
                    "Complete the action",
                    "Restore",
                    Some(day("2026-12-02")),
                ),
            ],
            this_week: vec![item(
                Kind::Audit,
                "Hold the audit",
                "Access control",
                Some(day("2026-12-10")),
            )],
            later: vec![item(
                Kind::Evidence,
                "Renew the evidence",
                "Pen test",
                Some(day("2026-12-20")),
            )],
        };
        let (reminder, memory) = compose(
            &work,
            today,
            &all_topics(),
            &Memory::default(),
            "Acme",
            None,
        );
        let reminder = reminder.expect("a first reminder");
        assert_eq!(reminder.title, "Your work in Acme");
        assert_eq!(
            reminder.body,
            "2 actions overdue · 1 audit due this week · Audit “Access control” on Thu 10 Dec · 1 evidence to renew"
        );
        assert_eq!(
            reminder.counts,
            Counts {
                overdue: 2,
                due_this_week: 1,
                assigned: 0,
                meetings: 1,
                evidence: 1
            }
        );
        assert_eq!(memory.known.as_ref().map(BTreeSet::len), Some(4));

        // The same work the next day: nothing new, nothing sent, and the memory keeps it.
        let (again, kept) = compose(
            &work,
            day("2026-12-08"),
            &all_topics(),
            &memory,
            "Acme",
            None,
        );
        assert_eq!(again, None);
        assert_eq!(kept.sent, memory.sent);

        // An action of the week falls overdue: new under "overdue", so a reminder again.
        let mut later = work.clone();
        let moved = later.this_week.remove(0);
        later.overdue.push(moved);
        let (moved, _) = compose(
            &later,
            day("2026-12-11"),
            &all_topics(),
            &kept,
            "Acme",
            None,
        );
        assert!(moved.is_some_and(|r| r.counts.overdue == 3));
    }

    #[test]
    fn only_work_new_since_the_last_pass_counts_as_newly_assigned() {
        let today = day("2026-12-07");
        let topics: BTreeSet<Topic> = [Topic::Assigned].into();
        let mut work = MyWork {
            later: vec![item(Kind::Risk, "Assess the risk", "Phishing", None)],
            ..MyWork::default()
        };
        let (first, memory) = compose(&work, today, &topics, &Memory::default(), "Acme", None);
        assert_eq!(
            first, None,
            "the first pass knows nothing yet, so nothing is new"
        );
        work.later
            .push(item(Kind::Control, "Implement the control", "A.5.1", None));
        let (second, memory) = compose(&work, today, &topics, &memory, "Acme", None);
        assert_eq!(second.map(|r| r.body), Some("1 control newly yours".into()));
        let (third, _) = compose(&work, today, &topics, &memory, "Acme", None);
        assert_eq!(third, None);
    }

    #[test]
    fn a_records_next_step_is_not_newly_assigned_and_long_titles_are_shortened() {
        let today = day("2026-12-07");
        let topics: BTreeSet<Topic> = [Topic::Assigned, Topic::Meetings].into();
        let mut audit = item(
            Kind::Audit,
            "Hold the audit",
            &"A".repeat(300),
            Some(day("2026-12-09")),
        );
        let work = MyWork {
            this_week: vec![audit.clone()],
            ..MyWork::default()
        };
        let (first, memory) = compose(&work, today, &topics, &Memory::default(), "Acme", None);
        let body = first.expect("the audit is coming").body;
        assert!(body.chars().count() < 120, "{body}");
        assert!(body.contains('…'));
        audit.what = "Finish the audit";
        let work = MyWork {
            this_week: vec![audit],
            ..MyWork::default()
        };
        let (second, _) = compose(&work, today, &topics, &memory, "Acme", None);
        assert!(second.is_some_and(|r| r.counts.assigned == 0));
    }

    #[test]
    fn nothing_on_the_chosen_topics_sends_nothing() {
        let work = MyWork {
            later: vec![item(
                Kind::Metric,
                "Measure",
                "Patch latency",
                Some(day("2027-01-30")),
            )],
            ..MyWork::default()
        };
        let (reminder, _) = compose(
            &work,
            day("2026-12-07"),
            &all_topics(),
            &Memory::default(),
            "Acme",
            None,
        );
        assert_eq!(reminder, None);
    }

    #[test]
    fn on_the_first_an_owners_reminder_says_the_summary_is_ready_and_opens_it() {
        let work = MyWork::default();
        let topics = all_topics();
        let first = day("2026-12-01");
        let (reminder, memory) = compose(
            &work,
            first,
            &topics,
            &Memory::default(),
            "Acme",
            Some("2026-11"),
        );
        let reminder = reminder.expect("the summary is news");
        assert_eq!(reminder.body, "November's management summary is ready");
        assert_eq!(reminder.url, SUMMARY);
        let (next_day, _) = compose(&work, day("2026-12-02"), &topics, &memory, "Acme", None);
        assert_eq!(next_day, None);
    }

    fn schedule(hour: u8, utc_offset_minutes: i32) -> Schedule {
        Schedule {
            hour,
            utc_offset_minutes,
            topics: all_topics(),
        }
    }

    fn ms(instant: &str) -> u64 {
        chrono::DateTime::parse_from_rfc3339(instant)
            .unwrap()
            .timestamp_millis() as u64
    }

    #[test]
    fn a_reminder_is_due_once_a_day_from_the_devices_hour_on_its_own_clock() {
        // 08:00 in UTC+1 is 07:00 UTC.
        let paris = schedule(8, 60);
        assert_eq!(paris.due_day(None, ms("2026-12-07T06:59:00Z")), None);
        assert_eq!(
            paris.due_day(None, ms("2026-12-07T07:00:00Z")),
            Some(day("2026-12-07"))
        );
        assert_eq!(
            paris.due_day(Some(day("2026-12-07")), ms("2026-12-07T20:00:00Z")),
            None
        );
        assert_eq!(
            paris.next_due_ms(None, ms("2026-12-07T05:00:00Z")),
            ms("2026-12-07T07:00:00Z")
        );
        assert_eq!(
            paris.next_due_ms(Some(day("2026-12-07")), ms("2026-12-07T08:00:00Z")),
            ms("2026-12-08T07:00:00Z")
        );
        // Missed (the server slept past the hour): due at once.
        assert_eq!(
            paris.next_due_ms(Some(day("2026-12-06")), ms("2026-12-07T09:00:00Z")),
            ms("2026-12-07T09:00:00Z")
        );
        // Across the date line: 08:00 in UTC−10 is 18:00 UTC the same day.
        let honolulu = schedule(8, -600);
        assert_eq!(honolulu.due_day(None, ms("2026-12-08T17:00:00Z")), None);
        assert_eq!(
            honolulu.due_day(None, ms("2026-12-08T18:00:00Z")),
            Some(day("2026-12-08"))
        );
        assert_eq!(
            honolulu.next_due_ms(Some(day("2026-12-07")), ms("2026-12-08T17:00:00Z")),
            ms("2026-12-08T18:00:00Z")
        );
    }

    #[test]
    fn a_schedule_out_of_range_is_refused_in_words() {
        assert_eq!(schedule(8, 60).problem(), None);
        assert!(schedule(24, 0).problem().unwrap().contains("hour"));
        assert!(schedule(8, 15 * 60).problem().unwrap().contains("offset"));
        let mut none = schedule(8, 0);
        none.topics.clear();
        assert!(none.problem().unwrap().contains("at least one"));
    }

    #[test]
    fn only_https_endpoints_or_loopback_ones_are_sent_to() {
        assert_eq!(endpoint_problem("https://push.example/abc"), None);
        assert_eq!(endpoint_problem("http://127.0.0.1:9000/push/1"), None);
        assert!(endpoint_problem("http://push.example/abc").is_some());
        assert!(endpoint_problem("http://127.0.0.1.evil.example/").is_some());
        assert!(endpoint_problem("https://").is_some());
        assert!(endpoint_problem(&format!("https://x/{}", "a".repeat(3000))).is_some());
        assert!(endpoint_problem("https://push.example/a b").is_some());
    }
}
