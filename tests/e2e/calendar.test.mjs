// Due work in the calendar people already use: a member gets a secret calendar address under
// My work, a calendar program (here ical.js, an independent parser) reads their due action
// from it with its date and a link that opens the record, and stopping the address ends it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import ICAL from "ical.js";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, createOrganisation, openDevice, openTab, ready, seriousA11yViolations, synced, syncNow } from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

test("a member's due action reaches their calendar through a secret address, linking back to the record, until they stop it", async () => {
  const device = await openDevice();
  const { page } = device;
  try {
    await createOrganisation(page, server, "Calendar Co", "Carla Chair");
    await openTab(page, "Findings");
    await page.getByText("Raise a finding").click();
    await page.locator("#finding-title").fill("Backups never restored");
    await page.getByRole("button", { name: "Raise finding" }).click();
    await page.getByRole("heading", { level: 1, name: "Backups never restored" }).waitFor();
    await page.getByText("Add an action").click();
    await page.locator("#action-title").fill("Restore a backup, then check it");
    await page.locator("#action-owner").selectOption({ label: "Carla Chair" });
    await page.locator("#action-due").fill("2031-03-14");
    await page.getByRole("button", { name: "Add action" }).click();
    const action = page.getByRole("list", { name: "Actions on this finding" }).getByRole("link", { name: "Restore a backup, then check it" });
    await action.waitFor();
    const actionPath = await action.getAttribute("href");
    await syncNow(page, 30_000);
    await synced(page, 30_000);

    await openTab(page, "My work");
    const section = page.getByRole("region", { name: "In your calendar" });
    await section.getByRole("button", { name: "Get my calendar address" }).click();
    const field = section.getByLabel("Calendar address (shown once: copy it now)");
    await field.waitFor();
    const address = await field.inputValue();
    assert.match(address, new RegExp(`^${server.base}/api/orgs/[^/]+/calendar/[^/]+\\.ics$`));
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "calendar-my-work.png"), fullPage: true });

    // A calendar program fetches it with no credential and reads it as iCalendar.
    const response = await fetch(address);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    assert.equal(calendar.getFirstPropertyValue("x-wr-calname"), "Calendar Co: Carla Chair's work");
    const events = calendar.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    const restore = events.find((e) => e.summary.includes("Restore a backup, then check it"));
    assert.ok(restore, `the action is in the feed: ${events.map((e) => e.summary)}`);
    assert.equal(restore.startDate.toString(), "2031-03-14");
    assert.equal(restore.startDate.isDate, true, "an all-day event");
    const link = restore.component.getFirstPropertyValue("url");
    assert.equal(link, `${server.base}/go/${actionPath.split("/").pop()}`);

    // The event's link opens the record's own page.
    await page.goto(link);
    await page.waitForURL(`${server.base}${actionPath}`);
    await page.getByRole("heading", { level: 1, name: "Restore a backup, then check it" }).waitFor();

    // Stopped, the address answers nothing more.
    await ready(page);
    await openTab(page, "My work");
    await section.getByRole("button", { name: "Stop my calendar addresses" }).click();
    await section.getByText("Every calendar address of yours has stopped").waitFor();
    assert.equal((await fetch(address)).status, 404);
  } finally {
    await device.close();
  }
});
