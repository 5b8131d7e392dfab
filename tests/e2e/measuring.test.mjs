// Measuring improvement as a newcomer and an ISMS manager do it: load the demo organisation,
// read the dashboard's computed figures, drill into one, see maturity, the PDCA board, my work
// and the context; then, in a real organisation on two devices, hold a management review whose
// inputs come from the register, add an output that becomes an action, sign it off, and see the
// app and the server refuse later changes. The real app under `wrangler dev`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS,
  createOrganisation,
  inviteAndJoin,
  pick,
  openDevice,
  openTab,
  ready,
  seriousA11yViolations,
  synced,
  syncNow,
  unexpected,
} from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

async function a11yClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page), [], what);
}

async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width}px wide on a 390px phone`);
}

/** Waits for the dashboard's figures (their code loads after the first paint). */
async function figures(page) {
  await page.locator("[data-indicator]").first().waitFor({ timeout: 20_000 });
}

test("the demo organisation: its dashboard shows figures computed from its register, with drill-downs, maturity, the board and my work", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    await page.getByRole("button", { name: "Load a demo organisation" }).click();
    await page.getByRole("button", { name: "Leave the demo" }).waitFor({ timeout: 60_000 });
    await ready(page);
    await figures(page);
    assert.equal(await page.getByTestId("risk-count").textContent(), "52");
    assert.equal(await page.locator("[data-indicator]").count(), 21);

    // A count on the dashboard is the number of records its drill-down lists.
    const overdue = await page.getByTestId("indicator-actions_overdue").textContent();
    assert.match(overdue, /^\d+$/);
    const maturity = page.getByRole("img", { name: /^Maturity level per area/ });
    assert.match(await maturity.getAttribute("aria-label"), /Risk management \d of target 3/);
    await a11yClean(page, "dashboard");
    await page.screenshot({ path: join(SHOTS, "dashboard-desktop.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsThePhone(page, "the dashboard");
    await page.screenshot({ path: join(SHOTS, "dashboard-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole("link", { name: "Actions overdue", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Actions overdue" }).waitFor();
    assert.equal(await page.getByTestId("indicator-value").textContent(), overdue);
    const listed = page.getByRole("list", { name: "Records behind this figure" }).getByRole("listitem");
    assert.equal(await listed.count(), Number(overdue));
    await a11yClean(page, "drill-down");

    // The figures table beside a chart holds what the chart draws.
    await openTab(page, "Dashboard");
    await figures(page);
    const levels = page.getByRole("table").filter({ hasText: "Area" });
    await page.getByText("Show the figures").first().click();
    assert.equal(await levels.locator("tbody tr").count(), 7);

    await page.getByRole("link", { name: "Why each level, and what the next needs" }).click();
    await page.getByRole("heading", { level: 1, name: "Maturity" }).waitFor();
    assert.equal(await page.locator("article.area").count(), 7);
    const risk = page.locator("article.area").filter({ hasText: "Risk management" });
    assert.match(await risk.locator(".explanation").textContent(), /^Level \d \(.+\) because: .+ Level \d needs: /);
    await risk.getByLabel("Your own assessment").selectOption("2");
    await risk.getByRole("button", { name: "Save" }).click();
    await risk.getByText("Saved on this device.").waitFor();
    await a11yClean(page, "maturity");

    await openTab(page, "PDCA board");
    for (const step of ["Plan", "Do", "Check", "Act"]) {
      const cards = page.getByRole("list", { name: step, exact: true }).getByRole("listitem");
      assert.ok((await cards.count()) > 0, `the ${step} column has work`);
    }
    await a11yClean(page, "board");

    const badge = Number(await page.getByTestId("my-work-count").textContent());
    await openTab(page, "My work");
    const overdueWork = await page.getByRole("list", { name: "Overdue" }).getByRole("listitem").count();
    const thisWeek = await page.getByRole("list", { name: "This week" }).getByRole("listitem").count();
    assert.equal(badge, overdueWork + thisWeek);
    await a11yClean(page, "my work");

    await openTab(page, "Context");
    assert.match(await page.locator(".count").textContent(), /of 17 items/);
    await a11yClean(page, "context");
    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await page.getByText(/^Last changed \d{4}-\d{2}-\d{2}\.$/).waitFor();
    await a11yClean(page, "context item");

    await openTab(page, "Reviews");
    await a11yClean(page, "reviews");
    await page.getByRole("link", { name: "Management review 2" }).click();
    await page.getByTestId("signed-off").waitFor();
    await page.getByRole("link", { name: "Minutes" }).click();
    await page.getByText(/^Signed off by Alex Morgan on /).waitFor();
    await a11yClean(page, "minutes");

    // The monthly summary for management: last month, compared with its snapshot.
    await openTab(page, "Monthly summary");
    const lastMonth = await page.evaluate(() => {
      const now = new Date();
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
        .toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    });
    await page.getByRole("heading", { level: 1, name: `Management summary: ${lastMonth}` }).waitFor();
    await page.getByText(/compared with the monthly snapshot of \d{4}-\d{2}-\d{2}\.$/).waitFor();
    assert.equal(await page.getByRole("table", { name: "Maturity against target" }).locator("tbody tr").count(), 7);
    assert.equal(await page.getByRole("table", { name: "Headline indicators" }).locator("tbody tr").count(), 21);
    const overdueOwners = page.getByRole("table", { name: "Overdue work by owner" }).locator("tbody tr");
    assert.ok((await overdueOwners.count()) > 0, "the demo has overdue work");
    await page.getByRole("heading", { level: 2, name: `Nonconformities in ${lastMonth}` }).waitFor();
    await a11yClean(page, "monthly summary");
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsThePhone(page, "the monthly summary");
    await page.screenshot({ path: join(SHOTS, "monthly-summary-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: join(SHOTS, "monthly-summary-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });

    await openTab(page, "Dashboard");
    await page.getByRole("button", { name: "Leave the demo" }).click();
    await page.getByRole("button", { name: "Load a demo organisation" }).waitFor({ timeout: 20_000 });
    // The page reloaded: its first screen is the build's until the app mounts its own.
    await page.waitForSelector("#prerendered", { state: "detached", timeout: 20_000 });
    assert.equal(await page.getByTestId("risk-count").textContent(), "0");
    assert.deepEqual(unexpected(problems), []);
  } finally {
    await device.close();
  }
});

// Refusals the test provokes: the editor's offline edit, pushed after the sign-off.
const REFUSED = /status of 422/;

test("a management review: inputs from the data, an output that becomes an action, sign-off, and no change after it", async () => {
  const alice = await openDevice();
  const bob = await openDevice();
  try {
    const { page } = alice;
    await createOrganisation(page, server, "Review Ltd", "Alice Owner");
    await inviteAndJoin(page, bob, server, "Bob Editor", "editor");
    await synced(bob.page);
    // Bob keeps the dashboard open while Alice records a nonconformity: his figures follow the
    // register once a sync has settled, without leaving the page.
    await openTab(bob.page, "Dashboard");
    await figures(bob.page);
    const month = await bob.page.evaluate(() => {
      const now = new Date();
      return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
    });
    const openedThisMonth = (count) =>
      bob.page.getByRole("img", { name: new RegExp(`${month}: ${count} opened, 0 closed`) });
    await openedThisMonth(0).waitFor();

    // A nonconformity and its corrective action, as the review's inputs will show them.
    await openTab(page, "Findings");
    await page.getByText("Raise a finding").click();
    await page.locator("#finding-title").fill("Backups never restored");
    await page.getByRole("button", { name: "Raise finding" }).click();
    await page.getByRole("heading", { level: 1, name: "Backups never restored" }).waitFor();
    await page.getByText("Add an action").click();
    await page.locator("#action-title").fill("Restore a backup every month");
    await page.locator("#action-due").fill("2099-01-31");
    await page.getByRole("button", { name: "Add action" }).click();
    await page.getByRole("list", { name: "Actions on this finding" }).getByText("Restore a backup every month").waitFor();
    await synced(page);
    // "Sync now" can finish a round that began before Alice's push arrived: ask again, at most 5 times.
    for (let attempt = 0; attempt < 5 && (await openedThisMonth(1).count()) === 0; attempt++) {
      await syncNow(bob.page);
      await openedThisMonth(1).waitFor({ timeout: 2_000 }).catch(() => {});
    }
    await openedThisMonth(1).waitFor({ timeout: 1_000 });

    await openTab(page, "Reviews");
    await page.getByText("Plan a review").click();
    await page.locator("#review-title").fill("Review 2026");
    const today = await page.evaluate(() => new Date().toISOString().slice(0, 10));
    await page.locator("#review-date").fill(today);
    await page.getByRole("button", { name: "Plan review" }).click();
    await page.getByRole("heading", { level: 1, name: "Review 2026" }).waitFor();
    const performance = page.getByRole("region", { name: "Information security performance" });
    await performance.getByText("Open: Backups never restored (Minor nonconformity, Open).").waitFor();
    await performance.getByText("— Restore a backup every month: Open, due 2099-01-31.").waitFor();

    // An output becomes an action with its owner and due date.
    await page.getByText("Add an output").click();
    await page.locator("#action-title").fill("Budget an off-site backup");
    await page.locator("#action-output_type").selectOption("resource_need");
    await page.locator("#action-owner").selectOption({ label: "Bob Editor" });
    await page.locator("#action-due").fill("2099-03-01");
    await page.getByRole("button", { name: "Add output" }).click();
    await page.getByRole("list", { name: "Outputs" }).getByText("Budget an off-site backup").waitFor();
    await a11yClean(page, "review");
    await synced(page);

    // The editor has the review and edits it offline, before the sign-off.
    await syncNow(bob.page);
    await bob.context.setOffline(true);
    await openTab(bob.page, "Reviews");
    await bob.page.getByRole("link", { name: "Review 2026" }).click();
    // A field the owner leaves alone: an edit older than the owner's own would simply lose.
    await bob.page.locator("#review-on_maturity").fill("Maturity is up on last year.");
    await bob.page.getByRole("button", { name: "Save changes" }).click();
    await bob.page.getByText("Saved on this device.").waitFor();
    assert.equal(await bob.page.getByRole("button", { name: "Sign off the review" }).count(), 0, "an editor does not sign off");

    // A hollow review does not sign off: each thing it lacks is named.
    await page.getByRole("button", { name: "Sign off the review" }).click();
    const lacking = page.getByRole("alert").filter({ hasText: "A review is signed off with its attendees" });
    await lacking.waitFor();
    for (const words of ["with its decisions", "each input of 9.3.2 a–g has its commentary"]) {
      assert.match(await lacking.textContent(), new RegExp(words));
    }
    await page.screenshot({ path: join(SHOTS, "review-hollow-refused.png"), fullPage: true });
    await pick(page, "#review-attendees", ["Alice Owner", "Bob Editor"]);
    for (const input of ["previous_actions", "issues", "interested_parties", "performance", "feedback", "risks", "improvement"]) {
      await page.locator(`#review-on_${input}`).fill("Considered at the meeting.");
    }
    await page.locator("#review-decisions").fill("Fund an off-site backup.");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();

    await page.getByRole("button", { name: "Sign off the review" }).click();
    await page.getByTestId("signed-off").waitFor();
    await page.getByRole("region", { name: "Inputs as signed off" }).or(page.getByLabel("Inputs as signed off")).waitFor();
    await page.screenshot({ path: join(SHOTS, "review-signed-off.png"), fullPage: true });
    await synced(page);

    // The app shows it read only, with the reason.
    await page.getByRole("note").filter({ hasText: "This management review is signed off and no longer changes" }).waitFor();
    assert.ok(await page.locator("#review-decisions").isDisabled(), "a signed-off review's fields are read only");

    // The server refuses the editor's offline edit, with the reason.
    await bob.context.setOffline(false);
    const refused = bob.page.getByRole("alert", { name: "Refused changes" });
    await refused.waitFor({ timeout: 30_000 });
    await refused.getByText("This management review is signed off and no longer changes").waitFor();
    await bob.page.getByTestId("signed-off").waitFor({ timeout: 30_000 });

    // The output is an action like any other, which stays what was signed.
    await openTab(page, "Actions");
    await page.getByRole("link", { name: "Budget an off-site backup" }).click();
    await page.locator("#action-title").fill("Budget nothing at all");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("That management review is signed off: its outputs stay as signed").first().waitFor();
    await page.getByRole("heading", { level: 1, name: "Budget an off-site backup" }).waitFor();
    assert.deepEqual(unexpected(alice.problems), []);
    assert.deepEqual(unexpected(bob.problems, [REFUSED]), []);
  } finally {
    await alice.close();
    await bob.close();
  }
});
