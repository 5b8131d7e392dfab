//! Part of the Trunk post_build hook: locks the served app down. Trunk writes its loader into
//! `index.html` as an inline script; each inline script moves to a file of its own (named by
//! its content hash), so the Content-Security-Policy can allow the app's own files and no
//! inline script at all. `_headers` (which Workers static assets apply) then sets the policy
//! and the other security headers on every file served.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What the app may load: its own scripts, WebAssembly compiled from them, its own styles,
/// images and the sync API on the same origin; nothing framed, no plugins, no base URL.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The camera for the app itself (evidence photos); every other powerful feature off.
pub const PERMISSIONS_POLICY: &str =
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=()";

pub fn lock_down(dir: &Path) -> Result<()> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)
        .with_context(|| format!("{} is missing", index.display()))?;
    let (html, moved) = externalise_inline_scripts(&html)?;
    for (name, body) in &moved {
        std::fs::write(dir.join(name), body)?;
    }
    std::fs::write(&index, html)?;
    std::fs::write(dir.join("_headers"), headers_file())?;
    eprintln!(
        "headers: {} inline script(s) moved to files, _headers written",
        moved.len()
    );
    Ok(())
}

fn headers_file() -> String {
    format!(
        "/*\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n  Permissions-Policy: {PERMISSIONS_POLICY}\n  Cross-Origin-Opener-Policy: same-origin\n"
    )
}

/// Replaces each `<script …>body</script>` without a `src` by `<script … src=/inline-<hash>.js>`,
/// returning the new page and the files to write. A classic script becomes `defer`, so it
/// still runs before the page's `load` event without blocking the parser on a fetch.
fn externalise_inline_scripts(html: &str) -> Result<(String, Vec<(String, String)>)> {
    let mut out = String::with_capacity(html.len());
    let mut moved = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        let tag_end = rest[start..]
            .find('>')
            .map(|i| start + i)
            .context("an unclosed <script> tag in index.html")?;
        let attributes = &rest[start + "<script".len()..tag_end];
        let close = rest[tag_end..]
            .find("</script>")
            .map(|i| tag_end + i)
            .context("a <script> without </script> in index.html")?;
        let body = &rest[tag_end + 1..close];
        if attributes.contains("src=") {
            out.push_str(&rest[start..close + "</script>".len()]);
        } else {
            if body.trim().is_empty() {
                bail!("an empty inline <script> in index.html");
            }
            let digest = Sha256::digest(body.as_bytes());
            let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let name = format!("inline-{hash}.js");
            let defer =
                if attributes.contains("type=module") || attributes.contains("type=\"module\"") {
                    ""
                } else {
                    " defer"
                };
            out.push_str(&format!("<script{attributes}{defer} src=/{name}></script>"));
            moved.push((name, body.to_owned()));
        }
        rest = &rest[close + "</script>".len()..];
    }
    out.push_str(rest);
    Ok((out, moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_move_to_files_and_others_stay() {
        let html = "<head><script type=module>import init from\"/app.js\";await init();</script>\
                    <script src=/kept.js></script><script>navigator.x();</script></head>";
        let (page, moved) = externalise_inline_scripts(html).unwrap();
        assert_eq!(moved.len(), 2);
        assert_eq!(moved[0].1, "import init from\"/app.js\";await init();");
        assert_eq!(moved[1].1, "navigator.x();");
        assert_eq!(
            page,
            format!(
                "<head><script type=module src=/{}></script><script src=/kept.js></script>\
                 <script defer src=/{}></script></head>",
                moved[0].0, moved[1].0
            )
        );
        assert!(!page.contains("navigator"), "no inline script is left");
        let (again, none) = externalise_inline_scripts(&page).unwrap();
        assert_eq!(
            (again, none.len()),
            (page, 0),
            "a second run changes nothing"
        );
    }

    #[test]
    fn the_policy_allows_no_inline_script_and_no_framing() {
        let headers = headers_file();
        assert!(headers.starts_with("/*\n"));
        assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(headers.contains("X-Content-Type-Options: nosniff"));
    }
}
