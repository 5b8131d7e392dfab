// Cold start to interactive: a fresh browser profile (no cache, no service worker) loads the
// app from a real `wrangler dev` with the CPU throttled 4× through the DevTools protocol.
// "Interactive" is the app's `ratchet-ready` mark: first page drawn with its data.
// Prints one JSON line: {"runs_ms": [...], "median_ms": n}.
import { chromium } from "playwright-core";
import { startWrangler, CHROMIUM_ARGS } from "../support/wrangler.mjs";

const RUNS = 5;
const server = await startWrangler();
const runs = [];
try {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      await page.goto(`${server.base}/`);
      await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 30_000 });
      const ms = await page.evaluate(() => performance.getEntriesByName("ratchet-ready")[0].startTime);
      runs.push(Math.round(ms));
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
const sorted = [...runs].sort((a, b) => a - b);
console.log(JSON.stringify({ runs_ms: runs, median_ms: sorted[Math.floor(sorted.length / 2)] }));
