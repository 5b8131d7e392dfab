// The register in the organisation's own hands: a register kept on one device is exported as
// one file, checked in the app (and found altered when one byte of it is flipped), restored
// on a fresh device, and exported again with the same log, records and files byte for byte.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, addRisk, createOrganisation, openDevice, openTab, ready, riskRow, seriousA11yViolations, synced, syncNow,
} from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const scratch = mkdtempSync(join(tmpdir(), "ratchet-export-"));

/** The entries of a zip whose entries are stored (as Ratchet writes it), by name. */
function storedEntries(bytes) {
  const entries = new Map();
  let at = 0;
  while (bytes.readUInt32LE(at) === 0x04034b50) {
    const size = bytes.readUInt32LE(at + 18);
    const nameLength = bytes.readUInt16LE(at + 26);
    const extraLength = bytes.readUInt16LE(at + 28);
    const name = bytes.subarray(at + 30, at + 30 + nameLength).toString("utf8");
    const start = at + 30 + nameLength + extraLength;
    entries.set(name, bytes.subarray(start, start + size));
    at = start + size;
  }
  return entries;
}

async function exportFrom(page, button, path, named = /^register-\d{4}-\d{2}-\d{2}\.ratchet$/) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  assert.match(download.suggestedFilename(), named);
  await download.saveAs(path);
  await page.getByRole("status").filter({ hasText: /^Exported / }).waitFor();
  return readFileSync(path);
}

async function check(page, path) {
  await page.getByLabel("Check or restore an export file (.ratchet)").setInputFiles(path);
  return page.locator(".verify-report");
}

test("a register kept on one device is exported, checked, caught when altered, and restored on a fresh device exactly", async () => {
  const first = await openDevice();
  const second = await openDevice({ viewport: { width: 390, height: 844 } });
  try {
    const { page } = first;
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await addRisk(page, "Laptops are lost or stolen", 3, 4);
    await openTab(page, "Controls");
    await page.getByLabel("Search").fill("A.8.8");
    await page.getByRole("link", { name: "A.8.8 Management of technical vulnerabilities" }).click();
    const panel = page.getByRole("region", { name: "Evidence" });
    await panel.getByLabel("Caption").fill("Penetration test report");
    await panel.getByLabel("Choose a file").setInputFiles({ name: "pentest.pdf", mimeType: "application/pdf", buffer: PDF });
    await panel.getByText("Added “Penetration test report”.").waitFor();

    // A register kept only in this browser asks to be exported, from the dashboard.
    await page.goto(`${server.base}/`);
    await ready(page);
    const reminder = page.getByRole("complementary", { name: "Export reminder" });
    await reminder.getByText("This register is kept only in this browser, and it has never been exported.").waitFor();
    await reminder.getByRole("link", { name: "Export it" }).click();
    await page.waitForURL(/\/organisation/);
    const section = page.getByRole("region", { name: "Export and restore" });
    await section.getByText("Never exported from this device").waitFor();
    const exported = await exportFrom(page, "Export this device's register", join(scratch, "first.ratchet"));
    await section.getByText(/^Exported \d+ records, \d+ log entries and 1 evidence file as register-/).waitFor();
    await page.goto(`${server.base}/`);
    await ready(page);
    await page.getByTestId("record-count").waitFor();
    await page.waitForTimeout(500);
    assert.equal(await reminder.count(), 0, "no reminder right after an export");
    await page.goto(`${server.base}/organisation`);
    await ready(page);
    await section.getByText(/^Last exported on this device on \d{4}-\d{2}-\d{2} at/).waitFor();

    // Checked in the app: every part, the chain, the records, the file.
    const report = await check(page, join(scratch, "first.ratchet"));
    await report.getByText("The file is intact.").waitFor();
    const found = await report.getByRole("list", { name: "What the check found" }).innerText();
    assert.match(found, /A Ratchet export, format version 1, of a register kept on one device/);
    assert.match(found, /All \d+ log entries follow one another from the first, each matching its hash/);
    assert.match(found, /Its \d+ records are exactly what the log produces/);
    assert.match(found, /1 evidence file held, each matching the SHA-256 digest/);
    // This device's register has records of its own: replacing it needs the person's word.
    await section.getByText(/This device's register holds \d+ records of its own/).waitFor();
    const restoreHere = section.getByRole("button", { name: /^Restore these \d+ records/ });
    assert.equal(await restoreHere.isDisabled(), true);
    await section.getByLabel(/Replace this device's register and its \d+ records/).check();
    assert.equal(await restoreHere.isDisabled(), false);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "export-checked.png"), fullPage: true });

    // One byte flipped inside the log: named.
    const altered = Buffer.from(exported);
    const at = altered.indexOf("Laptops are lost or stolen");
    assert.ok(at > 0);
    altered[at] = "l".charCodeAt(0);
    writeFileSync(join(scratch, "altered.ratchet"), altered);
    const alteredReport = await check(page, join(scratch, "altered.ratchet"));
    await alteredReport.getByText("The file is not intact:").waitFor();
    const named = await alteredReport.innerText();
    assert.match(named, /“log\.jsonl” was altered: its bytes do not match the checksum stored with them/);
    assert.match(named, /The log fails its hash chain: log entry \d+ does not match its hash/);
    assert.equal(await section.getByRole("button", { name: /^Restore these/ }).count(), 0, "an altered file is never offered for restore");

    // A fresh phone restores the file as its register.
    const phone = second.page;
    await phone.goto(`${server.base}/organisation`);
    await ready(phone);
    const phoneSection = phone.getByRole("region", { name: "Export and restore" });
    const phoneReport = await check(phone, join(scratch, "first.ratchet"));
    await phoneReport.getByText("The file is intact.").waitFor();
    await phone.screenshot({ path: join(SHOTS, "export-restore-phone.png"), fullPage: true });
    await phoneSection.getByRole("button", { name: /^Restore these \d+ records as this device's register/ }).click({ timeout: 20_000 });
    await phone.waitForURL(`${server.base}/`);
    await ready(phone);
    await phone.goto(`${server.base}/risks`);
    await ready(phone);
    await riskRow(phone, "Laptops are lost or stolen").waitFor();

    // Exported again from the restored register: the same log, records, registers and files.
    await phone.goto(`${server.base}/organisation`);
    await ready(phone);
    const again = await exportFrom(phone, "Export this device's register", join(scratch, "again.ratchet"));
    const [a, b] = [storedEntries(exported), storedEntries(again)];
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [name, bytes] of a) {
      if (name === "manifest.json" || name === "index.html") continue;
      assert.ok(bytes.equals(b.get(name)), `${name} differs after the round trip`);
    }
    const [ma, mb] = [JSON.parse(a.get("manifest.json")), JSON.parse(b.get("manifest.json"))];
    // The first device chained its own changes on export; the phone keeps them as history.
    assert.equal(ma.log.chained_on_export, ma.log.entries);
    assert.equal(mb.log.chained_on_export, 0);
    assert.deepEqual(
      { ...mb, exported_at: ma.exported_at, parts: [], log: { ...mb.log, chained_on_export: 0 } },
      { ...ma, parts: [], log: { ...ma.log, chained_on_export: 0 } },
    );
    assert.ok([...a.keys()].some((name) => name.startsWith("files/")), "the evidence file travelled");
  } finally {
    await first.close();
    await second.close();
  }
});

test("an organisation with 500 records and 5 evidence files is exported from its server's log, restored as a new organisation with the same history, and read by an auditor with no account", async () => {
  const owner = await openDevice();
  const fresh = await openDevice();
  const auditor = await openDevice({ viewport: { width: 390, height: 844 } });
  try {
    const { page } = owner;
    await createOrganisation(page, server, "Acme Export", "Olivia Owner");
    await page.goto(`${server.base}/risks`);
    await ready(page);
    const rows = ["title,inherent_likelihood,inherent_impact"];
    for (let n = 1; n <= 500; n++) rows.push(`Imported risk ${n},${1 + (n % 5)},${1 + (n % 4)}`);
    await page.getByText("Import risks from a CSV file").click();
    await page.getByLabel("CSV file").setInputFiles({ name: "risks.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
    await page.getByText("Imported: 500 added, 0 changed.").waitFor({ timeout: 20_000 });
    await openTab(page, "Controls");
    await page.getByLabel("Search").fill("A.5.1");
    await page.getByRole("link", { name: "A.5.1 Policies for information security" }).click();
    const panel = page.getByRole("region", { name: "Evidence" });
    for (let n = 1; n <= 4; n++) {
      await panel.getByLabel("Caption").fill(`Policy evidence ${n}`);
      await panel.getByLabel("Choose a file").setInputFiles({ name: `policy-${n}.pdf`, mimeType: "application/pdf", buffer: Buffer.concat([PDF, Buffer.from(`% ${n}\n`)]) });
      await panel.getByText(`Added “Policy evidence ${n}”.`).waitFor();
    }
    // A finding with its evidence, for the auditor to sample.
    await openTab(page, "Findings");
    await page.getByText("Raise a finding").click();
    await page.locator("#finding-title").fill("Backups never restored");
    await page.getByRole("button", { name: "Raise finding" }).click();
    await page.getByRole("heading", { level: 1, name: "Backups never restored" }).waitFor();
    const findingPanel = page.getByRole("region", { name: "Evidence" });
    await findingPanel.getByLabel("Caption").fill("Restore test log");
    await findingPanel.getByLabel("Choose a file").setInputFiles({ name: "restore-log.pdf", mimeType: "application/pdf", buffer: Buffer.concat([PDF, Buffer.from("% finding\n")]) });
    await findingPanel.getByText("Added “Restore test log”.").waitFor();
    await syncNow(page, 60_000);
    await synced(page, 60_000);

    await page.goto(`${server.base}/organisation`);
    await ready(page);
    const section = page.getByRole("region", { name: "Export and restore" });
    const bytes = await exportFrom(page, "Export the organisation", join(scratch, "org.ratchet"), /^acme-export-\d{4}-\d{2}-\d{2}\.ratchet$/);
    await section.getByText(/^Exported \d+ records, \d+ log entries and 5 evidence files as acme-export-/).waitFor();
    const entries = storedEntries(bytes);
    const manifest = JSON.parse(entries.get("manifest.json"));
    assert.equal(manifest.organisation.name, "Acme Export");
    assert.equal(manifest.exported_by, "Olivia Owner");
    assert.equal(manifest.log.chained_on_export, 0, "every entry is the server's");
    assert.equal(manifest.files.length, 5);
    const members = JSON.parse(entries.get("members.json"));
    assert.deepEqual(members.map((m) => [m.name, m.role]), [["Olivia Owner", "owner"]]);
    assert.ok(!entries.get("members.json").toString().includes("token"), "no credential leaves");
    assert.ok(entries.get("registers/risk.csv").toString().includes("Imported risk 500"));
    assert.match(entries.get("index.html").toString(), /Ratchet export of the organisation “Acme Export”/);

    const report = await check(page, join(scratch, "org.ratchet"));
    await report.getByText("The file is intact.").waitFor();
    const found = await report.innerText();
    assert.match(found, /of the organisation “Acme Export”, exported .* by Olivia Owner/);
    assert.match(found, /Entry \d+ of the organisation's log on its server must have this same hash/);
    assert.match(found, /5 evidence files held/);
    // A member's device restores nothing over its organisation: restore is for a device's own register.
    assert.equal(await section.getByRole("button", { name: /^Restore these/ }).count(), 0);

    // A fresh device restores it as a new organisation: the same history, hash for hash,
    // marked as imported; exported again, the log, records and files are the same bytes.
    const restorer = fresh.page;
    await restorer.goto(`${server.base}/organisation`);
    await ready(restorer);
    await (await check(restorer, join(scratch, "org.ratchet"))).getByText("The file is intact.").waitFor();
    const form = restorer.getByRole("form", { name: "Restore as a new organisation" });
    assert.equal(await form.getByLabel("Name of the new organisation").inputValue(), "Acme Export");
    await form.getByLabel("Name of the new organisation").fill("Acme Restored");
    await form.getByLabel("Your name in it").fill("Rita Restorer");
    await form.getByLabel("Setup code for the new organisation").fill(server.setupCode);
    await form.getByRole("button", { name: "Restore as a new organisation" }).click();
    await restorer.waitForURL(`${server.base}/`, { timeout: 60_000 });
    await ready(restorer);
    await synced(restorer, 60_000);
    await restorer.goto(`${server.base}/organisation`);
    await ready(restorer);
    await restorer.getByRole("note").getByText(new RegExp(`^This organisation's log begins with history imported from an export of “Acme Export” made .*: entries 1 to ${manifest.log.entries}, ending in hash ${manifest.log.head.slice(0, 16)}…, imported by Rita Restorer on `)).waitFor();
    const again = storedEntries(await exportFrom(restorer, "Export the organisation", join(scratch, "org-again.ratchet"), /^acme-restored-/));
    for (const name of ["log.jsonl", "records.jsonl", ...[...entries.keys()].filter((n) => n.startsWith("files/") || n.startsWith("registers/"))]) {
      assert.ok(entries.get(name).equals(again.get(name)), `${name} differs after restoring as a new organisation`);
    }
    assert.equal(JSON.parse(again.get("manifest.json")).log.head, manifest.log.head);
    await restorer.goto(`${server.base}/risks`);
    await ready(restorer);
    await restorer.getByLabel("Search").fill("Imported risk 500");
    await riskRow(restorer, "Imported risk 500").waitFor();
    await openTab(restorer, "Controls");
    await restorer.getByLabel("Search").fill("A.5.1");
    await restorer.getByRole("link", { name: "A.5.1 Policies for information security" }).click();
    await restorer.getByRole("region", { name: "Evidence" }).getByRole("link", { name: "Open Policy evidence 4" }).waitFor();

    // An auditor with no account reads the export: every register, history and file, nothing
    // editable, nothing synced; closing it leaves their own register as it was.
    const view = auditor.page;
    await view.goto(`${server.base}/organisation`);
    await ready(view);
    await (await check(view, join(scratch, "org.ratchet"))).getByText("The file is intact.").waitFor();
    await view.getByRole("button", { name: "Read the export here" }).click();
    await view.waitForURL(`${server.base}/`);
    await ready(view);
    const banner = view.getByRole("complementary", { name: "Export being read" });
    await banner.getByText(/^You are reading an export of “Acme Export”, exported .*: \d+ log entries\. Nothing here can be changed, and nothing is synced\.$/).waitFor();
    await view.goto(`${server.base}/risks`);
    await ready(view);
    assert.equal(await view.getByRole("button", { name: "Add risk" }).count(), 0, "no new records in an export");
    await view.getByLabel("Search").fill("Imported risk 250");
    await riskRow(view, "Imported risk 250").getByRole("link").first().click();
    await view.getByRole("heading", { name: "Imported risk 250" }).waitFor();
    assert.equal(await view.getByLabel("Title", { exact: true }).isDisabled(), true);
    await view.getByText("History of changes").click();
    await view.getByText("The history as the export holds it: every change in its log.").waitFor();
    const changes = view.getByRole("list", { name: "Changes, newest first" });
    await changes.getByText(/Olivia Owner · [Tt]itle → Imported risk 250/).waitFor();
    await view.screenshot({ path: join(SHOTS, "export-read-risk-phone.png"), fullPage: true });
    assert.deepEqual(await seriousA11yViolations(view), []);
    // A finding sampled: its history and its evidence, as the organisation's log has them.
    await openTab(view, "Findings");
    await view.getByRole("link", { name: "Backups never restored" }).first().click();
    await view.getByRole("heading", { level: 1, name: "Backups never restored" }).waitFor();
    await view.getByText("History of changes").click();
    await view.getByRole("list", { name: "Changes, newest first" }).getByText(/Olivia Owner · [Tt]itle → Backups never restored/).waitFor();
    await view.getByRole("region", { name: "Evidence" }).getByRole("link", { name: "Open Restore test log" }).waitFor();
    await view.screenshot({ path: join(SHOTS, "export-read-finding-phone.png"), fullPage: true });
    await openTab(view, "Controls");
    await view.getByLabel("Search").fill("A.5.1");
    await view.getByRole("link", { name: "A.5.1 Policies for information security" }).click();
    await view.getByRole("region", { name: "Evidence" }).getByRole("link", { name: "Open Policy evidence 3" }).waitFor();
    assert.equal(await view.getByLabel("Choose a file").count(), 0, "no evidence added to an export");
    await banner.getByRole("button", { name: "Close the export" }).click();
    await view.waitForURL(`${server.base}/`);
    await ready(view);
    assert.equal(await banner.count(), 0);
    await view.goto(`${server.base}/risks`);
    await ready(view);
    await view.getByLabel("Search").fill("Imported risk 250");
    await view.waitForTimeout(300);
    assert.equal(await riskRow(view, "Imported risk 250").count(), 0, "the device's own register is as it was");
  } finally {
    await owner.close();
    await fresh.close();
    await auditor.close();
  }
});
