//! Part of the Trunk post_build hook: stamps the service worker with the list of files to precache
//! (their names carry content hashes) and a version that changes whenever any file does.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const VERSION_TOKEN: &str = "__RATCHET_VERSION__";
const PRECACHE_TOKEN: &str = "[\"__RATCHET_PRECACHE__\"]";

pub fn stamp(dir: &Path) -> Result<()> {
    let sw_path = dir.join("sw.js");
    let template = std::fs::read_to_string(&sw_path)
        .with_context(|| format!("{} is missing", sw_path.display()))?;
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    let mut urls = vec!["/".to_owned()];
    for file in &files {
        let relative = file.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
        // `_headers` configures the host and is never served.
        if relative == "sw.js" || relative == "_headers" {
            continue;
        }
        hasher.update(relative.as_bytes());
        hasher.update(std::fs::read(file)?);
        // index.html is served (and cached) as "/"; wrangler redirects /index.html to it.
        if relative != "index.html" {
            urls.push(format!("/{relative}"));
        }
    }
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stamped = stamp_template(&template, &version, &urls)?;
    std::fs::write(&sw_path, stamped)?;
    eprintln!(
        "stamp-sw: {} files precached, version {version}",
        urls.len()
    );
    Ok(())
}

fn stamp_template(template: &str, version: &str, urls: &[String]) -> Result<String> {
    if !template.contains(VERSION_TOKEN) || !template.contains(PRECACHE_TOKEN) {
        bail!("sw.js must contain {VERSION_TOKEN} and {PRECACHE_TOKEN}");
    }
    Ok(template
        .replace(VERSION_TOKEN, version)
        .replace(PRECACHE_TOKEN, &serde_json::to_string(urls)?))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_hashed_files_and_a_content_version() {
        let dir = std::env::temp_dir().join(format!("ratchet-sw-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        let template = format!("const V = \"{VERSION_TOKEN}\";\nconst P = {PRECACHE_TOKEN};\n");
        std::fs::write(dir.join("sw.js"), &template).unwrap();
        std::fs::write(dir.join("index.html"), "<html>").unwrap();
        std::fs::write(dir.join("app-abc_bg.wasm"), [0, 97, 115, 109]).unwrap();
        std::fs::write(dir.join("icons/icon.svg"), "<svg/>").unwrap();
        std::fs::write(dir.join("_headers"), "/*\n  X-Frame-Options: DENY\n").unwrap();
        stamp(&dir).unwrap();
        let first = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert!(
            first.contains(r#"const P = ["/","/app-abc_bg.wasm","/icons/icon.svg"];"#),
            "{first}"
        );
        assert!(!first.contains(VERSION_TOKEN));

        std::fs::write(dir.join("sw.js"), &template).unwrap();
        std::fs::write(dir.join("index.html"), "<html lang=en>").unwrap();
        stamp(&dir).unwrap();
        let second = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        assert_ne!(first, second, "a changed file must change the version");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_template_without_its_tokens() {
        assert!(stamp_template("self.addEventListener()", "v", &[]).is_err());
    }
}
