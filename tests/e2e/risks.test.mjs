// The risk register as an ISMS manager uses it: score a risk, link controls, watch it move on
// the heat maps, and filter the list from a cell. The real app under `wrangler dev`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, addRisk, createOrganisation, inviteAndJoin, openDevice, openTab, pick, ready, riskRow, seriousA11yViolations, synced } from "../support/browser.mjs";

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
    await page.getByLabel("Treatment", { exact: true }).selectOption("mitigate");
    await pick(page, "#risk-controls", ["A.8.13 Information backup", "A.8.7 Protection against malware"]);
    await page.getByLabel("Residual likelihood").selectOption("2");
    await page.getByLabel("Residual impact").selectOption("3");
    await page.getByLabel("Review due").fill("2026-01-15");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    assert.equal(await page.getByTestId("risk-scores").textContent(), "Inherent score 20 Critical · residual score 6 Medium · appetite 9");
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

test("an appetite of 8: a risk scored 12 is accepted only by its owner, with a rationale and an expiry; the methodology prints with its version", async () => {
  const owner = await openDevice();
  const editor = await openDevice();
  const { page, problems } = owner;
  try {
    await createOrganisation(page, server, "Appetite Ltd", "Olive Owner");
    await openTab(page, "Risk criteria");
    await page.getByText("These are Ratchet's defaults").waitFor();
    await page.getByRole("button", { name: "Adopt these criteria" }).click();
    await page.getByLabel("Appetite").fill("8");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    await page.getByTestId("appetite").getByText(/is 8 or less/).waitFor();
    // A band that starts below the one beneath it is refused at its field.
    await page.getByLabel("High from").fill("3");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Each band starts above the one below it").waitFor();
    await page.getByLabel("High from").fill("10");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    await page.getByRole("button", { name: "Approve as the next version" }).click();
    await page.getByTestId("document-version").getByText("Version 1", { exact: true }).waitFor();
    assert.match(await page.getByTestId("document-approved").textContent(), /^Olive Owner on \d{4}-\d{2}-\d{2}$/);
    assert.match(await page.getByTestId("document-log").textContent(), /^Entry \d+ of the organisation's log, hash [0-9a-f]{16}/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.getByRole("button", { name: "Print" }).isVisible(), false);
    assert.equal(await page.getByRole("form", { name: "Edit risk criteria" }).isVisible(), false);
    assert.equal(await page.getByLabel("Document control").isVisible(), true);
    await page.screenshot({ path: join(SHOTS, "risk-criteria-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });

    await openTab(page, "Risks");
    await addRisk(page, "Ransomware on the file server", 3, 4);
    await riskRow(page, "Ransomware").getByRole("link").click();
    assert.equal(await page.getByTestId("risk-scores").textContent(), "Inherent score 12 High · residual score not scored · appetite 8");
    // Marked accepted in the editor: refused, with the reason.
    await page.getByLabel("Status").selectOption("accepted");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText(/scores above the organisation's risk appetite: only its owner accepts it/).first().waitFor();
    await page.getByLabel("Status").selectOption("");
    // Accepted by the owner without a rationale: refused.
    const accept = page.getByRole("form", { name: "Accept this risk" });
    await accept.getByLabel("Accepted until").fill("2027-06-30");
    await accept.getByRole("button", { name: "Accept as the risk's owner" }).click();
    await accept.getByRole("alert").getByText(/with the date, a rationale/).waitFor();
    await accept.getByLabel("Why the risk is accepted").fill("Insurance covers the loss; further controls cost more than they save.");
    await accept.getByRole("button", { name: "Accept as the risk's owner" }).click();
    await page.getByTestId("acceptance-standing").getByText(/^Accepted by Olive Owner on \d{4}-\d{2}-\d{2}, until 2027-06-30\. Insurance covers/).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "risk-accepted.png"), fullPage: true });
    // The treatment plan lists it with its owner's acceptance, printable.
    await openTab(page, "Risks");
    await page.getByRole("link", { name: "Risk treatment plan →" }).click();
    const plan = page.getByRole("table", { name: "Risk treatment plan" });
    assert.match(await plan.locator("tbody tr").filter({ hasText: "Ransomware" }).textContent(), /Olive Owner.*12 High.*Accept.*Olive Owner on \d{4}-\d{2}-\d{2}, until 2027-06-30/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.goBack();
    await riskRow(page, "Ransomware").getByRole("link").click();

    // An editor who is not the owner cannot accept it in their own name.
    const riskPage = page.url();
    await synced(page);
    await inviteAndJoin(page, editor, server, "Eddie Editor");
    await editor.page.goto(riskPage);
    await ready(editor.page);
    const theirs = editor.page.getByRole("form", { name: "Accept this risk" });
    await theirs.getByLabel("Why the risk is accepted").fill("I think it is fine.");
    await theirs.getByLabel("Accepted until").fill("2028-01-01");
    await theirs.getByRole("button", { name: "Accept as the risk's owner" }).click();
    await theirs.getByRole("alert").getByText(/accepted by its owner/).waitFor();
    await editor.page.setViewportSize({ width: 390, height: 844 });
    await editor.page.screenshot({ path: join(SHOTS, "risk-acceptance-refused-phone.png"), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(editor.problems, []);
  } finally {
    await owner.close();
    await editor.close();
  }
});

test("the risks go out to CSV and come back: one cell changed in a spreadsheet is the one change made", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await addRisk(page, "Phishing, \"urgent\" invoices", 4, 3);
    await addRisk(page, "=Laptop stolen", 2, 5);
    await page.getByLabel("For Excel (starts the file with a byte-order mark)").check();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export risks as CSV" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "risks.csv");
    const text = readFileSync(await download.path(), "utf8");
    assert.ok(text.startsWith("\uFEFFid,title,"), text.slice(0, 40));
    assert.match(text, /"Phishing, ""urgent"" invoices"/);
    assert.match(text, /,'=Laptop stolen,/);
    // In a spreadsheet: the laptop's impact goes from 5 to 4.
    const lines = text.split("\n");
    const header = lines[0].replace("\uFEFF", "").split(",");
    const impact = header.indexOf("inherent_impact");
    const at = lines.findIndex((line) => line.includes("'=Laptop stolen"));
    const cells = lines[at].split(",");
    assert.equal(cells[impact], "5");
    cells[impact] = "4";
    lines[at] = cells.join(",");
    const edited = join(tmpdir(), `risks-edited-${process.pid}.csv`);
    writeFileSync(edited, lines.join("\n"));
    await page.getByText("Import risks from a CSV file").click();
    await page.getByLabel("CSV file").setInputFiles(edited);
    await page.getByText("Imported: 0 added, 1 changed.").waitFor();
    assert.match(await riskRow(page, "=Laptop stolen").textContent(), /2 × 4 = 8 Medium/);
    assert.match(await riskRow(page, "Phishing").textContent(), /4 × 3 = 12 High/);
    // The same file again changes nothing.
    await page.getByLabel("CSV file").setInputFiles(edited);
    await page.getByText("Nothing to import: every row is as the register holds it.").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});
