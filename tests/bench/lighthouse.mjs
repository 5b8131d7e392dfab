// Lighthouse on its default mobile profile (simulated slow 4G, 4× CPU slowdown) against the
// app served by a real `wrangler dev`, driving Debian's Chromium: a first visit (fresh
// profile, storage reset) and a return visit (the same profile once the app has loaded and
// is ready offline, storage kept), three runs each.
// Prints one JSON line: {"first": {...}, "return": {...}}, each the medians of the
// performance score (0-100), time to interactive, total blocking time and largest
// contentful paint (ms), with every run's figures.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWrangler, CHROMIUM_ARGS } from "../support/wrangler.mjs";

const RUNS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function figures(lhr) {
  if (lhr.runtimeError) return { error: `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` };
  const audit = (name) => Math.round(lhr.audits[name].numericValue);
  return {
    score: Math.round(lhr.categories.performance.score * 100),
    tti_ms: audit("interactive"),
    tbt_ms: audit("total-blocking-time"),
    lcp_ms: audit("largest-contentful-paint"),
  };
}

/** Medians over the runs Lighthouse completed; a run it could not finish is listed, not counted. */
function summary(runs) {
  const done = runs.filter((run) => !run.error);
  const pick = (key) => (done.length ? median(done.map((run) => run[key])) : null);
  return { score: pick("score"), tti_ms: pick("tti_ms"), tbt_ms: pick("tbt_ms"), lcp_ms: pick("lcp_ms"), completed: done.length, runs };
}

/** One Lighthouse run in a Chromium of its own on `profile`. */
async function audit(url, profile, keepStorage) {
  const chrome = await chromeLauncher.launch({
    chromePath: "/usr/bin/chromium",
    userDataDir: profile,
    chromeFlags: ["--headless=new", ...CHROMIUM_ARGS],
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      disableStorageReset: keepStorage,
    });
    return figures(result.lhr);
  } finally {
    await chrome.kill();
  }
}

/** Opens the app once in `profile`, until every page can open offline, then closes it. */
async function visitOnce(url, profile) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("html[data-offline-ready=true]", { state: "attached", timeout: 120_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForTimeout(1_000);
  } finally {
    await context.close();
  }
}

const server = await startWrangler();
const profiles = [];
const profile = () => {
  const dir = mkdtempSync(join(tmpdir(), "ratchet-lighthouse-"));
  profiles.push(dir);
  return dir;
};
try {
  const url = `${server.base}/`;
  const first = [];
  const back = [];
  for (let i = 0; i < RUNS; i++) first.push(await audit(url, profile(), false));
  for (let i = 0; i < RUNS; i++) {
    const dir = profile();
    await visitOnce(url, dir);
    back.push(await audit(url, dir, true));
  }
  console.log(JSON.stringify({ first: summary(first), return: summary(back) }));
} finally {
  await server.stop();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
}
