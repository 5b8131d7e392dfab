//! App-wide state, provided as context (as in Leptos' todomvc): the store handle and the
//! register's records as signals the pages read.

use crate::store::{Store, StoreError};
use leptos::prelude::*;
use register::Risk;

#[derive(Clone, Copy)]
pub struct AppState {
    store: StoredValue<Store, LocalStorage>,
    pub risks: RwSignal<Vec<Risk>>,
    pub online: RwSignal<bool>,
}

impl AppState {
    pub fn new(store: Store, risks: Vec<Risk>, online: RwSignal<bool>) -> Self {
        Self {
            store: StoredValue::new_local(store),
            risks: RwSignal::new(risks),
            online,
        }
    }

    /// Saves a risk to the device first; the UI changes only once it is durable.
    pub async fn save_risk(self, risk: Risk) -> Result<(), StoreError> {
        self.store.get_value().put_risk(&risk).await?;
        self.risks
            .update(|risks| match risks.iter_mut().find(|r| r.id == risk.id) {
                Some(existing) => *existing = risk,
                None => risks.push(risk),
            });
        Ok(())
    }
}

pub fn use_app_state() -> AppState {
    expect_context()
}
