// Evidence files as people use them: a PDF attached to a control on a desktop, with an
// expiry that has passed; refusals that keep nothing; and a photo taken on a phone with no
// signal that reaches a colleague's device byte for byte, smaller and without its metadata;
// where later photos were taken, kept on their records once the organisation decides so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, createOrganisation, inviteAndJoin, openDevice, openTab, ready, seriousA11yViolations, syncNow,
  unexpected,
} from "../support/browser.mjs";
import { keptFiles, photoWithMetadata } from "../support/files.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

async function openControl(page, name) {
  await openTab(page, "Controls");
  await page.getByLabel("Search").fill(name.split(" ")[0]);
  await page.getByRole("link", { name }).click();
  await page.getByRole("heading", { name }).waitFor();
}

const evidenceItems = (page) => page.getByRole("region", { name: "Evidence" }).locator(".evidence-item");

test("a PDF attached to a control with a past expiry is flagged there, in the register and in my work; bad files are refused and nothing is kept; a measurement keeps its source", async () => {
  const device = await openDevice();
  const { page, problems } = device;
  try {
    await page.goto(`${server.base}/`);
    await ready(page);
    await openControl(page, "A.8.8 Management of technical vulnerabilities");

    const panel = page.getByRole("region", { name: "Evidence" });
    await panel.getByText("No evidence yet").waitFor();
    await panel.getByLabel("Caption").fill("Penetration test report 2025");
    await panel.getByLabel("Expires on (if it lapses)").fill("2026-01-31");
    await panel.getByLabel("Choose a file").setInputFiles({ name: "pentest-2025.pdf", mimeType: "application/pdf", buffer: PDF });
    await panel.getByText("Added “Penetration test report 2025”.").waitFor();
    const item = evidenceItems(page).filter({ hasText: "Penetration test report 2025" });
    await item.getByText("Expired on 2026-01-31").waitFor();
    assert.equal(await item.getAttribute("data-validity"), "expired");
    await item.getByRole("link", { name: "Open Penetration test report 2025" }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "evidence-control.png"), fullPage: true });

    // Refused before anything is kept: a program, and a file past the size limit.
    const refusal = panel.locator(".field-error").last();
    await panel.getByLabel("Choose a file").setInputFiles({ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ not evidence") });
    await refusal.getByText(/cannot be kept as evidence/).waitFor();
    await panel.getByLabel("Choose a file").setInputFiles({ name: "huge.txt", mimeType: "text/plain", buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    await refusal.getByText("This file is 10.0 MiB and a file may be at most 10 MiB.").waitFor();
    assert.equal(await evidenceItems(page).count(), 1, "only the PDF was kept");
    assert.equal(await panel.getByLabel("Choose a file").getAttribute("aria-describedby"), await refusal.getAttribute("id"));

    // A file dropped from the desktop onto the panel is kept like a chosen one.
    await panel.locator(".attach").evaluate((zone, text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], "visitor-log.txt", { type: "text/plain" }));
      for (const type of ["dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, "2026-11-30 09:12 A. Visitor, signed in and out\n");
    await panel.getByText("Added “visitor-log”.").waitFor();
    await evidenceItems(page).filter({ hasText: "visitor-log" }).getByRole("link", { name: "Download visitor-log" }).waitFor();
    assert.equal(await evidenceItems(page).count(), 2);

    // A page disguised as a text file is kept, and only ever downloaded: opening it shows no
    // page of the app's origin. (A record cannot name it text/html: the register refuses.)
    const disguised = "<!doctype html><title>Session ended</title><a href=https://attacker.example>Sign in again</a>";
    await panel.getByLabel("Caption").fill("Not a log");
    await panel.getByLabel("Choose a file").setInputFiles({ name: "log.txt", mimeType: "text/plain", buffer: Buffer.from(disguised) });
    await panel.getByText("Added “Not a log”.").waitFor();
    const link = evidenceItems(page).filter({ hasText: "Not a log" }).getByRole("link", { name: "Download Not a log" });
    assert.equal(await link.getAttribute("download"), "Not a log.txt");
    assert.equal(await link.getAttribute("target"), null);
    const pagesBefore = page.context().pages().length;
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    assert.equal(download.suggestedFilename(), "Not a log.txt");
    assert.equal(page.context().pages().length, pagesBefore, "no page opened");
    assert.equal(await page.getByText("Sign in again").count(), 0);
    assert.equal(await evidenceItems(page).count(), 3);

    // The register lists it as expired, and its page shows the file's facts.
    await openTab(page, "Evidence");
    const row = page.getByRole("list", { name: "Evidence" }).getByRole("listitem").filter({ hasText: "Penetration test report 2025" });
    await row.waitFor();
    assert.match(await row.textContent(), /PDF document/);
    await row.getByRole("link").click();
    await page.getByRole("heading", { name: "Penetration test report 2025" }).waitFor();
    await page.getByText("Expired on 2026-01-31").waitFor();
    const digest = await page.locator(".digest").textContent();
    const expected = await page.evaluate(async (bytes) => {
      const hash = await crypto.subtle.digest("SHA-256", new Uint8Array(bytes));
      return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }, [...PDF]);
    assert.equal(digest, expected, "the record names the file by the SHA-256 of its bytes");
    assert.deepEqual(await seriousA11yViolations(page), []);

    // Renewing it is someone's work.
    await openTab(page, "My work");
    await page.getByText("Renew the evidence").first().waitFor();

    // A measurement takes the export its value comes from, and lists it.
    await openTab(page, "Metrics");
    await page.getByText("Define a metric").click();
    await page.locator("#metric-name").fill("Patched within 14 days");
    await page.getByRole("button", { name: "Add metric" }).click();
    await page.getByRole("heading", { name: "Patched within 14 days" }).waitFor();
    await page.locator("#measurement-value").fill("92");
    await page.getByRole("button", { name: "Add measurement" }).click();
    const measured = page.getByRole("region", { name: "Evidence" });
    await measured.getByLabel("Choose a file").setInputFiles({
      name: "patch-report.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("host,patched\nweb1,yes\n"),
    });
    await measured.getByText("Added “patch-report”.").waitFor();
    await page.getByRole("table", { name: "Measurements" }).getByRole("link", { name: "patch-report" }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);

    // The register says how much storage the files take, and warns when the browser's quota
    // is nearly reached (here a browser that says 85% is used).
    await openTab(page, "Evidence");
    await page.getByText(/This device keeps .+ for Ratchet, of the .+ this browser allows\. The browser (has agreed to keep it|may clear it) /).waitFor();
    assert.equal(await page.getByRole("alert").filter({ hasText: "Storage is nearly full" }).count(), 0);
    await page.addInitScript(() => {
      navigator.storage.estimate = async () => ({ usage: 850 * 2 ** 20, quota: 1000 * 2 ** 20 });
    });
    await page.reload();
    await ready(page);
    await page.getByRole("alert").filter({ hasText: "This device keeps 850 MiB for Ratchet, of the 1000 MiB" }).getByText(/Storage is nearly full/).waitFor();
    assert.deepEqual(unexpected(problems), []);
  } finally {
    await device.close();
  }
});

test("a photo taken offline on a phone reaches a colleague's device byte for byte, at most 1,600 px and without its metadata", async () => {
  const alice = await openDevice({ viewport: { width: 390, height: 844 } });
  const bob = await openDevice();
  try {
    await createOrganisation(alice.page, server, "Evidence Ltd", "Alice Auditor");
    await inviteAndJoin(alice.page, bob, server, "Bob Builder", "editor");
    const { page } = alice;
    await openControl(page, "A.7.2 Physical entry");

    await alice.context.setOffline(true);
    const secret = "GPS 51.5007N 0.1246W";
    const photo = await photoWithMetadata(page, 2400, 1800, "#2a6", secret);
    const panel = page.getByRole("region", { name: "Evidence" });
    await panel.getByLabel("Caption").fill("Server room door, locked");
    await panel.getByLabel("Take photo").setInputFiles({ name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: photo });
    await panel.getByText("Added “Server room door, locked”.").waitFor();
    const item = evidenceItems(page).filter({ hasText: "Server room door, locked" });
    await item.getByText("Waiting to upload").waitFor();
    await page.getByTestId("uploads-count").getByText("1 file to upload").waitFor();
    const size = await item.locator("img").evaluate(async (img) => {
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    });
    assert.deepEqual(size, [1600, 1200], "the longest side is 1,600 px");
    const [kept] = await keptFiles(page);
    assert.equal(kept.digest, kept.sha256, "kept under the SHA-256 of its bytes");
    assert.equal(kept.media_type, "image/jpeg");
    const keptBytes = Buffer.from(kept.bytes);
    assert.ok(!keptBytes.includes(Buffer.from(secret)), "the photo's metadata is gone");
    assert.ok(!keptBytes.includes(Buffer.from("Exif")), "no EXIF segment is kept");
    assert.ok(keptBytes.length < photo.length, `smaller: ${keptBytes.length} < ${photo.length} bytes`);
    await page.screenshot({ path: join(SHOTS, "evidence-phone-offline.png"), fullPage: true });
    assert.deepEqual(await seriousA11yViolations(page), []);

    // Back online: the record syncs, then the file. The first upload is cut off on the way;
    // the next round sends it again, and the queue empties.
    let cut = 0;
    await page.route("**/api/orgs/*/files/*", (route) =>
      route.request().method() === "PUT" && cut++ === 0 ? route.abort("connectionreset") : route.continue(),
    );
    await alice.context.setOffline(false);
    await syncNow(page);
    await page.waitForFunction(() => document.querySelector("[data-testid=uploads-count]")?.textContent === "", null, {
      timeout: 15_000,
    });
    await item.getByText("Waiting to upload").waitFor({ state: "detached" });
    assert.ok(cut >= 2, `the upload was cut off once and then sent again (${cut} attempts)`);
    await page.unroute("**/api/orgs/*/files/*");

    // Bob's device fetches the file the first time he opens it, and keeps it for offline use.
    await syncNow(bob.page);
    await openControl(bob.page, "A.7.2 Physical entry");
    const bobsItem = evidenceItems(bob.page).filter({ hasText: "Server room door, locked" });
    await bobsItem.locator("img").evaluate((img) => img.decode());
    const received = await keptFiles(bob.page);
    assert.deepEqual(
      received.map((f) => [f.sha256, f.digest]),
      [[kept.sha256, kept.sha256]],
      "the same bytes on both devices",
    );
    await bob.context.setOffline(true);
    await bob.page.reload();
    await ready(bob.page);
    await evidenceItems(bob.page).filter({ hasText: "Server room door, locked" }).locator("img").waitFor();
    await bob.page.screenshot({ path: join(SHOTS, "evidence-second-device.png"), fullPage: true });
    await bob.context.setOffline(false);

    // Where a photo was taken is kept only once the organisation decides so: an editor cannot
    // decide it, an owner can; the photo itself still keeps no metadata.
    const policy = "[aria-describedby=photo-location-hint]";
    await openTab(bob.page, "Organisation");
    assert.equal(await bob.page.getByLabel("Keep where photos were taken").isDisabled(), true, "an editor cannot change it");
    await openTab(page, "Organisation");
    await page.getByLabel("Keep where photos were taken").check();
    await page.getByText("From now on, a photo's position is kept on its evidence record.").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.screenshot({ path: join(SHOTS, "evidence-policy-phone.png"), fullPage: true });
    await syncNow(page);
    await syncNow(bob.page);
    await bob.page.waitForFunction((policy) => document.querySelector(policy)?.checked, policy, { timeout: 10_000 });
    await openControl(bob.page, "A.7.2 Physical entry");
    const located = await photoWithMetadata(bob.page, 1200, 900, "#a26", "reception desk", [53.796, -1.5479]);
    const bobsPanel = bob.page.getByRole("region", { name: "Evidence" });
    await bobsPanel.getByLabel("Caption").fill("Visitor book at reception");
    await bobsPanel.getByLabel("Take photo").setInputFiles({ name: "IMG_0002.jpg", mimeType: "image/jpeg", buffer: located });
    await bobsPanel.getByText("Added “Visitor book at reception”.").waitFor();
    await evidenceItems(bob.page).filter({ hasText: "Visitor book at reception" }).getByText("taken at 53.79600, -1.54790").waitFor();
    assert.equal(
      await evidenceItems(bob.page).filter({ hasText: "Server room door, locked" }).getByText(/taken at/).count(),
      0,
      "a photo kept before the decision keeps no position",
    );
    for (const file of await keptFiles(bob.page)) {
      const bytes = Buffer.from(file.bytes);
      assert.ok(!bytes.includes(Buffer.from("Exif")) && !bytes.includes(Buffer.from("reception desk")), "no metadata in the file");
    }

    // The register shows each photo small beside its row.
    await openTab(bob.page, "Evidence");
    const thumbnails = bob.page.getByRole("list", { name: "Evidence" }).locator("img.list-thumb");
    await thumbnails.nth(1).waitFor();
    assert.equal(await thumbnails.count(), 2);
    for (const img of await thumbnails.all()) {
      assert.ok(await img.evaluate(async (img) => (await img.decode(), img.naturalWidth > 0)));
    }
    assert.deepEqual(await seriousA11yViolations(bob.page), []);
    await bob.page.screenshot({ path: join(SHOTS, "evidence-register-thumbnails.png"), fullPage: true });
    const offline = /Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_RESET|FAILED)/;
    assert.deepEqual(unexpected(alice.problems, [offline]), []);
    assert.deepEqual(unexpected(bob.problems, [offline]), []);
  } finally {
    await alice.close();
    await bob.close();
  }
});
