// The certificate PDF (issue 15, 3.): A4 landscape, 证书编号, 姓名, the honour, the date in Chinese, the three 主办单位
// each over a seal area (the uploaded seal image, or a faint circle left blank for stamping), and a QR code of the
// verification URL. pdfkit embeds the subset of Noto Serif SC the page uses.
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { fontData } from './fonts';

export interface CertificateContent {
  number: string;
  name: string;
  /** 2023年“新疆最美科技工作者” */
  title: string;
  kind: 'winner' | 'national';
  /** YYYY-MM-DD */
  issuedOn: string;
  verifyUrl: string;
  /** the 主办单位's full names, in order */
  hosts: readonly string[];
  /** per host: a PNG or JPEG image, or null (blank for stamping) */
  seals: readonly (Buffer | null)[];
}

/** 2023-05-30 → 2023年5月30日 */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const RED = '#a61b1b';
const GOLD = '#b8892d';
const INK = '#222222';

/** Writes the certificate to `file`. */
export async function renderCertificate(c: CertificateContent, file: string): Promise<void> {
  const fonts = fontData();
  const qr = await QRCode.toBuffer(c.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 8 });
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    info: { Title: `证书 ${c.number}`, Author: '新疆维吾尔自治区科学技术协会', Subject: c.title },
  });
  const out = fs.createWriteStream(file);
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const W = doc.page.width;
  const H = doc.page.height;

  // frame: a red outer line and a gold inner one
  doc
    .lineWidth(6)
    .strokeColor(RED)
    .rect(24, 24, W - 48, H - 48)
    .stroke();
  doc
    .lineWidth(1.5)
    .strokeColor(GOLD)
    .rect(36, 36, W - 72, H - 72)
    .stroke();

  doc.font('bold').fontSize(44).fillColor(RED).text('荣誉证书', 0, 66, { width: W, align: 'center', characterSpacing: 12 });

  const left = 110;
  const width = W - 2 * left;
  doc.font('bold').fontSize(24).fillColor(INK).text(`${c.name} 同志：`, left, 160, { width });
  const honour = c.kind === 'winner' ? `被评为${c.title}。` : `被确定为${c.title}。`;
  doc
    .font('regular')
    .fontSize(22)
    .text(honour, left + 48, 212, { width: width - 48, lineGap: 8 });
  doc.text('特发此证，以资鼓励。', left + 48, doc.y + 10, { width: width - 48 });

  // the three 主办单位, each over its seal area
  const areaTop = 330;
  const colLeft = 200;
  const colWidth = (W - colLeft - 70) / c.hosts.length;
  const seal = 104;
  c.hosts.forEach((host, i) => {
    const x = colLeft + i * colWidth;
    const cx = x + colWidth / 2;
    const image = c.seals[i];
    if (image) {
      doc.image(image, cx - seal / 2, areaTop, { fit: [seal, seal], align: 'center', valign: 'center' });
    } else {
      doc
        .lineWidth(0.6)
        .strokeColor('#d9d9d9')
        .dash(3, { space: 3 })
        .circle(cx, areaTop + seal / 2, seal / 2)
        .stroke()
        .undash();
    }
    doc
      .font('regular')
      .fontSize(10.5)
      .fillColor(INK)
      .text(host, x + 4, areaTop + seal + 10, { width: colWidth - 8, align: 'center' });
  });
  doc
    .font('regular')
    .fontSize(16)
    .fillColor(INK)
    .text(chineseDate(c.issuedOn), colLeft, areaTop + seal + 52, { width: W - colLeft - 70, align: 'center' });

  // bottom left: the QR code of the verification page and the number
  const qrSize = 92;
  const qrX = 70;
  const qrY = H - 70 - qrSize - 34;
  doc.image(qr, qrX, qrY, { width: qrSize, height: qrSize });
  doc
    .font('regular')
    .fontSize(9)
    .fillColor('#555555')
    .text('扫码验证证书真伪', qrX - 10, qrY + qrSize + 4, { width: qrSize + 20, align: 'center' });
  doc
    .font('regular')
    .fontSize(11)
    .fillColor(INK)
    .text(`证书编号：${c.number}`, qrX, qrY + qrSize + 20, { width: 240, lineBreak: false });
  doc.end();
  await finished;
}
