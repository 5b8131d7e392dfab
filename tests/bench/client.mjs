// Client benchmarks in headless Chromium with on-disk profiles, against a real `wrangler dev`:
// a field edit until durable in IndexedDB (p50/p95), boot with 20,000 records to interactive,
// a new device's first full pull of 10,000 ops, and filtering each register's list by text
// with those 20,000 records on the device. Timings come from the app's own User
// Timing measures (`ratchet-durable`, `ratchet-sync`) and its `ratchet-ready` mark.
// Prints one JSON line.
import { startWrangler } from "../support/wrangler.mjs";
import { addRisk, createOrganisation, inviteAndJoin, openDevice, openTab, ready, riskRow, synced } from "../support/browser.mjs";

const EDITS = 60;
const WARMUP = 10;
const BOOTS = 5;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

function csv(count, prefix) {
  const rows = ["title,likelihood,impact"];
  for (let i = 0; i < count; i++) rows.push(`${prefix} ${i},${1 + (i % 5)},${1 + (i % 3)}`);
  return Buffer.from(rows.join("\n"));
}

async function importRisks(page, count, prefix) {
  await openTab(page, "Risks");
  const details = page.locator("details.import");
  if ((await details.getAttribute("open")) === null) await page.getByText("Import risks from a CSV file").click();
  await page.setInputFiles("#risk-import", { name: `${prefix}.csv`, mimeType: "text/csv", buffer: csv(count, prefix) });
  await page.getByRole("status").filter({ hasText: `Imported: ${count} added, 0 changed.` }).waitFor({ timeout: 120_000 });
}

/** Imports `count` records of another register through its list's CSV import. */
async function importOther(page, { tab, noun, kind, header, row }, count) {
  await openTab(page, tab);
  await page.getByText(`Import ${noun} from a CSV file`).click();
  const rows = [header];
  for (let i = 0; i < count; i++) rows.push(row(i));
  await page.setInputFiles(`#${kind}-import`, { name: `${kind}.csv`, mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
  await page.getByRole("status").filter({ hasText: `Imported: ${count} added, 0 changed.` }).waitFor({ timeout: 120_000 });
}

const OTHERS = [
  { tab: "Inbox", noun: "reports", kind: "event", count: 4_000, header: "event_type,title,severity,location",
    row: (i) => `${["incident", "near_miss", "observation", "suggestion"][i % 4]},Report ${i} from the site,${["low", "medium", "high"][i % 3]},Building ${i % 7}` },
  { tab: "Metrics", noun: "metrics", kind: "metric", count: 1_333, header: "name,direction,frequency,target,warning,unit",
    row: (i) => `Metric ${i},higher_is_better,monthly,95,90,%` },
  { tab: "Objectives", noun: "objectives", kind: "objective", count: 1_333, header: "title,target,business_objective",
    row: (i) => `Objective ${i},Target ${i},Keep customer trust ${i}` },
];

// Check and Act at scale: findings and actions imported, audits with their checklists.
const IMPROVEMENT = [
  { tab: "Findings", noun: "findings", kind: "finding", count: 2_000, header: "title,finding_type,status,reference",
    // A nonconformity leaves "open" only with an owner, which a CSV cannot name here.
    row: (i) => `Finding ${i} about access,${["major_nc", "minor_nc", "observation", "ofi"][i % 4]},${i % 4 < 2 ? "open" : ["open", "analysing", "implementing"][i % 3]},A.5.${1 + (i % 37)}` },
  { tab: "Actions", noun: "actions", kind: "action", count: 5_000, header: "title,action_type,status",
    row: (i) => `Action ${i} to fix it,${["correction", "corrective", "preventive", "improvement"][i % 4]},${["open", "in_progress"][i % 2]}` },
  { tab: "Audits", noun: "audits", kind: "audit", count: 11, header: "title,audit_type,status",
    row: (i) => `Audit ${i} of the controls,internal,planned` },
];
const CHECKS_PER_AUDIT = 93;
// Results recorded from script (the budget's measure), then by key: 93 checks in all.
const RESULTS_SCRIPT = 60;
const RESULTS_KEY = 30;

// Each list filtered by typing a query one key at a time.
const FILTERS = [
  { tab: "Risks", search: "risks-search", query: "first batch 4242" },
  { tab: "Controls", search: "controls-search", query: "access rights" },
  { tab: "Inbox", search: "reports-search", query: "report 1234 from" },
  { tab: "Metrics", search: "metrics-search", query: "metric 1234" },
  { tab: "Objectives", search: "objectives-search", query: "objective 123" },
  { tab: "Findings", search: "findings-search", query: "finding 1234" },
  { tab: "Actions", search: "actions-search", query: "action 1234" },
];

/** Gives every imported audit a checklist of every applicable control (93 checks each). */
async function addChecklists(page, audits) {
  for (let i = 0; i < audits; i++) {
    await openTab(page, "Audits");
    await page.getByRole("list", { name: "Audits" }).getByRole("link", { name: `Audit ${i} of the controls`, exact: true }).click();
    await page.getByText("Add checks").click();
    await page.getByRole("button", { name: "Add all applicable controls" }).click();
    await page.getByText(`0 of ${CHECKS_PER_AUDIT} checked`).waitFor({ timeout: 60_000 });
  }
}

/** Runs `act` and waits for the app's next `ratchet-durable` measure, observed inside the page.
 * Waiting with a locator instead would time the harness too: Playwright polls the page on
 * every animation frame, and each poll reads the whole page's text on the main thread while
 * the write is in flight (most of a 93-check page's "durable" time, by a CPU profile). */
async function durably(page, act) {
  await page.evaluate(() => {
    window.__durable = new Promise((resolve) => {
      new PerformanceObserver((list, observer) => {
        if (list.getEntriesByName("ratchet-durable").length) {
          observer.disconnect();
          resolve();
        }
      }).observe({ type: "measure" });
    });
  });
  await act();
  await page.evaluate(() => window.__durable);
}

/** Records a result on each of `count` checks of the open audit from `first` on, and times
 * each until durable (the app's `ratchet-durable` measure), with how long the app spent in
 * memory before storing (`ratchet-prepare`). `record` sets the result: from script, as the
 * edit budget is measured, or by a key press, which also waits for the frame Chromium
 * renders after input before it delivers IndexedDB's completion event. The device is offline
 * meanwhile, as on a site walk: sync's own writes would share the measure. */
async function resultTimes(page, context, first, count, record) {
  await synced(page, 300_000);
  await context.setOffline(true);
  await page.evaluate(() => {
    performance.clearMeasures("ratchet-durable");
    performance.clearMeasures("ratchet-prepare");
  });
  const items = page.locator("li.audit-check");
  for (let i = first; i < first + count; i++) {
    const radio = items.nth(i).getByRole("radio", { name: "Conforming" });
    await radio.waitFor();
    await durably(page, () => record(radio));
    await page.getByText(`${i + 1} of ${CHECKS_PER_AUDIT} checked`).waitFor();
  }
  // The first tap also starts the audit (in the same write): left out with the warm-up.
  const measures = (name) => page.evaluate((name) => performance.getEntriesByName(name).map((e) => e.duration), name);
  const times = (await measures("ratchet-durable")).slice(WARMUP);
  const prepare = (await measures("ratchet-prepare")).slice(WARMUP);
  await context.setOffline(false);
  return { p50: percentile(times, 50), p95: percentile(times, 95), n: times.length, prepare_p95: percentile(prepare, 95) };
}

/** Types `query` into a list's search box as a person does (real key events, 50 ms apart, so
 * keys land anywhere in the display's frame). For each key, from the key event: until the
 * filtered list is laid out (the app's work: filter, diff, DOM, style, layout), and until the
 * frame showing it has been produced (`painted`, the budget's "keystroke to painted result"). */
async function filterTimes(page, { tab, search, query }) {
  await openTab(page, tab);
  const box = page.locator(`#${search}`);
  await box.waitFor();
  const total = await page.locator(".count").textContent();
  await page.evaluate((search) => {
    const task = () =>
      new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(0);
      });
    window.__keys = [];
    // Each list's run counts only its own keys: an earlier page's listener may still be
    // attached to an element the router kept.
    const run = (window.__run = (window.__run ?? 0) + 1);
    const input = document.getElementById(search);
    input.addEventListener("keydown", (event) => {
      if (window.__run !== run) return;
      const start = event.timeStamp;
      const key = { laid: NaN, painted: NaN };
      window.__keys.push(key);
      input.addEventListener(
        "input",
        () =>
          task().then(() => {
            document.querySelector("main").getBoundingClientRect();
            key.laid = performance.now() - start;
          }),
        { once: true },
      );
      requestAnimationFrame(() => task().then(() => (key.painted = performance.now() - start)));
    });
  }, search);
  await box.click();
  await page.keyboard.type(query, { delay: 50 });
  await page.waitForTimeout(300);
  const { keys, shown } = await page.evaluate(() => ({ keys: window.__keys, shown: document.querySelector(".count").textContent }));
  await box.fill("");
  // A search that matched nothing, or everything, would time the wrong work.
  const [found, all] = shown.split(" of ").map((n) => parseInt(n, 10));
  if (!(found > 0 && found < all) || !total.endsWith(shown.split(" of ")[1])) {
    throw new Error(`${tab}: typing "${query}" left "${shown}" (before: "${total}")`);
  }
  if (keys.length !== query.length || keys.some((k) => Number.isNaN(k.laid) || Number.isNaN(k.painted))) {
    throw new Error(`${tab}: ${keys.length} of ${query.length} keys were timed`);
  }
  return { laid: keys.map((k) => k.laid), painted: keys.map((k) => k.painted), shown };
}

const server = await startWrangler();
const devices = [];
const result = {};
try {
  const a = await openDevice();
  devices.push(a);
  const { page } = a;

  // A field edit until it is durable.
  await page.goto(`${server.base}/risks`);
  await ready(page);
  await addRisk(page, "Benchmark risk", 3, 3);
  await riskRow(page, "Benchmark risk").getByRole("link").click();
  // The app's own cost: the form submitted from script. A mouse click on Save adds the frame
  // Chromium renders after pointer input before it delivers IndexedDB's completion event (a
  // bare-JS transaction in a click handler shows the same 11-13 ms), so it is measured apart.
  const editTimes = async (how, submit) => {
    await page.evaluate(() => performance.clearMeasures("ratchet-durable"));
    for (let i = 0; i < EDITS; i++) {
      const title = `Benchmark risk ${how} ${i}`;
      await page.getByLabel("Title").fill(title);
      // A person's typing is on screen before they press Save; without this, the frame
      // showing the harness's own fill was often drawn while the write was in flight.
      await page.evaluate(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))));
      await durably(page, submit);
      await page.getByRole("heading", { name: title, exact: true }).waitFor();
    }
    const edits = (await page.evaluate(() => performance.getEntriesByName("ratchet-durable").map((e) => e.duration))).slice(WARMUP);
    return { p50: percentile(edits, 50), p95: percentile(edits, 95), n: edits.length };
  };
  result.edit_ms = await editTimes("submitted", () => page.getByRole("form", { name: "Edit risk" }).evaluate((form) => form.requestSubmit()));
  result.edit_click_ms = await editTimes("clicked", () => page.getByRole("button", { name: "Save changes" }).click());

  // A new device's first full pull of 10,000 ops.
  await createOrganisation(page, server, "Bench Ltd", "Alice");
  await page.evaluate(() => performance.clearMeasures("ratchet-sync"));
  await importRisks(page, 3_334, "Pulled");
  await synced(page, 120_000);
  // The sync that pushed the import (and pulled the same ops back, as every device does).
  const pushes = await page.evaluate(() => performance.getEntriesByName("ratchet-sync").map((e) => e.duration));
  result.first_push = { ms: Math.max(...pushes) };
  const b = await openDevice();
  devices.push(b);
  await inviteAndJoin(page, b, server, "Bob");
  await synced(b.page, 120_000);
  const pulled = Number(await b.page.getByTestId("risk-count").textContent());
  const syncs = await b.page.evaluate(() => performance.getEntriesByName("ratchet-sync").map((e) => e.duration));
  result.first_pull = { ms: syncs[0], ops: pulled * 3, records: pulled };
  await b.close();
  devices.pop();

  // Boot to the overview with 20,000 synced records on the device, across the registers.
  await importRisks(page, 10_000, "First batch");
  for (const other of OTHERS) await importOther(page, other, other.count);
  await synced(page, 300_000);
  const boots = [];
  const loads = [];
  await page.goto(`${server.base}/`);
  for (let i = 0; i < BOOTS; i++) {
    await page.reload();
    await ready(page);
    boots.push(await page.evaluate(() => performance.getEntriesByName("ratchet-ready")[0].startTime));
    loads.push(await page.evaluate(() => performance.getEntriesByName("ratchet-load")[0].duration));
  }
  const records = Number(await page.getByTestId("record-count").textContent());
  result.boot_ms = { median: percentile(boots, 50), runs: boots, records, load_median: percentile(loads, 50) };

  // Check and Act on top: 1,023 audit checks, 2,000 findings, 5,000 actions.
  for (const more of IMPROVEMENT) await importOther(page, more, more.count);
  await addChecklists(page, 11);
  result.check_result_ms = await resultTimes(page, a.context, 0, RESULTS_SCRIPT, (radio) => radio.evaluate((input) => input.click()));
  result.check_result_key_ms = await resultTimes(page, a.context, RESULTS_SCRIPT, RESULTS_KEY, async (radio) => {
    await radio.focus();
    await page.keyboard.press("Space");
  });
  await synced(page, 300_000);

  // Filter each list by text with those records on the device.
  const laid = [];
  const painted = [];
  result.filter = { lists: {} };
  for (const filter of FILTERS) {
    const times = await filterTimes(page, filter);
    laid.push(...times.laid);
    painted.push(...times.painted);
    result.filter.lists[filter.tab] = { laid_median: percentile(times.laid, 50), painted_median: percentile(times.painted, 50), shown: times.shown };
  }
  result.filter.laid_median = percentile(laid, 50);
  result.filter.painted_median = percentile(painted, 50);
  result.filter.laid_p95 = percentile(laid, 95);
  result.filter.keys = laid.length;
} finally {
  for (const device of devices) await device.close();
  await server.stop();
}
console.log(JSON.stringify(result));
