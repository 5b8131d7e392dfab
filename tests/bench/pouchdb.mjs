// The comparison: the same 10,000-document replication between two PouchDB databases in
// headless Chromium (IndexedDB, on-disk profiles) through pouchdb-server (in memory, on
// loopback). Device A pushes its 10,000 documents to the server, then device B pulls them.
// Then one document put 60 times, for the single-edit latency beside Ratchet's.
// Prints one JSON line: {"push_ms", "pull_ms", "docs", "put_ms": {"p50", "p95", "n"}}.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../support/wrangler.mjs";
import { openDevice } from "../support/browser.mjs";

const DOCS = 10_000;

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const work = mkdtempSync(join(tmpdir(), "ratchet-pouch-"));
const bundle = join(work, "pouchdb.js");
execFileSync(join(root, "node_modules", ".bin", "esbuild"), [
  join(root, "node_modules", "pouchdb-browser", "lib", "index.js"),
  "--bundle", "--format=iife", "--global-name=PouchDB", "--log-level=error", `--outfile=${bundle}`,
]);
const server = spawn(
  join(root, "node_modules", ".bin", "node"),
  [join(root, "node_modules", "pouchdb-server", "bin", "pouchdb-server"), "--in-memory", "--host", "127.0.0.1", "--port", String(port)],
  { cwd: work, detached: true, stdio: "ignore" },
);
const base = `http://127.0.0.1:${port}`;
const devices = [];
try {
  for (let i = 0; i < 100; i++) {
    const up = await fetch(base).then((r) => r.ok).catch(() => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await fetch(`${base}/bench`, { method: "PUT" });
  // Pages live on the server's own origin, so replication needs no CORS.
  async function pouchDevice() {
    const device = await openDevice();
    devices.push(device);
    await device.page.goto(`${base}/`);
    await device.page.addScriptTag({ path: bundle });
    return device.page;
  }
  const a = await pouchDevice();
  await a.evaluate(async (count) => {
    const db = new PouchDB("a");
    const docs = Array.from({ length: count }, (_, i) => ({
      _id: `risk-${String(i).padStart(6, "0")}`,
      title: `Risk ${i}`,
      likelihood: 1 + (i % 5),
      impact: 1 + (i % 3),
    }));
    for (let i = 0; i < docs.length; i += 1000) await db.bulkDocs(docs.slice(i, i + 1000));
  }, DOCS);
  const push_ms = await a.evaluate(async (remote) => {
    const db = new PouchDB("a");
    const started = performance.now();
    await db.replicate.to(remote, { batch_size: 500 });
    return performance.now() - started;
  }, `${base}/bench`);
  const b = await pouchDevice();
  const { pull_ms, docs } = await b.evaluate(async (remote) => {
    const db = new PouchDB("b");
    const started = performance.now();
    await db.replicate.from(remote, { batch_size: 500 });
    const pull_ms = performance.now() - started;
    return { pull_ms, docs: (await db.info()).doc_count };
  }, `${base}/bench`);
  // One document edited and put, as Ratchet's field edit is measured: 60 puts, the first 10
  // as warm-up, each until PouchDB says it is stored.
  const put_ms = await b.evaluate(async ({ edits, warmup }) => {
    const db = new PouchDB("b");
    const times = [];
    for (let i = 0; i < edits; i++) {
      const doc = await db.get("risk-000001");
      doc.title = `Risk 1, edit ${i}`;
      const started = performance.now();
      await db.put(doc);
      times.push(performance.now() - started);
    }
    const sorted = times.slice(warmup).sort((x, y) => x - y);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    return { p50: at(50), p95: at(95), n: sorted.length };
  }, { edits: 60, warmup: 10 });
  console.log(JSON.stringify({ push_ms, pull_ms, docs, put_ms }));
} finally {
  for (const device of devices) await device.close();
  try {
    process.kill(-server.pid, "SIGKILL");
  } catch {
    // already gone
  }
  rmSync(work, { recursive: true, force: true });
}
