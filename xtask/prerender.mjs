// Part of the Trunk post_build hook (`xtask/src/prerender.rs`): opens the built app in
// headless Chromium as a new visitor, takes the first screen it draws (the shell and the
// dashboard) and writes it into index.html, so a phone paints it while the wasm is still on
// its way. What depends on the register (figures, sync and connection state) is left out,
// controls are disabled until the app takes over, and the app removes it when it mounts.
//
// Usage: node xtask/prerender.mjs <dir>   (the build's staging folder, rewritten in place)
import { createServer } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../tests/support/wrangler.mjs";

const dir = process.argv[2];
if (!dir) throw new Error("usage: prerender.mjs <dir>");

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

// The staging folder as the app's host serves it: files by path, index.html for the rest.
const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
  const file = extname(path) ? join(dir, path) : join(dir, "index.html");
  try {
    const body = await readFile(file);
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: CHROMIUM_ARGS,
});
let markup;
try {
  // A phone's width, so the markup is the one a phone lays out first; no service worker, as
  // this build's is not stamped yet.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: "block" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${base}/`);
  await page.waitForSelector("html[data-ready=true]", { state: "attached", timeout: 60_000 });
  if (errors.length) throw new Error(`the app failed while drawn: ${errors.join("; ")}`);
  markup = await page.evaluate(() => {
    const copy = document.body.cloneNode(true);
    for (const script of copy.querySelectorAll("script")) script.remove();
    // The Content-Security-Policy allows no inline style in markup.
    for (const styled of copy.querySelectorAll("[style]")) styled.removeAttribute("style");
    // What this build cannot know: the visitor's figures, sync and connection state.
    for (const live of copy.querySelectorAll(".card-figure, [data-testid=record-count], .sync, .connection")) {
      live.replaceChildren();
    }
    // Nothing answers a tap until the app runs; links still navigate.
    for (const control of copy.querySelectorAll("button, input, select, textarea")) {
      control.setAttribute("disabled", "");
    }
    const walker = document.createTreeWalker(copy, NodeFilter.SHOW_COMMENT);
    const comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    for (const comment of comments) comment.remove();
    return copy.innerHTML.trim();
  });
  await context.close();
} finally {
  await browser.close();
  server.close();
}
if (!markup.includes("<main>") && !markup.includes("<main ")) {
  throw new Error("the first screen has no <main>: nothing to prerender");
}

const index = join(dir, "index.html");
const html = await readFile(index, "utf8");
if (!html.includes("<body>")) throw new Error("index.html has no <body> to prerender into");
const prerendered = `<div id="prerendered" aria-busy="true">${markup}</div>`;
await writeFile(index, html.replace("<body>", `<body>${prerendered}`));
console.error(`prerender: ${markup.length} characters of the first screen written into index.html`);
