//! The device's copy of the register, in IndexedDB: one database per organisation and member
//! (`ratchet-local` when the device syncs with no one). Every schema change bumps `VERSION` and
//! adds a step to `upgrade`, so a database made by any earlier release opens with its data.
//!
//! Version 2 stores:
//! - `register`: one row per record, with what the person sees and what the server confirmed
//!   (each field with its clock), indexed by kind;
//! - `outbox`: the queue of this device's changes by mid: those above the acknowledged mid
//!   wait to be pushed; those at or below it were acknowledged and wait to be seen in a pull;
//! - `meta`: the device's counters and cursor (`device`), sync settings and credential
//!   (`sync`), refused changes (`refused`);
//! - `evidence`: files and photos as Blobs, keyed by the SHA-256 of their bytes.
//!
//! Version 1 (the first release) kept risks in `records`; `Store::load` turns them into ops
//! once, in one transaction, and empties that store.

use indexed_db_futures::{
    KeyPath,
    database::{Database, VersionChangeEvent},
    error::{Error as IdbError, OpenDbError},
    prelude::*,
    transaction::TransactionMode,
};
use register::{
    ClientId, Kind, RecordId, RecordState, Value,
    device::{Changes, Device, DeviceMeta, Pending, RecordRow, Stored},
    wire::{Credential, Rejection},
};
use serde::{Deserialize, Serialize};

/// The database used when the device is not joined to any organisation.
pub const LOCAL_DB: &str = "ratchet-local";
/// Current schema version of the database.
pub const VERSION: u32 = 2;

const V1_RECORDS: &str = "records";
const REGISTER: &str = "register";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const EVIDENCE: &str = "evidence";
const BY_KIND: &str = "by_kind";

const META_DEVICE: &str = "device";
const META_SYNC: &str = "sync";
const META_REFUSED: &str = "refused";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("this browser gave no access to its storage ({0}); private windows may block it")]
    Unavailable(String),
    #[error("the device's storage refused the change: {0}")]
    Storage(String),
}

impl From<IdbError> for StoreError {
    fn from(error: IdbError) -> Self {
        Self::Storage(error.to_string())
    }
}

impl From<OpenDbError> for StoreError {
    fn from(error: OpenDbError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

/// The database name for one member of one organisation.
pub fn org_db_name(credential: &Credential) -> String {
    format!("ratchet-{}-{}", credential.org, credential.member)
}

/// How this database syncs: with whom, as whom, and when it last did.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SyncSettings {
    /// Base URL of the sync server ("" for the app's own origin).
    pub server: String,
    pub credential: Credential,
    pub last_synced_ms: Option<u64>,
}

/// A `register` row: the record as compact JSON text, which wasm parses far faster than it
/// walks a structured JavaScript object. The confirmed state is left out when it equals what
/// the person sees (the usual case once everything has synced).
#[derive(Serialize, Deserialize)]
struct PackedRow {
    id: String,
    kind: Kind,
    json: String,
}

#[derive(Serialize, Deserialize)]
enum Confirmed {
    Nothing,
    SameAsLocal,
    Differs(RecordState),
}

#[derive(Serialize, Deserialize)]
struct RowBody {
    local: Option<RecordState>,
    confirmed: Confirmed,
}

impl PackedRow {
    fn pack(row: RecordRow) -> Self {
        let confirmed = match row.confirmed {
            None => Confirmed::Nothing,
            Some(confirmed) if Some(&confirmed) == row.local.as_ref() => Confirmed::SameAsLocal,
            Some(confirmed) => Confirmed::Differs(confirmed),
        };
        let body = RowBody {
            local: row.local,
            confirmed,
        };
        Self {
            id: row.id.to_string(),
            kind: row.kind,
            json: serde_json::to_string(&body).expect("records always serialise"),
        }
    }

    fn unpack(self) -> Result<RecordRow, StoreError> {
        let unreadable = |e: &dyn std::fmt::Display| {
            StoreError::Storage(format!("a stored record is unreadable: {e}"))
        };
        let body: RowBody = serde_json::from_str(&self.json).map_err(|e| unreadable(&e))?;
        let confirmed = match body.confirmed {
            Confirmed::Nothing => None,
            Confirmed::SameAsLocal => body.local.clone(),
            Confirmed::Differs(confirmed) => Some(confirmed),
        };
        Ok(RecordRow {
            id: self.id.parse().map_err(|e| unreadable(&e))?,
            kind: self.kind,
            local: body.local,
            confirmed,
        })
    }
}

/// An `outbox` row: keyed by mid, the entry itself as compact JSON text.
#[derive(Serialize, Deserialize)]
struct QueueRow {
    mid: u64,
    json: String,
}

impl QueueRow {
    fn pack<T: Serialize>(mid: u64, entry: &T) -> Self {
        Self {
            mid,
            json: serde_json::to_string(entry).expect("queue entries always serialise"),
        }
    }

    fn unpack<T: serde::de::DeserializeOwned>(self) -> Result<(u64, T), StoreError> {
        serde_json::from_str(&self.json)
            .map(|entry| (self.mid, entry))
            .map_err(|e| StoreError::Storage(format!("a queued change is unreadable: {e}")))
    }
}

/// A row of version 1's `records` store.
#[derive(Deserialize)]
struct V1Row {
    body: V1Risk,
}

#[derive(Deserialize)]
struct V1Risk {
    id: RecordId,
    title: String,
    likelihood: u8,
    impact: u8,
}

/// A stored file: its bytes stay a Blob, so large photos are never copied into wasm.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// A handle on one open register database.
#[derive(Clone)]
pub struct Store {
    db: Database,
}

impl Store {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(VERSION)
            .with_on_upgrade_needed(|event: VersionChangeEvent, db: Database| {
                upgrade(event.old_version() as u32, &db)
            })
            .await?;
        Ok(Self { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Removes a whole database from the device ("leave this organisation").
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Database::delete_by_name(name)?.await?;
        Ok(())
    }

    /// The device as it was left: records, queues, counters. A new database gets a device
    /// with `client` as its id; version 1 data is converted into ops on the way.
    pub async fn load(&self, client: ClientId, now_ms: u64) -> Result<Device, StoreError> {
        let tx = self.db.transaction([REGISTER, OUTBOX, META]).build()?;
        let meta: Option<DeviceMeta> = tx
            .object_store(META)?
            .get(META_DEVICE.to_owned())
            .serde()?
            .await?;
        let records: Vec<PackedRow> = tx
            .object_store(REGISTER)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let queue: Vec<QueueRow> = tx
            .object_store(OUTBOX)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let refused: Option<Vec<Rejection>> = tx
            .object_store(META)?
            .get(META_REFUSED.to_owned())
            .serde()?
            .await?;
        drop(tx);
        let mut device = match meta {
            None => Device::new(client),
            Some(meta) => Device::restore(Stored {
                meta,
                records: records
                    .into_iter()
                    .map(PackedRow::unpack)
                    .collect::<Result<_, _>>()?,
                queue: queue
                    .into_iter()
                    .map(QueueRow::unpack::<Pending>)
                    .collect::<Result<_, _>>()?,
                refused: refused.unwrap_or_default(),
            }),
        };
        self.convert_v1(&mut device, now_ms).await?;
        Ok(device)
    }

    /// Turns version 1's risks into ops (so they sync like any edit) and empties the old store,
    /// all in one transaction.
    async fn convert_v1(&self, device: &mut Device, now_ms: u64) -> Result<(), StoreError> {
        if !self.db.object_store_names().any(|name| name == V1_RECORDS) {
            return Ok(());
        }
        let tx = self.db.transaction(V1_RECORDS).build()?;
        let old: Vec<V1Row> = tx
            .object_store(V1_RECORDS)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        drop(tx);
        if old.is_empty() {
            return Ok(());
        }
        for V1Row { body } in old {
            let fields = [
                ("title", Value::Text(body.title)),
                ("inherent_likelihood", Value::Int(body.likelihood.into())),
                ("inherent_impact", Value::Int(body.impact.into())),
            ];
            for (field, value) in fields {
                device.edit(body.id, Kind::Risk, field, value, now_ms);
            }
        }
        self.write_with(device.take_changes(), true).await
    }

    /// Writes one operation's changes in one read-write transaction: all of them or none.
    pub async fn write(&self, changes: Changes) -> Result<(), StoreError> {
        self.write_with(changes, false).await
    }

    async fn write_with(&self, changes: Changes, clear_v1: bool) -> Result<(), StoreError> {
        let mut stores = vec![REGISTER, OUTBOX, META];
        if clear_v1 {
            stores.push(V1_RECORDS);
        }
        let tx = self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // Every request is issued before any is awaited: a failed one aborts the transaction,
        // and the commit then reports it. Waiting for each would cost an event-loop turn apiece.
        {
            let register = tx.object_store(REGISTER)?;
            for row in changes.records {
                if row.local.is_none() && row.confirmed.is_none() {
                    drop(register.delete(row.id.to_string()).build()?);
                } else {
                    drop(register.put(PackedRow::pack(row)).serde()?);
                }
            }
            let outbox = tx.object_store(OUTBOX)?;
            let mut deletes: Vec<(u64, u64)> = Vec::new();
            for (mid, pending) in changes.queue {
                match pending {
                    Some(pending) => drop(outbox.put(&QueueRow::pack(mid, &pending)).serde()?),
                    // Confirmed ops leave in runs of consecutive mids: one request per run.
                    None => match deletes.last_mut() {
                        Some((_, end)) if *end + 1 == mid => *end = mid,
                        _ => deletes.push((mid, mid)),
                    },
                }
            }
            for (first, last) in deletes {
                drop(outbox.delete(first as f64..=last as f64).build()?);
            }
            let meta = tx.object_store(META)?;
            drop(
                meta.put(&changes.meta)
                    .with_key(META_DEVICE.to_owned())
                    .without_key_type()
                    .serde()?,
            );
            if let Some(refused) = &changes.refused {
                drop(
                    meta.put(refused)
                        .with_key(META_REFUSED.to_owned())
                        .without_key_type()
                        .serde()?,
                );
            }
            if clear_v1 {
                drop(tx.object_store(V1_RECORDS)?.clear()?);
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn sync_settings(&self) -> Result<Option<SyncSettings>, StoreError> {
        let tx = self.db.transaction(META).build()?;
        let settings = tx
            .object_store(META)?
            .get(META_SYNC.to_owned())
            .serde()?
            .await?;
        Ok(settings)
    }

    pub async fn put_sync_settings(&self, settings: &SyncSettings) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(META)?
            .put(settings)
            .with_key(META_SYNC.to_owned())
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a file's bytes on the device under their SHA-256 (computed here, so the key
    /// always matches the content). Storing the same bytes twice keeps one copy.
    pub async fn put_evidence(
        &self,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<EvidenceFile, StoreError> {
        use sha2::{Digest, Sha256};
        let sha256 = register::chain::to_hex(&Sha256::digest(bytes));
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(media_type);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|e| StoreError::Storage(format!("{e:?}")))?;
        let row = js_sys::Object::new();
        for (key, value) in [
            ("sha256", wasm_bindgen::JsValue::from_str(&sha256)),
            ("size", (bytes.len() as f64).into()),
            ("media_type", media_type.into()),
            ("blob", blob.into()),
        ] {
            js_sys::Reflect::set(&row, &key.into(), &value)
                .map_err(|e| StoreError::Storage(format!("{e:?}")))?;
        }
        let tx = self
            .db
            .transaction(EVIDENCE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(EVIDENCE)?
            .put(wasm_bindgen::JsValue::from(row))
            .await?;
        tx.commit().await?;
        Ok(EvidenceFile {
            sha256,
            size: bytes.len() as u64,
            media_type: media_type.to_owned(),
        })
    }

    /// The stored file with this digest, as a Blob.
    pub async fn evidence(
        &self,
        sha256: &str,
    ) -> Result<Option<(EvidenceFile, web_sys::Blob)>, StoreError> {
        use wasm_bindgen::JsCast;
        let tx = self.db.transaction(EVIDENCE).build()?;
        let row: Option<wasm_bindgen::JsValue> = tx
            .object_store(EVIDENCE)?
            .get(sha256.to_owned())
            .primitive()?
            .await?;
        let Some(row) = row else { return Ok(None) };
        let field = |name: &str| js_sys::Reflect::get(&row, &name.into()).unwrap_or_default();
        let blob: web_sys::Blob = field("blob")
            .dyn_into()
            .map_err(|_| StoreError::Storage("a stored file is not a Blob".into()))?;
        Ok(Some((
            EvidenceFile {
                sha256: field("sha256").as_string().unwrap_or_default(),
                size: field("size").as_f64().unwrap_or(0.0) as u64,
                media_type: field("media_type").as_string().unwrap_or_default(),
            },
            blob,
        )))
    }
}

/// Brings a database from `old` (0 when it is new) to `VERSION`, one step per version.
fn upgrade(old: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old < 1 {
        let records = db
            .create_object_store(V1_RECORDS)
            .with_key_path(KeyPath::One("id"))
            .build()?;
        records
            .create_index(BY_KIND, KeyPath::One("kind"))
            .build()?;
    }
    if old < 2 {
        let register = db
            .create_object_store(REGISTER)
            .with_key_path(KeyPath::One("id"))
            .build()?;
        register
            .create_index(BY_KIND, KeyPath::One("kind"))
            .build()?;
        db.create_object_store(OUTBOX)
            .with_key_path(KeyPath::One("mid"))
            .build()?;
        db.create_object_store(META).build()?;
        db.create_object_store(EVIDENCE)
            .with_key_path(KeyPath::One("sha256"))
            .build()?;
    }
    Ok(())
}
