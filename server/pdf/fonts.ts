// The CJK font every PDF of the platform embeds (issue 15: certificates, the printable 申请书, a 事迹 PDF): Noto Serif SC
// (SIL Open Font License 1.1), TrueType, from the npm package @expo-google-fonts/noto-serif-sc, so nothing is
// downloaded at run time. pdfkit embeds a subset of the glyphs a document uses (a certificate is about 10 KB).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('@expo-google-fonts/noto-serif-sc/package.json'));

export const FONT_REGULAR = path.join(dir, '400Regular', 'NotoSerifSC_400Regular.ttf');
export const FONT_BOLD = path.join(dir, '700Bold', 'NotoSerifSC_700Bold.ttf');

let cache: { regular: Buffer; bold: Buffer } | null = null;

/** The two faces read once per process (15 MB each): every document registers them from memory. */
export function fontData(): { regular: Buffer; bold: Buffer } {
  cache ??= { regular: fs.readFileSync(FONT_REGULAR), bold: fs.readFileSync(FONT_BOLD) };
  return cache;
}
