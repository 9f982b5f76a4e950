// What happened to an application: 流程情况 (every transfer and 初评, oldest first) and, for the unit and 自治区科协,
// what changed between a returned submission and its resubmission.
import { asc, desc, eq } from 'drizzle-orm';
import { EVENT_LABELS, attachmentKindLabel, fieldLabel, type ApplicationForm, type ChangesReply, type FieldChange, type HistoryEntry } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applicationEvents, applicationSnapshots } from '../db/schema';
import { notFound } from '../errors';
import { loadVisible } from './access';

/** 流程情况: every transfer, oldest first. */
export async function history(s: Services, user: SessionUser, id: string): Promise<HistoryEntry[]> {
  await loadVisible(s.db, user, id);
  // an expert reviews the 申请书, not the exchanges between the applicant, the unit and 自治区科协
  if (user.role === 'expert') throw notFound();
  const rows = await s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id)).orderBy(asc(applicationEvents.id));
  // 初评 is between the unit and 自治区科协: the applicant's 流程情况 has no row of it
  const shown = user.role === 'applicant' ? rows.filter((e) => e.action !== 'preliminary') : rows;
  return shown.map((e) => ({
    at: e.at.toISOString(),
    action: e.action,
    actionLabel: EVENT_LABELS[e.action] ?? e.action,
    fromName: e.fromName,
    toName: e.toName,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actorName: e.actorName,
    // the unit's 推荐单位意见 and the organizer's opinion are not the applicant's to read
    opinion: user.role === 'applicant' && e.action !== 'return' ? null : e.opinion,
  }));
}

/** What changed between the submission a unit returned and the resubmission. */
export async function changesSinceReturn(s: Services, user: SessionUser, id: string): Promise<ChangesReply> {
  await loadVisible(s.db, user, id);
  if (user.role === 'applicant' || user.role === 'expert') throw notFound();
  const snaps = await s.db
    .select()
    .from(applicationSnapshots)
    .where(eq(applicationSnapshots.applicationId, id))
    .orderBy(desc(applicationSnapshots.id))
    .limit(2);
  if (snaps.length < 2) return { comparedTo: null, changes: [] };
  type Snap = { form: ApplicationForm; idHash: string | null; attachments: { kind: string; name: string; sha256: string }[] };
  const [now, before] = [snaps[0]!.content as Snap, snaps[1]!.content as Snap];
  const show = (v: unknown) => (v === undefined || v === null || v === '' ? '（空）' : v === true ? '是' : v === false ? '否' : String(v));
  const changes: FieldChange[] = [];
  const keys = new Set([...Object.keys(before.form ?? {}), ...Object.keys(now.form ?? {})]);
  for (const key of keys) {
    const a = (before.form as Record<string, unknown>)[key];
    const b = (now.form as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field: key, label: fieldLabel(key), before: show(a), after: show(b) });
  }
  if (before.idHash !== now.idHash) changes.push({ field: 'idNumber', label: '身份证号码', before: '（原号码）', after: '（已修改）' });
  const fileSet = (snap: Snap) => new Set(snap.attachments.map((f) => `${f.kind}|${f.name}|${f.sha256}`));
  const [fb, fa] = [fileSet(before), fileSet(now)];
  for (const f of now.attachments)
    if (!fb.has(`${f.kind}|${f.name}|${f.sha256}`))
      changes.push({ field: `attachment.${f.kind}`, label: attachmentKindLabel(f.kind), before: '', after: `新增 ${f.name}` });
  for (const f of before.attachments)
    if (!fa.has(`${f.kind}|${f.name}|${f.sha256}`))
      changes.push({ field: `attachment.${f.kind}`, label: attachmentKindLabel(f.kind), before: f.name, after: '已删除' });
  return { comparedTo: snaps[1]!.createdAt.toISOString(), changes };
}
