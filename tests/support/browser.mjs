// Headless Debian Chromium with an on-disk profile per device, as on a user's machine, and
// the few page helpers the end-to-end tests share.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, root } from "./wrangler.mjs";

export const SHOTS = join(root, "target", "screenshots");
mkdirSync(SHOTS, { recursive: true });

/** Opens a device. Pass a previous device's `profile` to reopen it after closing, and
 * `serviceWorkers: "block"` for a browser that has not stored the app yet. */
export async function openDevice({ viewport = { width: 1280, height: 800 }, profile, serviceWorkers = "allow" } = {}) {
  const dir = profile ?? mkdtempSync(join(tmpdir(), "ratchet-profile-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    serviceWorkers,
    // A zone without daylight saving, so durations such as "2 h 5 min" never straddle a change.
    timezoneId: "UTC",
  });
  // The app runs under its Content-Security-Policy (`dist/_headers`): any violation is a
  // console error here, and closing the device fails the test that caused it.
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`),
    ),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return {
    context,
    page,
    problems,
    profile: dir,
    /** Closes the browser; the profile (and its IndexedDB) stays unless `wipe`. */
    async close({ wipe = true } = {}) {
      await context.close();
      if (wipe) rmSync(dir, { recursive: true, force: true });
      const violations = problems.filter((p) => /CSP violation|Content Security Policy/.test(p));
      if (violations.length) throw new Error(`the app broke its Content-Security-Policy:\n${violations.join("\n")}`);
    },
  };
}

/** Waits until the app shows its data and has loaded every page's code (so it works offline). */
export async function ready(page) {
  await page.waitForSelector("html[data-ready=true][data-offline-ready=true]", { state: "attached", timeout: 20_000 });
}

export const riskRow = (page, title) =>
  page.getByRole("list", { name: "Recorded risks" }).getByRole("listitem").filter({ hasText: title });

export async function addRisk(page, title, likelihood, impact) {
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Likelihood", { exact: true }).selectOption(String(likelihood));
  await page.getByLabel("Impact", { exact: true }).selectOption(String(impact));
  await page.getByRole("button", { name: "Add risk" }).click();
  await riskRow(page, title).waitFor({ timeout: 10_000 });
}

/** Chooses records in a record picker: types each name into the field's search, takes the match. */
export async function pick(page, field, names) {
  for (const name of names) {
    await page.locator(field).fill(name);
    await page.getByRole("button", { name: `Add ${name}`, exact: true }).click();
  }
}

export async function openTab(page, name) {
  await page.getByRole("navigation", { name: "Registers" }).getByRole("link", { name }).click();
}

/** Waits until the device says it synced and has nothing pending. */
export async function synced(page, timeout = 30_000) {
  await page.waitForFunction(
    () => {
      const label = document.querySelector("[data-testid=sync-status] .sync-label")?.textContent ?? "";
      const pending = document.querySelector("[data-testid=pending-count]")?.textContent ?? "x";
      return label.startsWith("Synced") && pending === "";
    },
    null,
    { timeout },
  );
}

/** Asks for a sync and waits until one that started after the click has finished. */
export async function syncNow(page, timeout = 30_000) {
  const status = page.getByTestId("sync-status");
  const before = (await status.getAttribute("data-synced-at")) ?? "";
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.waitForFunction(
    (previous) => {
      const now = document.querySelector("[data-testid=sync-status]")?.getAttribute("data-synced-at") ?? "";
      return now !== "" && now !== previous;
    },
    before,
    { timeout },
  );
}

/**
 * Waits until the service worker controls the page, so it can be taken offline. A page loaded
 * while the worker installed is claimed on activation; should that claim not reach it (seen
 * once in ~20 runs on a slow machine), one online reload is a navigation the worker serves.
 */
export async function controlledByServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const controlled = () => navigator.serviceWorker.controller !== null;
  try {
    await page.waitForFunction(controlled, null, { timeout: 5_000 });
  } catch {
    await page.reload();
    await ready(page);
    await page.waitForFunction(controlled, null, { timeout: 10_000 });
  }
}

/** Console errors other than the network failures a test provoked on purpose. */
export function unexpected(problems, allowed = []) {
  return problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
}

/** Creates an organisation from the Organisation page, as its first owner would. */
export async function createOrganisation(page, server, orgName, ownerName) {
  await page.goto(`${server.base}/organisation`);
  await ready(page);
  await page.getByLabel("Organisation name").fill(orgName);
  await page.getByLabel("Your name", { exact: true }).last().fill(ownerName);
  await page.getByLabel("Setup code (from the server's operator)").fill(server.setupCode);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await page.waitForURL(`${server.base}/`);
  await ready(page);
}

/** The credential the app stored, read straight from the device's IndexedDB. */
export async function credentialOf(page) {
  return page.evaluate(async () => {
    const name = localStorage.getItem("ratchet.database");
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const request = db.transaction("meta").objectStore("meta").get("sync");
    const settings = await new Promise((resolve) => (request.onsuccess = () => resolve(request.result)));
    db.close();
    return settings.credential;
  });
}

/** Invites a colleague from the owner's Organisation page; `device` joins with the link as `name`. */
export async function inviteAndJoin(ownerPage, device, server, name, role = "editor") {
  await openTab(ownerPage, "Organisation");
  await ownerPage.getByLabel("Role").selectOption(role);
  await ownerPage.getByRole("button", { name: "Create invite" }).click();
  const link = await ownerPage.getByLabel("Or send this link").inputValue();
  await device.page.goto(link);
  await ready(device.page);
  await device.page.getByLabel("Your name").first().fill(name);
  await device.page.getByRole("button", { name: "Join" }).click();
  await device.page.waitForURL(`${server.base}/`);
  await ready(device.page);
}

/** Runs axe-core (from node_modules) in the page; returns its serious and critical violations. */
export async function seriousA11yViolations(page) {
  // Evaluated through the DevTools protocol: the app's policy rightly refuses an inline script.
  await page.evaluate(readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8"));
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
