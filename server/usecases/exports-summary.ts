// 汇总表 (issue 15, 4.): the applications under 查询申报表's filters as one .xlsx sheet, streamed. Rows are read in
// batches by keyset (年度, 序号, id — 申请书编号从高到低, the list's default order), each batch written row by row into the
// sheet's XML and deflated into the file as it goes (server/xlsx/writer.ts): memory stays flat however many rows.
// The scope was fixed when the job was made: a unit's job reads only what 查询申报表 shows that unit.
import { and, count, desc, eq, notInArray, sql } from 'drizzle-orm';
import { APPLICATION_FIELDS, maskIdNumber, statusLabel } from '../../core';
import { EXPORT_COLUMN_LABELS, summaryExportSchema, type ExportColumnKey, type SummaryExport } from '../../core/exports';
import type { SessionUser } from '../auth/sessions';
import { applications, units } from '../db/schema';
import { JobFailure, type JobContext } from '../jobs/types';
import { XlsxWriter, type CellValue } from '../xlsx/writer';
import { applicationWhere } from './queries';

export const SUMMARY_KIND = 'export.applications';
export const SUMMARY_BATCH = 250;
/** rows per batch: SUMMARY_BATCH, or EXPORT_BATCH_ROWS (the tests cross batch boundaries with a few rows) */
const batchSize = () => Number(process.env.EXPORT_BATCH_ROWS) || SUMMARY_BATCH;

/** A time as people in Xinjiang's offices read it: Beijing time, YYYY-MM-DD HH:mm. */
export function beijingTime(d: Date | null): string {
  if (!d) return '';
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
export const beijingStamp = (d = new Date()) => beijingTime(d).replace(/[-: ]/g, '').slice(0, 12);

const BOOL_KEYS = new Set<string>(APPLICATION_FIELDS.filter((f) => f.kind === 'bool').map((f) => f.key));
const FORM_KEYS = new Set<string>(APPLICATION_FIELDS.map((f) => f.key));

/** The user whose 查询申报表 the job reproduces: the unit fixed in the job, else the organizer's whole view. */
export function scopeOf(job: { ownerId: string | null; unitId: string | null }): SessionUser {
  const base = { id: job.ownerId ?? '00000000-0000-0000-0000-000000000000', username: '', realName: '', mobile: null, email: null, mustChangePassword: false };
  return job.unitId ? { ...base, role: 'unit', unit: { id: job.unitId, name: '', region: '', type: '' } } : { ...base, role: 'organizer', unit: null };
}

/** The file's name: 申报表汇总表（2023年度）-202611301805.xlsx */
export function summaryFileName(p: Pick<SummaryExport, 'year'>, at = new Date()): string {
  return `申报表汇总表${p.year ? `（${p.year}年度）` : ''}-${beijingStamp(at)}.xlsx`;
}

export async function runSummaryExport(ctx: JobContext): Promise<void> {
  const { s, job } = ctx;
  const checked = summaryExportSchema.safeParse(job.params);
  if (!checked.success) throw new JobFailure('导出条件无效，请重新选择后导出');
  const p = checked.data;
  const where = applicationWhere(scopeOf(job), p);
  const total = Number((await s.db.select({ n: count() }).from(applications).where(where))[0]!.n);
  if (total === 0) throw new JobFailure('没有符合条件的申报表，请调整查询条件后重新导出');
  await ctx.progress(0, total);

  const columns = p.columns as ExportColumnKey[];
  const formKeys = columns.filter((c) => FORM_KEYS.has(c) && c !== 'idNumber');
  const needsId = columns.includes('idNumber');
  // the 申请书's chosen fields only, as text (not the whole form: 主要事迹 and 感人故事 are long), and no join: the
  // units' names come from one map, so each batch is a plain backward range scan of the list's index that stops at
  // the batch's size (a join made PostgreSQL hash everything below the key and sort it, batch after batch)
  const select = {
    id: applications.id,
    year: applications.year,
    seq: applications.seq,
    number: applications.number,
    status: applications.status,
    unitId: applications.unitId,
    createdAt: applications.createdAt,
    updatedAt: applications.updatedAt,
    pledgedAt: applications.pledgedAt,
    transferredAt: applications.transferredAt,
    idEnc: needsId ? applications.idEnc : sql<string | null>`null`,
    ...Object.fromEntries(formKeys.map((k) => [`f_${k}`, sql<string | null>`${applications.form} ->> ${k}`])),
  };
  type Row = {
    id: string;
    year: number;
    seq: number;
    number: string;
    status: string;
    unitId: string | null;
    createdAt: Date;
    updatedAt: Date;
    pledgedAt: Date | null;
    transferredAt: Date | null;
    idEnc: string | null;
  } & Record<string, unknown>;
  const unitNames = new Map((await s.db.select({ id: units.id, name: units.name }).from(units)).map((u) => [u.id, u.name]));
  const unitName = (row: Row) => (row.unitId ? (unitNames.get(row.unitId) ?? null) : null);

  const idNumber = (row: Row): string => {
    if (!row.idEnc) return '';
    const id = s.cipher.decrypt(row.idEnc);
    return p.fullIdNumber && !job.unitId ? id : maskIdNumber(id);
  };
  const value = (row: Row, key: ExportColumnKey): CellValue => {
    switch (key) {
      case 'number':
        return row.number;
      case 'year':
        return row.year;
      case 'status':
        return statusLabel(row.status, unitName(row));
      case 'unit':
        return unitName(row) ?? '';
      case 'createdAt':
      case 'updatedAt':
      case 'pledgedAt':
      case 'transferredAt':
        return beijingTime(row[key]);
      case 'idNumber':
        return idNumber(row);
      default: {
        const v = row[`f_${key}`];
        if (BOOL_KEYS.has(key)) return v === 'true' ? '是' : v === 'false' ? '否' : '';
        return typeof v === 'string' ? v : '';
      }
    }
  };

  const file = ctx.tmpFile('.xlsx');
  const w = new XlsxWriter(file);
  try {
    const sheet = await w.sheet('申报表汇总表', {
      freezeHeader: true,
      widths: columns.map((c) =>
        c === 'mainDeeds' || c === 'story' ? 60 : c === 'idNumber' ? 22 : Math.max(10, Math.min(40, EXPORT_COLUMN_LABELS[c].length * 2 + 4)),
      ),
    });
    await sheet.row(
      columns.map((c) => EXPORT_COLUMN_LABELS[c]),
      { bold: true },
    );
    const size = batchSize();
    const order = [desc(applications.year), desc(applications.seq)];
    let last: { year: number; seq: number } | null = null;
    let done = 0;
    for (;;) {
      // a range on the list's index (applications_year_seq_idx), read backwards: 申请书编号从高到低
      const after = last ? sql`(${applications.year}, ${applications.seq}) < (${last.year}, ${last.seq})` : undefined;
      const batch = (await s.db
        .select(select)
        .from(applications)
        .where(and(where, after))
        .orderBy(...order)
        .limit(size)) as Row[];
      const full = batch.length === size;
      if (full) {
        // (年度, 序号) is unique within a program; two programs of one year may share it: the rows that share the
        // batch's last key come whole, before the next batch continues below it
        const end = batch[batch.length - 1]!;
        const seen = batch.filter((r) => r.year === end.year && r.seq === end.seq).map((r) => r.id);
        const ties = (await s.db
          .select(select)
          .from(applications)
          .where(and(where, eq(applications.year, end.year), eq(applications.seq, end.seq), notInArray(applications.id, seen)))) as Row[];
        batch.push(...ties);
      }
      await sheet.rowsBatch(batch.map((row) => columns.map((c) => value(row, c))));
      done += batch.length;
      await ctx.progress(done, Math.max(total, done));
      if (!full) break;
      last = batch[batch.length - 1]!;
    }
    await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
  await ctx.store(summaryFileName(p), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', { path: file });
}
