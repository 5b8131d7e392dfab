//! The IndexedDB store in a real headless Chromium: write, read back, close, reopen.

use app::store::{Store, StoreError};
use register::{RecordId, Risk};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn risk(title: &str, likelihood: u8, impact: u8) -> Risk {
    Risk {
        id: RecordId::new(),
        title: title.into(),
        likelihood,
        impact,
    }
}

fn unique_name(test: &str) -> String {
    format!("ratchet-test-{test}-{}", RecordId::new())
}

#[wasm_bindgen_test]
async fn risks_survive_closing_and_reopening_the_database() -> Result<(), StoreError> {
    let name = unique_name("reopen");
    let store = Store::open(&name).await?;
    assert!(
        store.risks().await?.is_empty(),
        "a new database starts empty"
    );
    let phishing = risk("Phishing", 4, 3);
    let outage = risk("Supplier outage", 2, 5);
    store.put_risk(&phishing).await?;
    store.put_risk(&outage).await?;
    store.close();

    let reopened = Store::open(&name).await?;
    assert_eq!(reopened.risks().await?, vec![phishing.clone(), outage]);

    // Putting a risk with the same id replaces it rather than adding a second one.
    let rescored = Risk {
        likelihood: 1,
        ..phishing
    };
    reopened.put_risk(&rescored).await?;
    let risks = reopened.risks().await?;
    assert_eq!(risks.len(), 2);
    assert_eq!(risks[0], rescored);
    reopened.close();
    Store::delete(&name).await
}

#[wasm_bindgen_test]
async fn deleting_a_database_removes_its_records() -> Result<(), StoreError> {
    let name = unique_name("delete");
    let store = Store::open(&name).await?;
    store.put_risk(&risk("Lost badge", 3, 2)).await?;
    store.close();
    Store::delete(&name).await?;
    let fresh = Store::open(&name).await?;
    assert!(fresh.risks().await?.is_empty());
    fresh.close();
    Store::delete(&name).await
}

#[wasm_bindgen_test]
async fn databases_do_not_share_records() -> Result<(), StoreError> {
    let (a_name, b_name) = (unique_name("a"), unique_name("b"));
    let a = Store::open(&a_name).await?;
    let b = Store::open(&b_name).await?;
    a.put_risk(&risk("Only in A", 1, 1)).await?;
    assert!(b.risks().await?.is_empty());
    assert_eq!(a.risks().await?.len(), 1);
    a.close();
    b.close();
    Store::delete(&a_name).await?;
    Store::delete(&b_name).await
}
