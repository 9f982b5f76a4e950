/**
 * Small but real files for the demo's scans and photos (production code: server/seed-demo.ts uploads them through
 * the same use case as the browser, so their content is checked like any upload).
 */

/** A one-page PDF that names what it stands for. */
export function demoPdf(text: string): Buffer {
  const body = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% ${encodeURIComponent(text)}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A real, decodable 16×16 JPEG (269 bytes). */
const TINY_JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCOACqH/9k=',
  'base64',
);

/** That JPEG padded with comment segments to `size` bytes: the notice wants a photo of at least 2 MB. */
export function demoJpeg(size: number): Buffer {
  const pads: Buffer[] = [];
  let left = size - TINY_JPEG.length;
  while (left > 0) {
    let take = Math.min(left, 65537);
    if (left - take > 0 && left - take < 4) take -= 4; // no segment can hold 1–3 bytes
    const seg = Buffer.alloc(Math.max(take, 4));
    seg.writeUInt16BE(0xfffe, 0); // COM
    seg.writeUInt16BE(seg.length - 2, 2);
    pads.push(seg);
    left -= seg.length;
  }
  return Buffer.concat([TINY_JPEG.subarray(0, 2), ...pads, TINY_JPEG.subarray(2)]);
}
