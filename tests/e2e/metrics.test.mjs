// Objectives and metrics as an ISMS manager runs them (clauses 6.2 and 9.1): define a metric,
// record three measurements, read the trend chart, raise a finding from the value past the
// threshold, and see the objective measured by it go off track. The real app under
// `wrangler dev`, on a device that syncs with no one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, openDevice, openTab, pick, ready, seriousA11yViolations, unexpected } from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

/** A date `days` before today, as YYYY-MM-DD in the browser's zone. */
const daysAgo = (page, days) =>
  page.evaluate((days) => {
    const d = new Date();
    d.setDate(d.getDate() - days);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }, days);

async function measure(page, value, date) {
  await page.locator("#measurement-value").fill(String(value));
  await page.locator("#measurement-date").fill(date);
  await page.locator("#measurement-note").fill(`Monthly asset report, ${date}`);
  await page.getByRole("button", { name: "Add measurement" }).click();
  await page.getByRole("table", { name: "Measurements" }).getByRole("cell", { name: date, exact: true }).waitFor();
}

test("a metric with three measurements is charted against its target, and a breach raises a finding", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    await openTab(page, "Metrics");
    await page.getByText("No metrics yet.").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);

    // A metric needs a name: refused at the field, nothing created.
    await page.getByText("Define a metric").click();
    await page.getByRole("button", { name: "Add metric" }).click();
    await page.getByText("“name” is required.").waitFor();
    assert.equal(await page.locator("#metric-name").getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator(".count").textContent(), "0 of 0 metrics");

    await page.locator("#metric-name").fill("Laptops with full-disk encryption");
    await page.locator("#metric-unit").fill("%");
    await page.locator("#metric-target").fill("95");
    await page.locator("#metric-warning").fill("90");
    await page.getByRole("button", { name: "Add metric" }).click();
    await page.getByRole("heading", { name: "Laptops with full-disk encryption" }).waitFor();
    assert.match(await page.getByTestId("metric-summary").textContent(), /Not measured yet/);

    // A measurement without a value is refused at its field, and nothing is recorded.
    await page.getByRole("button", { name: "Add measurement" }).click();
    await page.getByText("“value” is required.").waitFor();
    assert.equal(await page.locator("#measurement-value").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByRole("table", { name: "Measurements" }).locator("tbody tr").count(), 0);

    await measure(page, 97, await daysAgo(page, 60));
    await measure(page, 93, await daysAgo(page, 30));
    assert.equal(await page.getByRole("alert").filter({ hasText: "Raise a finding" }).count(), 0, "a warning is not a breach");
    const last = await daysAgo(page, 1);
    await measure(page, 85, last);

    // The chart: three points and the target and warning lines.
    const chart = page.getByRole("img", { name: /over time: 3 values/ });
    await chart.waitFor();
    assert.equal(await chart.locator("circle").count(), 3);
    assert.equal(await chart.locator("line.reference").count(), 2);
    assert.match(await chart.getAttribute("aria-label"), new RegExp(`latest 85 % on ${last}`));
    const cells = await page.getByRole("table", { name: "Measurements" }).locator("tbody tr td:nth-child(3)").allTextContents();
    assert.deepEqual(cells, ["breach", "warning", "on target"]);

    // The breach prompt raises a finding linked to the measurement.
    const prompt = page.getByRole("alert").filter({ hasText: "85 % is past the threshold of 90 %" });
    await prompt.waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "metric-breach.png"), fullPage: true });
    await prompt.getByRole("button", { name: "Raise a finding" }).click();
    await page.getByText(`Finding raised: Laptops with full-disk encryption breached: 85 % on ${last}`).waitFor();
    assert.equal(await prompt.count(), 0);

    // It stays after a reload: measurements, finding link, and the standing in the list.
    await page.reload();
    await ready(page);
    await page.getByText(`Finding raised: Laptops with full-disk encryption breached: 85 % on ${last}`).waitFor();
    await openTab(page, "Metrics");
    const row = page.getByRole("list", { name: "Metrics" }).getByRole("listitem").filter({ hasText: "Laptops with full-disk encryption" });
    assert.match(await row.textContent(), /85 % \(breach\)/);
    assert.equal(await page.getByRole("list", { name: "Due for measurement" }).count(), 0, "measured this month");

    // An objective measured by the metric takes its standing.
    await openTab(page, "Objectives");
    await page.getByText("No objectives yet.").waitFor();
    await page.getByText("Set an objective").click();
    await page.locator("#objective-title").fill("Customer data stays safe on lost laptops");
    await page.locator("#objective-business_objective").fill("Keep the trust of our customers");
    await page.getByRole("button", { name: "Add objective" }).click();
    await page.getByRole("heading", { name: "Customer data stays safe on lost laptops" }).waitFor();
    assert.match(await page.getByTestId("objective-status").textContent(), /no metrics yet/);
    await pick(page, "#objective-metrics", ["Laptops with full-disk encryption"]);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    assert.match(await page.getByTestId("objective-status").textContent(), /off track/);
    await page.getByRole("list", { name: "Metrics of this objective" }).getByText(`85 % on ${last} (breach)`).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.setViewportSize({ width: 390, height: 844 });
    await openTab(page, "Metrics");
    await page.getByRole("link", { name: "Laptops with full-disk encryption" }).click();
    await page.getByRole("img", { name: /over time: 3 values/ }).waitFor();
    // On a phone each measurement is a card of labelled values: nothing scrolls sideways.
    const wrap = page.locator(".table-wrap");
    assert.ok(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth), "the measurements fit the phone's width");
    assert.equal(await page.getByRole("table", { name: "Measurements" }).getByRole("row").count(), 4, "a header and three rows");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "metric-phone.png"), fullPage: true });
    assert.deepEqual(unexpected(problems), []);
  } finally {
    await device.close();
  }
});
