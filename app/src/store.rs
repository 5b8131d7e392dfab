//! The device's copy of the register, in IndexedDB: one database per organisation and member
//! (`ratchet-local` when the device syncs with no one). Every schema change bumps `VERSION` and
//! adds a step to `upgrade`, so a database made by any earlier release opens with its data.
//!
//! Version 4 stores:
//! - `buckets`: the records, a few dozen to a row (see `engine::layout`), each with what
//!   the person sees and what the server confirmed (every field with its clock);
//! - `outbox`: the queue of this device's changes by mid: those above the acknowledged mid
//!   wait to be pushed; those at or below it were acknowledged and wait to be seen in a pull;
//! - `meta`: the device's counters and cursor (`device`), sync settings and credential
//!   (`sync`), refused changes (`refused`), the bucket count (`buckets`);
//! - `evidence`: files and photos as Blobs, keyed by the SHA-256 of their bytes;
//! - `uploads`: the files attached on this device that the server has not yet taken (by
//!   digest, with the server's refusal once it refused one), written in the same transaction
//!   as the file and its Evidence record (version 4).
//!
//! Earlier versions are converted by `Store::load`, once, in one transaction that also empties
//! the old store: version 1 kept risks in `records` (they become ops), version 2 kept one
//! record per row in `register` (reading 20,000 such rows took 150–230 ms).

use engine::{device::DeviceMeta, layout, wire::Rejection};
use indexed_db_futures::{
    KeyPath,
    database::{Database, VersionChangeEvent},
    error::{Error as IdbError, OpenDbError},
    prelude::*,
    transaction::TransactionMode,
};
use register::{
    ClientId, Kind, RecordId, RecordState, Value,
    api::Credential,
    sync::{Changes, Device, LogEntry, Pending, RecordRow, Stored},
};
use serde::{Deserialize, Serialize};
use std::{cell::Cell, collections::BTreeSet, rc::Rc};

/// The database used when the device is not joined to any organisation.
pub const LOCAL_DB: &str = "ratchet-local";
/// The database an export opened to be read lives in, apart from the device's own registers.
pub const EXPORT_VIEW_DB: &str = "ratchet-export-view";
/// Current schema version of the database.
pub const VERSION: u32 = 5;

const V1_RECORDS: &str = "records";
const V2_REGISTER: &str = "register";
const BUCKETS: &str = "buckets";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const EVIDENCE: &str = "evidence";
const UPLOADS: &str = "uploads";
const HISTORY: &str = "history";

const META_DEVICE: &str = "device";
const META_SYNC: &str = "sync";
const META_REFUSED: &str = "refused";
const META_BUCKETS: &str = "buckets";
const META_EXPORTED: &str = "exported";
const META_RESTORED: &str = "restored";

/// Log entries per row of the `history` store.
const HISTORY_CHUNK: usize = 1_000;

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

/// A row of version 2's `register` store: one record, its body as JSON text (its kind is
/// also the body's).
#[derive(Deserialize)]
struct V2Row {
    id: RecordId,
    json: String,
}

#[derive(Deserialize)]
struct V2Body {
    local: Option<RecordState>,
    confirmed: V2Confirmed,
}

#[derive(Deserialize)]
enum V2Confirmed {
    Nothing,
    SameAsLocal,
    Differs(RecordState),
}

impl V2Row {
    fn unpack(self) -> Result<RecordRow, StoreError> {
        let body: V2Body = serde_json::from_str(&self.json).map_err(unreadable)?;
        let confirmed = match body.confirmed {
            V2Confirmed::Nothing => None,
            V2Confirmed::SameAsLocal => body.local.clone(),
            V2Confirmed::Differs(confirmed) => Some(confirmed),
        };
        Ok(RecordRow {
            id: self.id,
            local: body.local,
            confirmed,
        })
    }
}

fn unreadable(error: serde_json::Error) -> StoreError {
    StoreError::Storage(format!("a stored record is unreadable: {error}"))
}

/// Outbox entries issued in one go before a large write lets other work in (see `commit`).
const SLICE: usize = 16;

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

/// Turns version 1's risks into ops, so they sync like any edit.
fn convert_v1(device: &mut Device, risks: Vec<V1Row>, now_ms: u64) {
    for V1Row { body } in risks {
        let fields = [
            ("title", Value::Text(body.title)),
            ("inherent_likelihood", Value::Int(body.likelihood.into())),
            ("inherent_impact", Value::Int(body.impact.into())),
        ];
        for (field, value) in fields {
            device.edit(body.id, Kind::Risk, field, value, now_ms);
        }
    }
}

/// A stored file: its bytes stay a Blob, so large photos are never copied into wasm.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// A file to keep: its description and its bytes as a Blob, named by their digest
/// (`engine::files::digest`), so the name always matches the content.
#[derive(Clone, Debug)]
pub struct NewFile {
    pub file: EvidenceFile,
    pub blob: web_sys::Blob,
}

impl NewFile {
    pub fn from_bytes(bytes: &[u8], media_type: &str) -> Result<Self, StoreError> {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(media_type);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|e| StoreError::Storage(format!("{e:?}")))?;
        Ok(Self {
            file: EvidenceFile {
                sha256: engine::files::digest(bytes),
                size: bytes.len() as u64,
                media_type: media_type.to_owned(),
            },
            blob,
        })
    }

    /// The row of the `evidence` store (a plain object, so the Blob is stored as a Blob).
    fn row(&self) -> Result<wasm_bindgen::JsValue, StoreError> {
        let row = js_sys::Object::new();
        for (key, value) in [
            ("sha256", wasm_bindgen::JsValue::from_str(&self.file.sha256)),
            ("size", (self.file.size as f64).into()),
            ("media_type", self.file.media_type.as_str().into()),
            ("blob", self.blob.clone().into()),
        ] {
            js_sys::Reflect::set(&row, &key.into(), &value)
                .map_err(|e| StoreError::Storage(format!("{e:?}")))?;
        }
        Ok(row.into())
    }
}

/// Where a register restored from an export file came from: its history, entries 1 to
/// `entries`, is the file's log, kept as it was.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Restored {
    /// The organisation's name, or None for a register kept on one device.
    pub organisation: Option<String>,
    pub exported_at: String,
    pub entries: u64,
    pub head: String,
    pub restored_ms: u64,
    /// The organisation's members as the export names them, with their devices.
    #[serde(default)]
    pub members: Vec<register::archive::Member>,
}

impl Restored {
    /// The members as the app's members list holds them (the devices' dates are not kept).
    pub fn member_infos(&self) -> Vec<register::api::MemberInfo> {
        self.members
            .iter()
            .map(|m| register::api::MemberInfo {
                member: m.id.clone(),
                name: m.name.clone(),
                role: m.role,
                revoked: m.removed,
                devices: m
                    .devices
                    .iter()
                    .map(|&client| register::api::DeviceInfo {
                        client,
                        created_ms: 0,
                        revoked: m.removed,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A file attached on this device that the server has not taken yet.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Upload {
    pub sha256: String,
    /// The server's reason, once it refused the file (it is not offered again).
    pub refused: Option<String>,
}

/// A device as read from storage, with any data of earlier versions still to convert.
pub struct Read {
    device: Device,
    earlier: Option<Earlier>,
}

/// Version 1's risks (version 2's records are already among the device's), and the stores
/// to empty once they are converted.
struct Earlier {
    v1_risks: Vec<V1Row>,
    legacy: Vec<&'static str>,
}

impl Read {
    /// Whether earlier versions' data waits to be converted (`Store::convert`).
    pub fn needs_conversion(&self) -> bool {
        self.earlier.is_some()
    }

    /// The device read, for a store holding no earlier versions' data.
    pub fn into_device(self) -> Device {
        self.device
    }
}

/// A handle on one open register database.
#[derive(Clone)]
pub struct Store {
    db: Database,
    /// How many buckets the records are spread over (changes only with a full rewrite).
    buckets: Rc<Cell<u32>>,
}

/// One operation's write: the device's changes, with the text of every bucket they touch.
pub struct WriteSet {
    pub changes: Changes,
    buckets: Vec<(u32, Option<Vec<u8>>)>,
    /// A new bucket count: every bucket is rewritten.
    relayout: Option<u32>,
    /// Stores of earlier versions, emptied in the same transaction once converted.
    emptied: Vec<&'static str>,
    /// Files attached with these changes, kept and queued for upload in the same transaction.
    pub files: Vec<NewFile>,
}

impl Store {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(VERSION)
            .with_on_upgrade_needed(|event: VersionChangeEvent, db: Database| {
                upgrade(event.old_version() as u32, &db)
            })
            .await?;
        Ok(Self {
            db,
            buckets: Rc::new(Cell::new(layout::MIN_BUCKETS)),
        })
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
    /// with `client` as its id; data of earlier versions is converted on the way.
    pub async fn load(&self, client: ClientId, now_ms: u64) -> Result<Device, StoreError> {
        let read = self.read(client).await?;
        self.convert(read, now_ms).await
    }

    /// Reads the device as it was left, writing nothing; data of earlier versions, if any, is
    /// left for `convert`. The app starts from this alone (`open_device`), so the first load
    /// carries no write path.
    pub async fn read(&self, client: ClientId) -> Result<Read, StoreError> {
        let has = |store: &str| self.db.object_store_names().any(|name| name == store);
        let legacy: Vec<&'static str> = [V1_RECORDS, V2_REGISTER]
            .into_iter()
            .filter(|store| has(store))
            .collect();
        let mut stores = vec![BUCKETS, OUTBOX, META];
        stores.extend(&legacy);
        let tx = self.db.transaction(stores).build()?;
        // Every request is issued before the first is awaited, so they run together.
        let meta_store = tx.object_store(META)?;
        let meta = meta_store.get(META_DEVICE.to_owned()).serde()?;
        let refused = meta_store.get(META_REFUSED.to_owned()).serde()?;
        let buckets = meta_store.get(META_BUCKETS.to_owned()).serde()?;
        let bucket_store = tx.object_store(BUCKETS)?;
        let texts = bucket_store
            .get_all::<wasm_bindgen::JsValue>()
            .primitive()?;
        let outbox = tx.object_store(OUTBOX)?;
        let queue = outbox.get_all().serde()?;
        let v2_store = legacy
            .contains(&V2_REGISTER)
            .then(|| tx.object_store(V2_REGISTER))
            .transpose()?;
        let v2_rows = v2_store.as_ref().map(|s| s.get_all().serde()).transpose()?;
        let v1_store = legacy
            .contains(&V1_RECORDS)
            .then(|| tx.object_store(V1_RECORDS))
            .transpose()?;
        let v1_risks = v1_store.as_ref().map(|s| s.get_all().serde()).transpose()?;

        let meta: Option<DeviceMeta> = meta.await?;
        let refused: Option<Vec<Rejection>> = refused.await?;
        let buckets: Option<u32> = buckets.await?;
        // Buckets are UTF-8 bytes: they cross into wasm as one copy each, with no decoding.
        let texts: Vec<Vec<u8>> = texts
            .await?
            .map(|bytes| bytes.map(|b| js_sys::Uint8Array::new(&b).to_vec()))
            .collect::<Result<_, _>>()?;
        let queue: Vec<QueueRow> = queue.await?.collect::<Result<_, _>>()?;
        let v2_rows: Vec<V2Row> = match v2_rows {
            Some(rows) => rows.await?.collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let v1_risks: Vec<V1Row> = match v1_risks {
            Some(rows) => rows.await?.collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        drop(tx);
        self.buckets.set(buckets.unwrap_or(layout::MIN_BUCKETS));
        let converted = !v1_risks.is_empty() || !v2_rows.is_empty();
        let mut records = layout::unpack(texts.iter().map(Vec::as_slice)).map_err(unreadable)?;
        for row in v2_rows {
            records.push(row.unpack()?);
        }
        let device = match meta {
            None => Device::new(client),
            Some(meta) => Device::restore(Stored {
                meta,
                records,
                queue: queue
                    .into_iter()
                    .map(QueueRow::unpack::<Pending>)
                    .collect::<Result<_, _>>()?,
                refused: refused.unwrap_or_default(),
            }),
        };
        let earlier = converted.then_some(Earlier { v1_risks, legacy });
        Ok(Read { device, earlier })
    }

    /// Converts what `read` found of earlier versions, in one transaction that also empties
    /// their stores; a current database is returned as read.
    pub async fn convert(&self, read: Read, now_ms: u64) -> Result<Device, StoreError> {
        let Read {
            mut device,
            earlier,
        } = read;
        let Some(Earlier { v1_risks, legacy }) = earlier else {
            return Ok(device);
        };
        convert_v1(&mut device, v1_risks, now_ms);
        let count = layout::buckets_for(device.record_count()).max(self.buckets.get());
        let mut set = self.write_set(&mut device, Some(count));
        set.emptied = legacy;
        self.commit(set).await?;
        Ok(device)
    }

    /// Takes what the device changed since the last write, as one write set.
    pub fn prepare(&self, device: &mut Device) -> WriteSet {
        let relayout = layout::outgrown(device.record_count(), self.buckets.get())
            .then(|| layout::buckets_for(device.record_count()));
        self.write_set(device, relayout)
    }

    /// The device's changes, with every bucket rewritten when the count changes to `relayout`.
    fn write_set(&self, device: &mut Device, relayout: Option<u32>) -> WriteSet {
        let changes = device.take_changes();
        let current = self.buckets.get();
        let buckets = match relayout {
            Some(count) => device.packed_buckets(&(0..count).collect(), count),
            None => {
                let touched: BTreeSet<u32> = changes
                    .records
                    .iter()
                    .map(|row| layout::bucket_of(row.id, current))
                    .collect();
                device.packed_buckets(&touched, current)
            }
        };
        WriteSet {
            changes,
            buckets,
            relayout,
            emptied: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Takes and writes what the device changed, in one transaction.
    pub async fn save(&self, device: &mut Device) -> Result<(), StoreError> {
        self.commit(self.prepare(device)).await
    }

    /// Writes one operation's changes in one read-write transaction: all of them or none.
    pub async fn commit(&self, set: WriteSet) -> Result<(), StoreError> {
        let WriteSet {
            changes,
            buckets,
            relayout,
            emptied,
            files,
        } = set;
        let mut stores = vec![BUCKETS, OUTBOX, META];
        stores.extend(&emptied);
        if !files.is_empty() {
            stores.extend([EVIDENCE, UPLOADS]);
        }
        let tx = self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // Requests are issued without waiting for each: a failed one aborts the transaction,
        // and the commit then reports it. Waiting for each would cost an event-loop turn apiece.
        {
            let bucket_store = tx.object_store(BUCKETS)?;
            let meta = tx.object_store(META)?;
            if let Some(count) = relayout {
                drop(bucket_store.clear()?);
                drop(
                    meta.put(count)
                        .with_key(META_BUCKETS.to_owned())
                        .without_key_type()
                        .primitive()?,
                );
            }
            for (bucket, text) in buckets {
                match text {
                    Some(bytes) => drop(
                        bucket_store
                            .put(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(
                                bytes.as_slice(),
                            )))
                            .with_key(bucket)
                            .without_key_type()
                            .primitive()?,
                    ),
                    None => drop(bucket_store.delete(bucket).build()?),
                }
            }
            let outbox = tx.object_store(OUTBOX)?;
            let mut deletes: Vec<(u64, u64)> = Vec::new();
            for (n, (mid, pending)) in changes.queue.into_iter().enumerate() {
                match pending {
                    Some(pending) => {
                        let put = outbox.put(&QueueRow::pack(mid, &pending)).serde()?;
                        // A large write (an import of many rows) waits for every SLICE-th
                        // request, so the rest are issued in a later task and the page stays
                        // responsive; the transaction lives on meanwhile.
                        if (n + 1) % SLICE == 0 {
                            put.await?;
                        }
                    }
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
            for store in emptied {
                drop(tx.object_store(store)?.clear()?);
            }
            if !files.is_empty() {
                let (evidence, uploads) = (tx.object_store(EVIDENCE)?, tx.object_store(UPLOADS)?);
                for file in &files {
                    drop(evidence.put(file.row()?).primitive()?);
                    let upload = Upload {
                        sha256: file.file.sha256.clone(),
                        refused: None,
                    };
                    drop(uploads.put(&upload).serde()?);
                }
            }
        }
        tx.commit().await?;
        if let Some(count) = relayout {
            self.buckets.set(count);
        }
        Ok(())
    }

    /// Replaces everything this database holds with a register restored from an export, in
    /// one transaction: all of it is kept, or nothing changes. `device` holds the records as
    /// the history produces them; the history itself and the files are kept beside them.
    pub async fn replace_with(
        &self,
        device: &mut Device,
        history: &[LogEntry],
        files: &[NewFile],
        restored: &Restored,
    ) -> Result<(), StoreError> {
        let count = layout::buckets_for(device.record_count());
        let changes = device.take_changes();
        let buckets = device.packed_buckets(&(0..count).collect(), count);
        let stores = [BUCKETS, OUTBOX, META, EVIDENCE, UPLOADS, HISTORY];
        let tx = self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        {
            for store in stores {
                drop(tx.object_store(store)?.clear()?);
            }
            let meta = tx.object_store(META)?;
            drop(
                meta.put(count)
                    .with_key(META_BUCKETS.to_owned())
                    .without_key_type()
                    .primitive()?,
            );
            drop(
                meta.put(&changes.meta)
                    .with_key(META_DEVICE.to_owned())
                    .without_key_type()
                    .serde()?,
            );
            drop(
                meta.put(restored)
                    .with_key(META_RESTORED.to_owned())
                    .without_key_type()
                    .serde()?,
            );
            let bucket_store = tx.object_store(BUCKETS)?;
            for (bucket, bytes) in buckets {
                if let Some(bytes) = bytes {
                    drop(
                        bucket_store
                            .put(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(
                                bytes.as_slice(),
                            )))
                            .with_key(bucket)
                            .without_key_type()
                            .primitive()?,
                    );
                }
            }
            let history_store = tx.object_store(HISTORY)?;
            for (n, chunk) in history.chunks(HISTORY_CHUNK).enumerate() {
                let bytes = register::archive::log_bytes(chunk);
                drop(
                    history_store
                        .put(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(
                            bytes.as_slice(),
                        )))
                        .with_key(n as u32)
                        .without_key_type()
                        .primitive()?,
                );
            }
            let evidence = tx.object_store(EVIDENCE)?;
            for file in files {
                drop(evidence.put(file.row()?).primitive()?);
            }
        }
        tx.commit().await?;
        self.buckets.set(count);
        Ok(())
    }

    /// The log this register keeps from an export it was restored from, oldest first (empty
    /// for any other register: an organisation's log is on its server).
    pub async fn history(&self) -> Result<Vec<LogEntry>, StoreError> {
        let tx = self.db.transaction(HISTORY).build()?;
        let chunks = tx
            .object_store(HISTORY)?
            .get_all::<wasm_bindgen::JsValue>()
            .primitive()?
            .await?;
        let mut entries = Vec::new();
        for chunk in chunks {
            let bytes = js_sys::Uint8Array::new(&chunk?).to_vec();
            entries.extend(register::archive::parse_log(&bytes).map_err(StoreError::Storage)?);
        }
        Ok(entries)
    }

    /// Where this register was restored from, if it was.
    pub async fn restored(&self) -> Result<Option<Restored>, StoreError> {
        self.meta_value(META_RESTORED).await
    }

    /// When this register was last exported on this device.
    pub async fn last_exported_ms(&self) -> Result<Option<u64>, StoreError> {
        self.meta_value(META_EXPORTED).await
    }

    pub async fn put_last_exported_ms(&self, ms: u64) -> Result<(), StoreError> {
        self.put_meta_value(META_EXPORTED, &ms).await
    }

    async fn meta_value<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(META).build()?;
        Ok(tx.object_store(META)?.get(key.to_owned()).serde()?.await?)
    }

    async fn put_meta_value<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(META)?
            .put(value)
            .with_key(key.to_owned())
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sync_settings(&self) -> Result<Option<SyncSettings>, StoreError> {
        self.meta_value(META_SYNC).await
    }

    pub async fn put_sync_settings(&self, settings: &SyncSettings) -> Result<(), StoreError> {
        self.put_meta_value(META_SYNC, settings).await
    }

    /// Keeps a file's bytes on the device under their SHA-256 (computed here, so the key
    /// always matches the content), as fetched from the server: it is not queued for upload.
    /// Storing the same bytes twice keeps one copy.
    pub async fn put_evidence(
        &self,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<EvidenceFile, StoreError> {
        let file = NewFile::from_bytes(bytes, media_type)?;
        let tx = self
            .db
            .transaction(EVIDENCE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(EVIDENCE)?
            .put(file.row()?)
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(file.file)
    }

    /// The files waiting for the server, oldest attached first.
    pub async fn uploads(&self) -> Result<Vec<Upload>, StoreError> {
        let tx = self.db.transaction(UPLOADS).build()?;
        let rows = tx.object_store(UPLOADS)?.get_all().serde()?.await?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The server took the file (or refused it, with why): it is not offered again.
    pub async fn upload_done(
        &self,
        sha256: &str,
        refused: Option<String>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(UPLOADS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let uploads = tx.object_store(UPLOADS)?;
        match refused {
            None => uploads.delete(sha256.to_owned()).build()?.await?,
            Some(reason) => {
                let upload = Upload {
                    sha256: sha256.to_owned(),
                    refused: Some(reason),
                };
                uploads.put(&upload).serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(())
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

/// Brings a database from `old` (0 when it is new) to `VERSION`. Stores of earlier versions
/// stay until `Store::load` has converted their data; a new database never gets them.
fn upgrade(old: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old < 2 {
        db.create_object_store(OUTBOX)
            .with_key_path(KeyPath::One("mid"))
            .build()?;
        db.create_object_store(META).build()?;
        db.create_object_store(EVIDENCE)
            .with_key_path(KeyPath::One("sha256"))
            .build()?;
    }
    if old < 3 {
        db.create_object_store(BUCKETS).build()?;
    }
    if old < 4 {
        db.create_object_store(UPLOADS)
            .with_key_path(KeyPath::One("sha256"))
            .build()?;
    }
    if old < 5 {
        db.create_object_store(HISTORY).build()?;
    }
    Ok(())
}
