//! Running the project's tools with one environment: repo-local node_modules/.bin first
//! (Node 22, wrangler, wasm-opt 132), cargo's bin dir next, wrangler kept quiet and offline.

use anyhow::{Context, Result, bail};
use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The repository root (the workspace that holds xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

pub fn node_bin() -> PathBuf {
    root().join("node_modules").join(".bin")
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// A command with the project environment, run from the repository root.
pub struct Cmd {
    inner: Command,
    shown: String,
}

pub fn cmd(program: impl AsRef<OsStr>, args: &[&str]) -> Cmd {
    let program = program.as_ref();
    let mut inner = Command::new(program);
    inner.args(args).current_dir(root());
    let path = std::env::join_paths([node_bin(), cargo_bin()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH entries contain no separator");
    inner.env("PATH", path);
    for (key, value) in [
        ("WRANGLER_SEND_METRICS", "false"),
        ("WRANGLER_HIDE_BANNER", "true"),
        ("CLOUDFLARE_CF_FETCH_ENABLED", "false"),
        ("TRUNK_OFFLINE", "true"),
        ("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        ("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60"),
    ] {
        inner.env(key, value);
    }
    let shown = std::iter::once(program.to_string_lossy().into_owned())
        .chain(args.iter().map(|a| a.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    Cmd { inner, shown }
}

/// `wrangler …` under the repo's Node 22 (wrangler 4 refuses the system Node 20).
pub fn wrangler(args: &[&str]) -> Cmd {
    let mut full = vec!["node_modules/wrangler/bin/wrangler.js"];
    full.extend_from_slice(args);
    cmd(node_bin().join("node"), &full)
}

impl Cmd {
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.inner.current_dir(root().join(dir));
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    /// Runs to completion with inherited output; fails if the exit status is not success.
    pub fn run(mut self) -> Result<()> {
        eprintln!("$ {}", self.shown);
        let status = self
            .inner
            .status()
            .with_context(|| format!("could not start `{}`", self.shown))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.shown);
        }
        Ok(())
    }

    /// Runs quietly and returns stdout, or None if the program is missing or fails.
    pub fn output(mut self) -> Option<String> {
        let out = self.inner.stderr(Stdio::null()).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn into_command(self) -> Command {
        self.inner
    }
}

/// The first executable called `name` on the project PATH (cargo's bin dir included).
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    [node_bin(), cargo_bin()]
        .into_iter()
        .chain(std::env::split_paths(&path))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Status code and body of a plain HTTP GET to a loopback address, or None if nothing answers.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(2);
    let mut stream =
        std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}
