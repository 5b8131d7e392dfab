// Momentum without opening the app. Calendar: a member gets a secret calendar address under
// My work, a calendar program (here ical.js, an independent parser) reads their due action
// from it with its date and a link that opens the record, and stopping the address ends it.
// Reminders: a member turns them on; the organisation's alarm (rung by the test at a chosen
// time) sends a push to a stand-in push service, which decrypts it with Node's own crypto;
// delivered to the service worker, it shows the notification, which opens My work offline.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";
import ICAL from "ical.js";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, createOrganisation, credentialOf, openDevice, openTab, ready, seriousA11yViolations, synced, syncNow,
} from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

/** Raises a finding with one action owned by `owner`, due `due`, and syncs it. */
async function raiseAction(page, title, owner, due) {
  await openTab(page, "Findings");
  await page.getByText("Raise a finding").click();
  await page.locator("#finding-title").fill("Backups never restored");
  await page.getByRole("button", { name: "Raise finding" }).click();
  await page.getByRole("heading", { level: 1, name: "Backups never restored" }).waitFor();
  await page.getByText("Add an action").click();
  await page.locator("#action-title").fill(title);
  await page.locator("#action-owner").selectOption({ label: owner });
  await page.locator("#action-due").fill(due);
  await page.getByRole("button", { name: "Add action" }).click();
  const action = page.getByRole("list", { name: "Actions on this finding" }).getByRole("link", { name: title });
  await action.waitFor();
  await syncNow(page, 30_000);
  await synced(page, 30_000);
  return action.getAttribute("href");
}

test("a member's due action reaches their calendar through a secret address, linking back to the record, until they stop it", async () => {
  const device = await openDevice();
  const { page } = device;
  try {
    await createOrganisation(page, server, "Calendar Co", "Carla Chair");
    const actionPath = await raiseAction(page, "Restore a backup, then check it", "Carla Chair", "2031-03-14");

    await openTab(page, "My work");
    const section = page.getByRole("region", { name: "In your calendar" });
    await section.getByRole("button", { name: "Get my calendar address" }).click();
    const field = section.getByLabel("Calendar address (shown once: copy it now)");
    await field.waitFor();
    const address = await field.inputValue();
    assert.match(address, new RegExp(`^${server.base}/api/orgs/[^/]+/calendar/[^/]+\\.ics$`));
    await section.getByRole("img", { name: "The calendar address as a QR code, for a phone to scan" }).locator("svg").waitFor();
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

    // A viewer's own address lists only their work: none of Carla's.
    const owner = await credentialOf(page);
    const invite = await api(owner, "POST", "/invites", { role: "viewer", expires_in_seconds: 3600 });
    const joined = await fetch(`${server.base}/api/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: invite.code, name: "Vera Viewer" }),
    });
    assert.equal(joined.status, 201);
    const viewer = await joined.json();
    const feed = await api(viewer, "POST", "/calendar", { whole: false });
    const viewerCalendar = new ICAL.Component(ICAL.parse(
      await (await fetch(`${server.base}/api/orgs/${viewer.org}/calendar/${feed.secret}.ics`)).text(),
    ));
    assert.equal(viewerCalendar.getFirstPropertyValue("x-wr-calname"), "Calendar Co: Vera Viewer's work");
    assert.deepEqual(viewerCalendar.getAllSubcomponents("vevent"), []);

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

/** A push service on loopback that keeps what it is sent. */
async function startPushService() {
  const received = [];
  const service = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(201).end();
    });
  });
  await new Promise((resolve) => service.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${service.address().port}`, received, close: () => service.close() };
}

/** RFC 8291 with RFC 8188's aes128gcm, decrypted with the browser's keys by Node's crypto. */
function decrypt(body, browserKeys, auth) {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const serverPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = browserKeys.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), browserKeys.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, auth, keyInfo, 32));
  const key = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", key, nonce);
  decipher.setAuthTag(ciphertext.subarray(-16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  assert.equal(plain[end - 1], 2, "the last record's delimiter");
  return plain.subarray(0, end - 1).toString();
}

async function api(credential, method, path, body) {
  const response = await fetch(`${server.base}/api/orgs/${credential.org}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential.token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

/** Sets the organisation's reminder clock, which rings its alarm, and waits for the pass. */
async function ringAt(credential, instant) {
  const at = Date.parse(instant);
  await api(credential, "POST", "/reminders/clock", { now_ms: at });
  for (let i = 0; i < 200 && (await api(credential, "GET", "/reminders")).last_pass_ms !== at; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal((await api(credential, "GET", "/reminders")).last_pass_ms, at, "the alarm ran");
}

test("a member turns reminders on; the day's push shows their overdue work and opens My work offline", async () => {
  const pushService = await startPushService();
  const browserKeys = createECDH("prime256v1");
  browserKeys.generateKeys();
  const auth = randomBytes(16);
  const endpoint = `${pushService.origin}/push/rita`;
  const device = await openDevice();
  const { page, context } = device;
  try {
    await context.grantPermissions(["notifications"], { origin: server.base });
    // Headless Chromium reaches no real push service, so the browser's subscription is
    // stood in for; everything after it (the server's push, its encryption, the service
    // worker's notification) is real.
    await context.addInitScript(({ endpoint, p256dh, auth }) => {
      const subscription = {
        endpoint,
        expirationTime: null,
        toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
        unsubscribe: async () => true,
      };
      PushManager.prototype.subscribe = async function (options) {
        window.askedWithKey = options.applicationServerKey;
        return subscription;
      };
      PushManager.prototype.getSubscription = async () => subscription;
    }, { endpoint, p256dh: browserKeys.getPublicKey("base64url"), auth: auth.toString("base64url") });

    await createOrganisation(page, server, "Reminder Co", "Rita Owner");
    await raiseAction(page, "Restore a backup", "Rita Owner", "2031-03-14");
    const credential = await credentialOf(page);
    await ringAt(credential, "2031-03-20T06:00:00Z");

    await openTab(page, "My work");
    const section = page.getByRole("region", { name: "Reminders on your devices" });
    await section.getByLabel("Each day at").selectOption("9");
    await section.getByRole("button", { name: "Turn on reminders on this device" }).click();
    await section.getByText("Reminders are on for this device, at 09:00 (UTC)").waitFor();
    await section.getByRole("list", { name: "Your devices with reminders" }).getByText("This device").waitFor();
    const status = await api(credential, "GET", "/reminders");
    assert.equal(await page.evaluate(() => window.askedWithKey), status.server_key, "subscribed with the server's key");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `My work with reminders is ${width}px wide on a 390px phone`);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "reminders-my-work-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });

    // The day's pass at 09:30: one push, encrypted for this browser.
    await ringAt(credential, "2031-03-20T09:30:00Z");
    assert.equal(pushService.received.length, 1);
    const [push] = pushService.received;
    assert.equal(push.path, "/push/rita");
    assert.match(push.headers.authorization, /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const payload = decrypt(push.body, browserKeys, auth);
    const reminder = JSON.parse(payload);
    assert.equal(reminder.title, "Your work in Reminder Co");
    assert.equal(reminder.body, "1 action overdue");
    assert.equal(reminder.counts.overdue, 1);

    // Delivered to the service worker as the browser delivers a push, it shows the notification.
    const cdp = await context.newCDPSession(page);
    const registration = new Promise((resolve) =>
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const live = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(server.base));
        if (live) resolve(live.registrationId);
      }),
    );
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: server.base, registrationId: await registration, data: payload,
    });
    const notifications = async () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body })),
      );
    for (let i = 0; i < 100 && (await notifications()).length === 0; i++) await page.waitForTimeout(100);
    assert.deepEqual(await notifications(), [{ title: "Your work in Reminder Co", body: "1 action overdue" }]);

    // Opened with no network, it brings My work from the stored app and register.
    await openTab(page, "Dashboard");
    await context.setOffline(true);
    const [worker] = context.serviceWorkers();
    await worker.evaluate(async () => openReminder((await self.registration.getNotifications())[0]));
    await page.waitForURL(`${server.base}/my-work`);
    await page.getByRole("heading", { level: 1, name: "My work" }).waitFor();
    await page.getByRole("link", { name: "Restore a backup" }).waitFor();
    await context.setOffline(false);

    // My work says what was sent and when; Organisation, who has reminders on.
    await page.reload();
    await ready(page);
    const sent = page.getByRole("list", { name: "Reminders sent" });
    await sent.getByText("1 action overdue").waitFor();
    await sent.getByText("on 2031-03-20 at 09:30 UTC").waitFor();
    await openTab(page, "Organisation");
    await page.getByRole("list", { name: "Members with reminders on" }).getByText("Rita Owner").waitFor();

    // Turned off, the server forgets the device.
    await openTab(page, "My work");
    await page.getByRole("button", { name: "Turn off reminders: This device" }).click();
    await section.getByText("Reminders are off for that device.").waitFor();
    assert.deepEqual((await api(credential, "GET", "/reminders")).devices, []);
  } finally {
    await device.close();
    pushService.close();
  }
});
