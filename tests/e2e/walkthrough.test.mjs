// A site walkthrough as a person does it: a phone (390×844) with no signal from the first
// check, 20 checks one per screen, three photos, two findings, the tab closed half way and
// reopened where it was; then a signal, and a colleague's desktop has it all, photos byte for
// byte, within seconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, controlledByServiceWorker, createOrganisation, inviteAndJoin, openDevice, openTab, ready,
  seriousA11yViolations, syncNow, synced, unexpected,
} from "../support/browser.mjs";
import { keptFiles, photoWithMetadata } from "../support/files.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const OFFLINE = /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/;

/** Waits for the walkthrough to show check `n` of `total`. */
async function atCheck(page, n, total = 20) {
  await page.locator(".walk-progress").getByText(`${n} of ${total}`, { exact: true }).waitFor();
}

/** Swipes across the page: left for the next check, right for the previous one. */
async function swipe(page, direction) {
  await page.locator(".walk").evaluate((walk, dx) => {
    const touch = (x) => new Touch({ identifier: 1, target: walk, clientX: x, clientY: 400 });
    walk.dispatchEvent(new TouchEvent("touchstart", { changedTouches: [touch(200)], bubbles: true }));
    walk.dispatchEvent(new TouchEvent("touchend", { changedTouches: [touch(200 + dx)], bubbles: true }));
  }, direction === "left" ? -120 : 120);
}

test("a 20-check walkthrough on a phone with no signal: photos, findings, a closed tab, then a colleague sees it all", async () => {
  const phone = await openDevice({ viewport: { width: 390, height: 844 } });
  const desk = await openDevice();
  try {
    await createOrganisation(phone.page, server, "Walk Ltd", "Wanda Walker");
    await inviteAndJoin(phone.page, desk, server, "Dev Desk", "editor");
    await controlledByServiceWorker(phone.page);
    await phone.page.goto(`${server.base}/`);
    await ready(phone.page);
    await phone.context.setOffline(true);

    let page = phone.page;
    await openTab(page, "Walkthroughs");
    const start = page.getByRole("form", { name: "Start a walkthrough" });
    await start.getByLabel("Template").selectOption({ label: "Physical security (20 checks)" });
    await start.getByLabel("Site or area").fill("Leeds warehouse");
    await start.getByRole("button", { name: "Start walkthrough" }).click();
    await atCheck(page, 1);
    const url = page.url();
    assert.match(url, /\/audits\/[0-9a-f-]+\/walk$/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    for (const name of ["Conforming", "Nonconforming", "Not applicable", "Next"]) {
      const box = await page.getByRole("button", { name, exact: true }).boundingBox();
      assert.ok(box.height >= 48 && box.width >= 48, `${name}: ${box.width}×${box.height}`);
    }
    await page.screenshot({ path: join(SHOTS, "walkthrough-check.png") });

    // Next and previous by swiping.
    await swipe(page, "left");
    await atCheck(page, 2);
    await swipe(page, "right");
    await atCheck(page, 1);

    const photos = [];
    const photo = async (colour) => {
      const buffer = await photoWithMetadata(page, 2000, 1500, colour, "GPS 53.79N 1.54W");
      photos.push(buffer);
      await page.getByLabel("Take photo").setInputFiles({ name: `IMG_${photos.length}.jpg`, mimeType: "image/jpeg", buffer });
      await page.getByText(/^Added “Photo: /).waitFor();
    };
    const nonconforming = async (n, note, colour) => {
      await page.getByRole("button", { name: "Nonconforming", exact: true }).click();
      await page.getByRole("button", { name: "Nonconforming", exact: true, pressed: true }).waitFor();
      await page.getByLabel("Note").fill(note);
      await page.getByLabel("Note").blur();
      await photo(colour);
      await page.getByRole("button", { name: "Raise a finding" }).click();
      await page.getByText("Finding raised:").waitFor();
      await page.getByRole("button", { name: "Next" }).click();
      await atCheck(page, n + 1);
    };

    for (let n = 1; n <= 20; n++) {
      await atCheck(page, n);
      if (n === 2) {
        await nonconforming(n, "Back door propped open with a fire extinguisher.", "#c33");
      } else if (n === 10) {
        await nonconforming(n, "Unlocked screen at the dispatch desk.", "#36c");
      } else if (n === 7) {
        await photo("#3a3");
        await page.getByRole("button", { name: "Conforming", exact: true }).click();
        await atCheck(page, n + 1);
      } else if (n === 5) {
        // Two taps in quick succession: the second save ends after the first moved on.
        await page.getByRole("button", { name: "Conforming", exact: true }).evaluate((button) => {
          button.click();
          button.click();
        });
        await atCheck(page, n + 1);
      } else if (n === 15) {
        await page.getByRole("button", { name: "Not applicable", exact: true }).click();
        await atCheck(page, n + 1);
      } else {
        await page.getByRole("button", { name: "Conforming", exact: true }).click();
        if (n < 20) await atCheck(page, n + 1);
      }
      if (n === 11) {
        // Half way, the tab closes; reopened (still offline), it is at check 12 again.
        await page.close();
        page = await phone.context.newPage();
        await page.goto(url);
        await ready(page);
        await atCheck(page, 12);
        await page.getByText("11 answered", { exact: true }).waitFor();
      }
    }
    await page.getByText("20 answered", { exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, "walkthrough-done.png"), fullPage: true });
    await page.getByRole("link", { name: "Finish" }).click();
    await page.getByRole("heading", { name: "Walkthrough: Physical security at Leeds warehouse" }).waitFor();
    assert.equal(await page.getByTestId("uploads-count").textContent(), "3 files to upload");
    const kept = (await keptFiles(page)).map((f) => f.sha256).sort();
    assert.equal(kept.length, 3);

    // A signal again: within 10 s the colleague's device has the walkthrough, its findings
    // and its photos.
    const reconnected = Date.now();
    await phone.context.setOffline(false);
    await synced(page, 10_000);
    await page.waitForFunction(() => document.querySelector("[data-testid=uploads-count]")?.textContent === "", null, {
      timeout: 10_000,
    });
    await syncNow(desk.page, 10_000);
    await openTab(desk.page, "Findings");
    const findings = desk.page.getByRole("list", { name: "Findings" }).getByRole("listitem");
    await findings.filter({ hasText: "A.7.1 Physical security perimeters" }).waitFor();
    await findings.filter({ hasText: "A.7.7 Clear desk and clear screen" }).first().waitFor();
    await desk.page.goto(`${server.base}${new URL(url).pathname.replace(/\/walk$/, "")}`);
    await ready(desk.page);
    await desk.page.getByRole("heading", { name: "Walkthrough: Physical security at Leeds warehouse" }).waitFor();
    // Each photo is on its check's screen; the desk fetches it there the first time.
    await desk.page.goto(url);
    await ready(desk.page);
    // It opens at the last check (all are answered); the photos are at checks 10, 7 and 2.
    await atCheck(desk.page, 20);
    for (const n of [10, 7, 2]) {
      for (let step = 0; step < 20 && !(await desk.page.locator(".walk-progress").getByText(`${n} of 20`, { exact: true }).count()); step++) {
        await desk.page.getByRole("button", { name: "Previous" }).click();
      }
      await atCheck(desk.page, n);
      await desk.page.locator(".evidence-item img").first().evaluate((img) => img.decode());
    }
    const received = await keptFiles(desk.page);
    assert.deepEqual(received.map((f) => f.digest).sort(), kept, "the same bytes, by digest");
    const seconds = (Date.now() - reconnected) / 1000;
    assert.ok(seconds < 10, `the colleague had it all ${seconds.toFixed(1)} s after the phone reconnected`);
    await desk.page.screenshot({ path: join(SHOTS, "walkthrough-second-device.png"), fullPage: true });

    // The findings carry the site, the control, the note and the photo.
    await openTab(desk.page, "Findings");
    await findings.filter({ hasText: "A.7.1 Physical security perimeters" }).getByRole("link").first().click();
    assert.equal(await desk.page.getByLabel("Location").inputValue(), "Leeds warehouse");
    assert.match(await desk.page.getByRole("textbox", { name: "Evidence", exact: true }).inputValue(), /propped open/);
    await desk.page.locator(".evidence-item img").waitFor();

    // The walkthrough's evidence pack: per requirement what shows it and what is missing, and
    // one zip with the photos and an index of their digests.
    await desk.page.goto(`${server.base}${new URL(url).pathname.replace(/\/walk$/, "/evidence")}`);
    await ready(desk.page);
    await desk.page.getByText("14 requirements in scope: 3 with evidence, 11 missing, 0 with expired evidence only.").waitFor();
    const rows = desk.page.getByRole("table").getByRole("row");
    assert.match(await rows.filter({ hasText: "A.7.1 Physical security perimeters" }).textContent(), /evidenced/);
    assert.match(await rows.filter({ hasText: "A.7.3 Securing offices" }).textContent(), /missing/);
    assert.deepEqual(await seriousA11yViolations(desk.page), []);
    const [download] = await Promise.all([
      desk.page.waitForEvent("download"),
      desk.page.getByRole("button", { name: "Download the evidence pack (zip)" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^evidence-pack-walkthrough-physical-security-at-leeds-warehouse\.zip$/);
    const zip = readFileSync(await download.path());
    assert.equal(zip.subarray(0, 2).toString(), "PK", "a zip");
    const text = zip.toString("latin1");
    assert.match(text, /index\.csv/);
    for (const digest of kept) assert.ok(text.includes(digest), `the index names ${digest}`);
    assert.match(text, /A\.7\.5 Protecting against physical and environmental threats,missing/);
    await desk.page.screenshot({ path: join(SHOTS, "evidence-pack.png"), fullPage: true });
    assert.deepEqual(unexpected(phone.problems, [OFFLINE]), []);
    assert.deepEqual(unexpected(desk.problems), []);
  } finally {
    await phone.close();
    await desk.close();
  }
});
