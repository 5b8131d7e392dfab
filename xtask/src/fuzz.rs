//! `cargo xtask fuzz`: a mutation fuzzer on stable Rust for what reads untrusted input. It
//! takes the seeds in `tests/fuzz/<target>/`, mutates them (flip, insert, delete, repeat and
//! splice bytes, swap in edge values), and feeds each input to its target:
//!
//! - `push`: a push request as the worker parses it, then planned against a server holding a
//!   record (schema, roles, rules, stamps: the op validator);
//! - `pull`: a pull page as a device parses it, then verified and applied to a device;
//! - `csv`: a CSV import of every kind.
//!
//! A target may refuse any input; it must never panic. A panic's input is written to
//! `target/fuzz-crashes/` and the run fails.

use crate::shell::root;
use anyhow::{Context, Result, bail};
use register::{
    ClientId, Kind, RecordId, Role, Value,
    gate::Author,
    import::parse_csv,
    sync::{Device, MemoryServer, PullResponse, PushRequest},
};
use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

pub const TARGETS: [&str; 3] = ["push", "pull", "csv"];

/// Runs in all when none are asked for: the ten million.
pub const DEFAULT_RUNS: u64 = 10_000_000;

/// The generator's seed, fixed so that a run (and a panic it finds) can be repeated.
pub const SEED: u64 = 0x5EED_2026;

const NOW: u64 = 1_800_000_000_000;

/// What a run did: executions per target, and how long it took.
pub struct FuzzFigures {
    pub runs: u64,
    pub elapsed: Duration,
}

/// A small deterministic generator, so a run can be repeated from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values that often break parsers and validators.
const EDGES: &[&[u8]] = &[
    b"0",
    b"-1",
    b"18446744073709551615",
    b"9223372036854775808",
    b"4294967295",
    b"9007199254740993",
    b"1e309",
    b"null",
    b"true",
    b"\"\"",
    b"[]",
    b"{}",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"\xff\xfe",
    b"\"\xe2\x80\xae\"",
    b",",
    b"\"",
    b"\n",
    b";",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.next() as u8),
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let edge = EDGES[rng.below(EDGES.len())];
                out.splice(at..at, edge.iter().copied());
            }
            4 if !out.is_empty() => {
                // Repeat a slice, to grow lists and strings.
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                let piece = out[start..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 => {
                // Splice in part of another seed.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(128)).min(other.len());
                    out.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ => {
                // Replace a digit run with another number.
                if let Some(start) = out.iter().position(|b| b.is_ascii_digit()) {
                    let end = out[start..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(out.len(), |n| start + n);
                    let number = rng.next().to_string();
                    out.splice(start..end, number.bytes());
                }
            }
        }
    }
    out.truncate(1 << 16);
    out
}

/// The risk the seeds name (`tests/fuzz/push/new-risk.json`).
const SEEDED_RISK: &str = "01890a5d-ac96-774b-bcce-b302099a8058";

/// The server the push target plans against: the seeds' risk already stored by another
/// device, so pushes change a record the rules and stamps know.
fn seeded_server() -> MemoryServer {
    let mut server = MemoryServer::default();
    let mut device = Device::new(ClientId::from_u128(7));
    let id: RecordId = SEEDED_RISK.parse().expect("a record id");
    device.edit(id, Kind::Risk, "title", "Phishing".into(), NOW);
    device.edit(id, Kind::Risk, "inherent_likelihood", Value::Int(3), NOW);
    device.edit(id, Kind::Risk, "inherent_impact", Value::Int(3), NOW);
    let author = Author {
        client: device.client,
        member: "fuzz".into(),
        role: Role::Editor,
    };
    server
        .push(
            &register::gate::Gate::default(),
            &author,
            &device.push_request(500).expect("three ops"),
            NOW,
        )
        .expect("the seed push is valid");
    server
}

/// The pusher of a request, as its credential would say, with `role`.
fn author_of(request: &PushRequest, role: Role) -> Author {
    Author {
        client: request.client,
        member: "fuzz".into(),
        role,
    }
}

fn run_target(target: &str, input: &[u8], server: &MemoryServer) {
    match target {
        "push" => {
            if let Ok(request) = serde_json::from_slice::<PushRequest>(input) {
                for role in [Role::Editor, Role::Viewer] {
                    let _ = server.clone().push(
                        &register::gate::Gate::default(),
                        &author_of(&request, role),
                        &request,
                        NOW,
                    );
                }
            }
        }
        "pull" => {
            if let Ok(page) = serde_json::from_slice::<PullResponse>(input) {
                let mut device = Device::new(ClientId::from_u128(9));
                if device.on_pulled(&page).is_ok() {
                    let _ = device.take_changes();
                }
            }
        }
        "csv" => {
            if let Ok(text) = std::str::from_utf8(input) {
                for &kind in Kind::ALL {
                    let _ = parse_csv(kind, text);
                }
            }
        }
        other => panic!("no fuzz target {other}"),
    }
}

fn corpus(target: &str) -> Result<Vec<Vec<u8>>> {
    let dir = root().join("tests/fuzz").join(target);
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("{} is missing", dir.display()))? {
        seeds.push(std::fs::read(entry?.path())?);
    }
    if seeds.is_empty() {
        bail!("{} holds no seeds", dir.display());
    }
    Ok(seeds)
}

/// Runs every target `runs` times in all, on every core, from `seed`.
pub fn run(runs: u64, seed: u64) -> Result<FuzzFigures> {
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    for target in TARGETS {
        let seeds = corpus(target)?;
        let done = AtomicU64::new(0);
        let crash: std::sync::Mutex<Option<Vec<u8>>> = std::sync::Mutex::new(None);
        let per_target = runs.div_ceil(TARGETS.len() as u64);
        // A caught panic would print from every thread; the saved input says what matters.
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        std::thread::scope(|scope| {
            for thread in 0..threads {
                let (seeds, done, crash) = (&seeds, &done, &crash);
                scope.spawn(move || {
                    let server = seeded_server();
                    let mut rng = Rng(seed ^ (thread + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                    let mut input = seeds[0].clone();
                    while done.fetch_add(1, Ordering::Relaxed) < per_target {
                        if rng.below(8) == 0 {
                            input = seeds[rng.below(seeds.len())].clone();
                        }
                        input = mutate(&mut rng, &input, seeds);
                        let outcome =
                            catch_unwind(AssertUnwindSafe(|| run_target(target, &input, &server)));
                        if outcome.is_err() {
                            *crash.lock().expect("no poisoning") = Some(input.clone());
                            done.store(u64::MAX / 2, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        std::panic::set_hook(quiet);
        if let Some(input) = crash.into_inner().expect("no poisoning") {
            let dir: PathBuf = root().join("target/fuzz-crashes");
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(format!("{target}-{seed}"));
            std::fs::write(&path, &input)?;
            bail!(
                "fuzz target {target} panicked; the input is in {} (rerun it with the same seed {seed})",
                path.display()
            );
        }
        eprintln!("fuzz {target}: {per_target} runs without a panic");
    }
    Ok(FuzzFigures {
        runs: runs.div_ceil(TARGETS.len() as u64) * TARGETS.len() as u64,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_is_accepted_as_it_is_and_a_short_run_finds_no_panic() {
        let server = seeded_server();
        for target in TARGETS {
            for seed in corpus(target).unwrap() {
                run_target(target, &seed, &server);
            }
        }
        let seed = std::fs::read(root().join("tests/fuzz/push/new-risk.json")).unwrap();
        let request: PushRequest = serde_json::from_slice(&seed).unwrap();
        let accepted = server.clone().push(
            &register::gate::Gate::default(),
            &author_of(&request, Role::Editor),
            &request,
            NOW,
        );
        assert!(
            accepted.is_ok(),
            "a seed that gets past the validator: {accepted:?}"
        );
        let page: PullResponse = serde_json::from_slice(
            &std::fs::read(root().join("tests/fuzz/pull/whole-log.json")).unwrap(),
        )
        .unwrap();
        assert!(
            Device::new(ClientId::new()).on_pulled(&page).is_ok(),
            "a page that verifies"
        );
        run(3_000, 42).unwrap();
    }

    #[test]
    fn mutations_stay_bounded_and_vary() {
        let mut rng = Rng(1);
        let seed = b"{\"client\":\"x\",\"ops\":[]}".to_vec();
        let outputs: std::collections::BTreeSet<Vec<u8>> = (0..200)
            .map(|_| mutate(&mut rng, &seed, std::slice::from_ref(&seed)))
            .collect();
        assert!(outputs.len() > 150);
        assert!(outputs.iter().all(|o| o.len() <= 1 << 16));
    }
}
