// A record's history as its page shows it, when the record has been edited a thousand times
// at length: the page opens at once and fetches one page of the history (at most 4 MiB), the
// rest only when asked for.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startWrangler } from "../support/wrangler.mjs";
import {
  SHOTS, addRisk, createOrganisation, credentialOf, inviteAndJoin, openDevice, openTab, riskRow, syncNow, synced,
} from "../support/browser.mjs";

let server;
before(async () => {
  server = await startWrangler();
});
after(async () => {
  await server?.stop();
});

const EDITS = 1_000;
/** The longest a long text may be (`register::schema::LONG_TEXT_MAX_BYTES`). */
const LONG = 64 * 1024;
/** Edits to a push: a push's body is at most 1 MiB. */
const PER_PUSH = 15;

test("a record edited 1,000 times at 64 KiB opens in under a second, fetching one page of its history", async (t) => {
  const owner = await openDevice();
  const colleague = await openDevice();
  try {
    const { page } = owner;
    await createOrganisation(page, server, "Long memory Ltd", "Olive Owner");
    await openTab(page, "Risks");
    await addRisk(page, "Described at length", 3, 3);
    await syncNow(page);
    await synced(page);
    const record = (await riskRow(page, "Described at length").getByRole("link").getAttribute("href")).split("/").pop();

    // A colleague's device sends a thousand long descriptions, as a device does.
    await inviteAndJoin(page, colleague, server, "Ed Editor");
    const editor = await credentialOf(colleague.page);
    await colleague.close();
    const wall = Date.now();
    for (let first = 0, mid = 1; first < EDITS; first += PER_PUSH) {
      const ops = [];
      for (let i = first; i < Math.min(first + PER_PUSH, EDITS); i++) {
        const value = `${String(i).padStart(4, "0")} ${"x".repeat(LONG - 5)}`;
        ops.push({ client: editor.client, mid: mid++, record, kind: "risk", field: "description", value, hlc: { wall, counter: i } });
      }
      const response = await fetch(`${server.base}/api/orgs/${editor.org}/push`, {
        method: "POST",
        headers: { authorization: `Bearer ${editor.token}`, "content-type": "application/json" },
        body: JSON.stringify({ client: editor.client, ops }),
      });
      assert.equal(response.status, 200, await response.text());
    }
    await syncNow(page, 180_000);
    await synced(page, 180_000);

    await openTab(page, "Risks");
    const row = riskRow(page, "Described at length");
    await row.waitFor();
    const asked = [];
    page.on("request", (request) => {
      if (request.url().includes(`/records/${record}/history`)) asked.push(request.url());
    });
    const started = Date.now();
    await row.getByRole("link").click();
    await page.getByText("History of changes").click();
    const changes = page.getByRole("list", { name: "Changes, newest first" }).getByRole("listitem");
    await changes.first().waitFor();
    await page.getByRole("button", { name: "Show earlier changes" }).waitFor();
    const took = Date.now() - started;
    assert.ok(took < 1_000, `the page and its history took ${took} ms`);
    assert.equal(asked.length, 1, asked.join("\n"));
    const shown = await changes.count();
    assert.ok(shown > 10 && shown < 100, `${shown} changes on the first page`);
    assert.match(await changes.first().textContent(), /0999 x/);
    t.diagnostic(`the page and the first ${shown} changes in ${took} ms`);
    await page.screenshot({ path: join(SHOTS, "history-long.png"), fullPage: true });

    // Earlier changes come a page at a time, when asked for.
    await page.getByRole("button", { name: "Show earlier changes" }).click();
    await page.waitForFunction((before) => document.querySelectorAll("details.history li").length > before, shown);
    assert.equal(asked.length, 2);
  } finally {
    await owner.close();
  }
});
