// Cold start to interactive: a fresh browser profile (no cache, no service worker) loads the
// app from a real `wrangler dev` with the CPU throttled 4× through the DevTools protocol.
// "Interactive" is the app's `ratchet-ready` mark: first page drawn with its data. Each run
// then waits until every page can open offline (`data-offline-ready`) and settles, and reads
// the long tasks (over 50 ms) that ran after the first contentful paint: the time a person's
// first tap could wait.
// Prints one JSON line: {"runs_ms", "median_ms", "longest_task_ms", "long_tasks"}.
import { chromium } from "playwright-core";
import { startWrangler, CHROMIUM_ARGS } from "../support/wrangler.mjs";

const RUNS = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const server = await startWrangler();
const runs = [];
const longest = [];
const longTasks = [];
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
      await page.waitForSelector("html[data-offline-ready=true]", { state: "attached", timeout: 120_000 });
      await page.waitForTimeout(1_500);
      const tasks = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
            const seen = [];
            new PerformanceObserver((list) => seen.push(...list.getEntries())).observe({ type: "longtask", buffered: true });
            setTimeout(() => resolve(seen.filter((t) => t.startTime >= paint).map((t) => [Math.round(t.startTime), Math.round(t.duration)])), 200);
          }),
      );
      longTasks.push(tasks);
      longest.push(Math.max(0, ...tasks.map(([, duration]) => duration)));
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
console.log(JSON.stringify({ runs_ms: runs, median_ms: median(runs), longest_task_ms: median(longest), long_tasks: longTasks }));
