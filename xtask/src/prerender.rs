//! Part of the Trunk post_build hook: writes the app's first screen into `index.html`
//! (`xtask/prerender.mjs` draws it in headless Chromium), so a first visit paints the shell
//! and the dashboard before the wasm has arrived, and starts fetching the wasm only once that
//! screen is painted. The app replaces the written screen when it mounts.

use crate::shell::{cmd, node_bin};
use anyhow::{Result, bail};
use std::path::Path;

/// Before Trunk's loader starts the app: the first frame is painted (in a visible tab).
const AFTER_FIRST_PAINT: &str = "await new Promise((painted)=>{if(document.visibilityState===\"hidden\")painted();else requestAnimationFrame(()=>setTimeout(painted,0))});";
const START: &str = "const wasm=await init(";

pub fn first_screen(dir: &Path) -> Result<()> {
    cmd(
        node_bin().join("node"),
        &["xtask/prerender.mjs", &dir.to_string_lossy()],
    )
    .run()?;
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    std::fs::write(&index, start_after_first_paint(&html)?)?;
    Ok(())
}

/// Trunk preloads the main wasm from the page and its loader fetches it at once; both moved
/// after the first paint, the written screen paints on a slow network without the wasm's
/// ~260 KB sharing the link with the page's style (and Lighthouse's simulation no longer
/// counts the wasm as needed for that paint). The code the wasm needs first (the app's JS and
/// the part loader) is still preloaded.
fn start_after_first_paint(html: &str) -> Result<String> {
    let Some(start) = html.find("<link as=fetch") else {
        bail!("index.html has no wasm preload from Trunk where one was expected");
    };
    let Some(end) = html[start..].find('>').map(|i| start + i + 1) else {
        bail!("an unclosed <link> in index.html");
    };
    if !html[start..end].contains("_bg.wasm") || !html.contains(START) {
        bail!("Trunk's loader has changed: the wasm's start cannot be moved after the first paint");
    }
    let html = format!("{}{}", &html[..start], &html[end..]);
    Ok(html.replacen(START, &format!("{AFTER_FIRST_PAINT}{START}"), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_starts_after_the_first_paint_and_a_changed_loader_fails_the_build() {
        let html = "<head><script type=module>import init from\"/app.js\";const wasm=await init({module_or_path:`/app_bg.wasm`});</script>\
                    <link as=fetch crossorigin href=/app-1_bg.wasm rel=preload type=application/wasm><link href=/app.js rel=modulepreload></head>";
        let moved = start_after_first_paint(html).unwrap();
        assert!(!moved.contains("rel=preload"));
        assert!(moved.contains("rel=modulepreload"));
        assert!(moved.contains(&format!("{AFTER_FIRST_PAINT}{START}")));
        assert!(
            start_after_first_paint(&moved).is_err(),
            "no preload left to move"
        );
        assert!(start_after_first_paint(&html.replace(START, "init(")).is_err());
    }
}
