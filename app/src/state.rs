//! App-wide state, provided as context (as in Leptos' todomvc). The register lives in one
//! `Device` in memory; every operation on it is written to IndexedDB in one transaction, and
//! only then are the pages told (`changed`), so the screen never shows what is not durable.

use crate::{
    open_device,
    store::{NewFile, Restored, Store, StoreError, SyncSettings, Upload},
    sync::SyncStatus,
};
use futures_channel::mpsc::UnboundedSender;
use leptos::prelude::*;
use register::{
    FieldError, Kind, RecordId, Role, Value,
    api::MemberInfo,
    gate::{self, Edit, Gate, Who},
    sync::Device,
};
use std::collections::BTreeSet;

#[derive(Clone, Copy)]
pub struct AppState {
    store: StoredValue<Store, LocalStorage>,
    device: StoredValue<Device>,
    changed: Trigger,
    /// Follows `changed` at the browser's next idle moment, once for a burst of changes.
    settled: Trigger,
    /// The same, for each kind of record, when records of that kind were among the changes
    /// (indexed by `Kind as usize`): for figures that read only some kinds.
    settled_kinds: StoredValue<Vec<Trigger>>,
    /// The kinds changed since the register last settled.
    unsettled_kinds: StoredValue<BTreeSet<Kind>>,
    settling: StoredValue<bool>,
    pub online: RwSignal<bool>,
    pub settings: RwSignal<Option<SyncSettings>>,
    pub sync: RwSignal<SyncStatus>,
    pub members: RwSignal<Vec<MemberInfo>>,
    /// A problem to tell the person about (storage failures).
    pub notice: RwSignal<Option<String>>,
    /// Today as `YYYY-MM-DD` in the person's time zone; turns over at midnight, so overdue
    /// flags and due lists follow the calendar without any change to the register.
    pub today: RwSignal<String>,
    kick: StoredValue<Option<UnboundedSender<()>>, LocalStorage>,
    /// The files attached on this device that the sync server has not taken yet.
    pub uploads: RwSignal<Vec<Upload>>,
    /// Files attached with the edits not yet written: the next write keeps them (`attach`).
    files: StoredValue<Vec<NewFile>, LocalStorage>,
    /// The first page is on screen. Code that can wait for it (the dashboard's figures, the
    /// badge beside "My work") is fetched only then, so the first paint waits for nothing
    /// but the main wasm.
    pub painted: RwSignal<bool>,
    /// An export opened to be read (`store::EXPORT_VIEW_DB`): nothing may be written.
    pub read_only: bool,
    /// Where this register came from, when it was restored from an export (or is one, read).
    pub restored: RwSignal<Option<Restored>>,
}

/// Why nothing can be changed in an export opened to be read.
pub const READ_ONLY: &str = "This is an export opened to be read: nothing in it can be changed.";

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Today as `YYYY-MM-DD`, in the person's time zone, read from the clock.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// Moves `today` on when the date has changed: checked every minute, and whenever the window
/// gets focus (a tab in the background, or a laptop waking from sleep, runs timers late).
/// Stops when the app is gone.
pub fn follow_the_calendar(today_signal: RwSignal<String>) {
    let check = move || {
        let Some(shown) = today_signal.try_get_untracked() else {
            return false;
        };
        let now = today();
        if now != shown {
            today_signal.set(now);
        }
        true
    };
    // The app lives as long as the page, so the listener is never removed.
    let _listener = window_event_listener(leptos::ev::focus, move |_| {
        check();
    });
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(60_000).await;
            if !check() {
                return;
            }
        }
    });
}

/// Writes what the device changed since the last write, in one transaction, and says which
/// kinds of record it wrote. The write path (packing buckets, serialising, the transaction)
/// loads with the first edit rather than with the first paint; edits made while it loads are
/// all taken by the first write.
#[cfg_attr(not(feature = "direct-calls"), leptos::lazy)]
async fn persist(state: AppState) -> Result<BTreeSet<Kind>, StoreError> {
    let store = state.store();
    let (write, kinds) = state
        .device
        .try_update_value(|device| {
            // The part spent in memory, apart from waiting for storage (for the bench).
            let preparing = Timing::start("ratchet-prepare");
            let mut write = store.prepare(device);
            preparing.finish();
            write.files = state
                .files
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            let kinds = write
                .changes
                .records
                .iter()
                .filter_map(|row| row.local.as_ref().or(row.confirmed.as_ref()))
                .map(|record| record.kind)
                .collect();
            (write, kinds)
        })
        .expect("the device lives as long as the app");
    store.commit(write).await?;
    Ok(kinds)
}

/// Loads the write path in the background (`routes::preload_pages`).
pub async fn preload_writes() {
    #[cfg(not(feature = "direct-calls"))]
    __preload_persist().await;
}

impl AppState {
    pub fn new(
        store: Store,
        device: Device,
        settings: Option<SyncSettings>,
        online: RwSignal<bool>,
    ) -> Self {
        Self {
            store: StoredValue::new_local(store),
            device: StoredValue::new(device),
            changed: Trigger::new(),
            settled: Trigger::new(),
            settled_kinds: StoredValue::new(Kind::ALL.iter().map(|_| Trigger::new()).collect()),
            unsettled_kinds: StoredValue::new(BTreeSet::new()),
            settling: StoredValue::new(false),
            online,
            settings: RwSignal::new(settings),
            sync: RwSignal::new(SyncStatus::Idle),
            members: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            today: RwSignal::new(today()),
            kick: StoredValue::new_local(None),
            uploads: RwSignal::new(Vec::new()),
            painted: RwSignal::new(false),
            files: StoredValue::new_local(Vec::new()),
            read_only: crate::active_database() == crate::store::EXPORT_VIEW_DB,
            restored: RwSignal::new(None),
        }
    }

    pub fn store(&self) -> Store {
        self.store.get_value()
    }

    /// Reads the register, and re-runs the caller when it changes.
    pub fn read<R>(&self, f: impl FnOnce(&Device) -> R) -> R {
        self.changed.track();
        self.device.with_value(f)
    }

    /// Reads the register, and re-runs the caller once the register has stopped changing for
    /// a moment, in a task of its own: for figures that take long to compute (the dashboard's),
    /// so a burst of changes (the catalogue seeded slice by slice, a sync's pull) neither
    /// recomputes them for each change nor adds their time to the change's task.
    pub fn read_settled<R>(&self, f: impl FnOnce(&Device) -> R) -> R {
        self.settled.track();
        self.device.with_value(f)
    }

    /// `read_settled` for figures that read only records of `kinds`: re-run only when records
    /// of those kinds changed (My work's badge need not follow an audit's checks).
    pub fn read_settled_of<R>(&self, kinds: &[Kind], f: impl FnOnce(&Device) -> R) -> R {
        self.settled_kinds.with_value(|triggers| {
            for kind in kinds {
                triggers[*kind as usize].track();
            }
        });
        self.device.with_value(f)
    }

    pub fn read_untracked<R>(&self, f: impl FnOnce(&Device) -> R) -> R {
        self.device.with_value(f)
    }

    /// Runs `f` on the device, commits what it changed in one transaction, then updates the
    /// screen. If storage refuses, the device is reloaded from storage so memory never holds
    /// what the disk does not.
    pub async fn apply<R>(self, f: impl FnOnce(&mut Device) -> R) -> Result<R, StoreError> {
        let timing = Timing::start("ratchet-durable");
        let result = self
            .device
            .try_update_value(f)
            .expect("the device lives as long as the app");
        match persist(self).await {
            Ok(kinds) => {
                timing.finish();
                self.notify(kinds);
                Ok(result)
            }
            Err(error) => {
                let client = self.read_untracked(|d| d.client);
                if let Ok(device) = open_device(&self.store(), client, now_ms()).await {
                    self.device.set_value(device);
                }
                self.notify(Kind::ALL.iter().copied().collect());
                self.notice.set(Some(error.to_string()));
                Err(error)
            }
        }
    }

    /// Tells the pages records of `kinds` changed: those reading the register at once, and
    /// those reading it settled at the next idle moment.
    fn notify(self, kinds: BTreeSet<Kind>) {
        self.changed.notify();
        self.unsettled_kinds
            .update_value(|unsettled| unsettled.extend(kinds));
        if self.settling.get_value() {
            return;
        }
        self.settling.set_value(true);
        leptos::task::spawn_local(async move {
            crate::routes::idle().await;
            // The app is gone (a test unmounts it) once the value is.
            if self.settling.try_set_value(false).is_none() {
                self.settled.notify();
                let kinds = self
                    .unsettled_kinds
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                self.settled_kinds.with_value(|triggers| {
                    for kind in kinds {
                        triggers[kind as usize].notify();
                    }
                });
            }
        });
    }

    /// The role this device acts with (an owner's, when it syncs with no one).
    pub fn role(&self) -> Role {
        self.settings.track();
        self.members.track();
        self.role_untracked()
    }

    fn role_untracked(&self) -> Role {
        let Some(settings) = self.settings.get_untracked() else {
            return Role::Owner;
        };
        let me = &settings.credential.member;
        self.members
            .with_untracked(|members| members.iter().find(|m| &m.member == me).map(|m| m.role))
            .unwrap_or(settings.credential.role)
    }

    pub fn may_write(&self, kind: Kind) -> bool {
        !self.read_only && self.role().may_write(kind)
    }

    pub fn may_create(&self, kind: Kind) -> bool {
        !self.read_only && self.role().may_create(kind)
    }

    /// The member this device belongs to, when it syncs with an organisation.
    pub fn me(&self) -> Option<String> {
        self.settings
            .with(|s| s.as_ref().map(|s| s.credential.member.clone()))
    }

    /// The organisation's current members as `(member id, name)`; this device's member is
    /// always among them, even before the members list has loaded. A register kept on this
    /// device alone (the demo's, say) has no members list: its people are its member records.
    pub fn people(&self) -> Vec<(String, String)> {
        // A register restored from an organisation's export names that organisation's members.
        if self.settings.with(Option::is_none) && self.members.with(Vec::is_empty) {
            return self.read(|d| {
                d.local
                    .all::<register::views::Member>()
                    .into_iter()
                    .map(|m| (m.id.to_string(), m.name.unwrap_or_default()))
                    .collect()
            });
        }
        let mut people: Vec<(String, String)> = self
            .members
            .get()
            .into_iter()
            .filter(|m| !m.revoked)
            .map(|m| (m.member, m.name))
            .collect();
        if let Some(settings) = self.settings.get()
            && !people
                .iter()
                .any(|(id, _)| *id == settings.credential.member)
        {
            people.push((settings.credential.member, settings.credential.member_name));
        }
        people
    }

    /// A member's name, if they are among `people`.
    pub fn name_of(&self, member: RecordId) -> Option<String> {
        let member = member.to_string();
        self.people()
            .into_iter()
            .find(|(id, _)| *id == member)
            .map(|(_, name)| name)
    }

    /// The ids of the organisation's current members, once the list has loaded; none for a
    /// register kept on this device alone.
    fn member_ids(&self) -> Option<BTreeSet<String>> {
        if self.settings.with_untracked(Option::is_none) {
            return None;
        }
        let ids: BTreeSet<String> = self.members.with_untracked(|members| {
            members
                .iter()
                .filter(|m| !m.revoked)
                .map(|m| m.member.clone())
                .collect()
        });
        (!ids.is_empty()).then_some(ids)
    }

    /// Judges a change set with the register's gate, as this device's member and role, as
    /// the server will judge it: each refusal at its field.
    pub fn judge(&self, set: &[Edit]) -> Result<(), Vec<FieldError>> {
        let me = self.me();
        let who = Who {
            member: me.as_deref(),
            role: self.role_untracked(),
        };
        let gate = Gate {
            members: self.member_ids(),
            today: Some(self.today.get_untracked()),
        };
        let changes = gate::changes_in(set);
        self.read_untracked(|d| {
            gate.field_errors(who, &changes, &d.local, &|r| d.local.record(r).is_none())
        })
    }

    /// Stores a change set once the gate accepts it, in one transaction, then asks to sync:
    /// the one way a page changes the register.
    pub async fn commit(self, set: Vec<Edit>) -> Result<(), Vec<FieldError>> {
        if self.read_only {
            return Err(vec![FieldError {
                field: String::new(),
                message: READ_ONLY.to_owned(),
            }]);
        }
        self.judge(&set)?;
        self.store_judged(set).await
    }

    /// Stores a change set the gate has accepted, in one transaction, then asks to sync.
    async fn store_judged(self, set: Vec<Edit>) -> Result<(), Vec<FieldError>> {
        let now = now_ms();
        self.apply(move |device| {
            for edit in set {
                for (field, value) in edit.fields {
                    device.edit(edit.record, edit.kind, field, value, now);
                }
            }
        })
        .await
        .map_err(|e| {
            vec![FieldError {
                field: String::new(),
                message: e.to_string(),
            }]
        })?;
        self.kick_sync();
        Ok(())
    }

    /// Creates a record once the gate accepts it.
    pub async fn create(
        self,
        kind: Kind,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<RecordId, Vec<FieldError>> {
        let record = RecordId::new();
        self.commit(vec![Edit {
            record,
            kind,
            fields,
        }])
        .await?;
        Ok(record)
    }

    /// Keeps a file with a new Evidence record describing it (`fields`: its title, links,
    /// dates), in one transaction: after a crash or a closed tab there is both or neither.
    /// The file is checked as the sync server will check it, and waits in the upload queue
    /// until the server takes it.
    pub async fn attach(
        self,
        file: NewFile,
        mut fields: Vec<(&'static str, Value)>,
        file_name: &str,
    ) -> Result<RecordId, Vec<FieldError>> {
        use register::views::Evidence;
        let described = &file.file;
        engine::files::FileLimits::default()
            .check_offer(
                &described.sha256,
                Some(described.size),
                &described.media_type,
            )
            .map_err(|refusal| {
                vec![FieldError {
                    field: Evidence::sha256.to_owned(),
                    message: refusal.to_string(),
                }]
            })?;
        if !self.may_write(Kind::Evidence) {
            return Err(vec![FieldError {
                field: Evidence::sha256.to_owned(),
                message: format!("A {} cannot add evidence.", self.role().name()),
            }]);
        }
        let captured_by = self.me().and_then(|m| m.parse::<RecordId>().ok());
        fields.extend([
            (Evidence::sha256, Value::from(described.sha256.as_str())),
            (Evidence::size, Value::Int(described.size as i64)),
            (
                Evidence::media_type,
                Value::from(described.media_type.as_str()),
            ),
            (Evidence::file_name, Value::from(file_name)),
            (
                Evidence::captured_at,
                Value::from(crate::components::record::now_stored()),
            ),
        ]);
        if let Some(me) = captured_by {
            fields.push((Evidence::captured_by, Value::from(me.to_string())));
        }
        let record = RecordId::new();
        let set = vec![Edit {
            record,
            kind: Kind::Evidence,
            fields,
        }];
        self.judge(&set)?;
        // No await between queueing the file and the edits: the write that takes one takes both.
        self.files.update_value(|files| files.push(file));
        self.store_judged(set).await?;
        self.refresh_uploads().await;
        Ok(record)
    }

    /// Reads the upload queue again (after a file is attached or the server took one).
    pub async fn refresh_uploads(self) {
        if let Ok(uploads) = self.store().uploads().await {
            self.uploads.try_set(uploads);
        }
    }

    /// Changes one field of a record, after checking the value.
    pub async fn set(
        self,
        id: RecordId,
        kind: Kind,
        field: &'static str,
        value: Value,
    ) -> Result<(), FieldError> {
        self.update(id, kind, vec![(field, value)])
            .await
            .map_err(|mut errors| errors.remove(0))
    }

    /// Changes several fields of a record in one transaction, once the gate accepts them.
    /// Lists every problem, so a form can show each at its field.
    pub async fn update(
        self,
        record: RecordId,
        kind: Kind,
        fields: Vec<(&'static str, Value)>,
    ) -> Result<(), Vec<FieldError>> {
        self.commit(vec![Edit {
            record,
            kind,
            fields,
        }])
        .await
    }

    pub fn set_kick(&self, sender: UnboundedSender<()>) {
        self.kick.set_value(Some(sender));
    }

    /// Asks the sync loop to run soon (it debounces and never runs twice at once).
    pub fn kick_sync(&self) {
        self.kick.with_value(|kick| {
            if let Some(kick) = kick {
                let _ = kick.unbounded_send(());
            }
        });
    }
}

pub fn use_app_state() -> AppState {
    expect_context()
}

/// A User Timing measure (visible in the browser's performance tools and read by the
/// benchmarks): from `start` until `finish`. Overlapping timings of one name measure from the
/// latest start.
pub struct Timing {
    name: &'static str,
}

impl Timing {
    fn start_mark(name: &str) -> String {
        format!("{name}-start")
    }

    pub fn start(name: &'static str) -> Self {
        if let Some(performance) = window().performance() {
            let _ = performance.mark(&Self::start_mark(name));
        }
        Self { name }
    }

    pub fn finish(self) {
        if let Some(performance) = window().performance() {
            let start = Self::start_mark(self.name);
            let _ = performance.measure_with_start_mark(self.name, &start);
            performance.clear_marks_with_mark_name(&start);
        }
    }
}
