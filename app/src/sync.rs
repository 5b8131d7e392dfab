//! Background sync. One loop per app, so never more than one sync is in flight. It runs on
//! start, when the browser comes online, shortly after local edits, and every half minute
//! while the page is visible; after a failure it waits longer each time (with jitter). A
//! request that stops making progress is given up (`api`), and pushes then get smaller until
//! they fit the link (`engine::pace`).

use crate::{
    api::{Api, ApiError},
    state::{AppState, now_ms},
};
use engine::pace::PushPace;
use futures_util::{StreamExt, future::select, pin_mut};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

/// Whether this app has heard the server's time since it started (`server_clock`).
static SERVER_TIME_HEARD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

const PERIOD_MS: u32 = 30_000;
const DEBOUNCE_MS: u32 = 300;
const BACKOFF_MAX_MS: f64 = 60_000.0;

#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatus {
    /// Not joined to any organisation: everything stays on this device.
    LocalOnly,
    Offline,
    Idle,
    Syncing {
        done: u64,
        total: u64,
    },
    Synced {
        at_ms: u64,
    },
    Error {
        message: String,
    },
}

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("the server's history does not match what this device verified earlier ({0})")]
    Chain(#[from] register::ChainError),
}

pub fn start(state: AppState) {
    let (kick, mut kicks) = futures_channel::mpsc::unbounded::<()>();
    state.set_kick(kick);
    state.kick_sync();
    leptos::task::spawn_local(async move {
        let mut failures = 0u32;
        // A limit the server named (429) says exactly when to try again.
        let mut retry_after_ms: Option<u32> = None;
        // How much one push carries: less after a push ran out of time on a slow link.
        let mut pace = PushPace::default();
        loop {
            let wait = if let Some(ms) = retry_after_ms.take() {
                ms
            } else if failures == 0 {
                PERIOD_MS
            } else {
                let base = (1000.0 * 2f64.powi(failures as i32 - 1)).min(BACKOFF_MAX_MS);
                (base * (0.5 + js_sys::Math::random())) as u32
            };
            let kicked = {
                let next = kicks.next();
                let timeout = TimeoutFuture::new(wait);
                pin_mut!(next);
                matches!(
                    select(next, timeout).await,
                    futures_util::future::Either::Left(_)
                )
            };
            if kicked {
                TimeoutFuture::new(DEBOUNCE_MS).await;
                while kicks.try_recv().is_ok() {}
            } else if document().hidden() && failures == 0 {
                continue;
            }
            if state.settings.get_untracked().is_none() {
                state.sync.set(SyncStatus::LocalOnly);
                continue;
            }
            if !state.online.get_untracked() {
                state.sync.set(SyncStatus::Offline);
                continue;
            }
            let (result, paced) = run_once(state, pace).await;
            pace = paced;
            match result {
                Ok(()) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    if let SyncError::Api(ApiError::Refused { body, .. }) = &error {
                        retry_after_ms = body
                            .retry_after_seconds
                            .map(|s| u32::try_from(s.saturating_mul(1000)).unwrap_or(u32::MAX));
                    }
                    state.sync.set(SyncStatus::Error {
                        message: error.to_string(),
                    });
                }
            }
        }
    });
}

/// What an answer tells the device about the server's clock, to apply with the answer.
fn server_clock(server_ms: Option<u64>) -> impl FnOnce(&mut register::sync::Device) {
    let local = now_ms();
    move |device| {
        if let Some(server_ms) = server_ms {
            device.observe_server_time(server_ms, local);
            SERVER_TIME_HEARD.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// One sync, and the pace it leaves. Its code (the protocol, the HTTP client, the chain's
/// check) is loaded on the first sync, not with the first paint: a register kept on this
/// device alone never needs it, and a joined one needs it only after the page is drawn.
#[leptos::lazy]
async fn run_once(state: AppState, mut pace: PushPace) -> (Result<(), SyncError>, PushPace) {
    let result = push_then_pull(state, &mut pace).await;
    (result, pace)
}

/// Loads the sync code in the background (`routes::preload_pages`).
pub async fn preload() {
    __preload_run_once().await;
}

/// Offers the server the files attached on this device, oldest first, after the records that
/// name them. A file the server refuses for what it is (too large, a type it does not take,
/// a role that may not add evidence) is not offered again, and its evidence says why; a
/// dropped connection ends the round, and the next round goes on from that file.
async fn upload_files(state: AppState, api: &Api) -> Result<(), SyncError> {
    let store = state.store();
    let waiting: Vec<_> = store
        .uploads()
        .await?
        .into_iter()
        .filter(|upload| upload.refused.is_none())
        .collect();
    for upload in waiting {
        let outcome = match store.evidence(&upload.sha256).await? {
            None => Some("The file is no longer on this device.".to_owned()),
            Some((_, blob)) => match api.upload(&upload.sha256, blob).await {
                Ok(_) => None,
                Err(ApiError::Refused { status, body })
                    if (400..500).contains(&status) && status != 401 && status != 429 =>
                {
                    Some(body.error.message)
                }
                Err(error) => return Err(error.into()),
            },
        };
        store.upload_done(&upload.sha256, outcome).await?;
        state.refresh_uploads().await;
    }
    Ok(())
}

/// Pulls the log's next page and applies it: whether more follow, the log's head and how far
/// this device now has it.
async fn pull_page(state: AppState, api: &Api) -> Result<(bool, u64, u64), SyncError> {
    let cursor = state.read_untracked(|d| d.cursor);
    let answer = api.pull(cursor).await;
    let clock = server_clock(answer.server_ms);
    let page = answer.result?;
    let (more, head, next) = (page.more, page.head, page.next);
    state
        .apply(move |d| {
            clock(d);
            d.on_pulled(&page)
        })
        .await??;
    Ok((more, head, next))
}

/// Pushes the whole outbox in batches, then pulls until the device has the whole log.
async fn push_then_pull(state: AppState, pace: &mut PushPace) -> Result<(), SyncError> {
    let Some(settings) = state.settings.get_untracked() else {
        return Ok(());
    };
    let timing = crate::state::Timing::start("ratchet-sync");
    let api = Api::new(&settings.server, &settings.credential);
    let pending = state.read_untracked(|d| d.pending() as u64);
    state.sync.set(SyncStatus::Syncing {
        done: 0,
        total: pending,
    });
    // Changes made since the app started were stamped by this device's clock, which may be
    // wrong: until the server has told the time, its first pull page comes first, so that
    // a slow clock's changes are sent again stamped when they were made, and a fast one's
    // stamped again, before they are sent (`observe_server_time`).
    if pending > 0 && !SERVER_TIME_HEARD.load(std::sync::atomic::Ordering::Relaxed) {
        pull_page(state, &api).await?;
    }
    // Bounded: each round acknowledges or withdraws at least one entry.
    for _round in 0..10_000 {
        let Some(request) = state.read_untracked(|d| d.push_request_within(pace.ops, pace.bytes))
        else {
            break;
        };
        let answer = api.push(&request).await;
        let clock = server_clock(answer.server_ms);
        match answer.result {
            Ok(response) => {
                *pace = pace.faster();
                state
                    .apply(|d| {
                        clock(d);
                        d.on_pushed(&response)
                    })
                    .await?
            }
            Err(ApiError::Refused { status, body }) if status == 422 || status == 403 => {
                if body.rejections.is_empty() {
                    return Err(ApiError::Refused { status, body }.into());
                }
                // A refusal for a clock far ahead is answered by stamping again, not giving up.
                state
                    .apply(|d| {
                        clock(d);
                        d.on_refused(&body)
                    })
                    .await?;
            }
            Err(error) => {
                if matches!(error, ApiError::TimedOut(_)) {
                    *pace = pace.slower();
                }
                return Err(error.into());
            }
        }
        let left = state.read_untracked(|d| d.pending() as u64);
        state.sync.set(SyncStatus::Syncing {
            done: pending.saturating_sub(left),
            total: pending,
        });
    }
    for _page in 0..100_000 {
        let (more, head, next) = pull_page(state, &api).await?;
        state.sync.set(SyncStatus::Syncing {
            done: next,
            total: head,
        });
        if !more {
            break;
        }
    }
    upload_files(state, &api).await?;
    if let Ok(members) = api.members().await {
        state.members.set(members.members);
    }
    let at_ms = now_ms();
    let updated = crate::store::SyncSettings {
        last_synced_ms: Some(at_ms),
        ..settings
    };
    state.store().put_sync_settings(&updated).await?;
    state.settings.set(Some(updated));
    state.sync.set(SyncStatus::Synced { at_ms });
    timing.finish();
    Ok(())
}
