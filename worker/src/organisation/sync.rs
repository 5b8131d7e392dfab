//! Push, pull and record history: the register's own push planning and paging, over this
//! object's tables.

use super::{
    Caller, Organisation, now_ms, schema,
    sql::{self, MAX_BINDINGS, int, text},
};
use crate::{
    body::read_json,
    error::{ApiError, json},
};
use engine::{
    FieldState,
    chain::GENESIS,
    limits::WriteWindow,
    server::{ServerView, page_length, plan_push, pull_page, stored_value_bytes},
    wire::{HISTORY_MAX, PULL_ENTRY_BYTES, PULL_MAX, PushResponse},
};
use register::{
    ClientId, Hlc, Kind, LogEntry, Op, RecordId, RecordState, Replica, Stamp, Value,
    api::{ImportRequest, Imported},
    archive::judge_import,
    gate::{Author, Gate},
    membership::write_limit,
    rules::{Change, Lookup, Reads, Stored, StoredField},
    sync::{HistoryResponse, Logged, PushPlan, PushRequest},
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use worker::{Request, Response, SqlStorage};

/// The current fields of every record of `kinds` (a calendar feed and the reminders work out
/// due work over `work::READS`).
pub(super) fn register_of(sql: &SqlStorage, kinds: &[Kind]) -> Result<Replica, ApiError> {
    load_records(sql, Some(kinds))
}

/// One row per record, its fields gathered by SQLite into one JSON array of
/// `[field, value, hlc_wall, hlc_counter, client]`: a row per field would cross from the
/// runtime's SQLite into wasm (and be deserialised as an object) ten times as often, which
/// is most of the time a large register takes to load.
fn load_records(sql: &SqlStorage, kinds: Option<&[Kind]>) -> Result<Replica, ApiError> {
    let only = kinds.map_or_else(String::new, |kinds| {
        // Kind names are the schema's own identifiers, never input.
        let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.name())).collect();
        format!("AND r.kind IN ({})", names.join(", "))
    });
    let rows: Vec<RecordRow> = sql
        .exec(
            &format!(
                "SELECT r.record, r.kind, json_group_array(json_array(
                     f.field, json(f.value), f.hlc_wall, f.hlc_counter, f.client)) AS fields
                 FROM records r JOIN fields f ON f.record = r.record
                 WHERE json_valid(f.value) {only}
                 GROUP BY r.record"
            ),
            None,
        )?
        .to_array()?;
    let mut register = Replica::default();
    for row in rows {
        let (Some(kind), Ok(id)) = (Kind::from_name(&row.kind), row.record.parse()) else {
            continue;
        };
        let fields: Vec<(String, Value, u64, u32, String)> = serde_json::from_str(&row.fields)
            .map_err(|e| ApiError::Internal(format!("stored fields of {}: {e}", row.record)))?;
        let fields = fields
            .into_iter()
            .filter_map(|(field, value, wall, counter, client)| {
                let stamp = Stamp {
                    hlc: Hlc { wall, counter },
                    client: client.parse().ok()?,
                };
                Some((field, FieldState { value, stamp }))
            })
            .collect();
        register.restore(id, RecordState { kind, fields });
    }
    Ok(register)
}

#[derive(Deserialize)]
struct RecordRow {
    record: String,
    kind: String,
    fields: String,
}

/// What push planning reads, loaded up front in a handful of queries.
struct LoadedView {
    acked_mid: u64,
    /// What the device has pushed in its current minute.
    window: WriteWindow,
    kinds: BTreeMap<RecordId, Kind>,
    /// What the register's rules declare they read of the records the push touches.
    reads: Reads,
    head: (u64, String),
}

impl ServerView<Kind> for LoadedView {
    fn acked_mid(&self, _client: ClientId) -> u64 {
        self.acked_mid
    }

    fn record_kind(&self, record: RecordId) -> Option<Kind> {
        self.kinds.get(&record).copied()
    }

    fn head(&self) -> (u64, String) {
        self.head.clone()
    }
}

impl Lookup for LoadedView {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        self.reads.field(record, field)
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<Stamp> {
        self.reads.stamp(record, field)
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        self.reads.linked(kind, field, target)
    }

    fn whole(&self) -> Option<&Replica> {
        self.reads.whole()
    }
}

/// The object's tables answering what the rules read (`rules::Reads::load` decides what).
struct Tables<'a>(&'a SqlStorage);

impl Stored for Tables<'_> {
    type Error = ApiError;

    fn linking(
        &self,
        kind: Kind,
        field: &'static str,
        target: RecordId,
    ) -> Result<Vec<RecordId>, ApiError> {
        let rows: Vec<LinkRow> = self
            .0
            .exec(
                &schema::linking_query(field),
                vec![
                    text(kind.name()),
                    text(&value_json(&Value::Text(target.to_string()))),
                ],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.record.parse().ok())
            .collect())
    }

    fn fields(&self, records: &BTreeSet<RecordId>) -> Result<Vec<StoredField>, ApiError> {
        record_fields(self.0, records)
    }

    /// Every record's current fields, for a change judged over the whole register (a
    /// maturity snapshot: monthly and at a review's sign-off).
    fn everything(&self) -> Result<Replica, ApiError> {
        load_records(self.0, None)
    }
}

/// A stored field as the tables hold it.
#[derive(Deserialize)]
struct FieldRow {
    record: String,
    field: String,
    value: String,
    hlc_wall: i64,
    hlc_counter: i64,
    client: String,
}

impl FieldRow {
    /// The field as the rules read it, unless a stored text does not parse.
    fn stored(self) -> Option<StoredField> {
        let hlc = Hlc {
            wall: self.hlc_wall as u64,
            counter: self.hlc_counter as u32,
        };
        let stamp = Stamp {
            hlc,
            client: self.client.parse().ok()?,
        };
        let value = serde_json::from_str(&self.value).ok()?;
        Some((self.record.parse().ok()?, self.field, value, stamp))
    }
}

#[derive(Deserialize)]
struct KindRow {
    record: String,
    kind: String,
}

#[derive(Deserialize)]
struct HeadRow {
    seq: i64,
    hash: String,
}

fn head(sql: &SqlStorage) -> Result<(u64, String), ApiError> {
    let rows: Vec<HeadRow> = sql
        .exec("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1", None)?
        .to_array()?;
    Ok(rows
        .into_iter()
        .next()
        .map_or((0, GENESIS.to_owned()), |r| (r.seq as u64, r.hash)))
}

fn load_view(
    sql: &SqlStorage,
    caller: &Caller,
    request: &PushRequest,
) -> Result<LoadedView, ApiError> {
    let device = sql::device(sql, &caller.client.to_string())?;
    let acked_mid = device.as_ref().map_or(0, |d| d.acked_mid as u64);
    let window = device.map_or_else(WriteWindow::default, |d| WriteWindow {
        start_ms: d.window_start_ms as u64,
        new_records: d.window_records as u64,
        bytes: d.window_bytes as u64,
    });
    let records: BTreeSet<RecordId> = request.ops.iter().map(|op| op.record).collect();
    let records: Vec<RecordId> = records.into_iter().collect();
    let mut kinds = BTreeMap::new();
    for chunk in records.chunks(MAX_BINDINGS) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let rows: Vec<KindRow> = sql
            .exec(
                &format!("SELECT record, kind FROM records WHERE record IN ({placeholders})"),
                chunk
                    .iter()
                    .map(|id| text(&id.to_string()))
                    .collect::<Vec<_>>(),
            )?
            .to_array()?;
        for row in rows {
            if let (Ok(id), Some(kind)) = (row.record.parse(), Kind::from_name(&row.kind)) {
                kinds.insert(id, kind);
            }
        }
    }
    let changes: Vec<Change> = request.ops.iter().map(Change::of).collect();
    let reads = Reads::load(&changes, &Tables(sql))?;
    Ok(LoadedView {
        acked_mid,
        window,
        kinds,
        reads,
        head: head(sql)?,
    })
}

#[derive(Deserialize)]
struct MemberRow {
    member: String,
}

/// The organisation's members not removed: the people a change may name.
fn current_members(sql: &SqlStorage) -> Result<BTreeSet<String>, ApiError> {
    let rows: Vec<MemberRow> = sql
        .exec("SELECT member FROM members WHERE revoked = 0", None)?
        .to_array()?;
    Ok(rows.into_iter().map(|r| r.member).collect())
}

#[derive(Deserialize)]
struct LinkRow {
    record: String,
}

/// Every stored field of `records`, with its stamp.
pub(super) fn record_fields(
    sql: &SqlStorage,
    records: &BTreeSet<RecordId>,
) -> Result<Vec<StoredField>, ApiError> {
    let records: Vec<RecordId> = records.iter().copied().collect();
    let mut values = Vec::new();
    for chunk in records.chunks(MAX_BINDINGS) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let rows: Vec<FieldRow> = sql
            .exec(
                &format!(
                    "SELECT record, field, value, hlc_wall, hlc_counter, client FROM fields
                     WHERE record IN ({placeholders})"
                ),
                chunk
                    .iter()
                    .map(|id| text(&id.to_string()))
                    .collect::<Vec<_>>(),
            )?
            .to_array()?;
        values.extend(rows.into_iter().filter_map(FieldRow::stored));
    }
    Ok(values)
}

fn value_json(value: &Value) -> String {
    serde_json::to_string(value).expect("values always serialise")
}

/// Appends `entries` to the log and folds them into the current field values and the record
/// kinds, inside the caller's transaction. `received_ms` is the server's time of receipt
/// (None for an imported history, whose receipt this server never saw).
fn append(sql: &SqlStorage, entries: &[LogEntry], received_ms: Option<u64>) -> worker::Result<()> {
    let mut log = Vec::with_capacity(entries.len() * 11);
    let mut fields = Vec::with_capacity(entries.len() * 6);
    let mut records = Vec::with_capacity(entries.len() * 2);
    let received = received_ms.map_or(worker::SqlStorageValue::Null, int);
    for LogEntry { seq, hash, op } in entries {
        let value = value_json(&op.value);
        log.extend([
            int(*seq),
            text(hash),
            text(&op.client.to_string()),
            int(op.mid),
            text(&op.record.to_string()),
            text(op.kind.name()),
            text(&op.field),
            text(&value),
            int(op.hlc.wall),
            int(u64::from(op.hlc.counter)),
            received.clone(),
        ]);
        fields.extend([
            text(&op.record.to_string()),
            text(&op.field),
            text(&value),
            int(op.hlc.wall),
            int(u64::from(op.hlc.counter)),
            text(&op.client.to_string()),
        ]);
        records.extend([text(&op.record.to_string()), text(op.kind.name())]);
    }
    sql::insert_rows(
        sql,
        "INSERT INTO log (seq, hash, client, mid, record, kind, field, value, hlc_wall, hlc_counter, received_ms)",
        "",
        11,
        log,
    )?;
    // Last writer wins per field: (hlc, client) decides, whatever order ops arrive in.
    sql::insert_rows(
        sql,
        "INSERT INTO fields (record, field, value, hlc_wall, hlc_counter, client)",
        "ON CONFLICT (record, field) DO UPDATE SET value = excluded.value,
           hlc_wall = excluded.hlc_wall, hlc_counter = excluded.hlc_counter, client = excluded.client
         WHERE (excluded.hlc_wall, excluded.hlc_counter, excluded.client)
             > (fields.hlc_wall, fields.hlc_counter, fields.client)",
        6,
        fields,
    )?;
    sql::insert_rows(
        sql,
        "INSERT OR IGNORE INTO records (record, kind)",
        "",
        2,
        records,
    )
}

/// Appends the plan's entries and moves the device's acknowledged mid and write window, in
/// one transaction.
fn store(
    org: &Organisation,
    plan: PushPlan,
    received_ms: u64,
    window: WriteWindow,
) -> Result<(), ApiError> {
    let sql = org.sql.clone();
    sql::transaction(&org.state.storage(), move || {
        append(&sql, &plan.entries, Some(received_ms))?;
        sql.exec(
            "UPDATE devices SET acked_mid = ?, window_start_ms = ?, window_records = ?,
                window_bytes = ? WHERE client = ?",
            vec![
                int(plan.acked_mid),
                int(window.start_ms),
                int(window.new_records),
                int(window.bytes),
                text(&plan.client.to_string()),
            ],
        )?;
        Ok(())
    })
}

/// The meta key under which an organisation keeps what its log holds from an import.
const META_IMPORTED: &str = "imported";

fn imported_history(sql: &SqlStorage) -> Result<Option<Imported>, ApiError> {
    Ok(sql::meta(sql, META_IMPORTED)?.and_then(|json| serde_json::from_str(&json).ok()))
}

/// `POST import`: one page of an export's log, appended as it was to a new organisation's
/// log by its owner (`register::archive::judge_import`); the organisation keeps where the
/// imported history ends, whose export it was, and who imported it.
pub async fn import(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    let request: ImportRequest = read_json(&mut req).await?;
    let (at, head_hash) = head(&org.sql)?;
    let up_to = imported_history(&org.sql)?.map_or(0, |i| i.up_to);
    let new_head =
        judge_import(caller.role, at, &head_hash, up_to, &request.entries).map_err(|refusal| {
            ApiError::refused(refusal.status(), refusal.code(), refusal.to_string())
        })?;
    #[derive(Deserialize)]
    struct NameRow {
        name: String,
    }
    let names: Vec<NameRow> = org
        .sql
        .exec(
            "SELECT name FROM members WHERE member = ?",
            vec![text(&caller.member)],
        )?
        .to_array()?;
    let imported = Imported {
        up_to: at + request.entries.len() as u64,
        head: new_head,
        source: request.source,
        by_name: names.into_iter().next().map(|n| n.name).unwrap_or_default(),
        at_ms: now_ms(),
    };
    let record = serde_json::to_string(&imported).expect("serialises");
    let sql = org.sql.clone();
    let entries = request.entries;
    sql::transaction(&org.state.storage(), move || {
        append(&sql, &entries, None)?;
        sql.exec(schema::SET_META, vec![text(META_IMPORTED), text(&record)])?;
        Ok(())
    })?;
    json(&imported, 200)
}

/// `GET imported`: what the organisation's log holds from an import, if anything.
pub fn imported(org: &Organisation) -> Result<Response, ApiError> {
    json(&imported_history(&org.sql)?, 200)
}

/// `POST push`.
pub async fn push(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    let request: PushRequest = read_json(&mut req).await?;
    let view = load_view(&org.sql, caller, &request)?;
    let author = Author {
        client: caller.client,
        member: caller.member.clone(),
        role: caller.role,
    };
    let now = now_ms();
    let gate = Gate {
        members: Some(current_members(&org.sql)?),
        today: Some(register::dates::latest_day(now)),
    };
    let plan = plan_push(&view, &gate, &author, &request, now)?;
    let window = admit(&view, &plan, caller, now)?;
    let response = PushResponse {
        acked_mid: plan.acked_mid,
        head: plan.head,
    };
    if !plan.entries.is_empty() || plan.acked_mid != view.acked_mid {
        store(org, plan, now, window)?;
    }
    json(&response, 200)
}

/// Counts what a push stores against the device's limit for the minute (`engine::limits`,
/// `register::membership::write_limit`):
/// the device's window with it, or a 429 that stores nothing.
fn admit(
    view: &LoadedView,
    plan: &PushPlan,
    caller: &Caller,
    now: u64,
) -> Result<WriteWindow, ApiError> {
    if plan.entries.is_empty() {
        return Ok(view.window);
    }
    let new_records = plan
        .entries
        .iter()
        .map(|e| e.op.record)
        .filter(|record| !view.kinds.contains_key(record))
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let bytes = plan
        .entries
        .iter()
        .map(|e| stored_value_bytes(&e.op.value) + PULL_ENTRY_BYTES)
        .sum();
    let limit = write_limit(caller.role);
    view.window
        .admit(now, new_records, bytes, limit)
        .map_err(|seconds| {
            ApiError::rate_limited(
                seconds,
                format!(
                    "This device has sent more than a minute's share ({} new records or {} MiB); nothing was stored. It will try again in {seconds} s.",
                    limit.new_records,
                    limit.bytes / (1024 * 1024)
                ),
            )
        })
}

#[derive(Deserialize)]
struct LogRow {
    seq: i64,
    hash: String,
    client: String,
    mid: i64,
    record: String,
    kind: String,
    field: String,
    value: String,
    hlc_wall: i64,
    hlc_counter: i64,
    /// Read for history only, and empty for changes received before it was kept.
    #[serde(default)]
    received_ms: Option<i64>,
}

impl LogRow {
    fn into_entry(self) -> Option<LogEntry> {
        Some(LogEntry {
            seq: self.seq as u64,
            hash: self.hash,
            op: Op {
                client: self.client.parse().ok()?,
                mid: self.mid as u64,
                record: self.record.parse().ok()?,
                kind: Kind::from_name(&self.kind)?,
                field: self.field,
                value: serde_json::from_str(&self.value).ok()?,
                hlc: Hlc {
                    wall: self.hlc_wall as u64,
                    counter: self.hlc_counter as u32,
                },
            },
        })
    }
}

/// One record's changes, oldest first: the latest of them before `before` (a log position;
/// the latest when absent), at most `HISTORY_MAX` and a pull page's bytes, each with the
/// server's time of receipt. `more` says whether earlier ones remain, to be asked for before
/// the first of these.
pub fn history(org: &Organisation, record: &str, req: &Request) -> Result<Response, ApiError> {
    let record: RecordId = record.parse().map_err(|_| {
        ApiError::bad_request("invalid_record", format!("“{record}” is not a record id."))
    })?;
    let before = query_number(req, "before", sql::MAX_INT, sql::MAX_INT)?;
    let record = record.to_string();
    // The sizes first, newest first, so that no more than a page's bytes are ever read.
    let sizes: Vec<SizeRow> = org
        .sql
        .exec(
            "SELECT length(CAST(value AS BLOB)) AS bytes
             FROM log WHERE record = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            vec![text(&record), int(before), int(HISTORY_MAX + 1)],
        )?
        .to_array()?;
    let (length, more) = page_length(sizes.iter().map(|r| r.bytes as u64), HISTORY_MAX);
    let rows: Vec<LogRow> = org
        .sql
        .exec(
            "SELECT seq, hash, client, mid, record, kind, field, value, hlc_wall, hlc_counter,
                    received_ms
             FROM log WHERE record = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            vec![text(&record), int(before), int(length as u64)],
        )?
        .to_array()?;
    let changes = rows
        .into_iter()
        .rev()
        .map(|row| {
            let received_ms = row.received_ms.map(|ms| ms as u64);
            let entry = row
                .into_entry()
                .ok_or_else(|| ApiError::Internal("unreadable log row".into()))?;
            Ok(Logged { entry, received_ms })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(&HistoryResponse { changes, more }, 200)
}

/// A whole-number query parameter, at most `max`.
fn query_number(req: &Request, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    let url = req.url()?;
    match url.query_pairs().find(|(key, _)| key == name) {
        None => Ok(default),
        Some((_, value)) => value.parse().ok().filter(|n| *n <= max).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("“{name}” must be a whole number up to {max}, not “{value}”."),
            )
        }),
    }
}

#[derive(Deserialize)]
struct SizeRow {
    bytes: i64,
}

/// `GET pull?since=seq&limit=n`: a page of at most `limit` entries and `PULL_MAX_BYTES`.
pub fn pull(org: &Organisation, _caller: &Caller, req: &Request) -> Result<Response, ApiError> {
    // Sequence numbers are SQLite integers: a larger `since` would wrap negative.
    let since = query_number(req, "since", 0, sql::MAX_INT)?;
    let limit = query_number(req, "limit", PULL_MAX, u64::MAX)?.clamp(1, PULL_MAX);
    let (head_seq, _) = head(&org.sql)?;
    // The sizes first, so that no more than a page's bytes are ever read into memory.
    let sizes: Vec<SizeRow> = org
        .sql
        .exec(
            "SELECT length(CAST(value AS BLOB)) AS bytes FROM log WHERE seq > ? ORDER BY seq LIMIT ?",
            vec![int(since), int(limit + 1)],
        )?
        .to_array()?;
    let (length, more) = page_length(sizes.iter().map(|r| r.bytes as u64), limit);
    let rows: Vec<LogRow> = org
        .sql
        .exec(
            "SELECT seq, hash, client, mid, record, kind, field, value, hlc_wall, hlc_counter
             FROM log WHERE seq > ? ORDER BY seq LIMIT ?",
            vec![int(since), int(length as u64)],
        )?
        .to_array()?;
    let entries = rows
        .into_iter()
        .map(|row| {
            row.into_entry()
                .ok_or_else(|| ApiError::Internal("unreadable log row".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    json(&pull_page(since, entries, more, head_seq), 200)
}
