//! The IndexedDB store in a real headless Chromium: durability across reopening, one
//! transaction per write (all or nothing), upgrades from versions 1 and 2 with real data,
//! buckets that grow with the register, one database per organisation, and evidence files
//! (kept with their records in one transaction, and queued for upload).

use app::store::{NewFile, Store, StoreError, Upload, org_db_name};
use indexed_db_futures::{KeyPath, database::Database, prelude::*, transaction::TransactionMode};
use register::{
    ClientId, Kind, RecordId, Role, Value,
    api::Credential,
    sync::{Device, Pending},
    views,
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
    store.save(&mut device).await?;
    device.edit(
        id,
        Kind::Risk,
        "title",
        "Phishing of finance staff".into(),
        NOW + 1,
    );
    store.save(&mut device).await?;
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
    store.save(&mut device).await?;

    // A write set whose last part cannot be stored (a number beyond what JavaScript holds
    // exactly): its records and outbox entries must not be stored either.
    let lost = add_risk(&mut device, "Never stored", 5);
    let mut write = store.prepare(&mut device);
    let mut impossible = device.push_request(500).unwrap().ops[0].clone();
    impossible.mid = u64::MAX;
    write
        .changes
        .queue
        .push((u64::MAX, Some(register::sync::Pending::Op(impossible))));
    assert!(store.commit(write).await.is_err(), "the write must fail");
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

/// Makes a database exactly as version 2 did: one record per `register` row (its body as
/// JSON text), the queue in `outbox`, the counters in `meta`.
async fn create_version_2(name: &str, device: &Device, rows: &[(RecordId, serde_json::Value)]) {
    let db = Database::open(name)
        .with_version(2u32)
        .with_on_upgrade_needed(|_, db: Database| {
            let register = db
                .create_object_store("register")
                .with_key_path(KeyPath::One("id"))
                .build()?;
            register
                .create_index("by_kind", KeyPath::One("kind"))
                .build()?;
            db.create_object_store("outbox")
                .with_key_path(KeyPath::One("mid"))
                .build()?;
            db.create_object_store("meta").build()?;
            db.create_object_store("evidence")
                .with_key_path(KeyPath::One("sha256"))
                .build()?;
            Ok(())
        })
        .await
        .unwrap();
    let tx = db
        .transaction(["register", "outbox", "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let register = tx.object_store("register").unwrap();
    for (id, body) in rows {
        let row = serde_json::json!({"id": id, "kind": "risk", "json": body.to_string()});
        register.put(&row).serde().unwrap().await.unwrap();
    }
    let outbox = tx.object_store("outbox").unwrap();
    for op in device.push_request(500).unwrap().ops {
        let json = serde_json::to_string(&Pending::Op(op.clone())).unwrap();
        let row = serde_json::json!({"mid": op.mid, "json": json});
        outbox.put(&row).serde().unwrap().await.unwrap();
    }
    tx.object_store("meta")
        .unwrap()
        .put(&device.meta())
        .with_key("device".to_owned())
        .without_key_type()
        .serde()
        .unwrap()
        .await
        .unwrap();
    drop((register, outbox));
    tx.commit().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn upgrading_from_version_2_keeps_every_record() -> Result<(), StoreError> {
    let name = unique_name("upgrade-v2");
    let mut device = Device::new(ClientId::new());
    let pending = add_risk(&mut device, "Pending on this device", 2);
    let synced = add_risk(&mut device, "Synced", 4);
    let state = |id| serde_json::to_value(device.local.record(id).unwrap()).unwrap();
    // One record only this device has, one the server confirmed as it is shown.
    let rows = [
        (
            pending,
            serde_json::json!({"local": state(pending), "confirmed": "Nothing"}),
        ),
        (
            synced,
            serde_json::json!({"local": state(synced), "confirmed": "SameAsLocal"}),
        ),
    ];
    create_version_2(&name, &device, &rows).await;

    let store = Store::open(&name).await?;
    let loaded = store.load(ClientId::new(), NOW).await?;
    assert_eq!(loaded.client, device.client);
    assert_eq!(loaded.local, device.local);
    assert!(loaded.confirmed.record(pending).is_none());
    assert_eq!(
        loaded.confirmed.record(synced),
        device.local.record(synced),
        "the confirmed state is kept"
    );
    assert_eq!(loaded.push_request(500), device.push_request(500));
    store.close();

    // Converted once: reopening reads the same register from its buckets.
    let again = Store::open(&name).await?;
    let reloaded = again.load(ClientId::new(), NOW).await?;
    assert_eq!(reloaded.local, device.local);
    assert_eq!(reloaded.confirmed, loaded.confirmed);
    again.close();
    Store::delete(&name).await
}

#[wasm_bindgen_test]
async fn a_growing_register_is_spread_over_more_buckets() -> Result<(), StoreError> {
    let name = unique_name("buckets");
    let store = Store::open(&name).await?;
    let mut device = store.load(ClientId::new(), NOW).await?;
    add_risk(&mut device, "Before the import", 1);
    store.save(&mut device).await?;
    // Enough records in one write to outgrow the first bucket count.
    let imported: Vec<RecordId> = (0..2_100)
        .map(|i| add_risk(&mut device, &format!("Imported {i}"), 3))
        .collect();
    store.save(&mut device).await?;
    let last = *imported.last().unwrap();
    device.edit(last, Kind::Risk, "title", "Edited after".into(), NOW + 1);
    store.save(&mut device).await?;
    store.close();

    let reopened = Store::open(&name).await?;
    let loaded = reopened.load(ClientId::new(), NOW).await?;
    assert_eq!(loaded.local.len(), 2_101);
    assert_eq!(loaded.local, device.local);
    let edited: views::Risk = loaded.local.view(last).unwrap();
    assert_eq!(edited.title.as_deref(), Some("Edited after"));
    reopened.close();
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
    a.save(&mut device).await?;
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

/// A new Evidence record naming `file`, on `device`.
fn describe(device: &mut Device, file: &NewFile, title: &str) -> RecordId {
    let id = RecordId::new();
    device.edit(id, Kind::Evidence, "title", title.into(), NOW);
    device.edit(
        id,
        Kind::Evidence,
        "sha256",
        file.file.sha256.as_str().into(),
        NOW,
    );
    id
}

#[wasm_bindgen_test]
async fn an_evidence_file_and_its_record_are_kept_together_or_not_at_all() -> Result<(), StoreError>
{
    let name = unique_name("attach");
    let store = Store::open(&name).await?;
    let mut device = store.load(ClientId::new(), NOW).await?;

    let photo = NewFile::from_bytes(b"\xff\xd8 the locked rack", "image/jpeg")?;
    let kept = describe(&mut device, &photo, "Locked rack");
    let mut write = store.prepare(&mut device);
    write.files = vec![photo.clone()];
    store.commit(write).await?;

    // The rest of the write fails (an outbox entry JavaScript cannot hold): neither the file
    // nor its record nor its place in the upload queue is kept.
    let scan = NewFile::from_bytes(b"%PDF-1.7 visitor book", "application/pdf")?;
    let lost = describe(&mut device, &scan, "Visitor book");
    let mut write = store.prepare(&mut device);
    write.files = vec![scan.clone()];
    let mut impossible = device.push_request(500).unwrap().ops[0].clone();
    impossible.mid = u64::MAX;
    write
        .changes
        .queue
        .push((u64::MAX, Some(Pending::Op(impossible))));
    assert!(store.commit(write).await.is_err(), "the write must fail");

    // The file fails (its bytes cannot be stored): its record is not kept either.
    let mut broken = NewFile::from_bytes(b"a receipt", "image/png")?;
    let unstorable: wasm_bindgen::JsValue = js_sys::Function::new_no_args("return 1").into();
    broken.blob = wasm_bindgen::JsCast::unchecked_into(unstorable);
    let also_lost = describe(&mut device, &broken, "Receipt");
    let mut write = store.prepare(&mut device);
    write.files = vec![broken.clone()];
    assert!(
        store.commit(write).await.is_err(),
        "a file that cannot be stored fails the write"
    );
    store.close();

    let reopened = Store::open(&name).await?;
    let loaded = reopened.load(ClientId::new(), NOW).await?;
    assert!(loaded.local.record(kept).is_some());
    let (file, blob) = reopened.evidence(&photo.file.sha256).await?.expect("kept");
    assert_eq!(
        (file.size, blob.type_()),
        (photo.file.size, "image/jpeg".to_owned())
    );
    assert_eq!(
        reopened.uploads().await?,
        [Upload {
            sha256: photo.file.sha256.clone(),
            refused: None
        }],
        "only the kept file waits for upload"
    );
    for (record, file) in [(lost, &scan), (also_lost, &broken)] {
        assert!(
            loaded.local.record(record).is_none(),
            "no record from a failed write"
        );
        assert!(
            reopened.evidence(&file.file.sha256).await?.is_none(),
            "no file from a failed write"
        );
    }

    // Once the server takes the file it leaves the queue; a refused one stays, with why.
    reopened.upload_done(&photo.file.sha256, None).await?;
    assert!(reopened.uploads().await?.is_empty());
    let other = NewFile::from_bytes(b"another", "text/plain")?;
    let mut device = loaded;
    describe(&mut device, &other, "Another");
    let mut write = reopened.prepare(&mut device);
    write.files = vec![other.clone()];
    reopened.commit(write).await?;
    reopened
        .upload_done(&other.file.sha256, Some("Too large.".into()))
        .await?;
    assert_eq!(
        reopened.uploads().await?[0].refused.as_deref(),
        Some("Too large.")
    );
    // A file fetched from the server is kept, but not queued.
    let fetched = reopened
        .put_evidence(b"from the server", "text/plain")
        .await?;
    assert!(reopened.evidence(&fetched.sha256).await?.is_some());
    assert_eq!(reopened.uploads().await?.len(), 1);
    reopened.close();
    Store::delete(&name).await
}

/// A register restored from an export replaces what the database held in one transaction:
/// its records (as the log produces them, nothing left to send), its history (kept in
/// chunks, read back entry for entry), its files and where it came from.
#[wasm_bindgen_test]
async fn a_restore_replaces_the_register_and_keeps_its_history() -> Result<(), StoreError> {
    use register::archive;
    let name = unique_name("restore");
    let store = Store::open(&name).await?;
    let mut old = store.load(ClientId::new(), NOW).await?;
    add_risk(&mut old, "Kept before the restore", 2);
    store.save(&mut old).await?;
    assert!(store.history().await?.is_empty());

    let mut exported = Device::new(ClientId::new());
    for n in 0..1_500 {
        add_risk(&mut exported, &format!("Risk {n}"), 1 + n % 5);
    }
    let (log, _) = archive::device_log(Vec::new(), &exported);
    let bytes = archive::write(archive::Export {
        organisation: None,
        exported_by: None,
        exported_at_ms: NOW,
        log: &log,
        chained_on_export: log.len() as u64,
        members: &[],
        files: Vec::new(),
    })
    .expect("an export");
    let opened = archive::verify(&bytes).opened.expect("intact");
    let mut restored = archive::restored_device(&opened, ClientId::new());
    let file = NewFile::from_bytes(b"%PDF-1.4 restored", "application/pdf")?;
    let from = app::store::Restored {
        organisation: None,
        exported_at: opened.manifest.exported_at.clone(),
        entries: log.len() as u64,
        head: opened.manifest.log.head.clone(),
        restored_ms: NOW,
        members: Vec::new(),
    };
    store
        .replace_with(
            &mut restored,
            &opened.log,
            std::slice::from_ref(&file),
            &from,
        )
        .await?;
    store.close();

    let reopened = Store::open(&name).await?;
    let loaded = reopened.load(ClientId::new(), NOW).await?;
    assert_eq!(
        loaded.local, exported.local,
        "the old register is gone, the file's is here"
    );
    assert_eq!(loaded.pending(), 0, "nothing restored waits to be sent");
    assert_eq!(loaded.cursor, log.len() as u64);
    assert_eq!(reopened.history().await?, log);
    assert_eq!(reopened.restored().await?, Some(from));
    assert!(reopened.evidence(&file.file.sha256).await?.is_some());
    reopened.close();
    Store::delete(&name).await
}
