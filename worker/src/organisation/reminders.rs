//! Reminders on members' devices (Web Push). A device stores its push subscription and its
//! schedule here; the object's alarm wakes when the next device's hour comes, works out each
//! due device's reminder with the register's rules (`register::reminders` over
//! `work::my_work`) and sends one push per device that has something new. A push service's
//! 404 or 410 forgets the subscription, as does revoking the device or its member.

use super::{Caller, Organisation, now_ms, sql};
use crate::{
    body::read_json,
    error::{ApiError, json},
    webpush::{self, Delivery, Subscription},
};
use register::{
    ClientId, RecordId, Role,
    api::{
        DeviceReminders, ReminderClock, ReminderPush, ReminderSubscription, RemindersStatus,
        SentReminder,
    },
    reminders::{self, Memory, Schedule},
};
use serde::Deserialize;
use std::collections::BTreeMap;
use worker::{Request, Response};

/// How many sent reminders are kept per member, for My work's list.
const SENT_KEPT: u64 = 30;
/// At most this many pushes per alarm: an invocation may make only so many requests (50 on
/// Cloudflare's free plan); the rest go at the next ring, at once.
const MAX_SENDS_PER_PASS: usize = 40;
/// When a server with no VAPID key looks again.
const KEYLESS_RETRY_MS: i64 = 60 * 60 * 1000;
/// How many sent reminders My work shows.
const SENT_SHOWN: u64 = 10;
/// The worker variable that lets tests set the reminders' clock (never set in production).
const TEST_HOOKS: &str = "RATCHET_TEST_HOOKS";
/// Where a test-set clock is kept.
const CLOCK_KEY: &str = "reminder_clock_ms";
const LAST_PASS_KEY: &str = "reminders_last_pass_ms";

/// `PUT reminders`: this device's subscription and schedule, replacing any before.
pub async fn subscribe(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    if webpush::server_key(&org.env)?.is_none() {
        return Err(not_set_up());
    }
    let request: ReminderSubscription = read_json(&mut req).await?;
    let loopback_only_in_tests = (request.endpoint.starts_with("http://") && !test_hooks(org))
        .then(|| "A push endpoint must be an https:// address.".to_owned());
    let problem = reminders::endpoint_problem(&request.endpoint)
        .or(loopback_only_in_tests)
        .or_else(|| webpush::endpoint_problem(&request.endpoint))
        .or_else(|| webpush::keys_problem(&request.p256dh, &request.auth))
        .or_else(|| request.schedule.problem());
    if let Some(problem) = problem {
        return Err(ApiError::refused(400, "invalid_subscription", &problem));
    }
    let schedule =
        serde_json::to_string(&request.schedule).map_err(|e| ApiError::Internal(e.to_string()))?;
    org.sql.exec(
        "INSERT INTO push_subscriptions
             (client, member, endpoint, p256dh, auth, schedule, memory, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, '{}', ?)
         ON CONFLICT (client) DO UPDATE SET endpoint = excluded.endpoint,
             p256dh = excluded.p256dh, auth = excluded.auth, schedule = excluded.schedule",
        vec![
            sql::text(&caller.client.to_string()),
            sql::text(&caller.member),
            sql::text(&request.endpoint),
            sql::text(&request.p256dh),
            sql::text(&request.auth),
            sql::text(&schedule),
            sql::int(now_ms()),
        ],
    )?;
    // Push services want to know whose pushes these are; without an operator's contact,
    // the app's own address says it (`webpush::send`).
    let origin = req.url()?.origin().ascii_serialization();
    sql::put_meta(&org.sql, webpush::ORIGIN_KEY, &origin)?;
    schedule_alarm(org, clock(org)?).await?;
    status(org, caller)
}

/// `DELETE reminders/{client}`: reminders off on one of the caller's own devices.
pub fn unsubscribe(
    org: &Organisation,
    caller: &Caller,
    client: &str,
) -> Result<Response, ApiError> {
    org.sql.exec(
        "DELETE FROM push_subscriptions WHERE client = ? AND member = ?",
        vec![sql::text(client), sql::text(&caller.member)],
    )?;
    status(org, caller)
}

#[derive(Deserialize)]
struct DeviceRow {
    client: String,
    schedule: String,
    created_ms: u64,
}

#[derive(Deserialize)]
struct SentRow {
    client: String,
    sent_ms: u64,
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct MemberRow {
    member: String,
}

/// `GET reminders`.
pub fn status(org: &Organisation, caller: &Caller) -> Result<Response, ApiError> {
    let member = sql::text(&caller.member);
    let devices: Vec<DeviceRow> = org
        .sql
        .exec(
            "SELECT client, schedule, created_ms FROM push_subscriptions WHERE member = ?
             ORDER BY created_ms",
            vec![member.clone()],
        )?
        .to_array()?;
    let sent: Vec<SentRow> = org
        .sql
        .exec(
            "SELECT client, sent_ms, title, body FROM reminders_sent WHERE member = ?
             ORDER BY sent_ms DESC, id DESC LIMIT ?",
            vec![member, sql::int(SENT_SHOWN)],
        )?
        .to_array()?;
    let members_on: Vec<MemberRow> = org
        .sql
        .exec(
            "SELECT DISTINCT s.member FROM push_subscriptions s
             JOIN members m ON m.member = s.member WHERE m.revoked = 0 ORDER BY s.member",
            None,
        )?
        .to_array()?;
    let client = |text: &str| -> Result<ClientId, ApiError> {
        text.parse()
            .map_err(|_| ApiError::Internal("a stored client id".into()))
    };
    let response = RemindersStatus {
        server_key: webpush::server_key(&org.env)?
            .as_ref()
            .map(webpush::public_key),
        devices: devices
            .into_iter()
            .map(|row| {
                Ok(DeviceReminders {
                    client: client(&row.client)?,
                    schedule: parse_schedule(&row.schedule)?,
                    since_ms: row.created_ms,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        sent: sent
            .into_iter()
            .map(|row| {
                Ok(SentReminder {
                    client: client(&row.client)?,
                    sent_ms: row.sent_ms,
                    title: row.title,
                    body: row.body,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        members_on: members_on.into_iter().map(|row| row.member).collect(),
        last_pass_ms: sql::meta(&org.sql, LAST_PASS_KEY)?.and_then(|ms| ms.parse().ok()),
    };
    json(&response, 200)
}

/// `POST reminders/clock` (test hooks only, owners): the reminders' clock from now on, and
/// the alarm rung at once, so a test sees the real alarm work out a chosen day.
pub async fn set_clock(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    if !test_hooks(org) || !caller.role.manages_members() {
        return Err(ApiError::NotFound);
    }
    let clock: ReminderClock = read_json(&mut req).await?;
    sql::put_meta(&org.sql, CLOCK_KEY, &clock.now_ms.to_string())?;
    org.state.storage().set_alarm(0).await?;
    json(&serde_json::json!({}), 200)
}

/// The time reminders are worked out at: the runtime's, unless a test set one.
fn clock(org: &Organisation) -> Result<u64, ApiError> {
    if !test_hooks(org) {
        return Ok(now_ms());
    }
    Ok(sql::meta(&org.sql, CLOCK_KEY)?
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(now_ms))
}

/// Whether this server was started for tests (`RATCHET_TEST_HOOKS=1`).
fn test_hooks(org: &Organisation) -> bool {
    org.env.var(TEST_HOOKS).is_ok_and(|v| v.to_string() == "1")
}

fn not_set_up() -> ApiError {
    ApiError::refused(
        503,
        "reminders_not_set_up",
        "This server has no key to send reminders with.",
    )
}

fn parse_schedule(text: &str) -> Result<Schedule, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(format!("a stored schedule: {e}")))
}

#[derive(Deserialize)]
struct DueRow {
    client: String,
    member: String,
    endpoint: String,
    p256dh: String,
    auth: String,
    schedule: String,
    memory: String,
    last_day: Option<String>,
    role: String,
}

/// The alarm: works out every device whose hour has come, sends what is new, and sets the
/// alarm for the next device's hour.
pub async fn daily_pass(org: &Organisation) -> Result<(), ApiError> {
    let now = clock(org)?;
    let rows: Vec<DueRow> = org
        .sql
        .exec(
            "SELECT s.client, s.member, s.endpoint, s.p256dh, s.auth, s.schedule, s.memory,
                    s.last_day, m.role
             FROM push_subscriptions s
             JOIN devices d ON d.client = s.client JOIN members m ON m.member = s.member
             WHERE d.revoked = 0 AND m.revoked = 0",
            None,
        )?
        .to_array()?;
    let mut due = Vec::new();
    for row in rows {
        let schedule = parse_schedule(&row.schedule)?;
        let last_day = row.last_day.as_deref().and_then(register::dates::date);
        if let Some(day) = schedule.due_day(last_day, now) {
            due.push((row, schedule, day));
        }
    }
    // A server whose key was taken away sends nothing; the subscriptions wait for a key, and
    // the alarm looks again in an hour.
    let Some(key) = webpush::server_key(&org.env)? else {
        org.state.storage().set_alarm(KEYLESS_RETRY_MS).await?;
        return Ok(());
    };
    let mut sends = 0;
    if !due.is_empty() {
        let register = super::sync::register_of(&org.sql, register::work::READS)?;
        let org_name = sql::meta(&org.sql, "org_name")?.unwrap_or_default();
        let subject = webpush::subject(&org.env, sql::meta(&org.sql, webpush::ORIGIN_KEY)?);
        let mut work = BTreeMap::new();
        for (row, schedule, day) in due {
            if sends == MAX_SENDS_PER_PASS {
                // The runtime allows an invocation only so many requests: the devices left
                // stay due, so the alarm rings again at once for them.
                break;
            }
            let member: RecordId = row
                .member
                .parse()
                .map_err(|_| ApiError::Internal("a member id that is not a record id".into()))?;
            // Everyone's work once per day (devices' days differ across time zones).
            let everyone = work
                .entry(day)
                .or_insert_with(|| register::work::everyones_work(&register, day));
            let nothing = register::work::MyWork::default();
            let work = everyone.get(&member).unwrap_or(&nothing);
            let memory: Memory = serde_json::from_str(&row.memory).unwrap_or_default();
            let role = Role::from_name(&row.role)
                .ok_or_else(|| ApiError::Internal(format!("stored role {}", row.role)))?;
            let summary = register::summary::ready_for(role, day);
            let (reminder, mut remembered) = reminders::compose(
                work,
                day,
                &schedule.topics,
                &memory,
                &org_name,
                summary.as_deref(),
            );
            if let Some(reminder) = reminder {
                let push = ReminderPush {
                    title: reminder.title.clone(),
                    body: reminder.body.clone(),
                    url: reminder.url.clone(),
                    counts: reminder.counts.clone(),
                    sent_ms: now,
                };
                let payload =
                    serde_json::to_vec(&push).map_err(|e| ApiError::Internal(e.to_string()))?;
                let to = Subscription {
                    endpoint: &row.endpoint,
                    p256dh: &row.p256dh,
                    auth: &row.auth,
                };
                sends += 1;
                // The signature's expiry is read by the push service against the real time.
                // One device's failure, whatever it is, is that device's alone.
                let delivery = webpush::send(subject.as_deref(), &key, &to, &payload, now_ms())
                    .await
                    .unwrap_or_else(|e| Delivery::Failed(format!("{e:?}")));
                match delivery {
                    Delivery::Accepted => record_sent(org, &row, &reminder, now)?,
                    Delivery::Gone => {
                        org.sql.exec(
                            "DELETE FROM push_subscriptions WHERE client = ?",
                            vec![sql::text(&row.client)],
                        )?;
                        continue;
                    }
                    Delivery::Failed(why) => {
                        // Not sent: what it held stays new for the next day's reminder.
                        worker::console_warn!("a reminder was not delivered: {why}");
                        remembered = memory;
                    }
                }
            }
            let remembered = serde_json::to_string(&remembered)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            org.sql.exec(
                "UPDATE push_subscriptions SET memory = ?, last_day = ? WHERE client = ?",
                vec![
                    sql::text(&remembered),
                    sql::text(&day.to_string()),
                    sql::text(&row.client),
                ],
            )?;
        }
    }
    sql::put_meta(&org.sql, LAST_PASS_KEY, &now.to_string())?;
    schedule_alarm(org, now).await
}

fn record_sent(
    org: &Organisation,
    row: &DueRow,
    reminder: &reminders::Reminder,
    now: u64,
) -> Result<(), ApiError> {
    org.sql.exec(
        "INSERT INTO reminders_sent (member, client, sent_ms, title, body) VALUES (?, ?, ?, ?, ?)",
        vec![
            sql::text(&row.member),
            sql::text(&row.client),
            sql::int(now),
            sql::text(&reminder.title),
            sql::text(&reminder.body),
        ],
    )?;
    org.sql.exec(
        "DELETE FROM reminders_sent WHERE member = ?1 AND id NOT IN
             (SELECT id FROM reminders_sent WHERE member = ?1 ORDER BY id DESC LIMIT ?2)",
        vec![sql::text(&row.member), sql::int(SENT_KEPT)],
    )?;
    Ok(())
}

#[derive(Deserialize)]
struct ScheduleRow {
    schedule: String,
    last_day: Option<String>,
}

/// Sets the alarm for the soonest device's next reminder (none if no device has them on).
async fn schedule_alarm(org: &Organisation, now: u64) -> Result<(), ApiError> {
    let rows: Vec<ScheduleRow> = org
        .sql
        .exec(
            "SELECT s.schedule, s.last_day FROM push_subscriptions s
             JOIN devices d ON d.client = s.client JOIN members m ON m.member = s.member
             WHERE d.revoked = 0 AND m.revoked = 0",
            None,
        )?
        .to_array()?;
    let mut next: Option<u64> = None;
    for row in rows {
        let last_day = row.last_day.as_deref().and_then(register::dates::date);
        let at = parse_schedule(&row.schedule)?.next_due_ms(last_day, now);
        next = Some(next.map_or(at, |soonest| soonest.min(at)));
    }
    let storage = org.state.storage();
    match next {
        // The alarm takes an offset from the runtime's clock, which a test's clock is not.
        Some(at) => storage.set_alarm(at.saturating_sub(now) as i64).await?,
        None => storage.delete_alarm().await?,
    }
    Ok(())
}
