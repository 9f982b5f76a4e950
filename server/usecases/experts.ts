// 评审专家 (issue 13, item 6): 自治区科协 creates expert accounts one by one or from an .xlsx file, edits, disables and
// re-enables them, and groups them into 评审组. Each new expert gets a random initial password by SMS (the sender's
// outbox) and must change it at the first log-in (users.must_change_password; the gate is in server/app.ts).
import crypto from 'node:crypto';
import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import {
  cellText,
  checkExpertFields,
  checkMobile,
  checkPassword,
  normaliseExpertMobile,
  EXPERT_COLUMNS,
  EXPERT_IMPORT_MAX_BYTES,
  EXPERT_IMPORT_MAX_MB,
  EXPERT_IMPORT_MAX_ROWS,
  EXPERT_STATUS_LABELS,
  EXPERT_TEMPLATE_HEADER,
  headerColumn,
  type AdminExpert,
  type ExpertColumnKey,
  type ExpertFields,
  type ExpertGroupView,
  type ExpertImportReply,
  type ExpertList,
  type ExpertQuery,
} from '../../core';
import { normaliseOrgName } from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import { destroyUserSessions } from '../auth/sessions';
import { hashPassword } from '../auth/passwords';
import { audit } from '../audit';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { expertGroupMembers, expertGroups, expertProfiles, reviewAssignments, users } from '../db/schema';
import { AppError, type FieldIssue, notFound } from '../errors';
import { currentCampaign } from './campaigns';

const EXPERT = '评审专家';
const GROUP = '评审组';

// ---- the initial password ----

const PASSWORD_UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const PASSWORD_LOWER = 'abcdefghjkmnpqrstuvwxyz';
const PASSWORD_DIGITS = '23456789';

/**
 * A random initial password: 10 characters with upper- and lower-case letters and digits, so that it meets the
 * platform's password policy (core/validators.ts checkPassword: three of the four classes) — the expert may be asked
 * to type it again, e.g. as the 原密码 of 修改初始密码 — without the look-alikes 0/O, 1/l/I, so that it can be typed
 * from a text message. Never logged, never in a reply.
 */
export function initialPassword(): string {
  const all = PASSWORD_UPPER + PASSWORD_LOWER + PASSWORD_DIGITS;
  for (;;) {
    const p = Array.from({ length: 10 }, () => all[crypto.randomInt(all.length)]!).join('');
    if (/[A-Z]/.test(p) && /[a-z]/.test(p) && /\d/.test(p) && checkPassword(p) === null) return p;
  }
}

// ---- presenting ----

type ExpertRow = {
  user: Pick<typeof users.$inferSelect, 'id' | 'username' | 'realName' | 'mobile' | 'email' | 'disabled' | 'mustChangePassword' | 'createdAt'>;
  profile: Pick<typeof expertProfiles.$inferSelect, 'workUnit' | 'field' | 'idHash'> | null;
};

function present(row: ExpertRow, groups: { id: string; name: string }[]): AdminExpert {
  return {
    id: row.user.id,
    username: row.user.username,
    realName: row.user.realName,
    workUnit: row.profile?.workUnit ?? '',
    field: row.profile?.field ?? '',
    mobile: row.user.mobile,
    email: row.user.email,
    hasIdNumber: !!row.profile?.idHash,
    disabled: row.user.disabled,
    mustChangePassword: row.user.mustChangePassword,
    statusLabel: EXPERT_STATUS_LABELS[row.user.disabled ? 'disabled' : 'active'],
    groups,
    createdAt: row.user.createdAt.toISOString(),
  };
}

const expertColumns = {
  user: {
    id: users.id,
    username: users.username,
    realName: users.realName,
    mobile: users.mobile,
    email: users.email,
    disabled: users.disabled,
    mustChangePassword: users.mustChangePassword,
    createdAt: users.createdAt,
  },
  profile: { workUnit: expertProfiles.workUnit, field: expertProfiles.field, idHash: expertProfiles.idHash },
};

/** The 评审组 (of the campaign) of each of `ids`. */
async function groupsOf(db: Db, campaignId: string, ids: string[]): Promise<Map<string, { id: string; name: string }[]>> {
  const map = new Map<string, { id: string; name: string }[]>();
  if (!ids.length) return map;
  const rows = await db
    .select({ expertId: expertGroupMembers.expertId, id: expertGroups.id, name: expertGroups.name })
    .from(expertGroupMembers)
    .innerJoin(expertGroups, eq(expertGroups.id, expertGroupMembers.groupId))
    .where(and(eq(expertGroups.campaignId, campaignId), inArray(expertGroupMembers.expertId, ids)))
    .orderBy(asc(expertGroups.name));
  for (const r of rows) map.set(r.expertId, [...(map.get(r.expertId) ?? []), { id: r.id, name: r.name }]);
  return map;
}

async function loadExpert(db: Db, id: string, lock = false): Promise<ExpertRow> {
  const q = db
    .select(expertColumns)
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(and(eq(users.id, id), eq(users.role, 'expert')));
  const [row] = lock ? await q.for('update', { of: users }) : await q;
  if (!row) throw notFound(EXPERT);
  return row;
}

export async function findExpert(s: Services, id: string): Promise<AdminExpert> {
  const row = await loadExpert(s.db, id);
  const campaign = await currentCampaign(s.db);
  return present(row, (await groupsOf(s.db, campaign.id, [id])).get(id) ?? []);
}

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

/** 评审专家 list: 查询 by 姓名 / 工作单位 / 专业领域 / 手机, a 评审组 of the current campaign, a status; newest first. */
export async function listExperts(s: Services, q: ExpertQuery): Promise<ExpertList> {
  const conditions: SQL[] = [eq(users.role, 'expert')];
  if (q.keyword) {
    const like = `%${escapeLike(q.keyword)}%`;
    conditions.push(or(ilike(users.realName, like), ilike(expertProfiles.workUnit, like), ilike(expertProfiles.field, like), ilike(users.mobile, like))!);
  }
  if (q.status) conditions.push(eq(users.disabled, q.status === 'disabled'));
  if (q.groupId) {
    conditions.push(
      sql`exists (select 1 from ${expertGroupMembers} where ${expertGroupMembers.expertId} = ${users.id} and ${expertGroupMembers.groupId} = ${q.groupId.toLowerCase()})`,
    );
  }
  const where = and(...conditions);
  const [{ total } = { total: 0 }] = await s.db
    .select({ total: count() })
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(where);
  const rows = await s.db
    .select(expertColumns)
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(where)
    .orderBy(desc(users.createdAt), asc(users.id))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize);
  const campaign = await currentCampaign(s.db);
  const groups = await groupsOf(
    s.db,
    campaign.id,
    rows.map((r) => r.user.id),
  );
  return { rows: rows.map((r) => present(r, groups.get(r.user.id) ?? [])), total: Number(total), page: q.page, pageSize: q.pageSize };
}

// ---- creating ----

const mobileTaken = (mobile: string, by: string | null) => {
  const message = by ? `手机${mobile}已被评审专家账号“${by}”使用，每位评审专家的手机应不相同` : `手机${mobile}已被平台的其他账号用作用户名`;
  return message;
};

/**
 * Who already uses each of `mobiles` as a 评审专家's 手机 or as a user name (an expert's user name is its 手机 at
 * creation): mobile → the expert's name, or null for another account. `except`: the expert being edited.
 */
async function mobilesInUse(db: Db, mobiles: string[], except?: string): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  for (let i = 0; i < mobiles.length; i += 500) {
    const batch = mobiles.slice(i, i + 500);
    const rows = await db
      .select({ id: users.id, username: users.username, mobile: users.mobile, role: users.role, realName: users.realName })
      .from(users)
      .where(or(inArray(users.username, batch), and(eq(users.role, 'expert'), inArray(users.mobile, batch))));
    for (const r of rows) {
      if (r.id === except) continue;
      const name = r.role === 'expert' ? r.realName : null;
      if (r.mobile && batch.includes(r.mobile) && r.role === 'expert') found.set(r.mobile, name);
      if (batch.includes(r.username) && !found.has(r.username)) found.set(r.username, name);
    }
  }
  return found;
}

interface NewExpert extends ExpertFields {
  passwordHash: string;
  password: string;
}

/** Hashes the initial passwords, four at a time (argon2 runs on libuv's pool): before the transaction, never inside it. */
async function withPasswords(list: ExpertFields[]): Promise<NewExpert[]> {
  const out: NewExpert[] = [];
  for (let i = 0; i < list.length; i += 4) {
    const batch = await Promise.all(
      list.slice(i, i + 4).map(async (e) => {
        const password = initialPassword();
        return { ...e, password, passwordHash: await hashPassword(password) };
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** Writes the accounts, their profiles and the texts with the initial passwords: all or none (the caller's transaction). */
async function insertExperts(s: Services, tx: Db, organizer: SessionUser, list: NewExpert[], via: 'create' | 'import'): Promise<string[]> {
  const ids: string[] = [];
  try {
    for (let i = 0; i < list.length; i += 200) {
      const batch = list.slice(i, i + 200);
      const created = await tx
        .insert(users)
        .values(
          batch.map((e) => ({
            username: e.mobile,
            passwordHash: e.passwordHash,
            role: 'expert',
            realName: e.realName,
            mobile: e.mobile,
            email: e.email,
            mustChangePassword: true,
          })),
        )
        .returning({ id: users.id, username: users.username });
      const idOf = new Map(created.map((c) => [c.username, c.id]));
      await tx.insert(expertProfiles).values(
        batch.map((e) => ({
          userId: idOf.get(e.mobile)!,
          workUnit: e.workUnit,
          workUnitNorm: normaliseOrgName(e.workUnit),
          field: e.field,
          idHash: e.idNumber ? s.cipher.keyedHash(e.idNumber) : null,
        })),
      );
      for (const e of batch) {
        const id = idOf.get(e.mobile)!;
        ids.push(id);
        await s.sender.send(tx, {
          channel: 'mobile',
          recipient: e.mobile,
          userId: id,
          template: 'expert.account',
          values: { name: e.realName, username: e.mobile, password: e.password },
        });
      }
    }
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', '有评审专家的手机刚被其他账号使用，未创建任何账号，请刷新后重试');
    throw err;
  }
  await audit(tx, organizer, via === 'create' ? 'expert.create' : 'expert.import', 'user', ids[0] ?? '', { count: ids.length });
  return ids;
}

const fieldIssue = (i: { field: string; label: string; message: string }): FieldIssue => ({ field: i.field, label: i.label, message: i.message });

/** 新建评审专家: one account, the initial password by SMS. */
export async function createExpert(s: Services, organizer: SessionUser, input: ExpertFields): Promise<AdminExpert> {
  const used = await mobilesInUse(s.db, [input.mobile]);
  if (used.has(input.mobile)) {
    const message = mobileTaken(input.mobile, used.get(input.mobile) ?? null);
    throw new AppError('CONFLICT', message, [{ field: 'mobile', label: '手机', message }]);
  }
  const [prepared] = await withPasswords([input]);
  const [id] = await s.db.transaction((tx) => insertExperts(s, tx, organizer, [prepared!], 'create'));
  return findExpert(s, id!);
}

/** 修改: the profile and the account's 姓名, 手机 and 电子邮箱 (the user name stays what it was). */
export async function updateExpert(s: Services, organizer: SessionUser, id: string, input: ExpertFields & { keepIdNumber: boolean }): Promise<AdminExpert> {
  await s.db.transaction(async (tx) => {
    const before = await loadExpert(tx, id, true);
    const used = await mobilesInUse(tx, [input.mobile], id);
    if (used.has(input.mobile)) {
      const message = mobileTaken(input.mobile, used.get(input.mobile) ?? null);
      throw new AppError('CONFLICT', message, [{ field: 'mobile', label: '手机', message }]);
    }
    await tx.update(users).set({ realName: input.realName, mobile: input.mobile, email: input.email }).where(eq(users.id, id));
    const idHash = input.keepIdNumber ? (before.profile?.idHash ?? null) : input.idNumber ? s.cipher.keyedHash(input.idNumber) : null;
    const profile = { workUnit: input.workUnit, workUnitNorm: normaliseOrgName(input.workUnit), field: input.field, idHash };
    await tx
      .insert(expertProfiles)
      .values({ userId: id, ...profile })
      .onConflictDoUpdate({ target: expertProfiles.userId, set: profile });
    await audit(tx, organizer, 'expert.update', 'user', id, {
      mobileChanged: before.user.mobile !== input.mobile,
      idNumberChanged: (before.profile?.idHash ?? null) !== idHash,
    });
  });
  return findExpert(s, id);
}

/** 停用 / 启用. A disabled expert cannot log in, and its sessions end at once (sessions.ts refuses them too). */
export async function setExpertDisabled(s: Services, organizer: SessionUser, id: string, disabled: boolean): Promise<AdminExpert> {
  await s.db.transaction(async (tx) => {
    await loadExpert(tx, id, true);
    await tx.update(users).set({ disabled }).where(eq(users.id, id));
    if (disabled) await destroyUserSessions(tx, id);
    await audit(tx, organizer, disabled ? 'expert.disable' : 'expert.enable', 'user', id);
  });
  return findExpert(s, id);
}

/** 重发初始密码: a new random password by SMS; the expert must change it again; its sessions end. */
export async function resendInitialPassword(s: Services, organizer: SessionUser, id: string): Promise<AdminExpert> {
  const row = await loadExpert(s.db, id);
  if (!row.user.mobile) throw new AppError('CONFLICT', '该评审专家没有登记手机，无法发送初始密码，请先修改其手机');
  const password = initialPassword();
  const passwordHash = await hashPassword(password);
  await s.db.transaction(async (tx) => {
    const locked = await loadExpert(tx, id, true);
    await tx.update(users).set({ passwordHash, mustChangePassword: true }).where(eq(users.id, id));
    await destroyUserSessions(tx, id);
    await s.sender.send(tx, {
      channel: 'mobile',
      recipient: locked.user.mobile!,
      userId: id,
      template: 'expert.password',
      values: { name: locked.user.realName, username: locked.user.username, password },
    });
    await audit(tx, organizer, 'expert.password_resend', 'user', id);
  });
  return findExpert(s, id);
}

// ---- the .xlsx import ----

type Cell = string | number | boolean | Date | null | undefined | object;

/** A cell as text: numbers as written (a 手机 stored as a number has no decimals), dates as YYYY-MM-DD. */
function cellString(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v as unknown);
}

const fileError = (message: string) => new AppError('VALIDATION', message, [{ field: 'file', label: '导入文件', message }]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The sheet's rows, or a refusal naming what the file is not. */
async function readRows(bytes: Buffer): Promise<Cell[][]> {
  if (bytes.length === 0) throw fileError('导入文件是空文件，请选择按模板填写的 Excel（.xlsx）文件');
  if (bytes.length > EXPERT_IMPORT_MAX_BYTES) {
    throw new AppError('TOO_LARGE', `导入文件过大（${(bytes.length / 1024 / 1024).toFixed(1)}MB），不能超过${EXPERT_IMPORT_MAX_MB}MB；请分批导入`);
  }
  const notXlsx = new AppError(
    'UNSUPPORTED_FILE',
    '导入文件不是有效的 Excel 工作簿（.xlsx），请下载模板，按模板填写后另存为“Excel 工作簿（*.xlsx）”再上传；不支持 .xls、.csv、.et 等格式',
  );
  if (!bytes.subarray(0, 4).equals(ZIP_MAGIC)) throw notXlsx;
  try {
    return (await readSheet(bytes)) as Cell[][];
  } catch {
    throw notXlsx;
  }
}

const REQUIRED_COLUMNS = EXPERT_COLUMNS.filter((c) => c.required);

/**
 * The import: the header row (the first of the first ten rows naming 姓名 and 手机; columns in any order, spaces and
 * full-width characters tolerated), then every row checked — fields, 手机 repeated in the file, 手机 already used.
 * Any bad row: 400 listing every one with its Excel row number, nothing imported. A clean file: imported in one
 * transaction (or only previewed, `dryRun`).
 */
export async function importExperts(s: Services, organizer: SessionUser, bytes: Buffer, dryRun: boolean): Promise<ExpertImportReply> {
  const rows = await readRows(bytes);
  const blank = (r: Cell[] | undefined) => !r || r.every((c) => cellString(c as Cell).trim() === '');
  const headerIndex = rows
    .slice(0, 10)
    .findIndex((r) => r.some((c) => headerColumn(cellString(c)) === 'realName') && r.some((c) => headerColumn(cellString(c)) === 'mobile'));
  if (rows.every((r) => blank(r))) throw fileError('导入文件的第一个工作表中没有内容，请按模板在第一个工作表中填写评审专家');
  if (headerIndex < 0) {
    throw fileError(`没有找到表头行：第一个工作表的前10行中应有一行列名，包含${EXPERT_TEMPLATE_HEADER.join('、')}（可下载模板）`);
  }
  const header = rows[headerIndex]!;
  const columns = new Map<ExpertColumnKey, number>();
  const repeated: string[] = [];
  header.forEach((c, i) => {
    const key = headerColumn(cellString(c));
    if (!key) return;
    if (columns.has(key)) repeated.push(cellString(c).trim());
    else columns.set(key, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c.key)).map((c) => c.label);
  if (missing.length) throw fileError(`表头（第${headerIndex + 1}行）缺少列：${missing.join('、')}；表头应包含${EXPERT_TEMPLATE_HEADER.join('、')}`);
  if (repeated.length) throw fileError(`表头（第${headerIndex + 1}行）中的列重复：${repeated.join('、')}，每列只能出现一次`);

  const data: { row: number; cells: Cell[] }[] = [];
  rows.forEach((cells, i) => {
    if (i > headerIndex && !blank(cells)) data.push({ row: i + 1, cells });
  });
  if (!data.length) throw fileError(`表头（第${headerIndex + 1}行）下面没有评审专家，请从第${headerIndex + 2}行起每行填写一位`);
  if (data.length > EXPERT_IMPORT_MAX_ROWS) {
    throw fileError(`导入文件中有${data.length}位评审专家，一次最多导入${EXPERT_IMPORT_MAX_ROWS}位，请分成多个文件导入`);
  }

  const problems = new Map<number, string[]>();
  const add = (row: number, message: string) => problems.set(row, [...(problems.get(row) ?? []), message]);
  const good: { row: number; value: ExpertFields }[] = [];
  /** every row whose 手机 is well formed, bad or not otherwise: repeats and numbers in use are reported for them too */
  const mobiles: { row: number; mobile: string }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, cells } of data) {
    const raw: Partial<Record<ExpertColumnKey, string>> = {};
    for (const [key, index] of columns) raw[key] = cellString(cells[index]);
    const checked = checkExpertFields(raw);
    if (!checked.ok) for (const issue of checked.issues) add(row, issue.message);
    else good.push({ row, value: checked.value });
    const mobile = normaliseExpertMobile(cellText(raw.mobile ?? ''));
    if (checkMobile(mobile)) continue;
    mobiles.push({ row, mobile });
    const earlier = firstRowOf.get(mobile);
    if (earlier !== undefined) add(row, `手机${mobile}与第${earlier}行重复，每位评审专家的手机应不相同`);
    else firstRowOf.set(mobile, row);
  }
  const used = await mobilesInUse(s.db, [...firstRowOf.keys()]);
  for (const m of mobiles) if (used.has(m.mobile)) add(m.row, mobileTaken(m.mobile, used.get(m.mobile) ?? null));

  if (problems.size) {
    const fields = [...problems.entries()]
      .sort(([a], [b]) => a - b)
      .map(([row, messages]) => fieldIssue({ field: `row${row}`, label: `第${row}行`, message: messages.join('；') }));
    throw new AppError('VALIDATION', `导入文件中有${problems.size}行不符合要求，未导入任何评审专家。请按提示修改这些行后重新上传`, fields);
  }

  const experts = good.map((g) => ({
    row: g.row,
    realName: g.value.realName,
    workUnit: g.value.workUnit,
    field: g.value.field,
    mobile: g.value.mobile,
    email: g.value.email,
    hasIdNumber: !!g.value.idNumber,
  }));
  if (dryRun) return { dryRun: true, count: experts.length, experts };
  const prepared = await withPasswords(good.map((g) => g.value));
  await s.db.transaction((tx) => insertExperts(s, tx, organizer, prepared, 'import'));
  return { dryRun: false, count: experts.length, experts };
}

/** The import template: the header row, and one example row the organizer overwrites. */
export async function importTemplate(): Promise<Buffer> {
  const header = EXPERT_TEMPLATE_HEADER.map((value) => ({ value, fontWeight: 'bold' as const }));
  const example = ['（示例，请删除本行）张三', '新疆大学', '化学', '13900000000', 'zhangsan@example.com'].map((value) => ({ value }));
  return (await writeXlsxFile([header, example], { columns: EXPERT_TEMPLATE_HEADER.map(() => ({ width: 24 })) }).toBuffer()) as Buffer;
}

// ---- 评审组 ----

async function presentGroups(db: Db, where: SQL): Promise<ExpertGroupView[]> {
  const groups = await db.select().from(expertGroups).where(where).orderBy(asc(expertGroups.createdAt), asc(expertGroups.name));
  if (!groups.length) return [];
  const members = await db
    .select({
      groupId: expertGroupMembers.groupId,
      id: users.id,
      realName: users.realName,
      mobile: users.mobile,
      disabled: users.disabled,
      workUnit: expertProfiles.workUnit,
      field: expertProfiles.field,
    })
    .from(expertGroupMembers)
    .innerJoin(users, eq(users.id, expertGroupMembers.expertId))
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(
      inArray(
        expertGroupMembers.groupId,
        groups.map((g) => g.id),
      ),
    )
    .orderBy(asc(users.realName), asc(users.id));
  return groups.map((g) => ({
    id: g.id,
    campaignId: g.campaignId,
    name: g.name,
    field: g.field,
    createdAt: g.createdAt.toISOString(),
    members: members
      .filter((m) => m.groupId === g.id)
      .map((m) => ({ id: m.id, realName: m.realName, workUnit: m.workUnit ?? '', field: m.field ?? '', mobile: m.mobile, disabled: m.disabled })),
  }));
}

/** The 评审组 of the current campaign, with their members. */
export async function listGroups(s: Services): Promise<ExpertGroupView[]> {
  const campaign = await currentCampaign(s.db);
  return presentGroups(s.db, eq(expertGroups.campaignId, campaign.id));
}

export async function findGroup(db: Db, id: string): Promise<ExpertGroupView> {
  const [group] = await presentGroups(db, eq(expertGroups.id, id));
  if (!group) throw notFound(GROUP);
  return group;
}

const nameTaken = (name: string) => {
  const message = `本届评选已有名为“${name}”的评审组，请换一个名称`;
  return new AppError('CONFLICT', message, [{ field: 'name', label: '评审组名称', message }]);
};

export async function createGroup(s: Services, organizer: SessionUser, input: { name: string; field?: string | null }): Promise<ExpertGroupView> {
  const campaign = await currentCampaign(s.db);
  try {
    const [group] = await s.db
      .insert(expertGroups)
      .values({ campaignId: campaign.id, name: input.name, field: input.field ?? null })
      .returning();
    await audit(s.db, organizer.id, 'expert_group.create', 'expert_group', group!.id, { name: input.name });
    return findGroup(s.db, group!.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

export async function updateGroup(s: Services, organizer: SessionUser, id: string, input: { name: string; field?: string | null }): Promise<ExpertGroupView> {
  try {
    const [group] = await s.db
      .update(expertGroups)
      .set({ name: input.name, field: input.field ?? null })
      .where(eq(expertGroups.id, id))
      .returning();
    if (!group) throw notFound(GROUP);
    await audit(s.db, organizer.id, 'expert_group.update', 'expert_group', id, { name: input.name });
    return findGroup(s.db, id);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/** 删除评审组: its members leave it (the accounts stay); refused once 网上评选 tasks were assigned from it. */
export async function deleteGroup(s: Services, organizer: SessionUser, id: string): Promise<void> {
  await s.db.transaction(async (tx) => {
    const [group] = await tx.select().from(expertGroups).where(eq(expertGroups.id, id)).for('update');
    if (!group) throw notFound(GROUP);
    const [used] = await tx.select({ n: count() }).from(reviewAssignments).where(eq(reviewAssignments.groupId, id));
    if (Number(used?.n ?? 0) > 0) {
      throw new AppError('CONFLICT', `评审组“${group.name}”已分配了${Number(used!.n)}项网上评选任务，不能删除；如需调整，请在网上评选分配中重新分配`);
    }
    await tx.delete(expertGroupMembers).where(eq(expertGroupMembers.groupId, id));
    await tx.delete(expertGroups).where(eq(expertGroups.id, id));
    await audit(tx, organizer.id, 'expert_group.delete', 'expert_group', id, { name: group.name });
  });
}

/** 添加成员: experts already in the group are left as they are; an id that is not an expert is 404. */
export async function addMembers(s: Services, organizer: SessionUser, id: string, expertIds: string[]): Promise<ExpertGroupView> {
  const ids = [...new Set(expertIds.map((e) => e.toLowerCase()))];
  await s.db.transaction(async (tx) => {
    const [group] = await tx.select({ id: expertGroups.id }).from(expertGroups).where(eq(expertGroups.id, id)).for('update');
    if (!group) throw notFound(GROUP);
    const found = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, ids), eq(users.role, 'expert')));
    if (found.length !== ids.length) throw notFound(EXPERT);
    await tx
      .insert(expertGroupMembers)
      .values(ids.map((expertId) => ({ groupId: id, expertId })))
      .onConflictDoNothing();
    await audit(tx, organizer.id, 'expert_group.add', 'expert_group', id, { experts: ids });
  });
  return findGroup(s.db, id);
}

export async function removeMember(s: Services, organizer: SessionUser, id: string, expertId: string): Promise<ExpertGroupView> {
  const removed = await s.db
    .delete(expertGroupMembers)
    .where(and(eq(expertGroupMembers.groupId, id), eq(expertGroupMembers.expertId, expertId)))
    .returning();
  if (!removed.length) {
    await findGroup(s.db, id); // 404 for the group first
    throw notFound(`${EXPERT}（不在该评审组中）`);
  }
  await audit(s.db, organizer.id, 'expert_group.remove', 'expert_group', id, { expert: expertId });
  return findGroup(s.db, id);
}
