//! The device's copy of the register, in IndexedDB. Every schema change bumps `VERSION` and
//! adds a step to `upgrade`, so a database created by any earlier release opens with its data.

use indexed_db_futures::{
    KeyPath,
    database::{Database, VersionChangeEvent},
    error::{Error as IdbError, OpenDbError},
    prelude::*,
    transaction::TransactionMode,
};
use register::{RecordId, Risk};
use serde::{Deserialize, Serialize};

/// The database used when the device is not joined to any organisation.
pub const LOCAL_DB: &str = "ratchet-local";
/// Current schema version of the database.
pub const VERSION: u32 = 1;

const RECORDS: &str = "records";
const BY_KIND: &str = "by_kind";

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

/// One row of the `records` store: the kind next to the record so an index can find it.
#[derive(Serialize, Deserialize)]
struct Row<T> {
    id: RecordId,
    kind: String,
    body: T,
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

    /// Writes (or overwrites) a risk in one transaction; durable once this returns.
    pub async fn put_risk(&self, risk: &Risk) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(RECORDS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let row = Row {
            id: risk.id,
            kind: "risk".into(),
            body: risk,
        };
        tx.object_store(RECORDS)?.put(&row).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every risk on the device, oldest first (ids are time-ordered).
    pub async fn risks(&self) -> Result<Vec<Risk>, StoreError> {
        let tx = self.db.transaction(RECORDS).build()?;
        let rows = tx
            .object_store(RECORDS)?
            .index(BY_KIND)?
            .get_all::<Row<Risk>>()
            .with_query("risk")
            .serde()?
            .await?;
        let mut risks = rows
            .map(|row| row.map(|row| row.body))
            .collect::<Result<Vec<_>, _>>()?;
        risks.sort_by_key(|risk| risk.id);
        Ok(risks)
    }

    pub fn close(self) {
        self.db.close();
    }

    /// Removes a whole database from the device.
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Database::delete_by_name(name)?.await?;
        Ok(())
    }
}

/// Brings a database from `old` (0 when it is new) to `VERSION`, one step per version.
fn upgrade(old: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old < 1 {
        let records = db
            .create_object_store(RECORDS)
            .with_key_path(KeyPath::One("id"))
            .build()?;
        records
            .create_index(BY_KIND, KeyPath::One("kind"))
            .build()?;
    }
    Ok(())
}
