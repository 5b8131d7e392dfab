//! The register's own work behind reminders and calendar feeds, over the demo scaled to about
//! 20,000 records, natively: everyone's work worked out once and 50 devices' reminders
//! composed (the daily pass), and the busiest member's feed. The Durable Object runs this same
//! code compiled to wasm after loading the register from its SQLite storage; that load is not
//! in these figures.

use register::{
    ClientId, RecordId, calendar,
    reminders::{self, Memory, Topic},
    sync::Device,
    views::Member,
    work::{self, MyWork},
};
use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

/// The demo's scale that gives about 20,000 records.
const SCALE: usize = 70;
pub const DEVICES: usize = 50;
const RUNS: usize = 5;

pub struct ReminderFigures {
    pub records: usize,
    pub pass: Duration,
    pub feed: Duration,
    pub feed_items: usize,
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn items(work: &MyWork) -> usize {
    work.overdue.len() + work.this_week.len() + work.later.len()
}

pub fn measure() -> ReminderFigures {
    let today = chrono::Utc::now().date_naive();
    let mut device = Device::new(ClientId::new());
    register::demo::build(&mut device, today, SCALE);
    let register = &device.local;
    let members: Vec<RecordId> = register.all::<Member>().iter().map(|m| m.id).collect();
    let topics: BTreeSet<Topic> = Topic::ALL.into_iter().collect();
    let nothing = MyWork::default();
    let pass = median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let everyone = work::everyones_work(register, today);
                let sent = (0..DEVICES)
                    .filter_map(|i| {
                        let mine = everyone
                            .get(&members[i % members.len()])
                            .unwrap_or(&nothing);
                        reminders::compose(mine, today, &topics, &Memory::default(), "Bench").0
                    })
                    .count();
                std::hint::black_box(sent);
                started.elapsed()
            })
            .collect(),
    );
    let everyone = work::everyones_work(register, today);
    let (busiest, feed_items) = everyone
        .iter()
        .map(|(member, work)| (*member, items(work)))
        .max_by_key(|(_, n)| *n)
        .unwrap_or((RecordId::new(), 0));
    let feed = median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let ics =
                    calendar::feed(register, Some(busiest), today, 0, "https://bench", "Bench");
                std::hint::black_box(ics.len());
                started.elapsed()
            })
            .collect(),
    );
    ReminderFigures {
        records: register.len(),
        pass,
        feed,
        feed_items,
    }
}
