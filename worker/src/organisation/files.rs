//! Evidence files, kept in R2 under the organisation and named by the SHA-256 of their bytes
//! (`engine::files`). Members whose role may write evidence upload; any member downloads,
//! as they pull. The `files` table says which files this organisation holds and how much they
//! weigh, so a download of a digest the organisation never stored finds nothing, and the
//! quota is one sum.

use super::{
    Caller, Organisation, now_ms,
    sql::{int, text},
    sync::record_fields,
};
use crate::error::{ApiError, json};
use engine::files::{FileLimits, FileRefusal, StoredFile, is_digest};
use futures_util::StreamExt;
use register::{Kind, Value, policy, schema::DELETED, views::Policy};
use serde::Deserialize;
use worker::{Bucket, ByteStream, HttpMetadata, Request, Response};

/// The binding of the bucket files are kept in (`wrangler.toml`).
const BUCKET: &str = "EVIDENCE";

#[derive(Deserialize)]
struct FileRow {
    size: i64,
    media_type: String,
}

#[derive(Deserialize)]
struct Total {
    used: Option<i64>,
}

impl From<FileRefusal> for ApiError {
    fn from(refusal: FileRefusal) -> Self {
        ApiError::Refused {
            status: refusal.status(),
            body: refusal.body(),
        }
    }
}

/// `PUT files/{sha256}`: the file's bytes as the body, its media type as `Content-Type`.
/// 201 when stored, 200 when the organisation already held it (a repeated upload).
pub async fn upload(
    org: &Organisation,
    caller: &Caller,
    name: &str,
    mut req: Request,
) -> Result<Response, ApiError> {
    match receive(org, caller, name, &mut req).await {
        Ok(received) => store(org, caller, name, received).await,
        Err(refused) => {
            // An answer sent before the body is read breaks the sender's connection, and
            // the person would hear "network error" instead of why.
            drain(&mut req).await;
            Err(refused)
        }
    }
}

/// A file as received, with the limits it is still to be checked against.
struct Received {
    bytes: Vec<u8>,
    media_type: String,
    limits: FileLimits,
}

async fn receive(
    org: &Organisation,
    caller: &Caller,
    name: &str,
    req: &mut Request,
) -> Result<Received, ApiError> {
    if !caller.role.may_write(Kind::Evidence) {
        return Err(ApiError::forbidden(
            "forbidden",
            format!("A {} cannot add evidence.", caller.role.name()),
        ));
    }
    let limits = limits(org)?;
    let length = req
        .headers()
        .get("content-length")?
        .and_then(|n| n.parse::<u64>().ok());
    let media_type =
        engine::files::essence(&req.headers().get("content-type")?.unwrap_or_default());
    limits.check_offer(name, length, &media_type)?;
    let bytes = read_capped(req, limits.file_max_bytes).await?;
    engine::files::check_content(&media_type, &bytes)?;
    if let Some(refusal) = policy::upload_refusal(&bytes, keeps_photo_location(org)?) {
        return Err(ApiError::refused(422, "location_kept", refusal));
    }
    Ok(Received {
        bytes,
        media_type,
        limits,
    })
}

async fn store(
    org: &Organisation,
    caller: &Caller,
    name: &str,
    Received {
        bytes,
        media_type,
        limits,
    }: Received,
) -> Result<Response, ApiError> {
    // Checked before anything is stored, and again once the bucket has it: another upload
    // may have been stored while this one was on its way.
    let decide = || -> Result<Option<StoredFile>, ApiError> {
        if let Some(held) = held(org, name)? {
            return Ok(Some(held));
        }
        limits.check_received(name, &bytes, used(org)?)?;
        Ok(None)
    };
    if let Some(held) = decide()? {
        return json(&held, 200);
    }
    let key = key(org, name)?;
    bucket(org)?
        .put(&key, bytes.clone())
        .http_metadata(HttpMetadata {
            content_type: Some(media_type.clone()),
            ..HttpMetadata::default()
        })
        .execute()
        .await?;
    match decide() {
        Ok(Some(held)) => return json(&held, 200),
        Ok(None) => {}
        Err(refused) => {
            bucket(org)?.delete(&key).await?;
            return Err(refused);
        }
    }
    org.sql.exec(
        "INSERT INTO files (sha256, size, media_type, uploaded_by, uploaded_ms)
         VALUES (?, ?, ?, ?, ?)",
        vec![
            text(name),
            int(bytes.len() as u64),
            text(&media_type),
            text(&caller.member),
            int(now_ms()),
        ],
    )?;
    json(
        &StoredFile {
            sha256: name.to_owned(),
            size: bytes.len() as u64,
            media_type,
            created: true,
        },
        201,
    )
}

/// `GET files/{sha256}`: the bytes of a file this organisation holds, with its media type.
pub async fn download(org: &Organisation, name: &str) -> Result<Response, ApiError> {
    if !is_digest(name) {
        return Err(FileRefusal::BadName.into());
    }
    let not_found = || {
        ApiError::refused(
            404,
            "file_not_found",
            "This organisation holds no file with that digest (yet: it may not have been uploaded).",
        )
    };
    let held = held(org, name)?.ok_or_else(not_found)?;
    let object = bucket(org)?
        .get(key(org, name)?)
        .execute()
        .await?
        .ok_or_else(|| {
            ApiError::Internal(format!("file {name} is listed but not in the bucket"))
        })?;
    let body = object
        .body()
        .ok_or_else(|| ApiError::Internal(format!("file {name} has no body")))?
        .response_body()?;
    let mut response = Response::from_body(body)?;
    let headers = response.headers_mut();
    headers.set("content-type", &held.media_type)?;
    headers.set("content-length", &held.size.to_string())?;
    headers.set("content-disposition", "attachment")?;
    Ok(response)
}

fn limits(org: &Organisation) -> Result<FileLimits, ApiError> {
    let defaults = FileLimits::default();
    let read = |name: &str, default: u64| -> Result<u64, ApiError> {
        match org.env.var(name) {
            Err(_) => Ok(default),
            Ok(value) => value
                .to_string()
                .parse()
                .map_err(|_| ApiError::Internal(format!("{name} is not a number of bytes"))),
        }
    };
    Ok(FileLimits {
        file_max_bytes: read("RATCHET_FILE_MAX_BYTES", defaults.file_max_bytes)?,
        org_quota_bytes: read("RATCHET_ORG_FILE_QUOTA_BYTES", defaults.org_quota_bytes)?,
    })
}

fn bucket(org: &Organisation) -> Result<Bucket, ApiError> {
    Ok(org.env.bucket(BUCKET)?)
}

/// Files live under their organisation, so one organisation's digest never reaches another's.
fn key(org: &Organisation, name: &str) -> Result<String, ApiError> {
    let id = org
        .org_id()?
        .ok_or_else(|| ApiError::Internal("an organisation without an id".into()))?;
    Ok(format!("{id}/{name}"))
}

fn held(org: &Organisation, name: &str) -> Result<Option<StoredFile>, ApiError> {
    let rows: Vec<FileRow> = org
        .sql
        .exec(
            "SELECT size, media_type FROM files WHERE sha256 = ?",
            vec![text(name)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().map(|row| StoredFile {
        sha256: name.to_owned(),
        size: row.size as u64,
        media_type: row.media_type,
        created: false,
    }))
}

/// Whether the organisation's policy record, as stored, keeps where photos were taken.
fn keeps_photo_location(org: &Organisation) -> Result<bool, ApiError> {
    let fields = record_fields(&org.sql, &[policy::id()].into())?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(_, field, _, _)| field == name)
            .map(|(_, _, value, _)| value)
    };
    let deleted = value(DELETED).and_then(Value::as_bool) == Some(true);
    Ok(policy::keeps(
        value(Policy::photo_location).and_then(Value::as_text),
        deleted,
    ))
}

fn used(org: &Organisation) -> Result<u64, ApiError> {
    let rows: Vec<Total> = org
        .sql
        .exec("SELECT SUM(size) AS used FROM files", None)?
        .to_array()?;
    Ok(rows.first().and_then(|t| t.used).unwrap_or(0) as u64)
}

/// Most of a refused body read before answering: Cloudflare takes no larger request body.
const DRAIN_MAX_BYTES: usize = 100 * 1024 * 1024;

/// Reads what is left of a refused body, so the refusal reaches its sender rather than a
/// closed connection (after `DRAIN_MAX_BYTES` it may close all the same).
async fn drain(req: &mut Request) {
    if let Ok(mut stream) = req.stream() {
        discard(&mut stream, 0).await;
    }
}

/// Reads on to the end (or `DRAIN_MAX_BYTES`) without keeping anything; how much was read.
async fn discard(stream: &mut ByteStream, mut read: usize) -> usize {
    while read < DRAIN_MAX_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    read
}

/// The body, refused once it passes `max` bytes (a declared length can be wrong).
async fn read_capped(req: &mut Request, max: u64) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    // A request without a body has no stream: an empty file.
    let Ok(mut stream) = req.stream() else {
        return Ok(bytes);
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let size = (bytes.len() + chunk.len()) as u64;
        if size > max {
            let size = discard(&mut stream, size as usize).await as u64;
            return Err(FileRefusal::TooLarge { size, max }.into());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
