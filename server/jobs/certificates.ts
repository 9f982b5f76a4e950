// Jobs of this area: rendering a campaign's certificates (after 发布, and after a seal change), the ZIP of every
// certificate (the organizer's download), and the printable 申请书 PDF.
import fs from 'node:fs';
import { asc, desc, eq } from 'drizzle-orm';
import yazl from 'yazl';
import { certificates } from '../db/schema';
import { CERTIFICATE_JOB_KINDS } from '../../core/certificates';
import { runApplicationPdf } from '../pdf/application-job';
import { certificateFileName, ensureRendered, readStored, renderMissing } from '../usecases/certificates';
import { JobFailure, type JobKind } from './types';

export const CERTIFICATE_JOBS: Record<string, JobKind> = {
  [CERTIFICATE_JOB_KINDS.render]: {
    label: '生成证书',
    system: true,
    async run(ctx) {
      if (!ctx.job.campaignId) throw new JobFailure('任务缺少评选活动');
      await renderMissing(ctx.s, ctx.job.campaignId, (done, total) => ctx.progress(done, total));
    },
  },

  [CERTIFICATE_JOB_KINDS.zip]: {
    label: '全部证书（ZIP）',
    async run(ctx) {
      const { s, job } = ctx;
      if (!job.campaignId) throw new JobFailure('任务缺少评选活动');
      const rows = await s.db
        .select({ number: certificates.number, name: certificates.name, year: certificates.year })
        .from(certificates)
        .where(eq(certificates.campaignId, job.campaignId))
        .orderBy(desc(certificates.kind), asc(certificates.number));
      if (!rows.length) throw new JobFailure('该评选活动尚未颁发证书：证书在发布结果时生成');
      const file = ctx.tmpFile('.zip');
      const zip = new yazl.ZipFile();
      const written = new Promise<void>((resolve, reject) => {
        const out = fs.createWriteStream(file);
        out.on('close', resolve);
        out.on('error', reject);
        zip.outputStream.on('error', reject).pipe(out);
      });
      await ctx.progress(0, rows.length);
      for (const [i, row] of rows.entries()) {
        const pdf = await readStored(s, await ensureRendered(s, row.number));
        // a PDF is compressed already: stored as it is
        zip.addBuffer(pdf, certificateFileName(row), { compress: false, mtime: new Date() });
        await ctx.progress(i + 1, rows.length);
      }
      zip.end();
      await written;
      await ctx.store(`证书-${rows[0]!.year}.zip`, 'application/zip', { path: file });
    },
  },

  [CERTIFICATE_JOB_KINDS.applicationPdf]: {
    label: '申请书（PDF）',
    run: runApplicationPdf,
  },
};
