// The walking skeleton, as a person uses it: the real app served by a real `wrangler dev`,
// in Debian's headless Chromium with an on-disk profile (as on a user's device).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWrangler, CHROMIUM_ARGS, root } from "../support/wrangler.mjs";

const SHOTS = join(root, "target", "screenshots");
let server;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

async function openDevice(viewport = { width: 1280, height: 800 }) {
  const profile = mkdtempSync(join(tmpdir(), "ratchet-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, problems, close };
}

async function ready(page) {
  await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 20_000 });
}

async function addRisk(page, title, likelihood, impact) {
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Likelihood").selectOption(String(likelihood));
  await page.getByLabel("Impact").selectOption(String(impact));
  await page.getByRole("button", { name: "Add risk" }).click();
  await riskRow(page, title).waitFor({ timeout: 10_000 });
}

const riskRow = (page, title) =>
  page.getByRole("list", { name: "Recorded risks" }).getByRole("listitem").filter({ hasText: title });

test("a risk is saved on the device, survives reloads, and the app works offline", async () => {
  const device = await openDevice();
  const { context, page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    assert.equal(await page.getByRole("status").textContent(), "Online");
    await page.getByRole("navigation", { name: "Registers" }).getByRole("link", { name: "Risks" }).click();
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
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 10_000,
    });

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

test("the shell fits a phone screen", async () => {
  const device = await openDevice({ width: 390, height: 844 });
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
