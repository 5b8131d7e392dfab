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

/** A JPEG drawn in the browser, `width` × `height`, with an EXIF segment saying it was taken
 * at `at` (latitude, longitude in degrees) and carrying `secret` as its description. */
export async function photoWithMetadata(page, width, height, colour, secret, at = [51.5007, -0.1246]) {
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
  const bytes = Buffer.from(jpeg);
  return Buffer.concat([bytes.subarray(0, 2), exifSegment(at, secret), bytes.subarray(2)]);
}

/** An APP1 segment holding a big-endian TIFF: IFD0 with the description and a pointer to the
 * GPS IFD (latitude and longitude, each with its hemisphere), then the values. */
function exifSegment([latitude, longitude], description) {
  const ifd0 = 8;
  const gps = ifd0 + 2 + 2 * 12 + 4;
  const values = gps + 2 + 4 * 12 + 4;
  const text = Buffer.from(`${description}\0`, "latin1");
  const latitudeAt = values + text.length;
  const longitudeAt = latitudeAt + 24;
  const tiff = Buffer.alloc(longitudeAt + 24);
  tiff.write("MM", 0, "latin1");
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0, 4);
  const ASCII = 2, LONG = 4, RATIONAL = 5;
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (typeof value === "string") tiff.write(value, at + 8, "latin1");
    else tiff.writeUInt32BE(value, at + 8);
  };
  tiff.writeUInt16BE(2, ifd0);
  entry(ifd0 + 2, 0x010e, ASCII, text.length, values);
  entry(ifd0 + 14, 0x8825, LONG, 1, gps);
  tiff.writeUInt16BE(4, gps);
  entry(gps + 2, 0x1, ASCII, 2, latitude >= 0 ? "N\0" : "S\0");
  entry(gps + 14, 0x2, RATIONAL, 3, latitudeAt);
  entry(gps + 26, 0x3, ASCII, 2, longitude >= 0 ? "E\0" : "W\0");
  entry(gps + 38, 0x4, RATIONAL, 3, longitudeAt);
  text.copy(tiff, values);
  const degreesMinutesSeconds = (at, degrees) => {
    const whole = Math.abs(degrees);
    const d = Math.floor(whole);
    const m = Math.floor((whole - d) * 60);
    const tenThousandthsOfSeconds = Math.round(((whole - d) * 60 - m) * 60 * 10_000);
    [[d, 1], [m, 1], [tenThousandthsOfSeconds, 10_000]].forEach(([num, denom], i) => {
      tiff.writeUInt32BE(num, at + i * 8);
      tiff.writeUInt32BE(denom, at + i * 8 + 4);
    });
  };
  degreesMinutesSeconds(latitudeAt, latitude);
  degreesMinutesSeconds(longitudeAt, longitude);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), length, payload]);
}
