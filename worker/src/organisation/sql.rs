//! The organisation's SQLite tables and the few queries shared by its routes. Integers stay
//! within ±2^53 (the register refuses clocks beyond it); statements bind at most 100 values.

use super::schema;
use crate::error::ApiError;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use worker::{SqlStorage, SqlStorageValue, Storage};

/// The largest number a request may give where an integer is stored or compared.
pub const MAX_INT: u64 = (1 << 53) - 1;

/// Most values SQLite in a Durable Object binds in one statement.
pub const MAX_BINDINGS: usize = 100;

/// Whether this object has ever been given tables (it was created as an organisation).
pub fn has_tables(sql: &SqlStorage) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let rows: Vec<Count> = sql
        .exec(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            None,
        )?
        .to_array()?;
    Ok(rows.first().is_some_and(|c| c.n > 0))
}

/// Brings the object's tables to the newest schema: the migrations it has not had yet
/// (`schema::MIGRATIONS`), each in one transaction with the version it reaches, so a
/// migration is applied once and whole. Then the indexes the register's rules need.
pub fn migrate(sql: &SqlStorage, storage: &Storage) -> Result<(), ApiError> {
    sql.exec(schema::META, None)?;
    let version: usize = match meta(sql, schema::VERSION_KEY)? {
        None => 0,
        Some(text) => text
            .parse()
            .map_err(|_| ApiError::Internal(format!("stored schema version {text}")))?,
    };
    for (reached, statements) in schema::pending(version).map_err(ApiError::Internal)? {
        let sql = sql.clone();
        transaction(storage, move || {
            for statement in statements {
                sql.exec(statement, None)?;
            }
            sql.exec(
                schema::SET_META,
                vec![text(schema::VERSION_KEY), text(&reached.to_string())],
            )?;
            Ok(())
        })?;
    }
    // Record rules that follow links (a finding's actions) find the linking records by
    // value; only those link fields are indexed, not every text. They follow the register's
    // rules, so they are made whenever missing rather than by a numbered migration.
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

/// Sets one of the object's own values.
pub fn put_meta(sql: &SqlStorage, key: &str, value: &str) -> Result<(), ApiError> {
    sql.exec(super::schema::SET_META, vec![text(key), text(value)])?;
    Ok(())
}

#[derive(Deserialize)]
pub struct DeviceRow {
    pub token_hash: String,
    pub device_revoked: i64,
    pub member: String,
    pub role: String,
    pub member_revoked: i64,
    pub acked_mid: i64,
    pub window_start_ms: i64,
    pub window_records: i64,
    pub window_bytes: i64,
}

pub fn device(sql: &SqlStorage, client: &str) -> Result<Option<DeviceRow>, ApiError> {
    let rows: Vec<DeviceRow> = sql
        .exec(
            "SELECT d.token_hash, d.revoked AS device_revoked, d.acked_mid,
                    d.window_start_ms, d.window_records, d.window_bytes,
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
