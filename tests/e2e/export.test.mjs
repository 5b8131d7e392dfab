// The register in the organisation's own hands: a register kept on one device is exported as
// one file, checked in the app (and found altered when one byte of it is flipped), restored
// on a fresh device, and exported again with the same log, records and files byte for byte.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, addRisk, openDevice, openTab, ready, riskRow, seriousA11yViolations } from "../support/browser.mjs";

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

async function exportFrom(page, button, path) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  assert.match(download.suggestedFilename(), /^register-\d{4}-\d{2}-\d{2}\.ratchet$/);
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

    await page.goto(`${server.base}/organisation`);
    await ready(page);
    const section = page.getByRole("region", { name: "Export and restore" });
    await section.getByText("Never exported from this device").waitFor();
    const exported = await exportFrom(page, "Export this device's register", join(scratch, "first.ratchet"));
    await section.getByText(/^Exported \d+ records, \d+ log entries and 1 evidence file as register-/).waitFor();
    await page.reload();
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
