//! Sync benchmarks: 10,000 ops pushed by one member and pulled by another through a real
//! local `wrangler dev`; 20 devices pushing 1,000 ops each at once (latency, and nothing lost
//! or stored twice); and the native cost of validating and applying one 500-op push.

use anyhow::{Context, Result, bail};
use engine::wire::PushResponse;
use integration::{Body, WranglerDev, call};
use register::{
    ClientId, Kind, RecordId, Value,
    api::Credential,
    gate::Author,
    sync::{Device, MemoryServer, PullResponse},
};
use std::time::{Duration, Instant};

pub const SYNC_OPS: usize = 10_000;

pub struct SyncFigures {
    pub push: Duration,
    pub pull: Duration,
    pub plan_500_native: Duration,
    pub load: LoadFigures,
}

/// Devices pushing at once, and ops each.
pub const LOAD_DEVICES: usize = 20;
pub const LOAD_OPS: usize = 1_000;

/// Push latencies of the devices pushing at once, sorted.
pub struct LoadFigures {
    pub pushes: Vec<Duration>,
    pub ops: usize,
    pub elapsed: Duration,
}

impl LoadFigures {
    pub fn percentile(&self, p: usize) -> Duration {
        self.pushes[(self.pushes.len() * p / 100).min(self.pushes.len() - 1)]
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Fills a device with `count` ops: risks of three fields each (title, likelihood, impact).
fn edits(device: &mut Device, count: usize) {
    let now = now_ms();
    for i in 0..count.div_ceil(3) {
        let id = RecordId::new();
        device.edit(
            id,
            Kind::Risk,
            "title",
            Value::Text(format!("Risk {i}")),
            now,
        );
        device.edit(
            id,
            Kind::Risk,
            "inherent_likelihood",
            Value::Int(1 + (i % 5) as i64),
            now,
        );
        device.edit(
            id,
            Kind::Risk,
            "inherent_impact",
            Value::Int(1 + (i % 3) as i64),
            now,
        );
    }
}

pub(crate) fn json_of<T: serde::de::DeserializeOwned>(
    status: u16,
    body: serde_json::Value,
) -> Result<T> {
    if !(200..300).contains(&status) {
        bail!("server answered {status}: {body}");
    }
    Ok(serde_json::from_value(body)?)
}

pub fn measure() -> Result<SyncFigures> {
    let plan_500_native = plan_500_native();
    let server = WranglerDev::start().map_err(anyhow::Error::msg)?;
    let (status, body) = call(
        &server,
        "POST",
        "/api/orgs",
        None,
        Body::Json(serde_json::json!({
            "org_name": "Bench", "owner_name": "Bench A", "setup_code": server.setup_code
        })),
    );
    let a: Credential = json_of(status, body)?;
    let b = join_editor(&server, &a, "Bench B")?;

    let mut device_a = Device::new(a.client);
    edits(&mut device_a, SYNC_OPS);
    let started = Instant::now();
    while let Some(request) = device_a.push_request(500) {
        let (status, body) = call(
            &server,
            "POST",
            &format!("/api/orgs/{}/push", a.org),
            Some(&a.token),
            Body::Json(serde_json::to_value(&request)?),
        );
        let response: PushResponse = json_of(status, body)?;
        device_a.on_pushed(&response);
    }
    let push = started.elapsed();

    let mut device_b = Device::new(b.client);
    let started = Instant::now();
    pull_all(&server, &b, &mut device_b)?;
    let pull = started.elapsed();
    if device_b.confirmed != device_a.local || device_b.cursor as usize != SYNC_OPS.div_ceil(3) * 3
    {
        bail!("after the pull, B does not hold what A pushed");
    }
    let load = load(&server, &a)?;
    Ok(SyncFigures {
        push,
        pull,
        plan_500_native,
        load,
    })
}

pub(crate) fn join_editor(
    server: &WranglerDev,
    owner: &Credential,
    name: &str,
) -> Result<Credential> {
    let (status, body) = call(
        server,
        "POST",
        &format!("/api/orgs/{}/invites", owner.org),
        Some(&owner.token),
        Body::Json(serde_json::json!({"role": "editor", "expires_in_seconds": 600})),
    );
    let invite: register::api::Invite = json_of(status, body)?;
    let (status, body) = call(
        server,
        "POST",
        "/api/join",
        None,
        Body::Json(serde_json::json!({"code": invite.code, "name": name})),
    );
    json_of(status, body)
}

/// Pulls the whole log into `device`, verifying the chain.
fn pull_all(server: &WranglerDev, who: &Credential, device: &mut Device) -> Result<()> {
    for _ in 0..100_000 {
        let (status, body) = call(
            server,
            "GET",
            &format!("/api/orgs/{}/pull?since={}", who.org, device.cursor),
            Some(&who.token),
            Body::Empty,
        );
        let page: PullResponse = json_of(status, body)?;
        device
            .on_pulled(&page)
            .context("the pulled chain must verify")?;
        if !page.more {
            return Ok(());
        }
    }
    bail!("the pull did not finish")
}

/// `LOAD_DEVICES` members push `LOAD_OPS` ops each, in pushes of 100, all at once; then every
/// device pulls. Nothing may be lost or stored twice, and every device must end equal.
fn load(server: &WranglerDev, owner: &Credential) -> Result<LoadFigures> {
    let members: Vec<Credential> = (0..LOAD_DEVICES)
        .map(|i| join_editor(server, owner, &format!("Load {i}")))
        .collect::<Result<_>>()?;
    let started = Instant::now();
    let results: Vec<Result<(Device, Vec<Duration>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = members
            .iter()
            .map(|who| {
                scope.spawn(move || -> Result<(Device, Vec<Duration>)> {
                    let mut device = Device::new(who.client);
                    edits(&mut device, LOAD_OPS);
                    let mut pushes = Vec::new();
                    // Bounded: each push acknowledges a batch.
                    for _ in 0..1_000 {
                        let Some(request) = device.push_request(100) else {
                            break;
                        };
                        let sent = Instant::now();
                        let (status, body) = call(
                            server,
                            "POST",
                            &format!("/api/orgs/{}/push", who.org),
                            Some(&who.token),
                            Body::Json(serde_json::to_value(&request)?),
                        );
                        pushes.push(sent.elapsed());
                        device.on_pushed(&json_of(status, body)?);
                    }
                    Ok((device, pushes))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a pusher panicked")))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let mut pushes = Vec::new();
    let mut devices = Vec::new();
    for result in results {
        let (device, times) = result?;
        if device.pending() != 0 {
            bail!("a device still has changes after pushing");
        }
        pushes.extend(times);
        devices.push(device);
    }
    // Every op once: each member's mids 1..=n appear exactly once in the log.
    let mut reader = Device::new(ClientId::new());
    pull_all(server, owner, &mut reader)?;
    for (who, device) in members.iter().zip(&mut devices) {
        pull_all(server, who, device)?;
        if device.confirmed != reader.confirmed || device.local != reader.confirmed {
            bail!("a device did not converge with the log");
        }
    }
    let ops = LOAD_DEVICES * LOAD_OPS.div_ceil(3) * 3;
    let logged = reader.cursor as usize - SYNC_OPS.div_ceil(3) * 3;
    if logged != ops {
        bail!("{ops} ops pushed at once, {logged} in the log");
    }
    pushes.sort();
    Ok(LoadFigures {
        pushes,
        ops,
        elapsed,
    })
}

/// Median time to validate, chain and apply one 500-op push, natively (the worker does the
/// same work compiled to wasm, plus its SQL writes).
fn plan_500_native() -> Duration {
    let mut runs: Vec<Duration> = (0..21)
        .map(|_| {
            let client = ClientId::new();
            let mut device = Device::new(client);
            edits(&mut device, 500);
            let request = device.push_request(500).expect("500 ops queued");
            let mut server = MemoryServer::default();
            let author = Author {
                client,
                member: "bench".into(),
                role: register::Role::Editor,
            };
            let started = Instant::now();
            server
                .push(
                    &register::gate::Gate::default(),
                    &author,
                    &request,
                    now_ms(),
                )
                .expect("a valid push is accepted");
            started.elapsed()
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}
