// The printable 申请书/推荐表 (issue 15, 4.): the manual's table of 个人信息 (label, value, label, value), 主要事迹 and
// 感人故事, the 资格条件 answers, the 推荐单位意见, and boxes for 签字、盖章 and 日期, for stamping and archiving.
// A4 portrait; long texts flow onto further pages; every page carries the 申请书编号 and its page number.
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { fontData } from './fonts';

export interface ApplicationPdfContent {
  /** 2023年“新疆最美科技工作者”申请书（推荐表） */
  heading: string;
  number: string;
  /** 个人信息 in the manual's order: label and value, two pairs a row */
  personal: { label: string; value: string }[];
  deeds: { label: string; value: string }[];
  eligibility: { label: string; value: string }[];
  unitName: string;
  unitOpinion: string;
  /** when the file was made, YYYY-MM-DD */
  printedOn: string;
}

const MARGIN = 50;
const INK = '#222222';
const LINE = '#444444';
const SHADE = '#f2f2f2';

export async function renderApplicationPdf(c: ApplicationPdfContent, file: string): Promise<void> {
  const fonts = fontData();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 20, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: `${c.heading} ${c.number}`, Author: '新疆科技工作者之家 申报平台' },
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
  const W = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 20;
  const ensure = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };

  doc.font('bold').fontSize(18).fillColor(INK).text(c.heading, MARGIN, MARGIN, { width: W, align: 'center' });
  doc.moveDown(0.4);
  doc.font('regular').fontSize(10).text(`申请书编号：${c.number}`, { width: W, align: 'right' });
  doc.moveDown(0.4);

  const section = (title: string) => {
    ensure(60);
    const y = doc.y;
    doc.rect(MARGIN, y, W, 22).fillAndStroke(SHADE, LINE);
    doc
      .font('bold')
      .fontSize(11)
      .fillColor(INK)
      .text(title, MARGIN + 8, y + 5, { width: W - 16 });
    doc.y = y + 22;
  };

  // 个人信息: rows of label | value | label | value
  section('个人信息');
  const labelW = 78;
  const valueW = W / 2 - labelW;
  doc.font('regular').fontSize(10);
  for (let i = 0; i < c.personal.length; i += 2) {
    const pair = c.personal.slice(i, i + 2);
    const h = Math.max(22, ...pair.map((p) => doc.heightOfString(p.value || ' ', { width: valueW - 10 }) + 10));
    ensure(h);
    const y = doc.y;
    pair.forEach((p, j) => {
      const x = MARGIN + j * (W / 2);
      doc.rect(x, y, labelW, h).fillAndStroke(SHADE, LINE);
      doc.rect(x + labelW, y, valueW, h).stroke(LINE);
      doc.fillColor(INK).text(`${p.label}`, x + 5, y + 5, { width: labelW - 10 });
      doc.text(p.value || ' ', x + labelW + 5, y + 5, { width: valueW - 10 });
    });
    if (pair.length === 1) doc.rect(MARGIN + W / 2, y, W / 2, h).stroke(LINE);
    doc.y = y + h;
  }

  // 主要事迹, 感人故事: flowing text under a shaded heading
  for (const d of c.deeds) {
    doc.moveDown(0.8);
    section(d.label);
    doc.moveDown(0.4);
    doc
      .font('regular')
      .fontSize(10.5)
      .fillColor(INK)
      .text(d.value || '（未填写）', MARGIN + 8, doc.y, { width: W - 16, lineGap: 3, paragraphGap: 4 });
  }

  // 资格条件
  doc.moveDown(0.8);
  section('资格条件');
  doc.font('regular').fontSize(10);
  for (const e of c.eligibility) {
    const h = Math.max(20, doc.heightOfString(e.label, { width: W - 90 }) + 8);
    ensure(h);
    const y = doc.y;
    doc.rect(MARGIN, y, W - 70, h).stroke(LINE);
    doc.rect(MARGIN + W - 70, y, 70, h).stroke(LINE);
    doc.fillColor(INK).text(e.label, MARGIN + 5, y + 4, { width: W - 90 });
    doc.text(e.value, MARGIN + W - 70, y + 4, { width: 70, align: 'center' });
    doc.y = y + h;
  }

  // 申请人承诺 and signature
  doc.moveDown(0.8);
  ensure(70);
  section('申请人声明');
  doc.moveDown(0.4);
  doc
    .font('regular')
    .fontSize(10.5)
    .text('本人承诺以上所填信息及所提交材料真实、准确、完整。', MARGIN + 8, doc.y, { width: W - 16 });
  doc.moveDown(1.2);
  doc.text('申请人（签字）：______________        日期：______年____月____日', MARGIN + 8, doc.y, { width: W - 16, align: 'right' });

  // 推荐单位意见 with the boxes for signature, stamp and date
  doc.moveDown(1);
  ensure(200);
  section(`推荐单位意见${c.unitName ? `（${c.unitName}）` : ''}`);
  const top = doc.y;
  doc
    .font('regular')
    .fontSize(10.5)
    .fillColor(INK)
    .text(c.unitOpinion || '（未填写）', MARGIN + 8, top + 8, { width: W - 16, lineGap: 3 });
  ensure(120);
  const boxY = doc.y + 14;
  const boxW = (W - 20) / 3;
  const boxes = ['负责人（签字）', '推荐单位（盖章）', '日期'];
  boxes.forEach((label, i) => {
    const x = MARGIN + i * (boxW + 10);
    doc.rect(x, boxY, boxW, 96).stroke(LINE);
    doc.fontSize(10).text(label, x + 6, boxY + 6, { width: boxW - 12 });
    if (label === '日期') doc.text('______年____月____日', x + 6, boxY + 60, { width: boxW - 12, align: 'center' });
  });
  doc.y = boxY + 96;

  // footer on every page: the number and the page
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8.5)
      .fillColor('#666666')
      .text(`申请书编号 ${c.number}  打印日期 ${c.printedOn}  第 ${i + 1} 页，共 ${range.count} 页`, MARGIN, doc.page.height - MARGIN, {
        width: W,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottomMargin;
  }
  doc.end();
  await finished;
}
