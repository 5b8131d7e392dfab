//! Calendar feeds: each member's due work at a secret, revocable address that calendar
//! programs fetch without a credential (`register::calendar` writes the feed). The address is
//! the only key, so the object keeps only its SHA-256; a new address replaces the member's
//! previous one of the same scope, and a removed member's feeds answer 404 like any unknown.

use super::{Caller, Organisation, now_ms, sql};
use crate::{
    body::read_json,
    error::{ApiError, json},
    token::{hash_secret, random_secret},
};
use register::{
    RecordId, Role,
    api::{CalendarFeed, CalendarRequest},
};
use serde::Deserialize;
use worker::{Request, Response};

/// `POST calendar`: a new feed address for the caller (the whole organisation's, for an owner
/// or admin who asks), replacing their previous one of that scope.
pub async fn create(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    let request: CalendarRequest = read_json(&mut req).await?;
    if request.whole && !register::calendar::may_read_whole(caller.role) {
        return Err(ApiError::forbidden(
            "managers_only",
            "Only owners and admins have the organisation-wide feed.",
        ));
    }
    let secret = random_secret()?;
    let whole = u64::from(request.whole);
    let now = now_ms();
    let sql = org.sql.clone();
    let (member, hash) = (caller.member.clone(), hash_secret(&secret));
    sql::transaction(&org.state.storage(), move || {
        sql.exec(
            "UPDATE calendar_feeds SET revoked_ms = ? WHERE member = ? AND whole = ? AND revoked_ms IS NULL",
            vec![sql::int(now), sql::text(&member), sql::int(whole)],
        )?;
        sql.exec(
            "INSERT INTO calendar_feeds (secret_hash, member, whole, created_ms) VALUES (?, ?, ?, ?)",
            vec![sql::text(&hash), sql::text(&member), sql::int(whole), sql::int(now)],
        )?;
        Ok(())
    })?;
    json(
        &CalendarFeed {
            secret,
            whole: request.whole,
        },
        201,
    )
}

/// `DELETE calendar`: every feed address of the caller's stops answering.
pub fn revoke(org: &Organisation, caller: &Caller) -> Result<Response, ApiError> {
    org.sql.exec(
        "UPDATE calendar_feeds SET revoked_ms = ? WHERE member = ? AND revoked_ms IS NULL",
        vec![sql::int(now_ms()), sql::text(&caller.member)],
    )?;
    json(&serde_json::json!({}), 200)
}

#[derive(Deserialize)]
struct FeedRow {
    member: String,
    whole: i64,
    name: String,
    role: String,
}

/// `GET calendar/{secret}.ics`: the feed, as of today (UTC), for a live address of a member
/// still in the organisation; 404 for anything else. The organisation-wide feed follows its
/// member's role: demoted, they get their own work only.
pub fn feed(org: &Organisation, file: &str, req: &Request) -> Result<Response, ApiError> {
    let not_found = || ApiError::refused(404, "no_such_feed", "There is no such calendar feed.");
    let secret = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let rows: Vec<FeedRow> = org
        .sql
        .exec(
            "SELECT c.member, c.whole, m.name, m.role FROM calendar_feeds c
             JOIN members m ON m.member = c.member
             WHERE c.secret_hash = ? AND c.revoked_ms IS NULL AND m.revoked = 0",
            vec![sql::text(&hash_secret(secret))],
        )?
        .to_array()?;
    let row = rows.into_iter().next().ok_or_else(not_found)?;
    let whole = row.whole == 1
        && Role::from_name(&row.role).is_some_and(register::calendar::may_read_whole);
    let me: Option<RecordId> = if whole {
        None
    } else {
        Some(
            row.member
                .parse()
                .map_err(|_| ApiError::Internal("a member id that is not a record id".into()))?,
        )
    };
    let register = super::sync::register_of(&org.sql, register::work::READS)?;
    let now = now_ms();
    let today = register::dates::latest_day(now);
    let today = register::dates::date(&today).ok_or_else(|| ApiError::Internal("today".into()))?;
    let url = req.url()?;
    let origin = url.origin().ascii_serialization();
    let org_name = sql::meta(&org.sql, "org_name")?.unwrap_or_default();
    let name = if whole {
        format!("{org_name}: all due work")
    } else {
        format!("{org_name}: {}'s work", row.name)
    };
    let body = register::calendar::feed(&register, me, today, now, &origin, &name);
    let mut response = Response::ok(body)?;
    let headers = response.headers_mut();
    headers.set("content-type", "text/calendar; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(response)
}
