//! `cargo xtask test`: every suite, in order, with a summary. Later suites still run when an
//! earlier one fails (except those that need the build), so one run shows every problem.

use crate::{build, setup, shell::cmd};
use anyhow::Result;
use std::time::Instant;

struct Outcome {
    suite: &'static str,
    passed: bool,
    seconds: f64,
}

pub fn run() -> Result<()> {
    setup::ensure_all()?;
    let mut outcomes = Vec::new();
    let mut suite = |name: &'static str, body: &dyn Fn() -> Result<()>| {
        eprintln!("\n━━ {name}");
        let started = Instant::now();
        let result = body();
        if let Err(error) = &result {
            eprintln!("✗ {name}: {error:#}");
        }
        outcomes.push(Outcome {
            suite: name,
            passed: result.is_ok(),
            seconds: started.elapsed().as_secs_f64(),
        });
        result.is_ok()
    };

    suite("format (cargo fmt --check)", &|| {
        cmd("cargo", &["fmt", "--all", "--", "--check"]).run()
    });
    suite("lint native (clippy -D warnings)", &|| {
        cmd(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--exclude",
                "app",
                "--exclude",
                "ratchet-worker",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
        .run()
    });
    suite("lint wasm (clippy -D warnings)", &|| {
        cmd(
            "cargo",
            &[
                "clippy",
                "-p",
                "app",
                "-p",
                "ratchet-worker",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
        .run()
    });
    suite("engine + register + xtask (native cargo test)", &|| {
        cmd(
            "cargo",
            &["test", "-p", "engine", "-p", "register", "-p", "xtask"],
        )
        .run()
    });
    suite("store (wasm-bindgen-test in headless Chromium)", &|| {
        // The runner's ChromeDriver leaves a browser profile (tens of MiB) in the temp folder
        // after every run; this one is the suite's own, and goes with it.
        let temp = crate::shell::root().join("target/tmp/store-test");
        std::fs::create_dir_all(&temp)?;
        let ran = cmd(
            "cargo",
            &[
                "test",
                "-p",
                "app",
                "--target",
                "wasm32-unknown-unknown",
                "--features",
                "direct-calls",
            ],
        )
        .env("TMPDIR", &temp)
        .run();
        let _ = std::fs::remove_dir_all(&temp);
        ran
    });
    let built = suite("release build (trunk + worker-build)", &build::all);
    if built {
        suite("worker integration (real wrangler dev)", &|| {
            cmd("cargo", &["test", "-p", "integration"]).run()
        });
        suite("end-to-end (Playwright + Chromium + wrangler dev)", &|| {
            cmd(
                crate::shell::node_bin().join("node"),
                &["--test", "--test-concurrency=1", "tests/e2e/*.test.mjs"],
            )
            .run()
        });
    }

    eprintln!("\n━━ summary");
    for outcome in &outcomes {
        let mark = if outcome.passed { "ok    " } else { "FAILED" };
        eprintln!("{mark} {:>6.1}s  {}", outcome.seconds, outcome.suite);
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let skipped = if built { 0 } else { 2 };
    println!(
        "suites: {} passed, {} failed",
        outcomes.len() - failed,
        failed + skipped
    );
    if failed + skipped > 0 {
        anyhow::bail!("{} suite(s) failed", failed + skipped);
    }
    Ok(())
}
