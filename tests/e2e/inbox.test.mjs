// The feedback inbox as people use it: a colleague walking the site (a viewer: staff who read
// the register but do not run it) reports a near miss on a phone with no signal, it reaches
// the ISMS manager's laptop once the phone is back online, and the manager triages it, seeing
// how long it took to detect and to resolve, and who changed what. The real app under `wrangler dev`, two browser profiles as two devices.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS,
  createOrganisation,
  inviteAndJoin,
  openDevice,
  openTab,
  pick,
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

// Offline fetches fail by design while the phone has no signal.
const CUT = /Failed to load resource|net::ERR_INTERNET_DISCONNECTED/;

/** A moment `minutes` ago as a datetime-local input value, in the browser's zone. */
const minutesAgo = (page, minutes) =>
  page.evaluate((minutes) => {
    const d = new Date(Date.now() - minutes * 60_000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, minutes);

test("a near miss captured offline on a phone reaches a second device, which triages it", async () => {
  const manager = await openDevice();
  const phone = await openDevice({ viewport: { width: 390, height: 844 } });
  try {
    await createOrganisation(manager.page, server, "Warehouse Ltd", "Maria Manager");
    await inviteAndJoin(manager.page, phone, server, "Sam Walker", "viewer");
    await synced(phone.page);

    // On the walk: no signal. One tap from any screen opens the report form.
    const { page } = phone;
    await phone.context.setOffline(true);
    await openTab(page, "Controls");
    await page.getByRole("link", { name: "Report", exact: true }).click();
    await page.getByRole("heading", { name: "Report something" }).waitFor();
    // A viewer files in their own name only: the reporter is them, not a choice.
    assert.equal(await page.getByTestId("reported-by").textContent(), "Reported by Sam Walker.");
    assert.equal(await page.locator("#event-reporter").count(), 0);
    assert.notEqual(await page.locator("#event-detected_at").inputValue(), "", "detected at defaults to now");

    // Without a title it is refused at the field, and nothing is saved.
    await page.locator("#event-event_type").selectOption("near_miss");
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByText("“title” is required.").waitFor();
    assert.equal(await page.getByTestId("pending-count").textContent(), "");

    await page.locator("#event-title").fill("Forklift nearly hit a visitor at the loading bay");
    await page.locator("#event-description").fill("The visitor walked through the unmarked gate while a forklift reversed.");
    await page.locator("#event-location").fill("Loading bay door 3");
    await page.locator("#event-severity").selectOption("high");
    await page.locator("#event-occurred_at").fill(await minutesAgo(page, 125));
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByText("Thank you: your report is saved.").waitFor();
    assert.equal(await page.locator("#event-title").inputValue(), "", "the form is ready for the next report");
    assert.match(await page.getByTestId("pending-count").textContent(), /pending/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "report-phone-offline.png"), fullPage: true });

    await openTab(page, "Inbox");
    const mine = page.getByRole("list", { name: "Reports" }).getByRole("listitem").filter({ hasText: "Forklift nearly hit" });
    assert.match(await mine.textContent(), /Near miss.*High.*New.*detected after 2 h( \d+ min)?/);
    await page.screenshot({ path: join(SHOTS, "inbox-phone-offline.png"), fullPage: true });

    // Back in signal: it syncs, and the manager's laptop has it.
    await phone.context.setOffline(false);
    await syncNow(page);
    await synced(page);
    await syncNow(manager.page);
    await openTab(manager.page, "Inbox");
    const row = manager.page.getByRole("list", { name: "Reports" }).getByRole("listitem").filter({ hasText: "Forklift nearly hit" });
    await row.waitFor({ timeout: 20_000 });
    const counted = (text) => manager.page.locator(".count", { hasText: new RegExp(`^${text}$`) }).waitFor();
    await counted("1 of 1 reports");
    await manager.page.getByLabel("Status").selectOption("new");
    await counted("1 of 1 reports");
    await manager.page.getByLabel("Event type").selectOption("incident");
    await counted("0 of 1 reports");
    await manager.page.getByLabel("Event type").selectOption("");
    await counted("1 of 1 reports");
    assert.deepEqual(await seriousA11yViolations(manager.page), []);

    // Triage: link a control, mark it resolved; both times are shown.
    await row.getByRole("link").click();
    await manager.page.getByRole("heading", { name: "Forklift nearly hit a visitor at the loading bay" }).waitFor();
    assert.match(await manager.page.getByTestId("time-to-detect").textContent(), /^2 h( \d+ min)?$/);
    assert.equal(await manager.page.getByTestId("time-to-resolve").textContent(), "not resolved yet");
    await manager.page.locator("#event-status").selectOption("triaged");
    await pick(manager.page, "#event-controls", ["A.7.4 Physical security monitoring"]);
    await manager.page.getByRole("button", { name: "Save changes" }).click();
    await manager.page.getByText("Saved on this device.").waitFor();
    await manager.page.getByRole("button", { name: "Mark resolved now" }).click();
    await manager.page.waitForFunction(() => document.querySelector("[data-testid=time-to-resolve]")?.textContent.endsWith("min"));
    assert.equal(await manager.page.locator("#event-status").inputValue(), "resolved");

    // The history says who did what: the reporter on the phone, the manager here.
    await synced(manager.page);
    await manager.page.getByText("History of changes").click();
    const history = manager.page.getByRole("list", { name: "Changes, newest first" });
    await history.getByText(/Sam Walker · Title → Forklift nearly hit a visitor/).waitFor({ timeout: 20_000 });
    await history.getByText(/you, on this device · Status → Resolved/).waitFor();
    await history.getByText(/you, on this device · Controls → A\.7\.4 Physical security monitoring/).waitFor();
    assert.deepEqual(await seriousA11yViolations(manager.page), []);
    await manager.page.screenshot({ path: join(SHOTS, "inbox-triaged.png"), fullPage: true });

    // The phone sees the triage once it syncs.
    await syncNow(page);
    await mine.waitFor();
    await page.getByRole("list", { name: "Reports" }).getByText("Resolved").waitFor({ timeout: 20_000 });
    // Filing is open to every member; triage is not.
    await mine.getByRole("link").click();
    await page.getByRole("heading", { name: "Forklift nearly hit a visitor at the loading bay" }).waitFor();
    assert.equal(await page.locator("#event-status").inputValue(), "resolved");
    assert.ok(await page.locator("#event-status").isDisabled(), "a viewer cannot triage");
    assert.equal(await page.getByRole("button", { name: "Mark resolved now" }).count(), 0);
    assert.deepEqual(unexpected(manager.problems), []);
    assert.deepEqual(unexpected(phone.problems, [CUT]), []);
  } finally {
    await manager.close();
    await phone.close();
  }
});
