// Export, check and restore of the bench register, in headless Chromium against a real
// `wrangler dev`: the demo organisation built with its year's work repeated to about 20,000
// records, exported from Organisation (the app's `ratchet-export` measure: the log chained,
// evidence read, the file written and offered), the file checked end to end
// (`ratchet-verify`: read and verified), and restored on a fresh device as its register
// (from the click until the restored register is open again, reload and boot included).
// Prints one JSON line, with the file's size against the register as the device stores it.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { openDevice, ready } from "../support/browser.mjs";

const SCALE = 70;
const scratch = mkdtempSync(join(tmpdir(), "ratchet-export-bench-"));
const measure = (page, name) =>
  page.evaluate((name) => performance.getEntriesByName(name).map((m) => m.duration).pop(), name);

/** The bytes of the register as IndexedDB holds it: its buckets and queued changes. */
const storedBytes = (page) =>
  page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(localStorage.getItem("ratchet.database"));
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = (store) =>
      new Promise((resolve) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
      });
    let bytes = 0;
    for (const bucket of await all("buckets")) bytes += bucket.byteLength;
    for (const row of await all("outbox")) bytes += row.json.length;
    db.close();
    return bytes;
  });

const server = await startWrangler();
const exporter = await openDevice();
const restorer = await openDevice();
try {
  const { page } = exporter;
  await page.goto(`${server.base}/`);
  await ready(page);
  await page.evaluate((scale) => localStorage.setItem("ratchet.demo-scale", String(scale)), SCALE);
  await page.getByRole("button", { name: "Load a demo organisation" }).click();
  await page.getByRole("button", { name: "Leave the demo" }).waitFor({ timeout: 600_000 });
  await ready(page);
  const records = Number(await page.getByTestId("record-count").textContent());
  const raw = await storedBytes(page);

  await page.goto(`${server.base}/organisation`);
  await ready(page);
  const path = join(scratch, "bench.ratchet");
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 120_000 }),
    page.getByRole("button", { name: "Export this device's register" }).click(),
  ]);
  await download.saveAs(path);
  await page.getByRole("status").filter({ hasText: /^Exported / }).waitFor({ timeout: 120_000 });
  const export_ms = await measure(page, "ratchet-export");
  const entries = Number((await page.getByRole("status").filter({ hasText: /^Exported / }).textContent()).match(/(\d+) log entries/)[1]);

  await page.getByLabel("Check or restore an export file (.ratchet)").setInputFiles(path);
  await page.getByText("The file is intact.").waitFor({ timeout: 120_000 });
  const verify_ms = await measure(page, "ratchet-verify");

  const other = restorer.page;
  await other.goto(`${server.base}/organisation`);
  await ready(other);
  await other.getByLabel("Check or restore an export file (.ratchet)").setInputFiles(path);
  await other.getByText("The file is intact.").waitFor({ timeout: 120_000 });
  const restore = other.getByRole("button", { name: /^Restore these \d+ records as this device's register/ });
  await restore.waitFor();
  for (let i = 0; i < 100 && (await restore.isDisabled()); i++) await other.waitForTimeout(100);
  const started = Date.now();
  await restore.click();
  await other.waitForURL(`${server.base}/`, { timeout: 120_000 });
  await ready(other);
  await other.getByTestId("record-count").waitFor();
  const restore_ms = Date.now() - started;
  const restored = Number(await other.getByTestId("record-count").textContent());
  if (restored !== records) throw new Error(`restored ${restored} records of ${records}`);

  console.log(JSON.stringify({ records, entries, file_bytes: statSync(path).size, stored_bytes: raw, export_ms, verify_ms, restore_ms }));
} finally {
  await exporter.close();
  await restorer.close();
  await server.stop();
}
