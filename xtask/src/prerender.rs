//! Part of the Trunk post_build hook: writes the app's first screen into `index.html`
//! (`xtask/prerender.mjs` draws it in headless Chromium), so a first visit paints the shell
//! and the dashboard before the wasm has arrived. The app replaces it when it mounts.

use crate::shell::{cmd, node_bin};
use anyhow::Result;
use std::path::Path;

pub fn first_screen(dir: &Path) -> Result<()> {
    cmd(
        node_bin().join("node"),
        &["xtask/prerender.mjs", &dir.to_string_lossy()],
    )
    .run()
}
