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
    await page.getByText("A control's place in the SoA needs a justification").waitFor();
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
    assert.equal(csv[0], "Control,Title,Theme,Applicable,Justification,Status,Effectiveness,Risks treated");
    assert.equal(
      csv.find((line) => line.startsWith("A.7.4,")),
      `A.7.4,Physical security monitoring,physical,No,"'=HYPERLINK(""http://attacker.example"",""Open"") We have no premises of our own: everyone works remotely.",implemented,,`,
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

test("the SoA starts with 93 controls undecided, is approved once each is decided with a justification, and version 1 stays readable after version 2", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/soa`);
    await ready(page);
    await page.getByTestId("soa-undecided").getByText("93 of 93 controls not yet decided.").waitFor();
    // A register kept alone: no log to cite, and nothing "not yet synced" that never will be.
    assert.equal(await page.getByTestId("document-log").textContent(), "The register kept on this device alone, as it stands: it has no shared log");
    await page.getByRole("button", { name: "Approve as version 1" }).click();
    await page.getByRole("alert").getByText(/^93 controls are not yet decided with a justification/).first().waitFor();
    assert.equal(await page.getByRole("list", { name: "Approved versions of the SoA" }).count(), 0);

    // Each control decided on its own page, reached within the app as a person would.
    const table = page.getByRole("table", { name: "Statement of Applicability" });
    const controls = await table.locator("tbody tr th a").evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute("href")]));
    assert.equal(controls.length, 93);
    const started = Date.now();
    for (const [reference, href] of controls) {
      await page.evaluate((to) => {
        history.pushState({}, "", to);
        dispatchEvent(new PopStateEvent("popstate"));
      }, href);
      await page.getByRole("heading", { name: new RegExp(`^${reference.replaceAll(".", "\\.")} `) }).waitFor();
      const excluded = reference === "A.7.4";
      await page.getByLabel("Applicable").selectOption(excluded ? "no" : "yes");
      await page.getByLabel("Justification").fill(excluded ? "No premises: everyone works remotely." : `Business need: ${reference} is part of our baseline.`);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Saved on this device.").waitFor();
    }
    console.log(`93 controls decided in ${Date.now() - started} ms`);

    await openTab(page, "SoA");
    await page.getByTestId("soa-undecided").getByText("All 93 controls are decided.").waitFor();
    await page.getByRole("button", { name: "Approve as version 1" }).click();
    const versions = page.getByRole("list", { name: "Approved versions of the SoA" });
    await versions.getByRole("link", { name: "Version 1" }).waitFor();
    assert.equal(await page.getByTestId("document-version").textContent(), "Version 1");

    // One control changes: the SoA says so until version 2 is approved.
    await table.getByRole("link", { name: "A.7.4" }).click();
    await page.getByLabel("Applicable").selectOption("yes");
    await page.getByLabel("Justification").fill("A new office opens in March with a camera system.");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    await openTab(page, "SoA");
    await page.getByTestId("document-version").getByText("Version 1, changed since: the changes are not yet approved").waitFor();
    await page.getByRole("button", { name: "Approve as version 2" }).click();
    await versions.getByRole("link", { name: "Version 2" }).waitFor();
    assert.equal(await page.getByTestId("document-version").textContent(), "Version 2");
    assert.deepEqual(await seriousA11yViolations(page), []);

    // Version 1 reads as it was approved.
    await versions.getByRole("link", { name: "Version 1" }).click();
    const first = page.getByRole("table", { name: "Statement of Applicability, version 1" });
    const physical = first.locator("tbody tr").filter({ hasText: "A.7.4" });
    assert.match(await physical.textContent(), /Physical security monitoring.*No.*No premises: everyone works remotely\./);
    assert.equal(await first.locator("tbody tr").count(), 93);
    assert.equal(await page.getByTestId("document-version").textContent(), "Version 1");
    assert.match(await page.getByTestId("document-log").textContent(), /outside any organisation's log/);
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.getByLabel("Document control").isVisible(), true);
    await page.screenshot({ path: join(SHOTS, "soa-version-1-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
    assert.deepEqual(await seriousA11yViolations(page), []);
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});
