// Evidence on a phone, in headless Chromium against a real `wrangler dev`:
// - a phone camera's photo (4032 × 3024 JPEG with EXIF) from chosen until stored, drawn again
//   at 1,600 px without its metadata and kept with its record, with the CPU throttled 4×
//   (the app's `ratchet-attach` measure), for PHOTOS photos;
// - a phone that took 3 photos offline reconnecting, until a colleague's device, open on the
//   same control, shows all 3: the phone's sync round and uploads, then the colleague's sync
//   and first fetch of each file.
// Prints one JSON line: {"attach_ms": {"median", "max", "runs"}, "reconnect_ms"}.
import { startWrangler } from "../support/wrangler.mjs";
import { createOrganisation, inviteAndJoin, openDevice, openTab, synced, syncNow } from "../support/browser.mjs";
import { photoWithMetadata } from "../support/files.mjs";

const PHOTOS = 5;
const CONTROL = "A.7.2 Physical entry";
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function openControl(page) {
  await openTab(page, "Controls");
  await page.getByLabel("Search").fill("A.7.2");
  await page.getByRole("link", { name: CONTROL }).click();
  await page.getByRole("heading", { name: CONTROL }).waitFor();
}

async function takePhoto(page, n, colour) {
  const panel = page.getByRole("region", { name: "Evidence" });
  const photo = await photoWithMetadata(page, 4032, 3024, colour, `bench photo ${n}`);
  await panel.getByLabel("Caption").fill(`Photo ${n}`);
  await panel.getByLabel("Take photo").setInputFiles({ name: `IMG_${n}.jpg`, mimeType: "image/jpeg", buffer: photo });
  await panel.getByText(`Added “Photo ${n}”.`).waitFor({ timeout: 30_000 });
}

const server = await startWrangler();
const phone = await openDevice({ viewport: { width: 390, height: 844 } });
const desk = await openDevice();
try {
  await createOrganisation(phone.page, server, "Bench Ltd", "Pat Phone");
  await inviteAndJoin(phone.page, desk, server, "Dee Desk", "editor");
  await openControl(phone.page);

  const cdp = await phone.context.newCDPSession(phone.page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await phone.page.evaluate(() => performance.clearMeasures("ratchet-attach"));
  for (let n = 1; n <= PHOTOS; n++) await takePhoto(phone.page, n, `hsl(${n * 60}, 60%, 45%)`);
  const attach = await phone.page.evaluate(() => performance.getEntriesByName("ratchet-attach").map((m) => Math.round(m.duration)));
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  if (attach.length !== PHOTOS) throw new Error(`measured ${attach.length} of ${PHOTOS} photos`);

  // Everything so far reaches the desk first, so only the offline photos are timed.
  await synced(phone.page);
  await phone.page.waitForFunction(() => document.querySelector("[data-testid=uploads-count]")?.textContent === "");
  await syncNow(desk.page);
  await openControl(desk.page);
  const images = desk.page.getByRole("region", { name: "Evidence" }).locator(".evidence-item img");
  await images.nth(PHOTOS - 1).waitFor({ timeout: 30_000 });

  await phone.context.setOffline(true);
  for (let n = PHOTOS + 1; n <= PHOTOS + 3; n++) await takePhoto(phone.page, n, `hsl(${n * 40}, 50%, 50%)`);
  const reconnected = Date.now();
  await phone.context.setOffline(false);
  await syncNow(phone.page);
  await phone.page.waitForFunction(() => document.querySelector("[data-testid=uploads-count]")?.textContent === "", null, {
    timeout: 60_000,
  });
  await syncNow(desk.page);
  await desk.page.waitForFunction(
    (count) => {
      const shown = [...document.querySelectorAll(".evidence .evidence-item img")];
      return shown.length === count && shown.every((img) => img.complete && img.naturalWidth > 0);
    },
    PHOTOS + 3,
    { timeout: 60_000 },
  );
  const reconnect_ms = Date.now() - reconnected;
  console.log(JSON.stringify({ attach_ms: { median: median(attach), max: Math.max(...attach), runs: attach }, reconnect_ms }));
} finally {
  await phone.close();
  await desk.close();
  await server.stop();
}
