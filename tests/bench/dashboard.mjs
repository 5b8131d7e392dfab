// The dashboard at scale, in headless Chromium against a real `wrangler dev`: the demo
// organisation built with its year's work repeated to about 20,000 records, then every
// indicator and maturity level computed (the app's `ratchet-indicators` measure), and the
// dashboard painted after navigating to it from another page (click until its figures are on
// screen), five times each. Prints one JSON line.
import { startWrangler } from "../support/wrangler.mjs";
import { openDevice, openTab, ready } from "../support/browser.mjs";

const SCALE = 70;
const RUNS = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const server = await startWrangler();
const device = await openDevice();
const { page } = device;
try {
  await page.goto(`${server.base}/`);
  await ready(page);
  await page.evaluate((scale) => localStorage.setItem("ratchet.demo-scale", String(scale)), SCALE);
  const building = Date.now();
  await page.getByRole("button", { name: "Load a demo organisation" }).click();
  await page.getByRole("button", { name: "Leave the demo" }).waitFor({ timeout: 600_000 });
  const built_ms = Date.now() - building;
  await ready(page);
  await page.locator("[data-indicator]").first().waitFor({ timeout: 120_000 });
  const records = Number(await page.getByTestId("record-count").textContent());
  const indicators = [];
  const painted = [];
  for (let run = 0; run < RUNS; run++) {
    await openTab(page, "Risks");
    await page.getByRole("heading", { level: 1, name: "Risks" }).waitFor();
    await page.evaluate(() => performance.clearMeasures("ratchet-indicators"));
    // From the click to the first frame that shows the figures.
    const ms = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const start = performance.now();
          const link = [...document.querySelectorAll("nav a")].find((a) => a.textContent.trim() === "Dashboard");
          link.click();
          const poll = () => {
            if (document.querySelector("[data-indicator]")) resolve(performance.now() - start);
            else requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        }),
    );
    painted.push(ms);
    const measured = await page.evaluate(() => performance.getEntriesByName("ratchet-indicators").map((m) => m.duration));
    indicators.push(...measured);
  }
  console.log(
    JSON.stringify({
      records,
      built_ms,
      indicators_ms: { median: median(indicators), runs: indicators },
      dashboard_ms: { median: median(painted), runs: painted },
    }),
  );
} finally {
  await device.close();
  await server.stop();
}
