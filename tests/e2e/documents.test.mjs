// What an auditor reads at Stage 1, as the people who keep it use the app: a policy written by
// one person and approved by another, printed with its control block; an objective past its
// due date asking for its result; a personal-data breach's notification deadline counted down.
// The real app under `wrangler dev`, two devices of one organisation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import { SHOTS, createOrganisation, inviteAndJoin, openDevice, openTab, ready, seriousA11yViolations, synced, syncNow } from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

test("a policy written by an editor is approved by the owner, not by its author, and prints as version 1 with its control block", async () => {
  const olive = await openDevice();
  const eddie = await openDevice();
  try {
    await createOrganisation(olive.page, server, "Documents Ltd", "Olive Owner");
    await inviteAndJoin(olive.page, eddie, server, "Eddie Editor");
    const { page } = eddie;
    await openTab(page, "Documents");
    await page.getByText("No documents yet").waitFor();
    await page.getByText("Write a document").click();
    const form = page.getByRole("form", { name: "Add document" });
    await form.getByLabel("Title").fill("Information security policy");
    await form.getByLabel("Document type").selectOption("security_policy");
    await form.getByRole("button", { name: "Add document" }).click();
    await page.getByRole("heading", { name: "Information security policy" }).waitFor();
    await page.getByLabel("Text").fill("# Purpose\n\nWe protect our customers' data.\n\n<script>alert('x')</script>\n\n- Every laptop is encrypted.\n- [Report an incident](/report)");
    await page.getByRole("button", { name: "Save the draft" }).click();
    await page.getByText("Draft saved on this device.").waitFor();
    // The preview shows the Markdown, and raw HTML only as text.
    const preview = page.locator(".document-body");
    await preview.getByRole("heading", { name: "Purpose" }).waitFor();
    assert.equal(await preview.locator("script").count(), 0);
    assert.match(await preview.textContent(), /<script>alert\('x'\)<\/script>/);
    // An editor may not approve.
    await page.getByRole("button", { name: "Approve the saved draft as version 1" }).click();
    await page.getByRole("alert").getByText("Only an owner or admin approves a document.").first().waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await synced(page);

    // The owner approves it; then, having changed it herself, may not approve her own draft.
    const owner = olive.page;
    await syncNow(owner);
    await openTab(owner, "Documents");
    await owner.getByRole("link", { name: "Information security policy" }).click();
    await owner.getByRole("button", { name: "Approve the saved draft as version 1" }).click();
    const versions = owner.getByRole("list", { name: "Approved versions" });
    await versions.getByRole("link", { name: "Version 1" }).waitFor();
    await owner.getByText("Version 1 is approved and is the current text.").waitFor();
    await owner.getByLabel("Text").fill("# Purpose\n\nWe protect our customers' and our staff's data.");
    await owner.getByRole("button", { name: "Save the draft" }).click();
    await owner.getByText("Draft saved on this device.").waitFor();
    await owner.getByRole("button", { name: "Approve the saved draft as version 2" }).click();
    await owner.getByRole("alert").getByText("A document is approved by someone other than its author.").first().waitFor();

    // Version 1 prints as approved, with its control block.
    await versions.getByRole("link", { name: "Version 1" }).click();
    await owner.getByRole("heading", { name: "Information security policy" }).waitFor();
    assert.equal(await owner.getByTestId("document-version").textContent(), "Version 1");
    assert.match(await owner.getByTestId("document-approved").textContent(), /^Olive Owner on \d{4}-\d{2}-\d{2}$/);
    await owner.getByText("Written by Eddie Editor.").waitFor();
    assert.match(await owner.getByTestId("document-log").textContent(), /^Entry \d+ of the organisation's log, hash [0-9a-f]{16}, as the approver's device held it/);
    assert.match(await owner.locator(".document-body").textContent(), /We protect our customers' data\./);
    assert.deepEqual(await seriousA11yViolations(owner), []);
    await owner.emulateMedia({ media: "print" });
    assert.equal(await owner.getByLabel("Document control").isVisible(), true);
    assert.equal(await owner.getByRole("button", { name: "Print" }).isVisible(), false);
    assert.equal(await owner.locator("nav.registers").isVisible(), false);
    await owner.screenshot({ path: join(SHOTS, "policy-version-1-print.png"), fullPage: true });
    await owner.emulateMedia({ media: "screen" });
    await owner.setViewportSize({ width: 390, height: 844 });
    await owner.screenshot({ path: join(SHOTS, "policy-version-1-phone.png"), fullPage: true });

    // The organisation's whole history checks out, and this device holds that same history.
    await openTab(owner, "Organisation");
    await owner.getByRole("button", { name: "Verify the organisation's history" }).click();
    await owner
      .getByRole("status")
      .getByText(/^Checked all \d+ entries of the organisation's log, from the first: each follows the one before and matches its hash\. The head is entry \d+, hash [0-9a-f]{16}\. This device's copy, up to entry \d+, is that same history\.$/)
      .waitFor();
    assert.deepEqual(await seriousA11yViolations(owner), []);
    assert.deepEqual(olive.problems, []);
    assert.deepEqual(eddie.problems, []);
  } finally {
    await olive.close();
    await eddie.close();
  }
});

test("an objective past its due date asks for its result, and a breach's 72 hours are counted down", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/objectives`);
    await ready(page);
    await page.getByText("Set an objective").click();
    await page.getByLabel("Title").fill("Phishing clicks below 5 %");
    await page.getByLabel("Due").fill("2026-01-31");
    await page.getByRole("button", { name: "Add objective" }).click();
    await page.getByTestId("objective-result-due").waitFor();
    // A result without its evidence is refused.
    await page.getByLabel("Result", { exact: true }).selectOption("achieved");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("An objective's result says on which day it was judged").first().waitFor();
    await page.getByLabel("Result on").fill("2026-02-02");
    await page.getByLabel("Result evidence").fill("Simulations in November, December and January: 4 %, 3 % and 2 %.");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    await page.getByTestId("objective-result-due").waitFor({ state: "detached" });
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.goto(`${server.base}/report`);
    await ready(page);
    await page.getByLabel("Title").fill("Payroll file emailed to the wrong client");
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByRole("status").getByRole("link", { name: "Open it" }).click();
    await page.getByRole("heading", { name: "Payroll file emailed to the wrong client" }).waitFor();
    await page.getByLabel("Personal data breach").selectOption("yes");
    // Aware 30 hours ago, written as the browser's local time, as a person types it.
    const aware = new Date(Date.now() - 30 * 3600_000);
    const two = (n) => String(n).padStart(2, "0");
    const local = `${aware.getFullYear()}-${two(aware.getMonth() + 1)}-${two(aware.getDate())}T${two(aware.getHours())}:${two(aware.getMinutes())}`;
    await page.getByLabel("Aware at").fill(local);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved on this device.").waitFor();
    assert.match(await page.getByTestId("breach-notification").textContent(), /^Notify the supervisory authority by \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: 4[12] h \d+ min left\.$/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "breach-countdown.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await device.close();
  }
});
