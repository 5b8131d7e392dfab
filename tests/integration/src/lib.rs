//! Harness for tests against a real local Worker: starts `wrangler dev` (workerd) on a free
//! loopback port with fresh state, and stops its whole process group afterwards, so no
//! workerd is left running even when a test fails.

use register::{
    api::{Credential, Invite},
    sync::PushRequest,
};
use std::{
    fs::File,
    os::unix::process::CommandExt,
    panic::{AssertUnwindSafe, catch_unwind},
    path::PathBuf,
    process::{Child, Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

const START_LIMIT: Duration = Duration::from_secs(120);

/// An organisation id of the kind made before ids were signed, which every test server is
/// told to serve all the same (`RATCHET_OLDER_ORGS`).
pub const LISTED_OLDER_ORG: &str = "019a0000-0000-7000-8000-000000000001";

/// How many bytes of files each organisation of a test server may keep: room for one file
/// near the size limit, not two.
pub const ORG_FILE_QUOTA_BYTES: u64 = 16 * 1024 * 1024;

/// The VAPID private key (base64url) every test server sends reminders with: a test key,
/// known to the tests' stand-in push service and to nothing else.
pub const TEST_VAPID_KEY: &str = "hak-WGPVM4LFinlHThRS_BrhnGWamJi5i9Xzwn-bypw";

pub struct WranglerDev {
    child: Child,
    pub base: String,
    /// The operator's setup code this server was started with.
    pub setup_code: String,
    state_dir: PathBuf,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

impl WranglerDev {
    /// Starts the built worker + app (`cargo xtask build` first) and waits for /api/health.
    pub fn start() -> Result<Self, String> {
        let root = repo_root();
        let port = free_port();
        let state_dir =
            std::env::temp_dir().join(format!("ratchet-wrangler-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&state_dir).map_err(|e| e.to_string())?;
        let log = File::create(state_dir.join("wrangler.log")).map_err(|e| e.to_string())?;
        let node_bin = root.join("node_modules/.bin");
        let path = format!(
            "{}:{}",
            node_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let setup_code = format!("setup-{}-{port}", std::process::id());
        let child = Command::new(node_bin.join("node"))
            .arg(root.join("node_modules/wrangler/bin/wrangler.js"))
            .args([
                "dev",
                "--local",
                "--ip",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .arg("--var")
            .arg(format!("RATCHET_SETUP_CODE:{setup_code}"))
            .arg("--var")
            .arg(format!("RATCHET_ORG_KEY:key-{}-{port}", std::process::id()))
            .arg("--var")
            .arg(format!("RATCHET_OLDER_ORGS:{LISTED_OLDER_ORG}"))
            .arg("--var")
            .arg(format!(
                "RATCHET_ORG_FILE_QUOTA_BYTES:{ORG_FILE_QUOTA_BYTES}"
            ))
            .arg("--var")
            .arg(format!("RATCHET_VAPID_KEY:{TEST_VAPID_KEY}"))
            // Lets a test set the organisation's reminder clock and ring its alarm.
            .arg("--var")
            .arg("RATCHET_TEST_HOOKS:1")
            .arg("--persist-to")
            .arg(state_dir.join("state"))
            .arg("--show-interactive-dev-session=false")
            .current_dir(&root)
            .env("PATH", path)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_HIDE_BANNER", "true")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("CI", "true")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            // Its own process group, so stopping it also stops the workerd it spawns.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start wrangler: {e}"))?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            setup_code,
            state_dir,
        };
        server.wait_until_healthy()?;
        Ok(server)
    }

    fn wait_until_healthy(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(2))
            .build();
        loop {
            if let Ok(response) = agent.get(&format!("{}/api/health", self.base)).call()
                && response.status() == 200
            {
                eprintln!(
                    "wrangler dev ready at {} after {:?}",
                    self.base,
                    started.elapsed()
                );
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("wrangler exited early ({status}):\n{}", self.log()));
            }
            if started.elapsed() > START_LIMIT {
                return Err(format!(
                    "wrangler not healthy after {START_LIMIT:?}:\n{}",
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Where this server keeps its state (Durable Objects' SQLite files among it).
    pub fn state_dir(&self) -> &std::path::Path {
        &self.state_dir
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.state_dir.join("wrangler.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// True while any process of wrangler's group is alive.
    fn group_alive(&self) -> bool {
        Command::new("kill")
            .args(["-0", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for WranglerDev {
    fn drop(&mut self) {
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.group_alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if self.group_alive() {
            self.signal_group("-KILL");
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

/// A named check against the running server.
pub type Case = (&'static str, fn(&WranglerDev));

/// Runs every case against one server, reports each, and ends with a `N passed, N failed` line.
pub fn run_cases(cases: &[Case]) -> ExitCode {
    let server = match WranglerDev::start() {
        Ok(server) => server,
        Err(error) => {
            eprintln!("{error}");
            println!("0 passed, {} failed", cases.len());
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for (name, case) in cases {
        let outcome = catch_unwind(AssertUnwindSafe(|| case(&server)));
        println!(
            "test {name} ... {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        failed += usize::from(outcome.is_err());
    }
    if failed > 0 {
        eprintln!("--- wrangler log ---\n{}", server.log());
    }
    let group = server.child.id();
    drop(server);
    assert_no_process_left(group);
    println!("{} passed, {failed} failed", cases.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn assert_no_process_left(group: u32) {
    let alive = Command::new("kill")
        .args(["-0", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(!alive, "wrangler's process group {group} is still running");
}

/// GET a path and return status, content type and body, whatever the status.
pub fn get(server: &WranglerDev, path: &str) -> (u16, String, String) {
    let response = match ureq::get(&server.url(path)).call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("GET {path}: {error}"),
    };
    let status = response.status();
    let content_type = response.content_type().to_owned();
    (
        status,
        content_type,
        response.into_string().expect("a text body"),
    )
}

/// A request body for [`call`].
pub enum Body {
    Empty,
    Json(serde_json::Value),
    /// Raw text with its content type, to test what the server does with bad input.
    Raw(&'static str, String),
}

/// Any request; returns the status and the body as JSON (`null` when empty).
pub fn call(
    server: &WranglerDev,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> (u16, serde_json::Value) {
    let mut request = ureq::request(method, &server.url(path));
    if let Some(token) = token {
        request = request.set("authorization", &format!("Bearer {token}"));
    }
    let result = match body {
        Body::Empty => request.call(),
        Body::Json(json) => request
            .set("content-type", "application/json")
            .send_string(&json.to_string()),
        Body::Raw(content_type, text) => {
            request.set("content-type", content_type).send_string(&text)
        }
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{method} {path}: {error}"),
    };
    let status = response.status();
    let text = response.into_string().expect("a text body");
    let json = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"))
    };
    (status, json)
}

/// Pushes `request` as `who`; returns the status and the body.
pub fn push(
    server: &WranglerDev,
    who: &Credential,
    request: &PushRequest,
) -> (u16, serde_json::Value) {
    call(
        server,
        "POST",
        &format!("/api/orgs/{}/push", who.org),
        Some(&who.token),
        Body::Json(serde_json::to_value(request).unwrap()),
    )
}

/// The `error.code` of an error body.
pub fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// A new organisation, and its owner's credential.
pub fn create_org(server: &WranglerDev, name: &str) -> Credential {
    let (status, body) = call(
        server,
        "POST",
        "/api/orgs",
        None,
        Body::Json(
            serde_json::json!({"org_name": name, "owner_name": "Olive Owner", "setup_code": server.setup_code}),
        ),
    );
    assert_eq!(status, 201, "{body}");
    serde_json::from_value(body).expect("a credential")
}

/// Asks for an invite as `by`; the status and body, whatever they are.
pub fn invite(
    server: &WranglerDev,
    by: &Credential,
    role: &str,
    seconds: u32,
) -> (u16, serde_json::Value) {
    call(
        server,
        "POST",
        &format!("/api/orgs/{}/invites", by.org),
        Some(&by.token),
        Body::Json(serde_json::json!({"role": role, "expires_in_seconds": seconds})),
    )
}

/// A new member with `role`, invited by `owner`, and their credential.
pub fn join_as(server: &WranglerDev, owner: &Credential, role: &str, name: &str) -> Credential {
    let (status, body) = invite(server, owner, role, 3600);
    assert_eq!(status, 201, "{body}");
    let invite: Invite = serde_json::from_value(body).expect("a credential");
    let (status, body) = call(
        server,
        "POST",
        "/api/join",
        None,
        Body::Json(serde_json::json!({"code": invite.code, "name": name})),
    );
    assert_eq!(status, 201, "{body}");
    serde_json::from_value(body).expect("a credential")
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Pushes everything `device` holds, in as many pushes as it takes (at most 100), each stored.
pub fn push_all(server: &WranglerDev, who: &Credential, device: &mut register::sync::Device) {
    for _ in 0..100 {
        let Some(request) = device.push_request(500) else {
            return;
        };
        let (status, body) = push(server, who, &request);
        assert_eq!(status, 200, "{body}");
        device.on_pushed(&serde_json::from_value(body).unwrap());
    }
    panic!("100 pushes did not send everything");
}

/// Edits `fields` of `record` on `device`, now.
pub fn set(
    device: &mut register::sync::Device,
    record: register::RecordId,
    kind: register::Kind,
    fields: &[(&str, register::Value)],
) {
    for (field, value) in fields {
        device.edit(record, kind, field, value.clone(), now_ms());
    }
}
