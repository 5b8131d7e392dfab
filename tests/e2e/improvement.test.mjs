// Check and Act as an ISMS manager and a colleague do it: plan an audit of three controls and
// a clause, record a conforming check and a minor nonconformity with its evidence, raise the
// finding from the check, be refused closing it until its cause is known and a colleague's
// corrective action is verified effective by someone other than its owner, print the audit
// report; then the second device has it all. And a near miss in the inbox raises a finding.
// The real app under `wrangler dev`; two browser profiles as two devices.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS,
  controlledByServiceWorker,
  createOrganisation,
  inviteAndJoin,
  openDevice,
  openTab,
  pick,
  ready,
  seriousA11yViolations,
  synced,
  syncNow,
  unexpected,
} from "../support/browser.mjs";

let server;
let alice;
let bob;
before(async () => {
  server = await startWrangler();
  alice = await openDevice();
  bob = await openDevice({ viewport: { width: 390, height: 844 } });
  await createOrganisation(alice.page, server, "Loop Ltd", "Alice Auditor");
  await inviteAndJoin(alice.page, bob, server, "Bob Builder", "editor");
  await synced(bob.page);
});
after(async () => {
  await alice?.close();
  await bob?.close();
  await server?.stop();
});

// Offline fetches fail by design while the phone has no signal.
const CUT = /Failed to load resource|net::ERR_INTERNET_DISCONNECTED/;

/** The checklist item whose text includes `text`. */
const checkItem = (page, text) => page.locator("li.audit-check").filter({ hasText: text });

async function a11yClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page), [], what);
}

/** Nothing on the page is wider than the phone's screen. */
async function fitsThePhone(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width}px wide on a 390px phone`);
}

test("an audit's nonconformity closes only once its corrective action is verified by someone else", async () => {
  const { page } = alice;

  // Plan the audit.
  await openTab(page, "Audits");
  await page.getByText("Plan an audit").click();
  await page.locator("#audit-title").fill("Access control audit");
  await page.locator("#audit-planned_date").fill("2026-12-01");
  await page.locator("#audit-scope").fill("Joiners, movers and leavers; authentication.");
  await page.getByRole("button", { name: "Plan audit" }).click();
  await page.getByRole("heading", { name: "Access control audit" }).waitFor();

  // Its checklist: three controls and one clause.
  await page.getByText("Add checks").click();
  await pick(page, "#check-controls", ["A.5.15 Access control", "A.5.18 Access rights", "A.8.5 Secure authentication"]);
  await page.getByRole("button", { name: "Add control checks" }).click();
  await page.getByText("Added 3 checks.").waitFor();
  await page.locator("#check-clauses").fill("9.9");
  await page.getByRole("button", { name: "Add clause checks" }).click();
  await page.getByText("not a clause: 9.9").waitFor();
  await page.locator("#check-clauses").fill("9.2.2");
  await page.getByRole("button", { name: "Add clause checks" }).click();
  await page.getByText("Added 1 check.").waitFor();
  // The progress is drawn in its own effect: wait for it rather than read it at once.
  await page.getByTestId("check-progress").filter({ hasText: /^0 of 4 checked$/ }).waitFor();

  // One tap each: a conforming check, and a minor nonconformity with its evidence.
  await checkItem(page, "A.5.15").getByText("Conforming").click();
  await checkItem(page, "A.5.15").getByText(/^Checked by Alice Auditor at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/).waitFor();
  const leavers = checkItem(page, "A.5.18");
  await leavers.getByLabel("Objective evidence").fill("Two of the October leavers still had VPN accounts.");
  await leavers.getByLabel("Sample").fill("12 of 40 leavers since July");
  await leavers.getByRole("button", { name: "Save evidence" }).click();
  await leavers.getByText("Saved.").waitFor();
  // The export the auditor sampled from goes with the check.
  await leavers.getByText("Files: none yet").click();
  await leavers.getByLabel("Choose a file").setInputFiles({
    name: "vpn-accounts.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("account,leaver\njdoe,yes\nasmith,yes\n"),
  });
  await leavers.getByText("Added “vpn-accounts”.").waitFor();
  await leavers.getByText("Files: 1").waitFor();
  await leavers.getByRole("link", { name: "Download vpn-accounts" }).waitFor();
  await leavers.getByText("Minor nonconformity").click();
  await page.getByText("2 of 4 checked").waitFor();
  assert.equal(await page.locator("#audit-status").inputValue(), "in_progress", "the first result starts the audit");
  await a11yClean(page, "audit page");
  await page.screenshot({ path: join(SHOTS, "audit-checklist.png"), fullPage: true });

  // Raise the finding from the check: it carries the audit, the requirement and the evidence.
  await leavers.getByRole("button", { name: "Raise a finding" }).click();
  await page.getByRole("heading", { name: "A.5.18 Access rights: minor nonconformity" }).waitFor();
  assert.match(await page.locator("#finding-requirement").inputValue(), /A\.5\.18 Access rights/);
  assert.equal(await page.locator("#finding-evidence").inputValue(), "Two of the October leavers still had VPN accounts.");
  assert.equal(await page.locator("#finding-finding_type").inputValue(), "minor_nc");
  await page.getByRole("list", { name: "Raised from" }).getByRole("link", { name: "Access control audit" }).waitFor();
  const findingUrl = page.url();

  // Closing now is refused, with the reasons.
  await page.getByRole("button", { name: "Close finding" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Not yet" });
  await refusal.getByText("cannot close without a root cause").waitFor();
  await refusal.getByText("cannot close without a corrective action").waitFor();

  // Correction, five whys, cause and root cause.
  await page.locator("#finding-correction").fill("Disabled both VPN accounts the same day.");
  await page.locator("#finding-whys").fill(
    "Leavers kept VPN accounts\nIT was not told they left\nHR's leaver list does not reach IT\nThe leaver checklist has no IT step",
  );
  await page.locator("#finding-cause_category").selectOption("process");
  await page.locator("#finding-root_cause").fill("The leaver process has no step for IT to remove access.");
  await page.locator("#finding-owner").selectOption({ label: "Alice Auditor" });
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Saved on this device.").waitFor();

  // A corrective action owned by a colleague.
  await page.getByText("Add an action").click();
  await page.locator("#action-title").fill("Add IT access removal to the leaver checklist");
  await page.locator("#action-owner").selectOption({ label: "Bob Builder" });
  await page.locator("#action-due").fill("2026-12-15");
  await page.getByRole("button", { name: "Add action" }).click();
  const actions = page.getByRole("list", { name: "Actions on this finding" });
  await actions.getByText("Add IT access removal to the leaver checklist").waitFor();
  await page.getByRole("button", { name: "Close finding" }).click();
  await refusal.getByText("still open").waitFor();
  await a11yClean(page, "finding page");
  await page.screenshot({ path: join(SHOTS, "finding.png"), fullPage: true });
  await synced(page);

  // Bob, on his phone, completes it, and is not offered the verification of his own action.
  await syncNow(bob.page);
  await openTab(bob.page, "Actions");
  await bob.page.getByRole("link", { name: "Add IT access removal to the leaver checklist" }).click();
  await bob.page.getByRole("button", { name: "Mark done" }).click();
  await bob.page.getByRole("heading", { name: "Effectiveness check" }).waitFor();
  await bob.page.getByRole("note").getByText("You own this action: someone else checks that it worked.").waitFor();
  assert.equal(await bob.page.getByRole("button", { name: "Record verification" }).count(), 0);
  await fitsThePhone(bob.page);
  await a11yClean(bob.page, "action page on a phone");
  await bob.page.screenshot({ path: join(SHOTS, "action-phone.png"), fullPage: true });
  await synced(bob.page);

  // Alice verifies it, and the finding closes.
  await syncNow(page);
  await page.goto(findingUrl);
  await actions.getByText("Done").waitFor({ timeout: 20_000 });
  await actions.getByRole("link", { name: "Add IT access removal to the leaver checklist" }).click();
  await page.getByLabel("Result").selectOption("effective");
  await page.getByLabel("What was seen").fill("Ten leavers in December; no access left after their last day.");
  // Its check is due in 30 days: the owner checks it early only with a reason.
  await page.getByRole("button", { name: "Record verification" }).click();
  await page.getByText(/^Say why the effectiveness is checked before \d{4}-\d{2}-\d{2}\.$/).waitFor();
  await page.getByLabel("Why check it before its due date").fill("The certification audit is next week; all ten leavers this month were sampled.");
  await page.getByRole("button", { name: "Record verification" }).click();
  await page.getByText(/^Effective — verified by Alice Auditor/).waitFor();
  await page.goto(findingUrl);
  await page.getByRole("button", { name: "Close finding" }).click();
  await page.locator(".steps li.current", { hasText: "Closed" }).waitFor();
  assert.equal(await page.getByRole("alert").filter({ hasText: "Not yet" }).count(), 0);
  await synced(page);

  // The programme's coverage counts what this audit checked; the rest is due.
  await openTab(page, "Audits");
  const today = await page.evaluate(() => new Date().toISOString().slice(0, 10));
  const area = (name) => page.locator("table.coverage tr").filter({ hasText: name });
  assert.equal(await area("A.5 Organizational controls (37)").locator("td").first().textContent(), today);
  assert.equal(await area("A.5 Organizational controls (37)").locator("td").last().textContent(), "not due", "its nonconformity is closed");
  assert.equal(await area("4 Context of the organization").locator("td").last().textContent(), "not audited in the last 12 months");
  await a11yClean(page, "audit programme");
  await page.screenshot({ path: join(SHOTS, "audits.png"), fullPage: true });

  // The audit report prints cleanly.
  await page.getByRole("list", { name: "Audits" }).getByRole("link", { name: "Access control audit" }).click();
  await page.getByRole("link", { name: "Audit report" }).click();
  await page.getByRole("heading", { name: "Audit report: Access control audit" }).waitFor();
  await page.emulateMedia({ media: "print" });
  for (const heading of ["Results", "Findings raised", "Conclusion"]) {
    assert.ok(await page.getByRole("heading", { name: heading }).isVisible(), heading);
  }
  assert.equal(await page.locator("nav.registers").isVisible(), false);
  assert.equal(await page.getByRole("button", { name: "Print" }).isVisible(), false);
  assert.match(await page.getByTestId("document-log").textContent(), /^Entry \d+ of the organisation's log, hash [0-9a-f]{16}/);
  await page.screenshot({ path: join(SHOTS, "audit-report-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });

  // Bob's phone, after a sync, holds the audit, checks, finding, action and verification.
  await syncNow(bob.page);
  await openTab(bob.page, "Findings");
  const row = bob.page.getByRole("list", { name: "Findings" }).getByRole("listitem").filter({ hasText: "A.5.18 Access rights" });
  await row.getByText("Closed").waitFor({ timeout: 20_000 });
  await openTab(bob.page, "Audits");
  await bob.page.getByRole("list", { name: "Audits" }).getByRole("link", { name: "Access control audit" }).click();
  await bob.page.getByText("2 of 4 checked").waitFor();
  await fitsThePhone(bob.page);
  await a11yClean(bob.page, "audit page on a phone");
  await bob.page.screenshot({ path: join(SHOTS, "audit-phone.png"), fullPage: true });
  const auditUrl = bob.page.url();
  await openTab(bob.page, "Actions");
  await bob.page.getByRole("list", { name: "Actions" }).getByText("verified effective").waitFor();
  await a11yClean(bob.page, "actions list on a phone");

  // On a site walk with no signal, the audit opens from a cold reload and takes a result,
  // which reaches Alice once the phone is back online.
  await controlledByServiceWorker(bob.page);
  await bob.context.setOffline(true);
  await bob.page.goto(auditUrl);
  await ready(bob.page);
  await checkItem(bob.page, "A.8.5").getByText("Conforming").click();
  await bob.page.getByText("3 of 4 checked").waitFor();
  await bob.context.setOffline(false);
  await syncNow(bob.page);
  await synced(bob.page);
  await syncNow(page);
  await openTab(page, "Audits");
  await page.getByRole("list", { name: "Audits" }).getByRole("link", { name: "Access control audit" }).click();
  await page.getByText("3 of 4 checked").waitFor({ timeout: 20_000 });
  assert.deepEqual(unexpected(alice.problems), []);
  assert.deepEqual(unexpected(bob.problems, [CUT]), []);
});

test("a near miss in the inbox raises a finding, and its reporter sees what became of it", async () => {
  const { page } = alice;
  await page.getByRole("link", { name: "Report", exact: true }).click();
  await page.locator("#event-event_type").selectOption("near_miss");
  await page.locator("#event-title").fill("Server room door found propped open");
  await page.locator("#event-description").fill("Wedged open with a box during a delivery.");
  await page.getByRole("button", { name: "Send report" }).click();
  await page.getByText("Thank you: your report is saved.").waitFor();
  await openTab(page, "Inbox");
  await page.getByRole("link", { name: "Server room door found propped open" }).click();
  await page.getByRole("button", { name: "Raise a finding" }).click();
  await page.getByRole("heading", { name: "Server room door found propped open" }).waitFor();
  assert.equal(await page.locator("#finding-finding_type").inputValue(), "observation");
  assert.equal(await page.locator("#finding-evidence").inputValue(), "Wedged open with a box during a delivery.");
  const source = page.getByRole("list", { name: "Raised from" }).getByRole("link", { name: "Server room door found propped open" });
  await source.click();
  const outcome = page.getByRole("region", { name: "What became of this report" });
  await outcome.getByText(/Finding Server room door found propped open — open/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Raise a finding" }).count(), 0, "one finding per report");
  await a11yClean(page, "report page with its finding");

  await openTab(page, "Findings");
  await page.getByRole("list", { name: "Findings" }).getByText("Server room door found propped open").waitFor();
  await a11yClean(page, "findings list");
  await page.screenshot({ path: join(SHOTS, "findings.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, "findings-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(unexpected(alice.problems), []);
});
