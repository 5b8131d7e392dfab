//! The IndexedDB store in a real headless Chromium: durability across reopening, one
//! transaction per write (all or nothing), the upgrade from version 1 with real data,
//! one database per organisation, and evidence files.

use app::store::{Store, StoreError, org_db_name};
use indexed_db_futures::{KeyPath, database::Database, prelude::*, transaction::TransactionMode};
use register::{
    ClientId, Kind, RecordId, Role, Value,
    device::{Changes, Device},
    views,
    wire::Credential,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_800_000_000_000;

fn unique_name(test: &str) -> String {
    format!("ratchet-test-{test}-{}", RecordId::new())
}

fn add_risk(device: &mut Device, title: &str, likelihood: i64) -> RecordId {
    let id = RecordId::new();
    device.edit(id, Kind::Risk, "title", title.into(), NOW);
    device.edit(
        id,
        Kind::Risk,
        "inherent_likelihood",
        Value::Int(likelihood),
        NOW,
    );
    device.edit(id, Kind::Risk, "inherent_impact", Value::Int(3), NOW);
    id
}

#[wasm_bindgen_test]
async fn edits_survive_closing_and_reopening() -> Result<(), StoreError> {
    let name = unique_name("reopen");
    let store = Store::open(&name).await?;
    let client = ClientId::new();
    let mut device = store.load(client, NOW).await?;
    assert!(device.local.is_empty(), "a new database starts empty");
    let id = add_risk(&mut device, "Phishing", 4);
    store.write(device.take_changes()).await?;
    device.edit(
        id,
        Kind::Risk,
        "title",
        "Phishing of finance staff".into(),
        NOW + 1,
    );
    store.write(device.take_changes()).await?;
    store.close();

    let reopened = Store::open(&name).await?;
    let loaded = reopened.load(ClientId::new(), NOW).await?;
    assert_eq!(loaded.client, client, "the device keeps its client id");
    assert_eq!(loaded.local, device.local);
    assert_eq!(loaded.pending(), 4);
    assert_eq!(loaded.push_request(500), device.push_request(500));
    let risk: views::Risk = loaded.local.view(id).unwrap();
    assert_eq!(risk.title.as_deref(), Some("Phishing of finance staff"));
    reopened.close();
    Store::delete(&name).await
}

#[wasm_bindgen_test]
async fn a_write_is_all_or_nothing() -> Result<(), StoreError> {
    let name = unique_name("atomic");
    let store = Store::open(&name).await?;
    let mut device = store.load(ClientId::new(), NOW).await?;
    let kept = add_risk(&mut device, "Kept", 2);
    store.write(device.take_changes()).await?;

    // A write set whose last part cannot be stored (a number beyond what JavaScript holds
    // exactly): its records and outbox entries must not be stored either.
    let lost = add_risk(&mut device, "Never stored", 5);
    let mut changes: Changes = device.take_changes();
    let mut impossible = device.push_request(500).unwrap().ops[0].clone();
    impossible.mid = u64::MAX;
    changes
        .queue
        .push((u64::MAX, Some(register::device::Pending::Op(impossible))));
    assert!(store.write(changes).await.is_err(), "the write must fail");
    store.close();

    let reopened = Store::open(&name).await?;
    let loaded = reopened.load(ClientId::new(), NOW).await?;
    assert!(loaded.local.record(kept).is_some());
    assert!(
        loaded.local.record(lost).is_none(),
        "no record from the failed write"
    );
    assert_eq!(loaded.pending(), 3, "no outbox entry from the failed write");
    reopened.close();
    Store::delete(&name).await
}

/// Makes a database exactly as the first release did: version 1, risks in `records`.
async fn create_version_1(name: &str, risks: &[(&str, &str, u8, u8)]) {
    let db = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db: Database| {
            let records = db
                .create_object_store("records")
                .with_key_path(KeyPath::One("id"))
                .build()?;
            records
                .create_index("by_kind", KeyPath::One("kind"))
                .build()?;
            Ok(())
        })
        .await
        .unwrap();
    let tx = db
        .transaction("records")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store("records").unwrap();
    for (id, title, likelihood, impact) in risks {
        let row = serde_json::json!({
            "id": id, "kind": "risk",
            "body": {"id": id, "title": title, "likelihood": likelihood, "impact": impact}
        });
        store.put(&row).serde().unwrap().await.unwrap();
    }
    drop(store);
    tx.commit().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn upgrading_from_version_1_keeps_every_record() -> Result<(), StoreError> {
    let name = unique_name("upgrade");
    let (a, b) = (RecordId::new(), RecordId::new());
    create_version_1(
        &name,
        &[
            (&a.to_string(), "Laptop theft", 4, 5),
            (&b.to_string(), "Supplier outage", 2, 3),
        ],
    )
    .await;

    let store = Store::open(&name).await?;
    let device = store.load(ClientId::new(), NOW).await?;
    let risks: Vec<views::Risk> = device.local.all();
    assert_eq!(risks.len(), 2);
    let laptop: views::Risk = device.local.view(a).unwrap();
    assert_eq!(laptop.title.as_deref(), Some("Laptop theft"));
    assert_eq!(laptop.inherent_score(), Some(20));
    assert_eq!(
        device.pending(),
        6,
        "converted risks wait to sync like any edit"
    );
    store.close();

    // Opening again converts nothing twice.
    let again = Store::open(&name).await?;
    let reloaded = again.load(ClientId::new(), NOW).await?;
    assert_eq!(reloaded.local, device.local);
    assert_eq!(reloaded.pending(), 6);
    again.close();
    Store::delete(&name).await
}

fn credential(org: &str) -> Credential {
    Credential {
        org: org.into(),
        org_name: org.into(),
        member: RecordId::new().to_string(),
        member_name: "Tess".into(),
        role: Role::Editor,
        client: ClientId::new(),
        token: "not used here".into(),
    }
}

#[wasm_bindgen_test]
async fn each_organisation_has_its_own_database_and_leaving_wipes_it() -> Result<(), StoreError> {
    let (alpha, beta) = (
        credential(&unique_name("alpha")),
        credential(&unique_name("beta")),
    );
    let (alpha_db, beta_db) = (org_db_name(&alpha), org_db_name(&beta));
    assert_ne!(alpha_db, beta_db);
    let a = Store::open(&alpha_db).await?;
    let b = Store::open(&beta_db).await?;
    let mut device = a.load(alpha.client, NOW).await?;
    add_risk(&mut device, "Only Alpha's", 1);
    a.write(device.take_changes()).await?;
    assert!(b.load(beta.client, NOW).await?.local.is_empty());
    assert_eq!(a.load(alpha.client, NOW).await?.local.len(), 1);

    a.close();
    Store::delete(&alpha_db).await?;
    let after = Store::open(&alpha_db).await?;
    assert!(
        after.load(alpha.client, NOW).await?.local.is_empty(),
        "leaving wiped it"
    );
    after.close();
    b.close();
    Store::delete(&alpha_db).await?;
    Store::delete(&beta_db).await
}

#[wasm_bindgen_test]
async fn evidence_files_are_kept_by_content_hash() -> Result<(), StoreError> {
    let name = unique_name("evidence");
    let store = Store::open(&name).await?;
    let photo = b"\x89PNG pretend photo bytes".to_vec();
    let first = store.put_evidence(&photo, "image/png").await?;
    let second = store.put_evidence(&photo, "image/png").await?;
    assert_eq!(first, second, "the same bytes are one file");
    assert_eq!(first.sha256.len(), 64);
    let (file, blob) = store.evidence(&first.sha256).await?.expect("stored");
    assert_eq!(file.size, photo.len() as u64);
    assert_eq!(blob.size() as usize, photo.len());
    assert_eq!(blob.type_(), "image/png");
    assert!(store.evidence(&"0".repeat(64)).await?.is_none());
    store.close();
    Store::delete(&name).await
}
