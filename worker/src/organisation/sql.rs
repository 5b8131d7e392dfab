//! The organisation's SQLite tables and the few queries shared by its routes. Integers stay
//! within ±2^53 (the register refuses clocks beyond it); statements bind at most 100 values.

use crate::error::ApiError;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use worker::{SqlStorage, SqlStorageValue, Storage};

/// Most values SQLite in a Durable Object binds in one statement.
pub const MAX_BINDINGS: usize = 100;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members (
        member TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS devices (
        client TEXT PRIMARY KEY, member TEXT NOT NULL REFERENCES members(member),
        token_hash TEXT NOT NULL, created_ms INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0, acked_mid INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS invites (
        invite TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, role TEXT NOT NULL,
        expires_ms INTEGER NOT NULL, created_by TEXT NOT NULL, used_by TEXT)",
    "CREATE TABLE IF NOT EXISTS log (
        seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, client TEXT NOT NULL, mid INTEGER NOT NULL,
        record TEXT NOT NULL, kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
        hlc_wall INTEGER NOT NULL, hlc_counter INTEGER NOT NULL, UNIQUE (client, mid))",
    "CREATE TABLE IF NOT EXISTS records (record TEXT PRIMARY KEY, kind TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fields (
        record TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
        hlc_wall INTEGER NOT NULL, hlc_counter INTEGER NOT NULL, client TEXT NOT NULL,
        PRIMARY KEY (record, field))",
    // A record's history reads its log entries without scanning the whole log.
    "CREATE INDEX IF NOT EXISTS log_by_record ON log (record, seq)",
];

pub fn migrate(sql: &SqlStorage) -> Result<(), ApiError> {
    for statement in SCHEMA {
        sql.exec(statement, None)?;
    }
    // Record rules that follow links (a finding's actions) find the linking records by
    // value; only those link fields are indexed, not every text.
    for link in register::rules::RULE_LINKS {
        sql.exec(
            &format!(
                "CREATE INDEX IF NOT EXISTS fields_link_{0} ON fields (value) WHERE field = '{0}'",
                link.field
            ),
            None,
        )?;
    }
    Ok(())
}

pub fn int(n: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(n as i64)
}

pub fn text(s: &str) -> SqlStorageValue {
    SqlStorageValue::String(s.to_owned())
}

#[derive(Deserialize)]
struct MetaRow {
    value: String,
}

pub fn meta(sql: &SqlStorage, key: &str) -> Result<Option<String>, ApiError> {
    let rows: Vec<MetaRow> = sql
        .exec("SELECT value FROM meta WHERE key = ?", vec![text(key)])?
        .to_array()?;
    Ok(rows.into_iter().next().map(|r| r.value))
}

#[derive(Deserialize)]
pub struct DeviceRow {
    pub token_hash: String,
    pub device_revoked: i64,
    pub member: String,
    pub role: String,
    pub member_revoked: i64,
    pub acked_mid: i64,
}

pub fn device(sql: &SqlStorage, client: &str) -> Result<Option<DeviceRow>, ApiError> {
    let rows: Vec<DeviceRow> = sql
        .exec(
            "SELECT d.token_hash, d.revoked AS device_revoked, d.acked_mid,
                    m.member, m.role, m.revoked AS member_revoked
             FROM devices d JOIN members m ON m.member = d.member WHERE d.client = ?",
            vec![text(client)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

/// Inserts rows of `width` values each, as few statements as the binding limit allows.
/// `head` is the statement up to `VALUES`; `tail` follows the value lists.
pub fn insert_rows(
    sql: &SqlStorage,
    head: &str,
    tail: &str,
    width: usize,
    values: Vec<SqlStorageValue>,
) -> worker::Result<()> {
    let placeholders = format!("({})", vec!["?"; width].join(", "));
    let rows_per_statement = MAX_BINDINGS / width;
    let mut values = values.into_iter().peekable();
    while values.peek().is_some() {
        let chunk: Vec<SqlStorageValue> =
            values.by_ref().take(rows_per_statement * width).collect();
        let rows = chunk.len() / width;
        let statement = format!(
            "{head} VALUES {} {tail}",
            vec![placeholders.as_str(); rows].join(", ")
        );
        sql.exec(&statement, chunk)?;
    }
    Ok(())
}

/// Runs `work` in one SQLite transaction (`transactionSync`): if it fails, none of its writes
/// remain. workers-rs does not bind this call, so it is reached through JavaScript.
pub fn transaction(
    storage: &Storage,
    work: impl FnOnce() -> worker::Result<()> + 'static,
) -> Result<(), ApiError> {
    let raw: &JsValue = storage.as_raw().as_ref();
    let run = js_sys::Reflect::get(raw, &JsValue::from_str("transactionSync"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| ApiError::Internal("storage has no transactionSync".into()))?;
    let body = Closure::once(move || -> Result<JsValue, JsValue> {
        work()
            .map(|()| JsValue::UNDEFINED)
            .map_err(|e| js_sys::Error::new(&e.to_string()).into())
    });
    run.call1(raw, body.as_ref().unchecked_ref())
        .map_err(|e| ApiError::Internal(format!("transaction rolled back: {e:?}")))?;
    Ok(())
}
