// Controls and the Statement of Applicability, as an ISMS manager uses them: the real app
// served by `wrangler dev`, on a device that syncs with no one (every page works offline).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, openDevice, openTab, ready, seriousA11yViolations } from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const count = (page) => page.locator(".count").textContent();

test("every Annex A control is there; excluding one needs a justification; the SoA prints and exports", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    await openTab(page, "Controls");
    assert.equal(await count(page), "93 of 93 controls");
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.getByLabel("Theme").selectOption("physical");
    assert.equal(await count(page), "14 of 93 controls");
    await page.getByLabel("Theme").selectOption("");
    await page.getByLabel("Search").fill("backup");
    assert.equal(await count(page), "1 of 93 controls");
    await page.getByRole("link", { name: "A.8.13 Information backup" }).waitFor();
    await page.getByLabel("Search").fill("");

    await page.getByRole("link", { name: "A.7.4 Physical security monitoring" }).click();
    await page.getByRole("heading", { name: "A.7.4 Physical security monitoring" }).waitFor();
    // Not applicable without a justification: refused at the field, nothing saved.
    await page.getByLabel("Applicable").selectOption("no");
    await page.getByRole("button", { name: "Save changes" }).click();
    const why = page.getByLabel("Justification");
    await page.getByText("A control that is not applicable needs a justification").waitFor();
    assert.equal(await why.getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByText("Saved on this device.").count(), 0);
    await page.screenshot({ path: join(SHOTS, "control-refused.png"), fullPage: true });

    // A justification a spreadsheet would run as a formula: exported as text (below).
    await why.fill('=HYPERLINK("http://attacker.example","Open") We have no premises of our own: everyone works remotely.');
    await page.getByLabel("Status").selectOption("implemented");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    assert.equal(await why.getAttribute("aria-invalid"), "false");
    assert.deepEqual(await seriousA11yViolations(page), []);

    // It stays after a reload, and the list shows it excluded.
    await page.reload();
    await ready(page);
    assert.equal(await page.getByLabel("Applicable").inputValue(), "no");
    await openTab(page, "Controls");
    const row = page.getByRole("listitem").filter({ hasText: "A.7.4 Physical security monitoring" });
    assert.match(await row.textContent(), /Not applicable/);

    await openTab(page, "SoA");
    const table = page.getByRole("table", { name: "Statement of Applicability" });
    assert.equal(await table.locator("tbody tr").count(), 93);
    const entry = table.locator("tbody tr").filter({ hasText: "A.7.4" });
    assert.match(await entry.textContent(), /No.*everyone works remotely.*Implemented/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "statement-of-applicability.csv");
    const csv = readFileSync(await download.path(), "utf8").trim().split("\n");
    assert.equal(csv.length, 94);
    assert.equal(csv[0], "Control,Title,Theme,Applicable,Justification,Status");
    assert.equal(
      csv.find((line) => line.startsWith("A.7.4,")),
      `A.7.4,Physical security monitoring,physical,No,"'=HYPERLINK(""http://attacker.example"",""Open"") We have no premises of our own: everyone works remotely.",implemented`,
    );

    // Printed, only the statement remains.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("nav.registers").isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "Export CSV" }).isVisible(), false);
    await page.screenshot({ path: join(SHOTS, "soa-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });

    // On a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await openTab(page, "Controls");
    await page.screenshot({ path: join(SHOTS, "controls-phone.png") });
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});
