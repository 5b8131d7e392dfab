import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler, CHROMIUM_ARGS } from "../support/wrangler.mjs";
const server = await startWrangler();
try {
  for (let i = 0; i < 2; i++) {
    const chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", userDataDir: mkdtempSync(join(tmpdir(), "lhd-")), chromeFlags: ["--headless=new", ...CHROMIUM_ARGS] });
    const r = await lighthouse(server.base + "/", { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] });
    await chrome.kill();
    const a = r.lhr.audits;
    writeFileSync(`/tmp/lh-${i}.json`, JSON.stringify(r.lhr));
    console.log("score", r.lhr.categories.performance.score, "tti", a.interactive.numericValue, "lcp", a["largest-contentful-paint"].numericValue, "fcp", a["first-contentful-paint"].numericValue, "tbt", a["total-blocking-time"].numericValue);
    console.log("long tasks", JSON.stringify((a["long-tasks"].details?.items || []).map((t) => [t.url?.slice(-40), Math.round(t.startTime), Math.round(t.duration)])));
    const lcpEl = a["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node;
    console.log("lcp el", lcpEl?.snippet, lcpEl?.selector);
  }
} finally { await server.stop(); }
