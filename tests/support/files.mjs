// Evidence files in end-to-end tests: photos made in the browser with metadata to strip, and
// the files a device keeps in its IndexedDB.

/** The files the device keeps, read from its IndexedDB (the page's policy forbids fetching
 * its blob URLs): digest, type and bytes of each. */
export async function keptFiles(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(localStorage.getItem("ratchet.database"));
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const request = db.transaction("evidence").objectStore("evidence").getAll();
    const rows = await new Promise((resolve) => (request.onsuccess = () => resolve(request.result)));
    db.close();
    const files = [];
    for (const row of rows) {
      const bytes = new Uint8Array(await row.blob.arrayBuffer());
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      const digest = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
      files.push({ sha256: row.sha256, digest, media_type: row.media_type, bytes: [...bytes] });
    }
    return files;
  });
}

/** A JPEG drawn in the browser, `width` × `height`, with an EXIF segment carrying `secret`. */
export async function photoWithMetadata(page, width, height, colour, secret) {
  const jpeg = await page.evaluate(
    async ([width, height, colour]) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext("2d");
      context.fillStyle = colour;
      context.fillRect(0, 0, width, height);
      context.fillStyle = "#fff";
      context.fillRect(width / 4, height / 4, width / 2, height / 2);
      const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
      return [...new Uint8Array(await blob.arrayBuffer())];
    },
    [width, height, colour],
  );
  const payload = Buffer.concat([Buffer.from("Exif\0\0MM\0*\0\0\0\x08\0\0", "binary"), Buffer.from(secret)]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([(payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
  const bytes = Buffer.from(jpeg);
  return Buffer.concat([bytes.subarray(0, 2), app1, bytes.subarray(2)]);
}
