//! Idempotent setup: check each tool's version and install only what is missing.
//! Everything comes from the package registries through their own clients; no tool or
//! browser binary is downloaded from anywhere else.

use crate::shell::{cmd, node_bin, root};
use anyhow::{Context, Result, bail};
use std::path::Path;

const TRUNK: &str = "0.22.1";
const WORKER_BUILD: &str = "0.8.7";
const TWIGGY: &str = "0.8.0";
pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn ensure_all() -> Result<()> {
    ensure_wasm_target()?;
    let wasm_bindgen = locked_version("wasm-bindgen")?;
    // wasm-bindgen-cli must equal the library version in Cargo.lock exactly; `--locked`
    // is left off on purpose, one of its locked dependencies is not in the registry.
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &wasm_bindgen, &[])?;
    ensure_cargo_tool("worker-build", "worker-build", WORKER_BUILD, &["--locked"])?;
    // trunk 0.22.1 declares a newer rust-version than it needs; it runs fine on ours.
    ensure_cargo_tool(
        "trunk",
        "trunk",
        TRUNK,
        &["--locked", "--ignore-rust-version"],
    )?;
    ensure_node_modules()?;
    ensure_chromium()
}

/// What only `cargo xtask bench` needs besides the rest: twiggy, to say what the first load's
/// code is made of.
pub fn ensure_bench_tools() -> Result<()> {
    ensure_all()?;
    ensure_cargo_tool("twiggy", "twiggy", TWIGGY, &["--locked"])
}

fn ensure_wasm_target() -> Result<()> {
    let installed = cmd("rustup", &["target", "list", "--installed"])
        .output()
        .unwrap_or_default();
    if !installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]).run()?;
    }
    Ok(())
}

/// The version of `package` that Cargo.lock resolved (exactly one is expected).
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .context("Cargo.lock is missing; it is committed with the repository")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("Cargo.lock is malformed")?;
    Ok(lock[start..start + end].to_owned())
}

fn ensure_cargo_tool(binary: &str, package: &str, version: &str, extra: &[&str]) -> Result<()> {
    let current = cmd(binary, &["--version"]).output().unwrap_or_default();
    if current.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    eprintln!(
        "setup: {binary} {version} is missing (found: {:?}); installing",
        current.trim()
    );
    let mut args = vec!["install", package, "--version", version];
    args.extend_from_slice(extra);
    cmd("cargo", &args).run()
}

fn ensure_node_modules() -> Result<()> {
    let installed = root().join("node_modules/.package-lock.json");
    let wanted = root().join("package-lock.json");
    let fresh = match (modified(&installed), modified(&wanted)) {
        (Some(have), Some(want)) => have >= want,
        _ => false,
    };
    if !fresh || !node_bin().join("node").exists() {
        cmd("npm", &["ci", "--no-audit", "--no-fund"]).run()?;
    }
    let node = cmd(node_bin().join("node"), &["--version"])
        .output()
        .unwrap_or_default();
    if !node.starts_with("v22.") {
        bail!(
            "node_modules/.bin/node should be Node 22 (wrangler needs it) but answered {:?}; \
             the `node` package's install script must be allowed in package.json",
            node.trim()
        );
    }
    Ok(())
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    let is_root = cmd("id", &["-u"])
        .output()
        .is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        if is_root {
            cmd("apt-get", args).run()
        } else {
            let mut with_sudo = vec!["apt-get"];
            with_sudo.extend_from_slice(args);
            cmd("sudo", &with_sudo).run()
        }
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    if !Path::new(CHROMIUM).exists() {
        bail!("chromium was installed but {CHROMIUM} is still missing");
    }
    Ok(())
}
