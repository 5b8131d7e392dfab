// The walking skeleton, as a person uses it: the real app served by a real `wrangler dev`,
// in Debian's headless Chromium with an on-disk profile (as on a user's device).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, addRisk, controlledByServiceWorker, openDevice, openTab, ready, riskRow, seriousA11yViolations } from "../support/browser.mjs";

let server;

before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

test("a risk is saved on the device, survives reloads, and the app works offline", async () => {
  const device = await openDevice();
  const { context, page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    // Let the service worker finish storing the app (about a hundred files) before the first
    // reload: a page loaded while it installs may stay uncontrolled until the next load.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    assert.equal(await page.getByRole("status").textContent(), "Online");
    // A new register's Annex A catalogue is stored just after the first page is drawn.
    await page.waitForFunction(() => performance.getEntriesByName("ratchet-durable").length > 0, null, { timeout: 10_000 });
    const stored = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("ratchet-local");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const count = open.result.transaction("outbox").objectStore("outbox").count();
            count.onerror = () => reject(count.error);
            count.onsuccess = () => {
              open.result.close();
              resolve(count.result);
            };
          };
        }),
    );
    assert.equal(stored, 93 * 5, "five fields of each of the 93 controls are stored (none decided)");
    await openTab(page, "Risks");
    await page.getByText("No risks yet").waitFor();

    // A refusal first: an empty title is explained at the field and nothing is saved.
    await page.getByRole("button", { name: "Add risk" }).click();
    await page.getByText("“title” cannot be blank.").waitFor();
    assert.equal(await page.getByLabel("Title").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByRole("list", { name: "Recorded risks" }).count(), 0);

    await addRisk(page, "Laptop stolen from a car", 4, 5);
    assert.match(await riskRow(page, "Laptop stolen").textContent(), /4 × 5 = 20 Critical/);
    assert.equal(await page.getByText("“title” cannot be blank.").count(), 0);

    await page.reload();
    await ready(page);
    await riskRow(page, "Laptop stolen from a car").waitFor();

    // The service worker must control the page before the network goes away.
    await controlledByServiceWorker(page);

    await context.setOffline(true);
    await page.reload();
    await ready(page);
    await page.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    await riskRow(page, "Laptop stolen from a car").waitFor();
    await addRisk(page, "Phishing of finance staff", 3, 4);
    await page.screenshot({ path: join(SHOTS, "skeleton-offline.png"), fullPage: true });

    await page.reload();
    await ready(page);
    await riskRow(page, "Phishing of finance staff").waitFor();
    assert.equal(await page.getByRole("list", { name: "Recorded risks" }).getByRole("listitem").count(), 2);

    // Deep link while offline: the shell answers and the router shows the page.
    await page.goto(`${server.base}/`);
    await ready(page);
    assert.equal(await page.getByTestId("risk-count").textContent(), "2");

    await context.setOffline(false);
    await page.getByRole("status").filter({ hasText: "Online" }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});

test("a first visit cut off before every page's code arrived says so, then opens the page when back online", async () => {
  // No service worker: nothing is stored yet, as on a first visit over a poor link.
  const device = await openDevice({ serviceWorkers: "block" });
  const { context, page, problems } = device;
  try {
    let held = true;
    await page.route("**/wasm-*/chunk_*.wasm", (route) => (held ? route.abort("internetdisconnected") : route.continue()));
    await page.goto(`${server.base}/`);
    await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 20_000 });
    await context.setOffline(true);
    await openTab(page, "Risks");
    const waiting = page.getByText("This page needs a connection once");
    await waiting.waitFor();
    await page.screenshot({ path: join(SHOTS, "skeleton-part-waiting.png"), fullPage: true });
    held = false;
    await context.setOffline(false);
    await page.getByRole("heading", { name: "Risks", exact: true }).waitFor({ timeout: 20_000 });
    await waiting.waitFor({ state: "detached" });
    await addRisk(page, "Opened after the wait", 2, 2);
    assert.deepEqual(problems.filter((p) => p.startsWith("page error") || /panicked|unreachable/.test(p)), []);
  } finally {
    await device.close();
  }
});

test("a first visit, once ready, opens every page offline, before any service worker has stored it", async () => {
  // No service worker: only the pages' code the app preloaded while it was online is there.
  const device = await openDevice({ serviceWorkers: "block" });
  const { context, page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    await context.setOffline(true);
    const pages = [
      ["Risks", "Risks"], ["Risk criteria", "Risk criteria"], ["SoA", "Statement of Applicability"], ["Objectives", "Objectives"],
      ["Documents", "Documents"],
      ["Controls", "Controls"], ["Metrics", "Metrics"], ["Inbox", "Feedback inbox"], ["Audits", "Audits"],
      ["Findings", "Findings"], ["Actions", "Actions"], ["Organisation", "Organisation"], ["Context", "Context"],
      ["Reviews", "Management reviews"], ["My work", "My work"], ["PDCA board", "PDCA board"], ["Dashboard", "Dashboard"],
    ];
    for (const [tab, heading] of pages) {
      await openTab(page, tab);
      await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor({ timeout: 5_000 });
    }
    await page.getByRole("link", { name: "Report", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Report something" }).waitFor({ timeout: 5_000 });
    await openTab(page, "Controls");
    await page.getByRole("link", { name: /^A\.5\.1\b/ }).first().click();
    await page.getByRole("heading", { level: 1, name: /^A\.5\.1 / }).waitFor({ timeout: 5_000 });
    await openTab(page, "Risks");
    await addRisk(page, "Opened offline on a first visit", 2, 2);
    await riskRow(page, "Opened offline on a first visit").getByRole("link").click();
    await page.getByRole("heading", { level: 1, name: "Opened offline on a first visit" }).waitFor({ timeout: 5_000 });
    assert.equal(await page.getByText("This page needs a connection once").count(), 0);
    // Leaving the dashboard while its figures wait for an idle moment is safe. A busy phone
    // has idle moments late: here each comes 400 ms after it is asked for.
    await page.evaluate(() => {
      const asked = window.requestIdleCallback;
      window.requestIdleCallback = (callback, options) => setTimeout(() => asked(callback, options), 400);
    });
    for (let round = 0; round < 3; round += 1) {
      await openTab(page, "Dashboard");
      await page.getByRole("status").filter({ hasText: "Computing the indicators" }).waitFor();
      await openTab(page, "Risks");
      await page.getByRole("heading", { level: 1, name: "Risks", exact: true }).waitFor({ timeout: 5_000 });
    }
    await page.waitForTimeout(1_000);
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});

test("a first visit paints the dashboard before the app's code arrives, and the app takes over from it", async () => {
  const device = await openDevice({ viewport: { width: 390, height: 844 }, serviceWorkers: "block" });
  const { page, problems } = device;
  // The app's code is held back until the test lets it through.
  const held = [];
  let holding = true;
  await page.route(/\.wasm$/, (route) => (holding ? held.push(route) : route.continue()));
  const release = async () => {
    holding = false;
    for (const route of held.splice(0)) await route.continue();
  };
  try {
    await page.goto(`${server.base}/`, { waitUntil: "domcontentloaded" });
    const prerendered = page.locator("#prerendered");
    await prerendered.getByRole("heading", { name: "Dashboard" }).waitFor();
    assert.match(await prerendered.locator("p.lede").first().textContent(), /Your ISMS register, kept on this device/);
    const nav = prerendered.getByRole("navigation", { name: "Registers" });
    for (const name of ["Dashboard", "Risks", "Audits", "Findings", "Actions"]) {
      assert.ok(await nav.getByRole("link", { name, exact: true }).isVisible(), `${name} is one tap away`);
    }
    // Nothing the build cannot know is shown, and nothing pretends to answer a tap.
    assert.deepEqual(await prerendered.locator(".card-figure").allTextContents(), ["", "", "", "", "", ""]);
    assert.equal(await prerendered.getByTestId("record-count").textContent(), "");
    const buttons = prerendered.getByRole("button");
    for (let i = 0; i < (await buttons.count()); i++) assert.ok(await buttons.nth(i).isDisabled());
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "prerendered-phone.png") });

    // Another page, or another register than this device's own, shows only the frame.
    await page.goto(`${server.base}/risks`, { waitUntil: "domcontentloaded" });
    await prerendered.getByRole("navigation", { name: "Registers" }).waitFor();
    assert.equal(await prerendered.getByRole("heading", { name: "Dashboard" }).isVisible(), false);
    await page.evaluate(() => localStorage.setItem("ratchet.database", "ratchet-demo"));
    await page.goto(`${server.base}/`, { waitUntil: "domcontentloaded" });
    await prerendered.getByRole("navigation", { name: "Registers" }).waitFor();
    assert.equal(await prerendered.getByRole("heading", { name: "Dashboard" }).isVisible(), false);
    await page.evaluate(() => localStorage.removeItem("ratchet.database"));

    // The app draws its own first screen in place of the written one.
    await page.goto(`${server.base}/`, { waitUntil: "domcontentloaded" });
    await prerendered.getByRole("heading", { name: "Dashboard" }).waitFor();
    await release();
    await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 20_000 });
    assert.equal(await prerendered.count(), 0);
    assert.equal(await page.getByRole("navigation", { name: "Registers" }).count(), 1);
    assert.equal(await page.getByRole("heading", { name: "Dashboard" }).count(), 1);
    await page.getByTestId("risk-count").filter({ hasText: "0" }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await release();
    await device.close();
  }
});

test("the shell fits a phone screen", async () => {
  const device = await openDevice({ viewport: { width: 390, height: 844 } });
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await page.getByRole("heading", { name: "Risks" }).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, "no horizontal scrolling on a 390 px screen");
    await page.screenshot({ path: join(SHOTS, "skeleton-phone.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});

test("a second tab waits while the first has the register open, then carries on", async () => {
  const device = await openDevice();
  const { context, page, problems } = device;
  try {
    await page.goto(`${server.base}/risks`);
    await ready(page);
    await addRisk(page, "Shared printer keeps scans", 2, 2);

    const second = await context.newPage();
    const secondProblems = [];
    second.on("pageerror", (error) => secondProblems.push(error.message));
    await second.goto(`${server.base}/risks`);
    await second.getByRole("heading", { name: "Ratchet is open in another tab" }).waitFor();
    assert.equal(await second.locator("html[data-ready]").count(), 0, "the second tab has not opened the register");
    await second.screenshot({ path: join(SHOTS, "second-tab-waits.png") });

    // The first tab goes; the second opens the register with everything the first saved.
    await page.close();
    await ready(second);
    assert.equal(await second.getByRole("heading", { name: "Ratchet is open in another tab" }).count(), 0);
    await riskRow(second, "Shared printer").waitFor();
    await addRisk(second, "Visitors unescorted in the server room", 3, 4);
    await second.reload();
    await ready(second);
    await riskRow(second, "Shared printer").waitFor();
    await riskRow(second, "Visitors unescorted").waitFor();
    assert.deepEqual(problems, []);
    assert.deepEqual(secondProblems, []);
  } finally {
    await device.close();
  }
});
