// Offline-first sync between two devices (two people), as they use the app: the real app
// served by a real `wrangler dev`, each device a headless Chromium with its own on-disk
// profile. The tests run in order and share one organisation, as a team would.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, addRisk, createOrganisation, credentialOf, openDevice, openTab, ready, riskRow, syncNow, synced,
  unexpected,
} from "../support/browser.mjs";

// Chromium logs each failed request; these are the ones the tests provoke on purpose.
const REFUSED = /Failed to load resource: the server responded with a status of 403/;
const CUT = /Failed to load resource: net::ERR_(CONNECTION_RESET|FAILED|INTERNET_DISCONNECTED)/;
const AHEAD = /Failed to load resource: the server responded with a status of 422/;

let server;
let alice;
let bob;

before(async () => {
  server = await startWrangler();
  alice = await openDevice();
  bob = await openDevice();
});
after(async () => {
  await alice?.close();
  await bob?.close();
  await server?.stop();
});

/** The organisation's whole log, page by page, as the server keeps it. */
async function serverLog(credential) {
  const log = [];
  for (let since = 0, more = true, pages = 0; more && pages < 100; pages++) {
    const response = await fetch(`${server.base}/api/orgs/${credential.org}/pull?since=${since}`, {
      headers: { authorization: `Bearer ${credential.token}` },
    });
    assert.equal(response.status, 200);
    const page = await response.json();
    log.push(...page.ops);
    ({ next: since, more } = page);
  }
  return log;
}

/** Opens the risks list searched for `title` (a list shows 100 rows at a time). */
async function findRisk(page, title) {
  await openTab(page, "Risks");
  await page.locator("#risks-search").fill(title);
  return riskRow(page, title);
}

async function openRisk(page, title) {
  await (await findRisk(page, title)).getByRole("link").click();
  await page.getByRole("form", { name: "Edit risk" }).waitFor();
}

async function saveTitle(page, title) {
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Saved on this device.").waitFor();
}

test("1. Alice creates an organisation and a risk; Bob joins by invite and sees it", async () => {
  const { page } = alice;
  await createOrganisation(page, server, "Acme Ltd", "Alice");
  await openTab(page, "Risks");
  await addRisk(page, "Laptop stolen from a car", 4, 5);
  await synced(page);

  await openTab(page, "Organisation");
  await page.getByLabel("Role").selectOption("editor");
  await page.getByRole("button", { name: "Create invite" }).click();
  const link = await page.getByLabel("Or send this link").inputValue();
  assert.match(link, /\/join#.+\..+\.[0-9a-f]{64}$/);
  await page.screenshot({ path: join(SHOTS, "sync-invite.png"), fullPage: true });
  // Invites wait in a list until used; one made by mistake is withdrawn there.
  const waiting = page.getByRole("list", { name: "Invites not used yet" });
  await waiting.getByText("editor invite by Alice").waitFor();
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create invite" }).click();
  const mistaken = waiting.getByRole("listitem").filter({ hasText: "viewer invite by Alice" });
  await mistaken.getByRole("button", { name: /^Withdraw the viewer invite by Alice/ }).click();
  await mistaken.waitFor({ state: "detached" });
  assert.equal(await waiting.getByRole("listitem").count(), 1);

  await bob.page.goto(link);
  await ready(bob.page);
  assert.equal(await bob.page.getByLabel("Invite code").inputValue(), link.split("#")[1]);
  await bob.page.getByLabel("Your name").first().fill("Bob");
  await bob.page.getByRole("button", { name: "Join" }).click();
  await bob.page.waitForURL(`${server.base}/`);
  await ready(bob.page);
  await openTab(bob.page, "Risks");
  await riskRow(bob.page, "Laptop stolen from a car").waitFor({ timeout: 20_000 });
  await synced(bob.page);
  assert.deepEqual(unexpected(alice.problems), []);
  assert.deepEqual(unexpected(bob.problems), []);
});

test("2. Offline edits to one risk on both devices converge, field by field", async () => {
  await alice.context.setOffline(true);
  await bob.context.setOffline(true);
  await openRisk(alice.page, "Laptop stolen from a car");
  await saveTitle(alice.page, "Laptop stolen (Alice's wording)");
  await openRisk(bob.page, "Laptop stolen from a car");
  await bob.page.getByLabel("Owner").selectOption({ label: "Bob" });
  await bob.page.getByRole("button", { name: "Save changes" }).click();
  await bob.page.getByText("Saved on this device.").waitFor();
  await saveTitle(bob.page, "Laptop stolen (Bob's later wording)");
  assert.match(await bob.page.getByTestId("pending-count").textContent(), /2 pending/);

  await alice.context.setOffline(false);
  await bob.context.setOffline(false);
  for (const device of [alice, bob, alice]) {
    await syncNow(device.page);
  }
  for (const { page } of [alice, bob]) {
    await page.getByRole("heading", { name: "Laptop stolen (Bob's later wording)" }).waitFor();
    const owner = page.getByLabel("Owner");
    assert.equal(await owner.locator("option:checked").textContent(), "Bob");
  }
  await bob.page.screenshot({ path: join(SHOTS, "sync-converged.png"), fullPage: true });
  assert.deepEqual(unexpected(alice.problems, [CUT]), []);
  assert.deepEqual(unexpected(bob.problems, [CUT]), []);
});

test("3. A push cut off after the server stored it is retried and stored once", async () => {
  const { page } = alice;
  let cuts = 0;
  await page.route("**/api/orgs/*/push", async (route) => {
    if (cuts === 0) {
      cuts += 1;
      await route.fetch(); // the server receives and stores the ops...
      await route.abort("connectionreset"); // ...but the answer never arrives
    } else {
      await route.continue();
    }
  });
  await openTab(page, "Risks");
  await addRisk(page, "Phishing of finance staff", 3, 4);
  await synced(page, 40_000);
  assert.equal(cuts, 1);
  await page.unroute("**/api/orgs/*/push");

  const log = await serverLog(await credentialOf(page));
  const keys = log.map((e) => `${e.op.client}/${e.op.mid}`);
  assert.equal(new Set(keys).size, keys.length, "no (client, mid) twice");
  const titles = log.filter((e) => e.op.field === "title" && e.op.value === "Phishing of finance staff");
  assert.equal(titles.length, 1, "the op is in the log exactly once");
});

test("4. An edit made just before the page closes is there on reopen, and syncs", async () => {
  await alice.page.route("**/api/orgs/*/push", (route) => route.abort());
  await openTab(alice.page, "Risks");
  await addRisk(alice.page, "Tailgating at the side door", 2, 3);
  const profile = alice.profile;
  await alice.close({ wipe: false });

  alice = await openDevice({ profile });
  await alice.page.goto(`${server.base}/risks`);
  await ready(alice.page);
  await riskRow(alice.page, "Tailgating at the side door").waitFor();
  await synced(alice.page);
  await syncNow(bob.page);
  await openTab(bob.page, "Risks");
  await riskRow(bob.page, "Tailgating at the side door").waitFor({ timeout: 20_000 });
});

test("5. A viewer's change is refused by the server and shown; other organisations see nothing", async () => {
  await bob.context.setOffline(true);
  await openRisk(bob.page, "Phishing of finance staff");
  await saveTitle(bob.page, "Bob edits while being demoted");

  const { page } = alice;
  await openTab(page, "Organisation");
  await page.getByLabel("Role of Bob").selectOption("viewer");
  await page.getByLabel("Role of Bob").waitFor();

  await bob.context.setOffline(false);
  await syncNow(bob.page);
  const alert = bob.page.getByRole("alert", { name: "Refused changes" });
  await alert.waitFor({ timeout: 20_000 });
  assert.match(await alert.textContent(), /A viewer may not change Risk records/);
  await bob.page.getByRole("heading", { name: "Phishing of finance staff" }).waitFor();
  await bob.page.getByText("You are a viewer here: you can read the register and report what you see, but not change it.").waitFor();
  await bob.page.screenshot({ path: join(SHOTS, "sync-refused.png"), fullPage: true });
  assert.deepEqual(unexpected(bob.problems, [REFUSED, CUT]), []);

  // Another organisation's credential cannot read this one.
  const created = await fetch(`${server.base}/api/orgs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ org_name: "Other plc", owner_name: "Mallory", setup_code: server.setupCode }),
  });
  const other = await created.json();
  const acme = await credentialOf(alice.page);
  const response = await fetch(`${server.base}/api/orgs/${acme.org}/pull?since=0`, {
    headers: { authorization: `Bearer ${other.token}` },
  });
  assert.equal(response.status, 403);
  assert.equal((await response.json()).error.code, "other_organisation");

  await page.getByLabel("Role of Bob").selectOption("editor");
});

test("6. 2,000 risks created offline on one device arrive on the other, with progress", async () => {
  const { page, context } = alice;
  await context.setOffline(true);
  const rows = ["title,likelihood,impact"];
  for (let i = 0; i < 2000; i++) rows.push(`Imported risk ${i},${1 + (i % 5)},${1 + (i % 3)}`);
  await openTab(page, "Risks");
  await page.getByText("Import risks from a CSV file").click();
  await page.setInputFiles("#risk-import", {
    name: "risks.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(rows.join("\n")),
  });
  await page.getByText("Imported: 2000 added, 0 changed.").waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId("pending-count").textContent(), "6000 pending");

  await context.setOffline(false);
  await syncNow(page, 60_000);
  await synced(page);

  // Watch Bob's progress bar while he pulls.
  await bob.page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const bar = document.querySelector("progress");
      if (bar) window.__progress.push([Number(bar.value), Number(bar.max)]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await syncNow(bob.page, 60_000);
  const progress = await bob.page.evaluate(() => window.__progress);
  assert.ok(progress.length > 0, "a progress bar was shown");
  assert.ok(progress.every(([value, max]) => value <= max && max > 0));
  assert.equal(await bob.page.getByTestId("pending-count").textContent(), "", "Bob had nothing to send");
  await openTab(bob.page, "Dashboard");
  const count = Number(await bob.page.getByTestId("risk-count").textContent());
  assert.equal(count, 2003, "2,000 imported + 3 risks from the earlier tests");
  await openTab(page, "Dashboard");
  assert.equal(await page.getByTestId("risk-count").textContent(), "2003");
  assert.deepEqual(unexpected(alice.problems, [CUT]), []);
});

test("7. A phone whose clock is hours off loses no edit, a later edit elsewhere still wins, and an offline edit on a slow clock is not lost to an earlier one", async () => {
  const HOURS_3 = 3 * 3600 * 1000;
  const { page, context } = bob;
  const refusedAlert = page.getByRole("alert", { name: "Refused changes" });
  const clockRefusals = async () => ((await refusedAlert.count()) ? (await refusedAlert.textContent()).match(/clock/gi)?.length ?? 0 : 0);
  const before = await clockRefusals();
  // Three hours fast, and cut off from the server from the start: its edit is stamped three
  // hours ahead; it asks the server's time before its first push, and is stamped again.
  await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
  await context.clock.install({ time: Date.now() + HOURS_3 });
  await page.reload();
  await ready(page);
  await openRisk(page, "Phishing of finance staff");
  await saveTitle(page, "Phishing (Bob's fast phone)");
  await page.unroute("**/api/**");
  await syncNow(page);
  await synced(page);
  assert.equal(await clockRefusals(), before, "the server's time put the stamps right; nothing was refused");

  // A sync already on its way when "Sync now" is pressed may have pulled before Bob's push
  // arrived: ask again, a bounded number of times, until the edit is listed (the list of
  // 2,000 risks takes a moment to filter, so each look waits a little).
  for (let tries = 0; tries < 8; tries++) {
    await syncNow(alice.page);
    const row = await findRisk(alice.page, "Phishing (Bob's fast phone)");
    if (await row.waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
  }
  await openRisk(alice.page, "Phishing (Bob's fast phone)");
  await saveTitle(alice.page, "Phishing (Alice, later)");
  await syncNow(alice.page);
  await syncNow(page);
  await page.getByRole("heading", { name: "Phishing (Alice, later)" }).waitFor({ timeout: 20_000 });

  // Three hours slow: once it has heard the server's time, its later edit wins in turn.
  await context.clock.setSystemTime(Date.now() - HOURS_3);
  await syncNow(page);
  await saveTitle(page, "Phishing (Bob's slow phone, later still)");
  await syncNow(page);
  await syncNow(alice.page);
  await alice.page.getByRole("heading", { name: "Phishing (Bob's slow phone, later still)" }).waitFor({ timeout: 20_000 });
  await saveTitle(alice.page, "Phishing of finance staff (Alice, last)");
  await syncNow(alice.page);
  await syncNow(page);
  await page.getByRole("heading", { name: "Phishing of finance staff (Alice, last)" }).waitFor({ timeout: 20_000 });
  assert.equal(await clockRefusals(), before);

  // Put three hours slower still while the app was closed, and cut off from the start: the
  // edit it makes offline, after Alice's, is stamped hours before hers by its clock; it is
  // moved to when it was made once the server has told the time, so it still wins.
  await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
  await context.clock.setSystemTime(Date.now() - 2 * HOURS_3);
  await page.reload();
  await ready(page);
  await openRisk(page, "Phishing of finance staff (Alice, last)");
  await saveTitle(page, "Phishing (Bob's slower phone, offline)");
  await page.unroute("**/api/**");
  await syncNow(page);
  await synced(page);
  await syncNow(alice.page);
  await alice.page.getByRole("heading", { name: "Phishing (Bob's slower phone, offline)" }).waitFor({ timeout: 20_000 });
  assert.equal(await clockRefusals(), before);
  await context.clock.setSystemTime(Date.now());
  assert.ok(!bob.problems.some((p) => AHEAD.test(p)), "no push was refused (422) for its clock");
  assert.deepEqual(unexpected(bob.problems, [REFUSED, CUT]), []);
});

test("8. Leaving sends this device's changes first, and names what it would lose when it cannot", async () => {
  const { page, context } = bob;
  await context.setOffline(true);
  await openRisk(page, "Laptop stolen (Bob's later wording)");
  await saveTitle(page, "Laptop stolen (Bob, just before leaving)");
  await openTab(page, "Organisation");
  const leave = page.getByRole("button", { name: "Leave this organisation on this device" });
  await leave.click();
  const lost = page.getByRole("list", { name: "Changes that would be lost" });
  await lost.getByText("Risk: Laptop stolen (Bob, just before leaving) (1 change)").waitFor();
  await page.getByRole("button", { name: "Leave anyway and lose it" }).waitFor();
  await page.screenshot({ path: join(SHOTS, "sync-leave-unsent.png"), fullPage: true });
  await page.getByRole("button", { name: "Stay" }).click();

  // Online, leaving first sends the change (held back a moment here, so the wait shows).
  await page.route("**/api/orgs/*/push", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await context.setOffline(false);
  await page.getByText("Online", { exact: true }).waitFor();
  await leave.click();
  await page.getByRole("button", { name: "Sending this device's changes first…" }).waitFor();
  const really = page.getByRole("button", { name: "Really leave: wipe this organisation from this device" });
  await really.waitFor({ timeout: 25_000 });
  // Leaving wipes the copy: an export is offered first.
  await page.getByRole("link", { name: "Export it first" }).waitFor();
  await page.unroute("**/api/orgs/*/push");
  assert.equal(await page.getByTestId("pending-count").textContent(), "");
  await really.click();
  await page.waitForURL(`${server.base}/`);

  await syncNow(alice.page);
  await (await findRisk(alice.page, "Laptop stolen (Bob, just before leaving)")).waitFor({ timeout: 20_000 });
  // Leaving revokes the device first; a request still on its way is then refused (401).
  const REVOKED = /Failed to load resource: the server responded with a status of 401/;
  assert.deepEqual(unexpected(bob.problems, [REFUSED, CUT, AHEAD, REVOKED]), []);
});

test("9. The server killed while a large push is on its way, then restarted, loses nothing and stores nothing twice", async () => {
  const { page, context } = alice;
  await context.setOffline(true);
  const rows = ["title,likelihood,impact"];
  for (let i = 0; i < 700; i++) rows.push(`Crash-tested risk ${i},2,2`);
  await openTab(page, "Risks");
  await page.getByText("Import risks from a CSV file").click();
  await page.setInputFiles("#risk-import", { name: "crash.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
  await page.getByText("Imported: 700 added, 0 changed.").waitFor({ timeout: 30_000 });

  // Online: the server is killed as soon as the first push of 500 changes is on its way.
  const pushing = page.waitForRequest((r) => r.url().endsWith("/push") && r.method() === "POST");
  await context.setOffline(false);
  await pushing;
  await server.crashAndRestart();
  await synced(page, 90_000);

  const credential = await credentialOf(page);
  const log = await serverLog(credential);
  const mine = log.filter((e) => e.op.client === credential.client);
  assert.equal(new Set(mine.map((e) => e.op.mid)).size, mine.length, "no change of Alice's is stored twice");
  const crashTested = new Set(log.filter((e) => e.op.field === "title" && String(e.op.value).startsWith("Crash-tested risk")).map((e) => e.op.value));
  assert.equal(crashTested.size, 700, "every imported risk reached the server");
  assert.equal(await page.getByTestId("pending-count").textContent(), "");
  // While the server was down, requests found no one there (and one may have been cut off).
  const DOWN = /Failed to load resource: net::ERR_(CONNECTION_REFUSED|EMPTY_RESPONSE|SOCKET_NOT_CONNECTED)/;
  assert.deepEqual(unexpected(alice.problems, [REFUSED, CUT, DOWN]), []);
});

test("10. An answer that never comes is given up, pushes shrink to fit the link, and every change arrives once", async () => {
  const { page, context } = alice;
  const earlierProblems = alice.problems.length;
  // Timers the test can move on: time still flows, but can be jumped past a push's deadline.
  await context.clock.install();
  await page.reload();
  await ready(page);
  await context.setOffline(true);
  const rows = ["title,likelihood,impact"];
  for (let i = 0; i < 300; i++) rows.push(`Slow-link risk ${i},2,3`);
  await openTab(page, "Risks");
  await page.getByText("Import risks from a CSV file").click();
  await page.setInputFiles("#risk-import", { name: "slow.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
  await page.getByText("Imported: 300 added, 0 changed.").waitFor({ timeout: 30_000 });

  // The first push reaches nobody who answers: its request is held, never fulfilled.
  const pushes = [];
  let held = null;
  await page.route("**/api/orgs/*/push", async (route) => {
    pushes.push(JSON.parse(route.request().postData()).ops.length);
    if (!held) {
      held = route;
      return;
    }
    await route.continue();
  });
  await context.setOffline(false);
  for (let i = 0; i < 300 && !held; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(held, "the first push went out");
  await context.clock.fastForward(5 * 60_000);
  await page.locator('[data-testid=sync-status][title*="stopped answering"]').waitFor({ timeout: 10_000 });
  await synced(page, 60_000);
  await page.unroute("**/api/orgs/*/push");

  assert.ok(pushes[0] > 400, `the first push was a full one (up to a record's end): ${pushes}`);
  assert.ok(pushes[1] <= 250, `after the time-out the next push was smaller: ${pushes}`);
  const credential = await credentialOf(page);
  const log = await serverLog(credential);
  const mine = log.filter((e) => e.op.client === credential.client);
  assert.equal(new Set(mine.map((e) => e.op.mid)).size, mine.length, "no change of Alice's is stored twice");
  const slow = new Set(log.filter((e) => e.op.field === "title" && String(e.op.value).startsWith("Slow-link risk")).map((e) => e.op.value));
  assert.equal(slow.size, 300, "every imported risk reached the server");
  const ABORTED = /Failed to load resource: net::ERR_(ABORTED|FAILED|INTERNET_DISCONNECTED)/;
  assert.deepEqual(unexpected(alice.problems.slice(earlierProblems), [ABORTED]), []);
});

test("11. The last owner's Leave is refused with the reason, and wipes nothing", async () => {
  const { page } = alice;
  await openTab(page, "Organisation");
  // The members list is on the device: it says Alice is the only owner who can sign in.
  await page.getByRole("list", { name: "Members" }).getByRole("listitem").first().waitFor();
  await page.getByRole("button", { name: "Leave this organisation on this device" }).click();
  await page.getByRole("button", { name: "Really leave: wipe this organisation from this device" }).click();
  await page.getByRole("alert").filter({ hasText: "You are the last owner who can sign in" }).waitFor();
  await page.screenshot({ path: join(SHOTS, "sync-last-owner-stays.png"), fullPage: true });
  // Still in the organisation after a reload, its register on the device and its device valid.
  await page.reload();
  await ready(page);
  await openTab(page, "Organisation");
  await page.getByRole("button", { name: "Leave this organisation on this device" }).waitFor();
  await syncNow(page);
  await (await findRisk(page, "Laptop stolen (Bob, just before leaving)")).waitFor({ timeout: 20_000 });
});
