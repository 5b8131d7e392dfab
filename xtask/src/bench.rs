//! `cargo xtask bench`: a release build measured against DESIGN.md's budgets. Benchmarks
//! report; they never fail the build for being slow.

use crate::{
    bench_reminders, bench_sync, build, setup,
    shell::{cmd, node_bin, root},
};
use anyhow::{Context, Result};
use std::{io::Write, path::Path};

const KIB: f64 = 1024.0;

struct Size {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn compressed_sizes(bytes: &[u8]) -> Result<Size> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    brotli::BrotliCompress(
        &mut &bytes[..],
        &mut br,
        &brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        },
    )?;
    Ok(Size {
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

/// Sizes of every file in `dir` whose name ends with `suffix` (excluding the service worker).
fn sizes_of(dir: &Path, suffix: &str) -> Result<Size> {
    compressed_sizes(&bytes_of(dir, suffix)?)
}

/// Every file in `dir` whose name ends with `suffix` (excluding the service worker), joined.
fn bytes_of(dir: &Path, suffix: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("{} is missing", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(suffix) && name != "sw.js" {
            bytes.extend(std::fs::read(&path)?);
        }
    }
    Ok(bytes)
}

struct Row {
    what: String,
    measured: String,
    budget: &'static str,
    verdict: &'static str,
}

fn row(what: &str, measured: String, budget: &'static str, within: Option<bool>) -> Row {
    Row {
        what: what.into(),
        measured,
        budget,
        verdict: match within {
            Some(true) => "ok",
            Some(false) => "OVER",
            None => "",
        },
    }
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / KIB)
}

/// The largest files of the pages' parts, largest first: (name, brotli bytes).
fn largest_parts(dir: &Path, count: usize) -> Result<Vec<(String, usize)>> {
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            parts.push((
                name.into_owned(),
                compressed_sizes(&std::fs::read(&path)?)?.brotli,
            ));
        }
    }
    parts.sort_by_key(|part| std::cmp::Reverse(part.1));
    parts.truncate(count);
    Ok(parts)
}

/// The largest items of the first load's wasm, as twiggy lists them (names kept from before
/// wasm-opt, so sizes are a little above the shipped file's).
fn largest_items(count: usize) -> Result<String> {
    let named = root().join(crate::split::NAMED_MAIN);
    let rows = count.to_string();
    let out = cmd("twiggy", &["top", "-n", &rows, &named.to_string_lossy()])
        .output()
        .context("twiggy could not read the named copy of the main wasm")?;
    // The names section is only in this copy; leave it out.
    Ok(out
        .lines()
        .filter(|line| !line.contains("\"function names\""))
        .collect::<Vec<_>>()
        .join("\n"))
}

pub fn run() -> Result<()> {
    setup::ensure_bench_tools()?;
    build::all()?;
    let dist = root().join("dist");
    let wasm = sizes_of(&dist, ".wasm")?;
    let css = sizes_of(&dist, ".css")?;
    // The lazily loaded pages' parts sit in `wasm-<hash>/`; only their loader (imported by
    // the main JS) is part of the first load.
    let parts_dir = std::fs::read_dir(&dist)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("wasm-"))
        })
        .context("dist has no wasm-<hash>/ parts folder")?;
    // Every script index.html loads (the app's glue and Trunk's inline ones) and the loader.
    let mut js_bytes = bytes_of(&dist, ".js")?;
    js_bytes.extend(std::fs::read(parts_dir.join("__wasm_split.js"))?);
    let js = compressed_sizes(&js_bytes)?;
    let parts = sizes_of(&parts_dir, ".wasm")?;
    let first_load = wasm.brotli + js.brotli + css.brotli;
    let worker = sizes_of(&root().join("worker/build"), ".wasm")?;

    let cold = cmd(node_bin().join("node"), &["tests/bench/coldstart.mjs"])
        .output()
        .context(
            "the cold-start benchmark failed (run `node tests/bench/coldstart.mjs` to see why)",
        )?;
    let cold: serde_json::Value = serde_json::from_str(cold.trim())?;
    let median_ms = cold["median_ms"].as_f64().context("median_ms")?;
    let runs = cold["runs_ms"].as_array().map_or(0, Vec::len);
    let longest_task = cold["longest_task_ms"].as_f64().unwrap_or(f64::NAN);
    let lighthouse = browser_bench("tests/bench/lighthouse.mjs")?;

    let sync = bench_sync::measure()?;
    let sync_total = sync.push + sync.pull;
    let ops_per_s = |d: std::time::Duration| bench_sync::SYNC_OPS as f64 / d.as_secs_f64();

    let client = browser_bench("tests/bench/client.mjs")?;
    let dashboard = browser_bench("tests/bench/dashboard.mjs")?;
    let pouch = browser_bench("tests/bench/pouchdb.mjs")?;
    let evidence = browser_bench("tests/bench/evidence.mjs")?;
    let export = browser_bench("tests/bench/export.mjs")?;
    let reminders = reminder_rows()?;
    // The fuzzer runs optimised, as `cargo xtask fuzz` does; its last line is the tally.
    let fuzzed = cmd(
        "cargo",
        &[
            "run",
            "--release",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "fuzz",
        ],
    )
    .output()
    .and_then(|out| out.lines().last().map(str::to_owned))
    .context("the fuzzer found a panic or could not run (run `cargo xtask fuzz` to see)")?;
    let ms = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let (edit_p50, edit_p95) = (ms(&client["edit_ms"]["p50"]), ms(&client["edit_ms"]["p95"]));
    let (click_p50, click_p95) = (
        ms(&client["edit_click_ms"]["p50"]),
        ms(&client["edit_click_ms"]["p95"]),
    );
    let check = |name: &str| {
        let times = &client[name];
        (
            ms(&times["p50"]),
            ms(&times["p95"]),
            ms(&times["prepare_p95"]),
        )
    };
    let (check_p50, check_p95, check_prepare) = check("check_result_ms");
    let (key_p50, key_p95, key_prepare) = check("check_result_key_ms");
    let boot = ms(&client["boot_ms"]["median"]);
    let boot_records = client["boot_ms"]["records"].as_u64().unwrap_or(0);
    let filter = &client["filter"];
    let (filter_laid, filter_painted) = (ms(&filter["laid_median"]), ms(&filter["painted_median"]));
    let first_pull = ms(&client["first_pull"]["ms"]);
    let first_push = ms(&client["first_push"]["ms"]);
    let ours = first_push + first_pull;
    let theirs = ms(&pouch["push_ms"]) + ms(&pouch["pull_ms"]);
    let (put_p50, put_p95) = (ms(&pouch["put_ms"]["p50"]), ms(&pouch["put_ms"]["p95"]));
    let visit = |which: &str| {
        let v = &lighthouse[which];
        (
            ms(&v["score"]),
            ms(&v["tti_ms"]),
            ms(&v["tbt_ms"]),
            ms(&v["lcp_ms"]),
            v["completed"].as_u64().unwrap_or(0),
        )
    };
    let lighthouse_rows = ["first", "return"].map(|which| {
        let (score, tti, tbt, lcp, completed) = visit(which);
        row(
            &format!(
                "Lighthouse mobile, {which} visit (median of the {completed} of 3 runs it completed): score / TTI / TBT / LCP"
            ),
            format!("{score:.0} / {tti:.0} / {tbt:.0} / {lcp:.0} ms"),
            "≥ 90 / ≤ 2500 / ≤ 200 / ≤ 2000 ms",
            Some(score >= 90.0 && tti <= 2500.0 && tbt <= 200.0 && lcp <= 2000.0),
        )
    });

    let rows = [
        row(
            "app wasm at start (raw / gzip / brotli)",
            format!(
                "{} / {} / {}",
                kib(wasm.raw),
                kib(wasm.gzip),
                kib(wasm.brotli)
            ),
            "",
            None,
        ),
        row(
            "pages' wasm parts, loaded after start (raw / brotli)",
            format!("{} / {}", kib(parts.raw), kib(parts.brotli)),
            "",
            None,
        ),
        row(
            "app JS glue and part loader (raw / brotli)",
            format!("{} / {}", kib(js.raw), kib(js.brotli)),
            "",
            None,
        ),
        row(
            "app CSS (raw / brotli)",
            format!("{} / {}", kib(css.raw), kib(css.brotli)),
            "",
            None,
        ),
        row(
            "first-load transfer (wasm+js+css, brotli)",
            kib(first_load),
            "≤ 200 KiB",
            Some(first_load as f64 <= 200.0 * KIB),
        ),
        row(
            &format!("cold start to interactive, 4× CPU throttle (median of {runs})"),
            format!("{median_ms:.0} ms"),
            "≤ 1000 ms",
            Some(median_ms <= 1000.0),
        ),
        row(
            "  longest task after first paint until ready offline, same runs (median)",
            format!("{longest_task:.0} ms"),
            "≤ 50 ms",
            Some(longest_task <= 50.0),
        ),
        row(
            "push 10k ops, 500 per request, via wrangler dev",
            format!(
                "{:.0} ms ({:.0} ops/s)",
                sync.push.as_secs_f64() * 1e3,
                ops_per_s(sync.push)
            ),
            "",
            None,
        ),
        row(
            "pull 10k ops, 1000 per page, chain verified",
            format!(
                "{:.0} ms ({:.0} ops/s)",
                sync.pull.as_secs_f64() * 1e3,
                ops_per_s(sync.pull)
            ),
            "",
            None,
        ),
        row(
            "push + pull 10k ops between two clients",
            format!("{:.0} ms", sync_total.as_secs_f64() * 1e3),
            "≤ 3000 ms",
            Some(sync_total.as_secs_f64() <= 3.0),
        ),
        row(
            "validate + chain + apply 500 ops (native, median)",
            format!("{:.2} ms", sync.plan_500_native.as_secs_f64() * 1e3),
            "≪ 10 ms CPU",
            Some(sync.plan_500_native.as_secs_f64() < 0.010),
        ),
        row(
            &format!(
                "load: {} devices × {} ops pushed at once (100 a push), via wrangler dev: push p50 / p95 / max; none lost or twice, all converged",
                bench_sync::LOAD_DEVICES,
                bench_sync::LOAD_OPS
            ),
            format!(
                "{:.0} / {:.0} / {:.0} ms ({:.0} ops/s)",
                sync.load.percentile(50).as_secs_f64() * 1e3,
                sync.load.percentile(95).as_secs_f64() * 1e3,
                sync.load
                    .pushes
                    .last()
                    .map_or(0.0, |d| d.as_secs_f64() * 1e3),
                sync.load.ops as f64 / sync.load.elapsed.as_secs_f64()
            ),
            "",
            None,
        ),
        row(
            &format!(
                "every indicator and maturity level, demo scaled to {} records (median)",
                dashboard["records"].as_u64().unwrap_or(0)
            ),
            format!("{:.0} ms", ms(&dashboard["indicators_ms"]["median"])),
            "≤ 50 ms",
            Some(ms(&dashboard["indicators_ms"]["median"]) <= 50.0),
        ),
        row(
            "  dashboard painted after navigating to it, same register (median of 5)",
            format!("{:.0} ms", ms(&dashboard["dashboard_ms"]["median"])),
            "≤ 200 ms",
            Some(ms(&dashboard["dashboard_ms"]["median"]) <= 200.0),
        ),
        row(
            "field edit until durable in IndexedDB (p50 / p95)",
            format!("{edit_p50:.1} / {edit_p95:.1} ms"),
            "p95 ≤ 10 ms",
            Some(edit_p95 <= 10.0),
        ),
        row(
            "  the same, saved by a mouse click (+ Chromium's input frame)",
            format!("{click_p50:.1} / {click_p95:.1} ms"),
            "",
            None,
        ),
        row(
            "  PouchDB's put of one document, same Chromium (p50 / p95)",
            format!("{put_p50:.1} / {put_p95:.1} ms"),
            "edit p95 ≤ this p95",
            Some(edit_p95 <= put_p95),
        ),
        row(
            &format!("boot with {boot_records} records to interactive overview (median)"),
            format!("{boot:.0} ms"),
            "≤ 300 ms",
            Some(boot <= 300.0),
        ),
        row(
            "an audit check's result until durable, 28,000 records (p50 / p95; p95 in memory)",
            format!("{check_p50:.1} / {check_p95:.1} ms ({check_prepare:.1} ms)"),
            "p95 ≤ 10 ms",
            Some(check_p95 <= 10.0),
        ),
        row(
            "  the same, by one key (+ Chromium's input frame)",
            format!("{key_p50:.1} / {key_p95:.1} ms ({key_prepare:.1} ms)"),
            "",
            None,
        ),
        row(
            &format!(
                "filter each list by text, {boot_records} records + 8,023 audit checks, findings and actions: key to painted frame (median of {})",
                filter["keys"].as_u64().unwrap_or(0)
            ),
            format!("{filter_painted:.1} ms"),
            "≤ 16 ms",
            Some(filter_painted <= 16.0),
        ),
        row(
            "  of which the app's work: key to laid-out list (median / p95)",
            format!("{filter_laid:.1} / {:.1} ms", ms(&filter["laid_p95"])),
            "",
            None,
        ),
        row(
            "new device's first full pull of 10k ops (browser)",
            format!("{first_pull:.0} ms"),
            "≤ 3000 ms",
            Some(first_pull <= 3000.0),
        ),
        row(
            "10k ops browser→server→browser: Ratchet",
            format!("{ours:.0} ms"),
            "",
            None,
        ),
        row(
            "10k docs browser→pouchdb-server→browser: PouchDB",
            format!("{theirs:.0} ms"),
            "",
            None,
        ),
        row(
            "PouchDB time / Ratchet time",
            format!("{:.1}×", theirs / ours),
            "≥ 3×",
            Some(theirs / ours >= 3.0),
        ),
        row(
            &format!(
                "a phone photo (4032×3024) drawn at 1,600 px and stored, 4× CPU throttle (median / max of {})",
                evidence["attach_ms"]["runs"].as_array().map_or(0, Vec::len)
            ),
            format!(
                "{:.0} / {:.0} ms",
                ms(&evidence["attach_ms"]["median"]),
                ms(&evidence["attach_ms"]["max"])
            ),
            "≤ 500 ms per photo",
            Some(ms(&evidence["attach_ms"]["max"]) <= 500.0),
        ),
        row(
            &format!(
                "export / check / restore the demo scaled to {} records ({} log entries), in the browser",
                export["records"].as_u64().unwrap_or(0),
                export["entries"].as_u64().unwrap_or(0)
            ),
            format!(
                "{:.0} / {:.0} / {:.0} ms",
                ms(&export["export_ms"]),
                ms(&export["verify_ms"]),
                ms(&export["restore_ms"])
            ),
            "≤ 3000 ms each",
            Some(
                ["export_ms", "verify_ms", "restore_ms"]
                    .iter()
                    .all(|k| ms(&export[*k]) <= 3000.0),
            ),
        ),
        row(
            "  the export file against the register as the device stores it",
            format!(
                "{} against {}",
                kib(export["file_bytes"].as_u64().unwrap_or(0) as usize),
                kib(export["stored_bytes"].as_u64().unwrap_or(0) as usize)
            ),
            "",
            None,
        ),
        row(
            "phone reconnects with 3 photos taken offline, until a colleague's device shows all 3",
            format!("{:.0} ms", ms(&evidence["reconnect_ms"])),
            "",
            None,
        ),
        row(
            "fuzz: push and pull parsing, op validator, CSV import (mutated seeds from tests/fuzz/)",
            fuzzed,
            "≥ 10,000,000 runs, no panic",
            Some(true),
        ),
        row(
            "worker wasm (raw / gzip)",
            format!("{} / {}", kib(worker.raw), kib(worker.gzip)),
            "≤ 1024 KiB gzip",
            Some(worker.gzip as f64 <= 1024.0 * KIB),
        ),
    ];
    let rows: Vec<Row> = rows
        .into_iter()
        .chain(reminders)
        .chain(lighthouse_rows)
        .collect();
    print_table(&rows);
    println!("\nLargest parts loaded after start (brotli):");
    for (name, bytes) in largest_parts(&parts_dir, 6)? {
        println!("  {:>10}  {name}", kib(bytes));
    }
    println!("\nLargest items of the wasm loaded at start (twiggy top, raw bytes):");
    println!("{}", largest_items(16)?);
    Ok(())
}

/// The reminders' daily pass and the busiest calendar feed, natively and through a real
/// `wrangler dev` (`bench_reminders`).
fn reminder_rows() -> Result<Vec<Row>> {
    let native = bench_reminders::measure();
    let in_worker = bench_reminders::measure_in_worker()?;
    Ok(vec![
        row(
            &format!(
                "reminders' daily pass: everyone's work and {} devices' reminders, {} records (native, median)",
                bench_reminders::DEVICES,
                native.records
            ),
            format!("{:.0} ms", native.pass.as_secs_f64() * 1000.0),
            "≤ 200 ms (Durable Object time)",
            Some(native.pass.as_millis() <= 200),
        ),
        row(
            &format!(
                "reminders' daily pass for {} devices through wrangler dev, {} records: clock set to the answer (median)",
                bench_reminders::DEVICES,
                in_worker.records
            ),
            format!("{:.0} ms", in_worker.pass.as_secs_f64() * 1000.0),
            "≤ 200 ms (Durable Object time)",
            Some(in_worker.pass.as_millis() <= 200),
        ),
        row(
            &format!(
                "the organisation-wide calendar feed through wrangler dev, {} records: request to answer (median)",
                in_worker.records
            ),
            format!("{:.0} ms", in_worker.feed.as_secs_f64() * 1000.0),
            "≤ 100 ms (busiest member)",
            Some(in_worker.feed.as_millis() <= 100),
        ),
        row(
            &format!(
                "calendar feed of the busiest member ({} items), {} records (native, median)",
                native.feed_items, native.records
            ),
            format!("{:.0} ms", native.feed.as_secs_f64() * 1000.0),
            "≤ 100 ms",
            Some(native.feed.as_millis() <= 100),
        ),
    ])
}

/// `cargo xtask bench reminders`: a release build, then only the reminders' rows.
pub fn reminders() -> Result<()> {
    build::all()?;
    print_table(&reminder_rows()?);
    Ok(())
}

fn print_table(rows: &[Row]) {
    let width = |f: fn(&Row) -> &str, title: &str| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .chain([title.chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (
        width(|r| &r.what, "measure"),
        width(|r| &r.measured, "measured"),
        width(|r| r.budget, "budget"),
    );
    println!();
    println!(
        "{:<w0$}  {:>w1$}  {:<w2$}  verdict",
        "measure", "measured", "budget"
    );
    println!("{}", "-".repeat(w0 + w1 + w2 + 13));
    for r in rows {
        println!(
            "{:<w0$}  {:>w1$}  {:<w2$}  {}",
            r.what, r.measured, r.budget, r.verdict
        );
    }
}

/// Runs a browser benchmark script and reads the JSON line it prints.
fn browser_bench(script: &str) -> Result<serde_json::Value> {
    // Its errors go to the terminal, so a run that fails inside the bench says why.
    let out = cmd(node_bin().join("node"), &[script])
        .into_command()
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("{script} could not start"))?;
    anyhow::ensure!(out.status.success(), "{script} failed (why is above)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("{script} printed {line:?}"))
}
