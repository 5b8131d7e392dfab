//! Sync benchmarks: 10,000 ops pushed by one member and pulled by another through a real
//! local `wrangler dev`, and the native cost of validating and applying one 500-op push.

use anyhow::{Context, Result, bail};
use integration::{Body, WranglerDev, call};
use register::{
    ClientId, Kind, RecordId, Value,
    device::Device,
    server::{Author, MemoryServer},
    wire::{Credential, PullResponse, PushResponse},
};
use std::time::{Duration, Instant};

pub const SYNC_OPS: usize = 10_000;

pub struct SyncFigures {
    pub push: Duration,
    pub pull: Duration,
    pub plan_500_native: Duration,
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

fn json_of<T: serde::de::DeserializeOwned>(status: u16, body: serde_json::Value) -> Result<T> {
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
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/orgs/{}/invites", a.org),
        Some(&a.token),
        Body::Json(serde_json::json!({"role": "editor", "expires_in_seconds": 600})),
    );
    let invite: register::wire::Invite = json_of(status, body)?;
    let (status, body) = call(
        &server,
        "POST",
        "/api/join",
        None,
        Body::Json(serde_json::json!({"code": invite.code, "name": "Bench B"})),
    );
    let b: Credential = json_of(status, body)?;

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
    loop {
        let (status, body) = call(
            &server,
            "GET",
            &format!(
                "/api/orgs/{}/pull?since={}&limit=1000",
                b.org, device_b.cursor
            ),
            Some(&b.token),
            Body::Empty,
        );
        let page: PullResponse = json_of(status, body)?;
        device_b
            .on_pulled(&page)
            .context("the pulled chain must verify")?;
        if !page.more {
            break;
        }
    }
    let pull = started.elapsed();
    if device_b.confirmed != device_a.local || device_b.cursor as usize != SYNC_OPS.div_ceil(3) * 3
    {
        bail!("after the pull, B does not hold what A pushed");
    }
    Ok(SyncFigures {
        push,
        pull,
        plan_500_native,
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
                .push(&author, &request, now_ms())
                .expect("a valid push is accepted");
            started.elapsed()
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}
