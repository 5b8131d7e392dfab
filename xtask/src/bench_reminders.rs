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
                        reminders::compose(mine, today, &topics, &Memory::default(), "Bench", None)
                            .0
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

/// The same through a real `wrangler dev`: the reminders' pass and the organisation-wide feed
/// as wall time from the request to the answer (an upper bound of Durable Object time).
pub struct WorkerFigures {
    pub records: usize,
    pub pass: Duration,
    pub feed: Duration,
}

/// A browser's push keys (RFC 8291's example subscription): valid, and never sent to here,
/// since the bench's members own none of the demo's work.
const EXAMPLE_P256DH: &str =
    "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
const EXAMPLE_AUTH: &str = "_ordMnz7uTCmrpBTeUV4Bw";

fn call_ok(
    server: &integration::WranglerDev,
    method: &str,
    path: &str,
    who: &register::api::Credential,
    body: integration::Body,
) -> anyhow::Result<serde_json::Value> {
    let (status, body) = integration::call(server, method, path, Some(&who.token), body);
    crate::bench_sync::json_of(status, body)
}

pub fn measure_in_worker() -> anyhow::Result<WorkerFigures> {
    use integration::Body;
    use register::api::{CalendarFeed, RemindersStatus};
    let server = integration::WranglerDev::start().map_err(anyhow::Error::msg)?;
    let owner = integration::create_org(&server, "Bench reminders");
    let org = owner.org.clone();
    let today = chrono::Utc::now().date_naive();
    // The demo's history goes in as an export's does when restored as an organisation.
    let mut device = Device::new(ClientId::new());
    register::demo::build(&mut device, today, SCALE);
    let records = device.local.len();
    let (log, _) = register::archive::device_log(Vec::new(), &device);
    for page in register::archive::import_pages(&log, engine::pace::PUSH_MAX_BYTES) {
        call_ok(
            &server,
            "POST",
            &format!("/api/orgs/{org}/import"),
            &owner,
            Body::Json(serde_json::to_value(register::api::ImportRequest {
                entries: page.to_vec(),
                source: register::api::ImportSource {
                    organisation: None,
                    exported_at: today.to_string(),
                },
            })?),
        )?;
    }
    let mut members = vec![owner.clone()];
    for i in 1..DEVICES {
        members.push(crate::bench_sync::join_editor(
            &server,
            &owner,
            &format!("Member {i}"),
        )?);
    }
    let day_ms = |days: u64, hour: u64| {
        let midnight = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        midnight.timestamp_millis() as u64 + days * 86_400_000 + hour * 3_600_000
    };
    let ring = |at: u64| -> anyhow::Result<Duration> {
        let started = Instant::now();
        call_ok(
            &server,
            "POST",
            &format!("/api/orgs/{org}/reminders/clock"),
            &owner,
            Body::Json(serde_json::json!({ "now_ms": at })),
        )?;
        for _ in 0..10_000 {
            let status: RemindersStatus = serde_json::from_value(call_ok(
                &server,
                "GET",
                &format!("/api/orgs/{org}/reminders"),
                &owner,
                Body::Empty,
            )?)?;
            if status.last_pass_ms == Some(at) {
                return Ok(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        anyhow::bail!("the alarm did not run")
    };
    ring(day_ms(1, 6))?;
    for (i, member) in members.iter().enumerate() {
        call_ok(
            &server,
            "PUT",
            &format!("/api/orgs/{org}/reminders"),
            member,
            Body::Json(serde_json::json!({
                "endpoint": format!("http://127.0.0.1:9/push/{i}"),
                "p256dh": EXAMPLE_P256DH,
                "auth": EXAMPLE_AUTH,
                "schedule": { "hour": 9, "utc_offset_minutes": 0, "topics": ["overdue", "due_this_week", "assigned", "meetings", "evidence"] },
            })),
        )?;
    }
    let pass = median(
        (1..=RUNS as u64)
            .map(|day| ring(day_ms(day, 10)))
            .collect::<anyhow::Result<_>>()?,
    );
    let feed: CalendarFeed = serde_json::from_value(call_ok(
        &server,
        "POST",
        &format!("/api/orgs/{org}/calendar"),
        &owner,
        Body::Json(serde_json::json!({ "whole": true })),
    )?)?;
    let feed = median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let (status, _, ics) = integration::get(
                    &server,
                    &format!("/api/orgs/{org}/calendar/{}.ics", feed.secret),
                );
                anyhow::ensure!(
                    status == 200 && ics.contains("BEGIN:VEVENT"),
                    "the feed: {status}"
                );
                Ok(started.elapsed())
            })
            .collect::<anyhow::Result<_>>()?,
    );
    Ok(WorkerFigures {
        records,
        pass,
        feed,
    })
}
