// 宣传素材包 (issue 15, 4.): one candidate's material for the press as a ZIP — the photos named 姓名+序号.jpg (their
// stable 序号), the videos under their uploaded names, and the 事迹 (主要事迹, 感人故事) as a PDF. Streamed: each file goes
// from storage (local or S3) through yazl into the zip file, one at a time (yazl reads its entries in order, so the next
// is opened only when the one before has been taken); photos and videos are stored, not deflated again.
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import PDFDocument from 'pdfkit';
import yazl from 'yazl';
import { photoFileName, type ApplicationForm } from '../../core';
import { applications, attachments } from '../db/schema';
import { JobFailure, type JobContext } from '../jobs/types';
import { fontData } from '../pdf/fonts';
import { loadVisible } from './access';
import { beijingStamp, scopeOf } from './exports-summary';

export const MEDIA_KIND = 'export.media';

/** A name safe inside a zip on Windows and macOS: no path separators or reserved characters. */
export function zipSafe(name: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').trim() || '文件';
}

/** 事迹 as an A4 PDF: the name, unit and field, then 主要事迹 and 感人故事 (pdfkit with the embedded CJK font subset). */
export async function renderDeedsPdf(
  file: string,
  c: { name: string; number: string; workUnit: string; field: string; mainDeeds: string; story: string },
): Promise<void> {
  const fonts = fontData();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 60, bottom: 60, left: 60, right: 60 },
    info: { Title: `${c.name} 事迹材料`, Author: '新疆科技工作者之家 申报平台' },
  });
  const out = fs.createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const width = doc.page.width - 120;
  doc.font('bold').fontSize(20).text(`${c.name} 事迹材料`, { width, align: 'center' });
  doc.moveDown(0.6);
  doc.font('regular').fontSize(11).fillColor('#333333');
  doc.text(`工作单位：${c.workUnit || '—'}`, { width });
  doc.text(`推荐领域：${c.field || '—'}`, { width });
  doc.text(`申请书编号：${c.number}`, { width });
  for (const [title, body] of [
    ['主要事迹', c.mainDeeds],
    ['感人故事', c.story],
  ] as const) {
    doc.moveDown(1.2);
    doc.font('bold').fontSize(15).fillColor('#000000').text(title, { width });
    doc.moveDown(0.4);
    doc.font('regular').fontSize(12).fillColor('#000000');
    for (const para of (body || '（未填写）').split(/\r?\n+/)) {
      if (para.trim()) doc.text(para.trim(), { width, indent: 24, lineGap: 4, align: 'justify' });
    }
  }
  doc.end();
  await done;
}

export async function runMediaExport(ctx: JobContext): Promise<void> {
  const { s, job } = ctx;
  const applicationId = typeof job.params.applicationId === 'string' ? job.params.applicationId : '';
  // the scope fixed at enqueue: a unit's job reaches only what the unit may see
  const { app } = await loadVisible(s.db, scopeOf(job), applicationId).catch(() => {
    throw new JobFailure('未找到该申请书，可能已被删除或您无权查看');
  });
  const files = await s.db
    .select()
    .from(attachments)
    .innerJoin(applications, eq(applications.id, attachments.applicationId))
    .where(and(eq(attachments.applicationId, app.id), inArray(attachments.kind, ['photo', 'video']), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.kind), asc(attachments.seq), asc(attachments.createdAt));
  const form = (app.form ?? {}) as ApplicationForm;
  const name = app.applicantName || form.name || app.number;
  const total = files.length + 1;
  await ctx.progress(0, total);

  const pdf = ctx.tmpFile('.pdf');
  await renderDeedsPdf(pdf, {
    name,
    number: app.number,
    workUnit: app.workUnit,
    field: form.field ?? '',
    mainDeeds: form.mainDeeds ?? '',
    story: form.story ?? '',
  });

  const zipPath = ctx.tmpFile('.zip');
  const zip = new yazl.ZipFile();
  const output = fs.createWriteStream(zipPath);
  const written = new Promise<void>((resolve, reject) => {
    output.on('close', resolve);
    output.on('error', reject);
    zip.outputStream.on('error', reject);
  });
  zip.outputStream.pipe(output);
  const taken = new Set<string>();
  const unique = (n: string) => {
    const safe = zipSafe(n);
    const dot = safe.lastIndexOf('.');
    let candidate = safe;
    for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = dot > 0 ? `${safe.slice(0, dot)}(${i})${safe.slice(dot)}` : `${safe}(${i})`;
    taken.add(candidate.toLowerCase());
    return candidate;
  };
  try {
    zip.addFile(pdf, unique(`${zipSafe(name)}-事迹.pdf`), { compress: true });
    let done = 1;
    await ctx.progress(done, total);
    for (const { attachments: a } of files) {
      const entry = a.kind === 'photo' && a.seq ? photoFileName(name, a.seq) : a.name;
      const stream = await s.storage.open(a.storageKey);
      zip.addReadStream(stream, unique(entry), { compress: false, size: a.size });
      await finished(stream);
      await ctx.progress(++done, total);
    }
    zip.end();
    await written;
  } catch (err) {
    zip.end();
    await written.catch(() => undefined);
    throw err;
  }
  await ctx.store(`${zipSafe(name)}-宣传素材包-${beijingStamp()}.zip`, 'application/zip', { path: zipPath });
}
