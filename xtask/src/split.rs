//! Trunk post_build step: splits the app's wasm at its lazy functions (the route table's parts,
//! the write path, sync), so the first load carries the shell and the dashboard's frame, and
//! each part of the pages loads on the first visit to one of them. The service worker precaches every part, so the app still starts offline.
//!
//! The splitter needs the linker's relocations (`app/build.rs` keeps them) and the module as
//! the linker wrote it, so this step redoes the end of Trunk's pipeline: split the cargo
//! output, run wasm-bindgen on the main part, put its JS and wasm in place of Trunk's (same
//! names, so `index.html` stays right), and shrink every part with wasm-opt.

use crate::shell::{cmd, node_bin, root};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

/// The main part of the last release build before wasm-opt strips its names.
pub const NAMED_MAIN: &str = "target/app-main-named.wasm";

/// wasm features the Rust target emits; wasm-opt must be told, as the parts carry no
/// target-features section.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The staged file whose name starts with `app-` and ends with `suffix` (Trunk hashes the
/// app's JS and wasm separately: `app-<hash>.js`, `app-<other hash>_bg.wasm`).
fn staged(staging: &Path, suffix: &str) -> Result<String> {
    std::fs::read_dir(staging)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("app-") && name.ends_with(suffix))
        .with_context(|| format!("Trunk staged no app-*{suffix}"))
}

pub fn split_staging_dir(staging: &Path) -> Result<()> {
    let profile = std::env::var("TRUNK_PROFILE").unwrap_or_else(|_| "release".into());
    let input: PathBuf = root()
        .join("target/wasm32-unknown-unknown")
        .join(&profile)
        .join("app.wasm");
    let wasm_name = staged(staging, "_bg.wasm")?;
    let js_name = staged(staging, ".js")?;
    let base = wasm_name.trim_end_matches("_bg.wasm").to_owned();
    let hash = base.rsplit('-').next().unwrap_or("app");
    // Parts live in a folder named by the build, so a page from an older build never loads a
    // newer build's part.
    let parts_name = format!("wasm-{hash}");
    let parts = staging.join(&parts_name);
    let work = std::env::temp_dir().join(format!("ratchet-split-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let main_wasm = work.join("main.wasm");
    let link_name = format!("./{parts_name}/__wasm_split.js");
    // The same URL index.html imports, so the parts join the running module.
    let main_module = format!("../{js_name}");

    // The splitter writes its loader at `output_dir/link_name` and does not make that folder.
    std::fs::create_dir_all(parts.join(&parts_name))?;
    let bytes = std::fs::read(&input).with_context(|| format!("{} is missing", input.display()))?;
    let mut options = wasm_split_cli_support::Options::new(&bytes);
    options.output_dir = &parts;
    options.main_out_path = &main_wasm;
    options.link_name = &link_name;
    options.main_module = &main_module;
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow!("splitting the app's wasm: {e:#}"))?;
    // The loader is written at `output_dir/link_name`; it belongs beside the parts it fetches.
    let nested = parts.join(&link_name);
    let loader = std::fs::read_to_string(&nested)?;
    std::fs::write(parts.join("__wasm_split.js"), patiently(&loader)?)?;
    std::fs::remove_file(&nested)?;
    std::fs::remove_dir(nested.parent().context("loader path")?)?;

    let bindgen = work.join("bindgen");
    cmd(
        "wasm-bindgen",
        &[
            &main_wasm.to_string_lossy(),
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-typescript",
            "--out-name",
            &base,
            "--out-dir",
            &bindgen.to_string_lossy(),
        ],
    )
    .run()?;
    // index.html loads Trunk's names; the wasm's URL is given to the JS explicitly.
    std::fs::copy(bindgen.join(format!("{base}.js")), staging.join(&js_name))?;
    std::fs::copy(bindgen.join(&wasm_name), staging.join(&wasm_name))?;
    if bindgen.join("snippets").exists() {
        copy_dir(&bindgen.join("snippets"), &staging.join("snippets"))?;
    }
    if profile == "release" {
        // Kept with its function names, for `cargo xtask bench` to say what the first load holds.
        std::fs::copy(bindgen.join(&wasm_name), root().join(NAMED_MAIN))?;
        let mut wasm_files = vec![staging.join(&wasm_name)];
        wasm_files.extend(split.split_modules);
        for file in wasm_files {
            let path = file.to_string_lossy().into_owned();
            let mut args = vec![path.as_str(), "-Oz", "-o", path.as_str()];
            args.extend(WASM_FEATURES);
            cmd(node_bin().join("wasm-opt"), &args).run()?;
        }
        for js in [staging.join(&js_name), parts.join("__wasm_split.js")] {
            let path = js.to_string_lossy().into_owned();
            let out = format!("--outfile={path}");
            let args = [
                path.as_str(),
                "--minify",
                "--format=esm",
                &out,
                "--allow-overwrite",
            ];
            cmd(node_bin().join("esbuild"), &args).run()?;
        }
    }
    // The main JS imports the loader; preloading it saves a round trip before the app starts.
    let index = staging.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let preload =
        format!(r#"<link crossorigin href=/{parts_name}/__wasm_split.js rel=modulepreload>"#);
    std::fs::write(
        &index,
        html.replacen("</head>", &format!("{preload}</head>"), 1),
    )?;
    std::fs::remove_dir_all(&work)?;
    Ok(())
}

/// Fetches a part again when the network fails, rather than failing the page (which panics in
/// the app): a first visit that goes offline before every page's code has arrived. The app
/// hears `ratchet-part-waiting` and says the page needs a connection once, then
/// `ratchet-part-loaded`. A part that the server answers without (an old build's) still fails.
///
/// Fetches start a few per task: a part of the pages needs up to ~50 shared chunks, and
/// starting all those fetches at once was a long task (~60-170 ms at 4x CPU throttle). For the
/// same reason the chunks are instantiated one per task: those whose code has arrived together
/// were otherwise all instantiated in one.
const PATIENT_FETCH: &str = r#"
function turns(perTask) {
  const waiting = [];
  const next = () => {
    for (const start of waiting.splice(0, perTask)) start();
    if (waiting.length > 0) setTimeout(next, 0);
  };
  return () => new Promise((start) => {
    if (waiting.push(start) === 1) setTimeout(next, 0);
  });
}
const fetchTurn = turns(4);
const instantiateTurn = turns(1);
async function patientInstantiate(source, imports) {
  await instantiateTurn();
  return WebAssembly.instantiateStreaming(source, imports);
}
async function patientFetch(url) {
  await fetchTurn();
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url);
      if (attempt > 0) dispatchEvent(new CustomEvent("ratchet-part-loaded"));
      return response;
    } catch (error) {
      // An hour of tries at most, one when the browser is back online or every 5 s.
      if (attempt >= 720) throw error;
    }
    dispatchEvent(new CustomEvent("ratchet-part-waiting"));
    await new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        removeEventListener("online", done);
        resolve();
      };
      const timer = setTimeout(done, 5000);
      addEventListener("online", done);
    });
  }
}
"#;

/// The loader with every part fetched and instantiated by `PATIENT_FETCH`.
fn patiently(loader: &str) -> Result<String> {
    const FETCH: &str = "fetch(new URL(";
    const INSTANTIATE: &str = "WebAssembly.instantiateStreaming(";
    let parts = loader.matches(FETCH).count();
    if parts == 0 || loader.matches(INSTANTIATE).count() != parts {
        anyhow::bail!(
            "the split loader no longer fetches parts with `{FETCH}` and instantiates them with \
             `{INSTANTIATE}`; update split.rs"
        );
    }
    Ok(format!(
        "{loader}\n{PATIENT_FETCH}",
        loader = loader
            .replace(FETCH, "patientFetch(new URL(")
            .replace(INSTANTIATE, "patientInstantiate(")
    ))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().context("file name")?);
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_fetched_patiently_and_a_changed_loader_fails_the_build() {
        let loader = r#"const a=c(()=>{const t=fetch(new URL("./chunk_1.wasm",import.meta.url));return async n=>WebAssembly.instantiateStreaming(t,n)});
const b=c(()=>{const t=fetch(new URL("./chunk_2.wasm",import.meta.url));return async n=>WebAssembly.instantiateStreaming(t,n)});"#;
        let patched = patiently(loader).unwrap();
        assert_eq!(patched.matches("patientFetch(new URL(").count(), 2);
        assert_eq!(patched.matches("=>patientInstantiate(t,n)").count(), 2);
        assert!(!patched.contains(" fetch(new URL(") && !patched.contains("=fetch(new URL("));
        assert!(patched.contains("async function patientFetch(url) {\n  await fetchTurn();"));
        assert!(
            patched.contains("await instantiateTurn();\n  return WebAssembly.instantiateStreaming")
        );
        assert!(patiently("import x from './y.js';").is_err());
        // Fetched but instantiated some other way: the patch would leave a burst in place.
        assert!(patiently(r#"fetch(new URL("./chunk_1.wasm",import.meta.url))"#).is_err());
    }
}
