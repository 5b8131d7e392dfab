// The risk register as an ISMS manager uses it: score a risk, link controls, watch it move on
// the heat maps, and filter the list from a cell. The real app under `wrangler dev`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, addRisk, openDevice, openTab, pick, ready, riskRow, seriousA11yViolations } from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const cell = (page, scale, l, i) => page.getByRole("button", { name: new RegExp(`^${scale} likelihood ${l}, impact ${i}:`) });

test("a scored risk with two controls moves on the heat maps, and a cell filters the list", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await addRisk(page, "Ransomware on the file server", 4, 5);
    await addRisk(page, "Tailgating into the office", 2, 2);
    assert.equal(await cell(page, "inherent", 4, 5).getAttribute("aria-label"), "inherent likelihood 4, impact 5: 1 risks");
    assert.equal(await cell(page, "residual", 2, 3).getAttribute("aria-label"), "residual likelihood 2, impact 3: 0 risks");
    assert.deepEqual(await seriousA11yViolations(page), []);

    await riskRow(page, "Ransomware").getByRole("link").click();
    await page.getByLabel("Treatment").selectOption("mitigate");
    await pick(page, "#risk-controls", ["A.8.13 Information backup", "A.8.7 Protection against malware"]);
    await page.getByLabel("Residual likelihood").selectOption("2");
    await page.getByLabel("Residual impact").selectOption("3");
    await page.getByLabel("Review due").fill("2026-01-15");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    assert.equal(await page.getByTestId("risk-scores").textContent(), "Inherent score 20 · residual score 6");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "risk-detail.png"), fullPage: true });
    // "Saved" stays until a field changes again, and comes back with the next save.
    const saved = page.getByRole("status").filter({ hasText: "Saved on this device." });
    await page.getByLabel("Review due").fill("2026-01-16");
    await saved.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Save changes" }).click();
    await saved.waitFor();

    await openTab(page, "Risks");
    assert.match(await cell(page, "residual", 2, 3).getAttribute("aria-label"), /: 1 risks$/);
    await cell(page, "inherent", 4, 5).click();
    await page.getByText("Showing risks with inherent likelihood 4 and impact 5.").waitFor();
    const listed = page.getByRole("list", { name: "Recorded risks" }).getByRole("listitem");
    assert.equal(await listed.count(), 1);
    assert.match(await listed.first().textContent(), /Ransomware/);
    await page.screenshot({ path: join(SHOTS, "risks-heatmap.png"), fullPage: true });
    await page.getByRole("button", { name: "Show all risks" }).click();
    assert.equal(await listed.count(), 2);

    // A review date in the past is highlighted, and "Overdue only" finds it.
    const ransomware = riskRow(page, "Ransomware");
    assert.match(await ransomware.textContent(), /Review overdue since 2026-01-16/);
    assert.match(await ransomware.getAttribute("class"), /overdue/);
    await page.getByLabel("Overdue only").check();
    assert.equal(await page.locator(".count").textContent(), "1 of 2 risks");
    await page.getByLabel("Overdue only").uncheck();
    await page.getByLabel("Search").fill("TAILGATING");
    assert.equal(await page.locator(".count").textContent(), "1 of 2 risks");
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Sort by").selectOption("due");
    assert.match(await listed.first().textContent(), /Ransomware/, "the dated risk sorts first");

    // Its history lists every change made here (this device syncs with no one).
    await riskRow(page, "Ransomware").getByRole("link").click();
    await page.getByText("History of changes").click();
    const changes = page.getByRole("list", { name: "Changes, newest first" });
    await changes.getByText(/you, on this device · Residual impact → 3/).waitFor();
    await changes.getByText(/you, on this device · Title → Ransomware on the file server/).waitFor();
    await page.getByRole("img", { name: /Residual score over time: 1 value from/ }).waitFor();
    await openTab(page, "Risks");

    // The control knows the risk it treats.
    await openTab(page, "Controls");
    await page.getByRole("link", { name: "A.8.13 Information backup" }).click();
    await page.getByRole("list", { name: "Linked risks" }).getByText("Ransomware on the file server").waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await openTab(page, "Risks");
    await page.screenshot({ path: join(SHOTS, "risks-phone.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});

test("a review due today turns overdue at midnight, with nothing changed in the register", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    // Two minutes to midnight (the browser's zone is UTC).
    await page.clock.install({ time: new Date("2026-11-29T23:58:00Z") });
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await addRisk(page, "Visitor badges not returned", 2, 3);
    await riskRow(page, "Visitor badges").getByRole("link").click();
    await page.getByLabel("Review due").fill("2026-11-29");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    await openTab(page, "Risks");
    const row = riskRow(page, "Visitor badges");
    assert.match(await row.textContent(), /Review by 2026-11-29/);
    assert.doesNotMatch(await row.getAttribute("class"), /overdue/);

    await page.clock.fastForward("03:00");
    await page.locator("li.overdue", { hasText: "Visitor badges" }).waitFor({ timeout: 5_000 });
    assert.match(await row.textContent(), /Review overdue since 2026-11-29/);
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});
