//! Release builds of the app (Trunk → dist/) and the worker (worker-build → worker/build/),
//! and the local server (`wrangler dev`) that serves both from one origin.

use crate::shell::{cmd, http_get, node_bin, root, which, wrangler};
use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

pub const DEV_PORT: u16 = 8787;

pub fn all() -> Result<()> {
    app()?;
    worker()
}

pub fn app() -> Result<()> {
    cmd("trunk", &["build", "--release"]).run()
}

pub fn worker() -> Result<()> {
    // A failed worker-build leaves the previous output behind; a stale worker would then run.
    let out = root().join("worker/build");
    if out.exists() {
        std::fs::remove_dir_all(&out).context("could not clear worker/build")?;
    }
    let wasm_bindgen = which("wasm-bindgen").context("wasm-bindgen is not installed")?;
    // worker-build ignores PATH for these tools and would otherwise try to download them.
    cmd("worker-build", &["--release"])
        .dir("worker")
        .env("WASM_BINDGEN_BIN", wasm_bindgen)
        .env("WASM_OPT_BIN", node_bin().join("wasm-opt"))
        .env("ESBUILD_BIN", node_bin().join("esbuild"))
        .run()
}

/// A secret of this machine's local server (the setup code, the key that signs organisation
/// ids, the key reminders are sent with), made once from `bytes` random bytes and kept in
/// `.dev.vars` (git-ignored), which `wrangler dev` reads as the worker's secrets.
fn local_secret(name: &str, bytes: usize, encode: fn(&[u8]) -> String) -> Result<String> {
    let path = root().join(".dev.vars");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let prefix = format!("{name}=");
    if let Some(value) = existing
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
    {
        return Ok(value.trim_matches('"').to_owned());
    }
    let mut random = vec![0u8; bytes];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut random)?;
    let value = encode(&random);
    std::fs::write(&path, format!("{existing}{name}=\"{value}\"\n"))?;
    Ok(value)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A VAPID private key as Web Push tools print one: a P-256 scalar, base64url.
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Runs `wrangler dev` on 127.0.0.1 with state kept in .wrangler/ until interrupted.
pub fn serve_dev() -> Result<()> {
    let setup_code = local_secret("RATCHET_SETUP_CODE", 16, hex)?;
    local_secret("RATCHET_ORG_KEY", 16, hex)?;
    local_secret("RATCHET_VAPID_KEY", 32, base64url)?;
    let port = std::env::var("RATCHET_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEV_PORT);
    let port_arg = port.to_string();
    let mut child = wrangler(&[
        "dev",
        "--local",
        "--ip",
        "127.0.0.1",
        "--port",
        &port_arg,
        "--persist-to",
        ".wrangler/state",
        "--show-interactive-dev-session=false",
    ])
    .into_command()
    .spawn()
    .context("could not start wrangler dev")?;
    let started = Instant::now();
    while http_get(port, "/api/health").is_none_or(|(status, _)| status != 200) {
        if let Some(status) = child.try_wait()? {
            bail!("wrangler dev stopped ({status}) before it answered");
        }
        if started.elapsed() > Duration::from_secs(90) {
            child.kill().ok();
            bail!("wrangler dev did not answer /api/health within 90 s");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    println!("\nRatchet is running at http://127.0.0.1:{port}/  (Ctrl-C stops it)");
    println!("Setup code for creating an organisation on this server: {setup_code}\n");
    let status = child.wait()?;
    if !status.success() {
        bail!("wrangler dev exited ({status})");
    }
    Ok(())
}
