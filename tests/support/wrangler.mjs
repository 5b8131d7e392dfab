// Starts the built app + worker under a real `wrangler dev` (local workerd) on a free
// loopback port with fresh state, for end-to-end tests and benchmarks. `stop()` ends the
// whole process group, so no workerd outlives the test.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..", "..");

/** The VAPID private key (base64url) test servers send reminders with: a test key, the same
 * as the worker integration tests' `TEST_VAPID_KEY`. */
export const TEST_VAPID_KEY = "hak-WGPVM4LFinlHThRS_BrhnGWamJi5i9Xzwn-bypw";

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export async function startWrangler() {
  const port = await freePort();
  const setupCode = `setup-${process.pid}-${port}`;
  const dir = mkdtempSync(join(tmpdir(), "ratchet-e2e-"));
  const logPath = join(dir, "wrangler.log");
  const nodeBin = join(root, "node_modules", ".bin");
  const base = `http://127.0.0.1:${port}`;
  const readLog = () => readFileSync(logPath, "utf8");
  let child;

  /** Starts wrangler on this port and state, and waits until it answers. */
  async function launch() {
    const log = openSync(logPath, "a");
    child = spawn(
      join(nodeBin, "node"),
      [
        join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
        "dev", "--local", "--ip", "127.0.0.1", "--port", String(port),
        "--persist-to", join(dir, "state"), "--show-interactive-dev-session=false",
        "--var", `RATCHET_SETUP_CODE:${setupCode}`,
        "--var", `RATCHET_ORG_KEY:key-${process.pid}-${port}`,
        "--var", `RATCHET_VAPID_KEY:${TEST_VAPID_KEY}`,
        // Lets a test set an organisation's reminder clock and ring its alarm.
        "--var", "RATCHET_TEST_HOOKS:1",
      ],
      {
        cwd: root,
        detached: true, // own process group: stop() signals wrangler and workerd together
        stdio: ["ignore", log, log],
        env: {
          ...process.env,
          PATH: `${nodeBin}:${process.env.PATH}`,
          CI: "true",
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_HIDE_BANNER: "true",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
        },
      },
    );
    let exited = null;
    child.on("exit", (code) => { exited = code; });
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // not up yet
      }
      if (exited !== null) throw new Error(`wrangler exited (${exited}):\n${readLog()}`);
      if (Date.now() > deadline) {
        process.kill(-child.pid, "SIGKILL");
        throw new Error(`wrangler not healthy within 120 s:\n${readLog()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const alive = () => {
    try { process.kill(-child.pid, 0); return true; } catch { return false; }
  };
  /** Ends wrangler and workerd with `signal`, waiting up to 5 s before SIGKILL. */
  async function end(signal) {
    if (alive()) process.kill(-child.pid, signal);
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(-child.pid, "SIGKILL");
  }

  await launch();
  return {
    base,
    readLog,
    setupCode,
    /** Kills the server at once, as a crash would, and starts it again on the same state. */
    async crashAndRestart() {
      await end("SIGKILL");
      await launch();
    },
    async stop() {
      await end("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];
