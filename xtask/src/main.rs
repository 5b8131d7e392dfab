//! `cargo xtask <command>`: the project's commands, so a fresh clone needs nothing but Rust.

mod bench;
mod bench_reminders;
mod bench_sync;
mod build;
mod fuzz;
mod headers;
mod prerender;
mod setup;
mod shell;
mod split;
mod sw;
mod test;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

  dev        install what is missing, build, and serve the app + API on 127.0.0.1
  test       install what is missing and run every test suite
  bench      release build, then measure sizes and speed against the budgets
             (`bench reminders`: only the reminders' daily pass and calendar feed)
  fuzz [N]   mutate the seeds in tests/fuzz/ and feed push and pull parsing, the op
             validator and the CSV import N times in all (default 10,000,000)
  verify FILE
             check a Ratchet export (.ratchet) end to end, offline, and say in words
             what was checked and what is wrong; exits 1 if anything is
  setup      only install what is missing (idempotent)
  build      install what is missing and make a release build (dist/, worker/build/)
  deploy     release build, then `wrangler deploy` (needs a Cloudflare login)
  post-build (Trunk post_build hook) split the app's wasm at its lazy routes, write the
             first screen into index.html (release builds), move inline scripts to files
             and write the security headers, then write the precache list into the
             service worker";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(error) = run(&args) {
        eprintln!("xtask: {error:#}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> Result<()> {
    let command = args.first().map(String::as_str).unwrap_or("");
    match command {
        "setup" => setup::ensure_all(),
        "build" => {
            setup::ensure_all()?;
            build::all()
        }
        "dev" => {
            setup::ensure_all()?;
            build::all()?;
            build::serve_dev()
        }
        "test" => test::run(),
        "bench" => match args.get(1).map(String::as_str) {
            Some("reminders") => bench::reminders(),
            _ => bench::run(),
        },
        // Ten million runs want an optimised build: a debug xtask hands over to a release one.
        "fuzz" if cfg!(debug_assertions) => {
            let mut release = vec!["run", "--release", "--quiet", "--package", "xtask", "--"];
            release.extend(args.iter().map(String::as_str));
            shell::cmd("cargo", &release).run()
        }
        "fuzz" => {
            let runs = match args.get(1) {
                Some(n) => n
                    .parse()
                    .with_context(|| format!("`{n}` is not a number of runs"))?,
                None => fuzz::DEFAULT_RUNS,
            };
            let figures = fuzz::run(runs, fuzz::SEED)?;
            println!(
                "{} fuzz runs without a panic in {:.0} s",
                figures.runs,
                figures.elapsed.as_secs_f64()
            );
            Ok(())
        }
        "verify" => {
            let file = args.get(1).context("usage: cargo xtask verify FILE")?;
            let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
            let report = register::archive::verify(&bytes);
            for line in report.words() {
                println!("{line}");
            }
            if report.is_intact() {
                println!("{file}: intact.");
                Ok(())
            } else {
                bail!("{file}: {} problems found", report.problems.len())
            }
        }
        "deploy" => {
            setup::ensure_all()?;
            build::all()?;
            shell::wrangler(&["deploy"]).run()
        }
        "post-build" => {
            let staging = std::env::var_os("TRUNK_STAGING_DIR")
                .context("post-build runs as a Trunk hook (TRUNK_STAGING_DIR is not set)")?;
            let staging = std::path::Path::new(&staging);
            split::split_staging_dir(staging)?;
            if std::env::var("TRUNK_PROFILE").as_deref() != Ok("debug") {
                prerender::first_screen(staging)?;
            }
            headers::lock_down(staging)?;
            sw::stamp(staging)
        }
        "" | "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
