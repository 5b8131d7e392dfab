//! The worker's HTTP surface, against a real `wrangler dev`.

use engine::wire::{ErrorBody, Health};
use integration::{Case, WranglerDev, get, run_cases};

fn health_reports_ok_as_json(server: &WranglerDev) {
    let (status, content_type, body) = get(server, "/api/health");
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/json");
    let health: Health = serde_json::from_str(&body).expect("health JSON");
    assert!(health.ok);
    assert_eq!(health.service, "ratchet");
}

fn unknown_api_routes_get_a_json_404(server: &WranglerDev) {
    for path in ["/api/nope", "/api/", "/api/health/extra"] {
        let (status, content_type, body) = get(server, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(content_type, "application/json", "{path}");
        let error: ErrorBody = serde_json::from_str(&body).expect("error JSON");
        assert_eq!(error.error.code, "not_found");
    }
}

fn wrong_method_gets_a_json_405(server: &WranglerDev) {
    let response = match ureq::post(&server.url("/api/health")).send_string("{}") {
        Err(ureq::Error::Status(405, response)) => response,
        other => panic!("expected 405, got {other:?}"),
    };
    let error: ErrorBody = serde_json::from_reader(response.into_reader()).unwrap();
    assert_eq!(error.error.code, "method_not_allowed");
}

fn root_serves_the_app(server: &WranglerDev) {
    let (status, content_type, body) = get(server, "/");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("<title>Ratchet</title>"));
    assert!(
        body.contains("rel=modulepreload"),
        "index.html loads the app's code"
    );
    assert!(
        body.contains("id=\"prerendered\"") && body.contains("<h1>Dashboard</h1>"),
        "index.html holds the first screen, painted before the app's code arrives"
    );
}

/// The app's files carry a policy that allows its own scripts and WebAssembly only, and the
/// page itself holds no inline script for it to allow.
fn the_app_is_served_with_security_headers(server: &WranglerDev) {
    for path in ["/", "/risks/some-record", "/manifest.webmanifest"] {
        let response = ureq::get(&server.url(path)).call().unwrap();
        let policy = response
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert!(
            response
                .header("permissions-policy")
                .is_some_and(|p| p.contains("camera=(self)")),
            "{path}"
        );
    }
    let (_, _, page) = get(server, "/");
    let inline = page
        .split("<script")
        .skip(1)
        .filter(|tag| !tag[..tag.find('>').unwrap()].contains("src="))
        .count();
    assert_eq!(inline, 0, "inline scripts in {page}");
    let api = match ureq::get(&server.url("/api/nope")).call() {
        Err(ureq::Error::Status(404, response)) => response,
        other => panic!("expected 404, got {other:?}"),
    };
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
}

/// Creating organisations and joining are limited per client address: a burst of either
/// (guessing setup codes or invites) is refused with 429 before anything is checked.
fn a_burst_of_sign_ups_from_one_address_is_refused(server: &WranglerDev) {
    let attempt =
        |path: &str, body: serde_json::Value| match ureq::post(&server.url(path)).send_json(body) {
            Ok(response) => (response.status(), None),
            Err(ureq::Error::Status(status, response)) => {
                (status, response.header("retry-after").map(str::to_owned))
            }
            Err(other) => panic!("{other}"),
        };
    let guess = serde_json::json!({"org_name": "Spam", "owner_name": "Bot", "setup_code": "guess"});
    // The limiter counts in fixed windows of a minute, shared with this suite's other sign-ups,
    // so the first refusal comes after at most two windows' worth (a burst may straddle a
    // boundary); it must come, and every answer before it is the wrong code's 403.
    const LIMIT: usize = 120;
    let mut answers = Vec::new();
    while answers.len() < 2 * LIMIT + 10 {
        let answer = attempt("/api/orgs", guess.clone());
        let limited = answer.0 == 429;
        answers.push(answer);
        if limited {
            break;
        }
    }
    let (last, before) = answers.split_last().unwrap();
    assert_eq!(last, &(429, Some("60".to_owned())), "{answers:?}");
    assert!(
        before.iter().all(|(status, _)| *status == 403),
        "{answers:?}"
    );
    let (status, retry) = attempt("/api/orgs", guess);
    assert_eq!((status, retry.as_deref()), (429, Some("60")));
    // Joining counts against the same address.
    let (status, _) = attempt(
        "/api/join",
        serde_json::json!({"code": "not-a-code", "name": "Bot"}),
    );
    assert_eq!(status, 429);
    // Another address has its own allowance; the addresses of one IPv6 /64 share one. (Under
    // `wrangler dev` the client sets this header; on Cloudflare the platform does.)
    let from = |address: &str| match ureq::post(&server.url("/api/orgs"))
        .set("cf-connecting-ip", address)
        .send_json(
            serde_json::json!({"org_name": "Spam", "owner_name": "Bot", "setup_code": "guess"}),
        ) {
        Ok(response) => response.status(),
        Err(ureq::Error::Status(status, _)) => status,
        Err(other) => panic!("{other}"),
    };
    assert_eq!(from("198.51.100.9"), 403, "a wrong setup code, not a limit");
    // Each from a different host of the range, so only a shared count can reach the limit.
    let limited =
        (0..2 * LIMIT + 10).position(|host| from(&format!("2001:db8:7:7::{host:x}")) == 429);
    assert!(limited.is_some_and(|at| at >= LIMIT), "{limited:?}");
}

fn deep_links_fall_back_to_the_app(server: &WranglerDev) {
    let (status, _, body) = get(server, "/risks/some-record");
    assert_eq!(status, 200);
    assert!(body.contains("<title>Ratchet</title>"));
}

fn service_worker_is_stamped_with_hashed_files(server: &WranglerDev) {
    let (status, _, body) = get(server, "/sw.js");
    assert_eq!(status, 200);
    assert!(
        !body.contains("__RATCHET_"),
        "placeholders must be replaced at build time"
    );
    assert!(body.contains("_bg.wasm\""), "the wasm file is precached");
    let (status, content_type, _) = get(server, "/manifest.webmanifest");
    assert_eq!(status, 200);
    assert!(content_type.contains("manifest+json") || content_type.contains("json"));
}

fn main() -> std::process::ExitCode {
    let cases: &[Case] = &[
        ("health_reports_ok_as_json", health_reports_ok_as_json),
        (
            "unknown_api_routes_get_a_json_404",
            unknown_api_routes_get_a_json_404,
        ),
        ("wrong_method_gets_a_json_405", wrong_method_gets_a_json_405),
        ("root_serves_the_app", root_serves_the_app),
        (
            "the_app_is_served_with_security_headers",
            the_app_is_served_with_security_headers,
        ),
        (
            "deep_links_fall_back_to_the_app",
            deep_links_fall_back_to_the_app,
        ),
        (
            "service_worker_is_stamped_with_hashed_files",
            service_worker_is_stamped_with_hashed_files,
        ),
        // Last: it uses up this address's allowance for a minute.
        (
            "a_burst_of_sign_ups_from_one_address_is_refused",
            a_burst_of_sign_ups_from_one_address_is_refused,
        ),
    ];
    run_cases(cases)
}
