// Issue 13 item 6: 评审专家 accounts (新建, .xlsx 导入, 修改, 停用/启用, 重发初始密码), 评审组, and the forced change of the
// initial password sent by SMS — through HTTP, with the permission matrix.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { checkPassword } from '../core';
import { normaliseOrgName } from '../core/review';
import { initialPassword } from './usecases/experts';
import { auditLog, expertGroupMembers, expertGroups, expertProfiles, outbox, sessions, users } from './db/schema';
import { buildApplicant, buildExpert, buildOrganizer, buildUnit, makeIdNumber } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
beforeAll(async () => {
  t = await startTestPlatform();
  const org = await buildOrganizer(t.s);
  oc = new Client(t.app);
  await oc.login(org.username, org.password);
});
afterAll(async () => t?.close());

type Failure = { error: { code: string; message: string; fields?: { field: string; label: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as Failure).error;
type Expert = {
  id: string;
  username: string;
  realName: string;
  workUnit: string;
  field: string;
  mobile: string | null;
  email: string | null;
  hasIdNumber: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
  statusLabel: string;
  groups: { id: string; name: string }[];
};
type Group = { id: string; name: string; field: string | null; members: { id: string; realName: string }[] };

let mobileSeq = 0;
/** a fresh valid mobile for each expert of this file (13700000000 + n, with a random block per run) */
const base = 13700000000 + Math.floor(Math.random() * 90) * 1_000_000;
const freshMobile = () => String(base + ++mobileSeq);

const smsTo = async (mobile: string) => t.s.db.select().from(outbox).where(eq(outbox.recipient, mobile));
const passwordIn = (body: string) => /初始密码 ([A-Za-z0-9]+)/.exec(body)?.[1] ?? null;

/** every row of the tables these routes write, for "nothing changed" */
async function snapshot() {
  const rows = await t.s.db.execute(sql`select
    (select count(*) from users)::int as users,
    (select coalesce(string_agg(id || ':' || disabled || ':' || must_change_password || ':' || real_name || ':' || coalesce(mobile, '') || ':' || password_hash, ',' order by id), '') from users where role = 'expert') as experts,
    (select coalesce(string_agg(user_id || ':' || work_unit || ':' || field || ':' || coalesce(id_hash, ''), ',' order by user_id), '') from expert_profiles) as profiles,
    (select coalesce(string_agg(id || ':' || name || ':' || coalesce(field, ''), ',' order by id), '') from expert_groups) as groups,
    (select count(*) from expert_group_members)::int as members,
    (select count(*) from outbox)::int as outbox`);
  return (rows as unknown as { rows: unknown[] }).rows?.[0] ?? rows;
}

async function createExpert(over: Record<string, unknown> = {}) {
  const mobile = freshMobile();
  const res = await oc.post('/api/admin/experts', { realName: '王建国', workUnit: '新疆大学', field: '化学', mobile, email: 'wang@example.cn', ...over });
  expect(res.statusCode, res.body).toBe(200);
  return json<Expert>(res);
}

/** a logged-in client of an expert made by 新建评审专家, with the initial password from its text */
async function expertFromSms(over: Record<string, unknown> = {}) {
  const expert = await createExpert(over);
  const [sms] = await smsTo(expert.mobile!);
  const password = passwordIn(sms!.body)!;
  const ec = new Client(t.app);
  await ec.login(expert.username, password);
  return { expert, password, ec };
}

const xlsx = async (rows: (string | number | null)[][]) =>
  (await writeXlsxFile(rows.map((r) => r.map((value) => (value === null ? null : { value })))).toBuffer()) as Buffer;
const upload = (client: Client, bytes: Buffer, name = '专家.xlsx', query = '') =>
  client.upload(`/api/admin/experts/import${query}`, 'experts', name, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

/** a ZIP archive with one stored file (PK…, but no workbook in it) */
function zipOf(name: string, content: Buffer): Buffer {
  const n = Buffer.from(name);
  const crc = zlib.crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(n.length, 28);
  const localPart = Buffer.concat([local, n, content]);
  const centralPart = Buffer.concat([central, n]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}

describe('新建评审专家', () => {
  it('creates the account (user name = 手机), its profile and the text with a random initial password, never in the reply', async () => {
    const mobile = freshMobile();
    const idNumber = makeIdNumber('1970-03-05', '男');
    const res = await oc.post('/api/admin/experts', {
      realName: ' 李 明 ',
      workUnit: '新疆农业大学　（动物医学学院）',
      field: '畜牧兽医',
      mobile: ` ${mobile.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))} `,
      email: 'liming@example.cn',
      idNumber: idNumber.toLowerCase(),
    });
    expect(res.statusCode, res.body).toBe(200);
    const expert = json<Expert>(res);
    expect(expert).toMatchObject({
      username: mobile,
      realName: '李 明',
      workUnit: '新疆农业大学　（动物医学学院）',
      field: '畜牧兽医',
      mobile,
      email: 'liming@example.cn',
      hasIdNumber: true,
      disabled: false,
      mustChangePassword: true,
      statusLabel: '正常',
      groups: [],
    });
    const [user] = await t.s.db.select().from(users).where(eq(users.id, expert.id));
    expect(user).toMatchObject({ role: 'expert', username: mobile, mustChangePassword: true, disabled: false });
    const [profile] = await t.s.db.select().from(expertProfiles).where(eq(expertProfiles.userId, expert.id));
    expect(profile).toMatchObject({ workUnitNorm: normaliseOrgName('新疆农业大学（动物医学学院）'), idHash: t.s.cipher.keyedHash(idNumber) });
    expect(JSON.stringify(profile)).not.toContain(idNumber);
    const sms = await smsTo(mobile);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ channel: 'mobile', userId: expert.id });
    const password = passwordIn(sms[0]!.body);
    expect(password).toMatch(/^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]{10}$/);
    expect(sms[0]!.body).toContain(`用户名 ${mobile}`);
    expect(res.body).not.toContain(password!);
    // the audit row names no password
    const audits = await t.s.db.select().from(auditLog).where(eq(auditLog.action, 'expert.create'));
    expect(JSON.stringify(audits)).not.toContain(password!);
    // another expert gets another password
    const other = await createExpert();
    expect(passwordIn((await smsTo(other.mobile!))[0]!.body)).not.toBe(password);
  });

  it('refuses missing and malformed fields, naming each, and creates nothing', async () => {
    const before = await snapshot();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ workUnit: '新疆大学', field: '化学', mobile: freshMobile() }, 'realName', '请填写姓名'],
      [{ realName: '张三', workUnit: '', field: '化学', mobile: freshMobile() }, 'workUnit', '缺少工作单位'],
      [{ realName: '张三', workUnit: '新疆大学', field: '化学', mobile: '1234567' }, 'mobile', '手机“1234567”格式不正确'],
      [{ realName: '张三', workUnit: '新疆大学', field: '化学', mobile: freshMobile(), email: 'not-mail' }, 'email', '电子邮箱“not-mail”格式不正确'],
      [{ realName: '张三', workUnit: '新疆大学', field: '化学', mobile: freshMobile(), idNumber: '650102197003051234' }, 'idNumber', '校验位不正确'],
      [{ realName: '张', workUnit: '新疆大学', field: '化学', mobile: freshMobile() }, 'realName', '姓名长度应为2至30个字'],
    ];
    for (const [body, field, message] of cases) {
      const res = await oc.post('/api/admin/experts', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).fields?.find((f) => f.field === field)?.message, JSON.stringify(body)).toContain(message);
    }
    const extra = await oc.post('/api/admin/experts', { realName: '张三', workUnit: '新疆大学', field: '化学', mobile: freshMobile(), password: 'x' });
    expect(extra.statusCode).toBe(400);
    expect(errorOf(extra).message).toContain('含有不认识的字段：password');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a 手机 already used by an expert (409 naming the expert), and nothing changes', async () => {
    const first = await createExpert({ realName: '赵敏' });
    const before = await snapshot();
    const res = await oc.post('/api/admin/experts', { realName: '另一位', workUnit: '石河子大学', field: '农学', mobile: first.mobile });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toContain('已被评审专家账号“赵敏”使用');
    expect(errorOf(res).fields?.[0]?.field).toBe('mobile');
    expect(await snapshot()).toEqual(before);
  });
});

describe('the initial password: works once, then the change is forced', () => {
  it('is always one the password policy accepts, without look-alike characters (5,000 drawn)', () => {
    const refused = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const p = initialPassword();
      const why = checkPassword(p) ?? (/[0O1lI]/.test(p) ? 'a look-alike character' : p.length !== 10 ? 'not 10 characters' : null);
      if (why) refused.set(p, why);
    }
    expect([...refused].slice(0, 3)).toEqual([]);
  });

  it('logs in with the SMS password; every call but 修改初始密码, 退出 and me is refused until it is changed', async () => {
    const { expert, password, ec } = await expertFromSms();
    const me = json<{ user: { role: string; mustChangePassword: boolean } }>(await ec.get('/api/auth/me'));
    expect(me.user).toMatchObject({ role: 'expert', mustChangePassword: true });
    for (const [method, url] of [
      ['GET', '/api/campaigns/current'],
      ['GET', '/api/notifications'],
      ['GET', '/api/account/contact'],
      ['PUT', '/api/account/contact'],
      ['GET', '/api/applications'],
    ] as const) {
      const res = await ec.request(method, url, method === 'PUT' ? { mobile: '13900000000' } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(errorOf(res)).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
      expect(errorOf(res).message).toContain('请先修改初始密码');
    }
    const [unchanged] = await t.s.db.select().from(users).where(eq(users.id, expert.id));
    expect(unchanged!.mobile).toBe(expert.mobile);

    // wrong old password, the same password, a weak one: refused, the flag stays
    const wrong = await ec.post('/api/auth/password', { oldPassword: 'Wrong1234', newPassword: 'NewPass2023!' });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).fields?.[0]).toMatchObject({ field: 'oldPassword', message: '原密码不正确：请输入短信中收到的初始密码' });
    const same = await ec.post('/api/auth/password', { oldPassword: password, newPassword: password });
    expect(same.statusCode).toBe(400);
    expect(errorOf(same).message).toContain('新密码不能与原密码相同');
    const weak = await ec.post('/api/auth/password', { oldPassword: password, newPassword: 'abcdefgh' });
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak).fields?.[0]?.field).toBe('newPassword');
    expect((await t.s.db.select().from(users).where(eq(users.id, expert.id)))[0]!.mustChangePassword).toBe(true);

    // a second browser logged in with the initial password loses its session at the change
    const other = new Client(t.app);
    await other.login(expert.username, password);
    const changed = await ec.post('/api/auth/password', { oldPassword: password, newPassword: 'NewPass2023!' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<{ user: { mustChangePassword: boolean } }>(changed).user.mustChangePassword).toBe(false);
    expect((await t.s.db.select().from(users).where(eq(users.id, expert.id)))[0]!.mustChangePassword).toBe(false);
    expect((await ec.get('/api/campaigns/current')).statusCode).toBe(200);
    expect(json<{ user: unknown }>(await other.get('/api/auth/me')).user).toBeNull();

    // the initial password works no more; the new one does, without a forced change
    const again = await new Client(t.app).post('/api/auth/login', { username: expert.username, password, captcha: CAPTCHA });
    expect(again.statusCode).toBe(401);
    const fresh = new Client(t.app);
    const login = await fresh.login(expert.username, 'NewPass2023!');
    expect(json<{ user: { mustChangePassword: boolean } }>(login).user.mustChangePassword).toBe(false);
    expect((await fresh.get('/api/notifications')).statusCode).toBe(200);
  });

  it('退出 is allowed while the change is pending; anonymous 修改密码 is 401', async () => {
    const { ec } = await expertFromSms();
    expect((await ec.post('/api/auth/logout')).statusCode).toBe(200);
    const anon = await new Client(t.app).post('/api/auth/password', { oldPassword: 'x', newPassword: 'NewPass2023!' });
    expect(anon.statusCode).toBe(401);
  });

  it('any account can change its own password (an applicant, whose flag was never set)', async () => {
    const a = await buildApplicant(t.s);
    const ac = new Client(t.app);
    await ac.login(a.username, a.password);
    expect((await ac.post('/api/auth/password', { oldPassword: a.password, newPassword: 'Another2023!' })).statusCode).toBe(200);
    await new Client(t.app).login(a.username, 'Another2023!');
  });

  it('重发初始密码: a new text, the flag set again, the old sessions ended', async () => {
    const { expert, password, ec } = await expertFromSms();
    expect((await ec.post('/api/auth/password', { oldPassword: password, newPassword: 'Changed2023!' })).statusCode).toBe(200);
    const res = await oc.post(`/api/admin/experts/${expert.id}/resend-password`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Expert>(res).mustChangePassword).toBe(true);
    expect(json<{ user: unknown }>(await ec.get('/api/auth/me')).user).toBeNull();
    const texts = await smsTo(expert.mobile!);
    expect(texts).toHaveLength(2);
    const second = passwordIn(texts.at(-1)!.body)!;
    expect(second).not.toBe(password);
    expect(res.body).not.toContain(second);
    const c = new Client(t.app);
    expect(json<{ user: { mustChangePassword: boolean } }>(await c.login(expert.username, second)).user.mustChangePassword).toBe(true);
  });
});

describe('停用 / 启用', () => {
  it('a disabled expert cannot log in and its sessions stop at once; 启用 lets it in again', async () => {
    const { expert, password, ec } = await expertFromSms();
    const disabled = await oc.post(`/api/admin/experts/${expert.id}/disable`);
    expect(disabled.statusCode).toBe(200);
    expect(json<Expert>(disabled)).toMatchObject({ disabled: true, statusLabel: '已停用' });
    expect(json<{ user: unknown }>(await ec.get('/api/auth/me')).user).toBeNull();
    expect((await ec.post('/api/auth/password', { oldPassword: password, newPassword: 'NewPass2023!' })).statusCode).toBe(401);
    expect(await t.s.db.select().from(sessions).where(eq(sessions.userId, expert.id))).toEqual([]);
    const refused = await new Client(t.app).post('/api/auth/login', { username: expert.username, password, captcha: CAPTCHA });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).message).toBe('该账号已被停用，请联系自治区科协');
    // still listed, filtered by status
    const list = json<{ rows: Expert[] }>(await oc.get(`/api/admin/experts?status=disabled&keyword=${expert.mobile}`));
    expect(list.rows.map((r) => r.id)).toEqual([expert.id]);
    expect(json<{ rows: Expert[] }>(await oc.get(`/api/admin/experts?status=active&keyword=${expert.mobile}`)).rows).toEqual([]);

    expect(json<Expert>(await oc.post(`/api/admin/experts/${expert.id}/enable`)).disabled).toBe(false);
    await new Client(t.app).login(expert.username, password);
  });
});

describe('修改', () => {
  it('changes the profile and 手机 (the user name stays), keeps or removes the 身份证号码; a 手机 in use is 409', async () => {
    const idNumber = makeIdNumber('1968-11-20', '女');
    const expert = await createExpert({ idNumber });
    const mobile = freshMobile();
    const res = await oc.put(`/api/admin/experts/${expert.id}`, { realName: '王建国', workUnit: ' 新疆医科大学 ', field: '临床医学', mobile, email: '' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Expert>(res)).toMatchObject({ username: expert.username, workUnit: '新疆医科大学', field: '临床医学', mobile, email: null, hasIdNumber: true });
    const [profile] = await t.s.db.select().from(expertProfiles).where(eq(expertProfiles.userId, expert.id));
    expect(profile).toMatchObject({ workUnitNorm: '新疆医科大学', idHash: t.s.cipher.keyedHash(idNumber) });
    const cleared = await oc.put(`/api/admin/experts/${expert.id}`, {
      realName: '王建国',
      workUnit: '新疆医科大学',
      field: '临床医学',
      mobile,
      idNumber: null,
    });
    expect(json<Expert>(cleared).hasIdNumber).toBe(false);

    const other = await createExpert({ realName: '周华' });
    const applicant = await buildApplicant(t.s);
    const before = await snapshot();
    const taken = await oc.put(`/api/admin/experts/${expert.id}`, { realName: '王建国', workUnit: '新疆医科大学', field: '临床医学', mobile: other.mobile });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken).message).toContain('周华');
    const bad = await oc.put(`/api/admin/experts/${expert.id}`, { realName: '王建国', workUnit: '新疆医科大学', field: '临床医学', mobile: '139' });
    expect(bad.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
    // not an expert, unknown, malformed: 404
    for (const id of [applicant.user.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const r = await oc.put(`/api/admin/experts/${id}`, { realName: '王建国', workUnit: '新疆医科大学', field: '临床医学', mobile: freshMobile() });
      expect(r.statusCode, id).toBe(404);
      expect((await oc.post(`/api/admin/experts/${id}/disable`)).statusCode).toBe(404);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('导入 (.xlsx)', () => {
  it('previews (dryRun) and imports a clean file: columns in any order, spaces and full-width characters in the header, a title row, 手机 as a number', async () => {
    const [m1, m2, m3] = [freshMobile(), freshMobile(), freshMobile()];
    const bytes = await xlsx([
      ['2023年评审专家名单', null, null, null, null],
      [' 手机号码 ', '姓　名', '电子邮箱（选填）', ' 专业领域', '工作单位 '],
      [Number(m1), '阿依古丽·买买提', 'ayg@example.cn', '生态学', '中国科学院新疆生态与地理研究所'],
      [null, null, null, null, null],
      [` ${m2} `, '陈  强', null, '计算机科学', '新疆大学'],
      [m3.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), '刘芳', '', '地质学', '新疆地矿局'],
    ]);
    const before = await snapshot();
    const preview = await upload(oc, bytes, '专家名单.xlsx', '?dryRun=1');
    expect(preview.statusCode, preview.body).toBe(200);
    const p = json<{ dryRun: boolean; count: number; experts: { row: number; mobile: string; realName: string; email: string | null }[] }>(preview);
    expect(p).toMatchObject({ dryRun: true, count: 3 });
    expect(p.experts.map((e) => [e.row, e.mobile, e.realName, e.email])).toEqual([
      [3, m1, '阿依古丽·买买提', 'ayg@example.cn'],
      [5, m2, '陈  强', null],
      [6, m3, '刘芳', null],
    ]);
    expect(await snapshot()).toEqual(before);

    const done = await upload(oc, bytes);
    expect(done.statusCode, done.body).toBe(200);
    expect(json<{ dryRun: boolean; count: number }>(done)).toMatchObject({ dryRun: false, count: 3 });
    for (const m of [m1, m2, m3]) {
      const [u] = await t.s.db.select().from(users).where(eq(users.username, m));
      expect(u).toMatchObject({ role: 'expert', mobile: m, mustChangePassword: true });
      const sms = await smsTo(m);
      expect(sms).toHaveLength(1);
      expect(done.body).not.toContain(passwordIn(sms[0]!.body)!);
    }
    // the same file again: every row's 手机 is taken now, nothing imported
    const again = await upload(oc, bytes);
    expect(again.statusCode).toBe(400);
    expect(errorOf(again).fields?.map((f) => f.label)).toEqual(['第3行', '第5行', '第6行']);
    expect(errorOf(again).fields?.[0]?.message).toContain('已被评审专家账号“阿依古丽·买买提”使用');
  });

  it('a file with 5 bad rows: all 5 listed with their Excel row numbers and reasons, nothing imported', async () => {
    const used = await createExpert({ realName: '马丽' });
    const dup = freshMobile();
    const bytes = await xlsx([
      ['姓名', '工作单位', '专业领域', '手机', '电子邮箱'],
      ['好人', '新疆大学', '数学', freshMobile(), null], // row 2: fine
      [null, '新疆大学', '物理', freshMobile(), null], // row 3: missing 姓名
      ['坏手机', '新疆大学', '物理', '1380013800', null], // row 4: bad mobile
      ['坏邮箱', '新疆大学', '物理', freshMobile(), 'a@b'], // row 5: bad e-mail
      ['甲', '新疆大学', '物理', dup, null], // row 6: short name
      ['重复', '新疆大学', '物理', dup, null], // row 7: duplicate of row 6
      ['已有', '新疆大学', '物理', used.mobile, null], // row 8: used
    ]);
    const before = await snapshot();
    const res = await upload(oc, bytes);
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('导入文件中有6行不符合要求，未导入任何评审专家。请按提示修改这些行后重新上传');
    const byRow = Object.fromEntries(error.fields!.map((f) => [f.field, `${f.label} ${f.message}`]));
    expect(Object.keys(byRow)).toEqual(['row3', 'row4', 'row5', 'row6', 'row7', 'row8']);
    expect(byRow.row3).toBe('第3行 缺少姓名');
    expect(byRow.row4).toContain('第4行 手机“1380013800”格式不正确');
    expect(byRow.row5).toContain('第5行 电子邮箱“a@b”格式不正确');
    expect(byRow.row6).toContain('姓名长度应为2至30个字');
    expect(byRow.row7).toContain(`手机${dup}与第6行重复`);
    expect(byRow.row8).toContain('已被评审专家账号“马丽”使用');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses what is not a clean .xlsx, saying why, and imports nothing', async () => {
    const before = await snapshot();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(200, 1)]);
    const cases: [string, Buffer, number, string][] = [
      ['renamed .exe', exe, 415, '不是有效的 Excel 工作簿（.xlsx）'],
      ['a zip without a workbook', zipOf('readme.txt', Buffer.from('hello')), 415, '不是有效的 Excel 工作簿（.xlsx）'],
      ['a CSV renamed', Buffer.from('姓名,工作单位,专业领域,手机,电子邮箱\n张三,新疆大学,化学,13900000000,\n'), 415, '不支持 .xls、.csv'],
      ['an empty file', Buffer.alloc(0), 400, '空文件'],
      ['an empty sheet', await xlsx([]), 400, '没有内容'],
      ['only the header', await xlsx([['姓名', '工作单位', '专业领域', '手机', '电子邮箱']]), 400, '下面没有评审专家'],
      ['no header row', await xlsx([['张三', '新疆大学', '化学', '13900000001', null]]), 400, '没有找到表头行'],
      [
        'a column missing',
        await xlsx([
          ['姓名', '工作单位', '手机'],
          ['张三', '新疆大学', '13900000002'],
        ]),
        400,
        '缺少列：专业领域',
      ],
      [
        'a column twice',
        await xlsx([
          ['姓名', '工作单位', '专业领域', '手机', '手机号码'],
          ['张三', '新疆大学', '化学', '13900000003', '13900000004'],
        ]),
        400,
        '列重复',
      ],
      ['over 2 MB', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2 * 1024 * 1024 + 10)]), 413, '不能超过2MB'],
    ];
    for (const [what, bytes, status, message] of cases) {
      const res = await upload(oc, bytes, what === 'renamed .exe' ? 'experts.xlsx' : 'file.xlsx');
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(errorOf(res).message, what).toContain(message);
    }
    // more rows than allowed
    const many = await xlsx([
      ['姓名', '工作单位', '专业领域', '手机', '电子邮箱'],
      ...Array.from({ length: 2001 }, (_, i) => ['专家', '新疆大学', '化学', String(13000000000 + i), null]),
    ]);
    const tooMany = await upload(oc, many);
    expect(tooMany.statusCode).toBe(400);
    expect(errorOf(tooMany).message).toBe('导入文件中有2001位评审专家，一次最多导入2000位，请分成多个文件导入');
    // no file, JSON instead of a file
    expect(errorOf(await oc.post('/api/admin/experts/import', {})).message).toContain('请选择要导入的 Excel');
    expect(await snapshot()).toEqual(before);
  });

  it('offers the template: an .xlsx whose header row is the import columns', async () => {
    const res = await oc.get('/api/admin/experts/template');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(String(res.headers['content-disposition'])).toContain('attachment');
    const rows = await readSheet(res.rawPayload);
    expect(rows[0]).toEqual(['姓名', '工作单位', '专业领域', '手机', '电子邮箱']);
    // the template filled in imports as it is
    const filled = await xlsx([rows[0] as string[], ['模板专家', '新疆师范大学', '教育学', freshMobile(), null]]);
    expect((await upload(oc, filled, '模板.xlsx', '?dryRun=1')).statusCode).toBe(200);
  });
});

describe('评审组', () => {
  it('creates, renames, adds and removes members, filters the list by group, deletes', async () => {
    const a = await createExpert({ realName: '组员甲', field: '材料科学' });
    const b = await createExpert({ realName: '组员乙', workUnit: '新疆理工学院' });
    const created = await oc.post('/api/admin/expert-groups', { name: '  第一评审组 ', field: '人民生命健康' });
    expect(created.statusCode, created.body).toBe(200);
    const group = json<Group>(created);
    expect(group).toMatchObject({ name: '第一评审组', field: '人民生命健康', members: [] });
    const dup = await oc.post('/api/admin/expert-groups', { name: '第一评审组' });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup).message).toContain('已有名为“第一评审组”的评审组');
    const badField = await oc.post('/api/admin/expert-groups', { name: '第二评审组', field: '天文' });
    expect(badField.statusCode).toBe(400);
    expect(errorOf(badField).message).toContain('推荐领域不是可选项');

    const renamed = await oc.put(`/api/admin/expert-groups/${group.id}`, { name: '生命健康组', field: null });
    expect(json<Group>(renamed)).toMatchObject({ name: '生命健康组', field: null });
    const added = await oc.post(`/api/admin/expert-groups/${group.id}/members`, { expertIds: [a.id, b.id, a.id] });
    expect(added.statusCode, added.body).toBe(200);
    expect(
      json<Group>(added)
        .members.map((m) => m.realName)
        .sort(),
    ).toEqual(['组员乙', '组员甲']);
    // adding again changes nothing; a non-expert id is 404 and adds no one
    expect(json<Group>(await oc.post(`/api/admin/expert-groups/${group.id}/members`, { expertIds: [a.id] })).members).toHaveLength(2);
    const applicant = await buildApplicant(t.s);
    expect((await oc.post(`/api/admin/expert-groups/${group.id}/members`, { expertIds: [applicant.user.id] })).statusCode).toBe(404);

    const listed = json<{ rows: Expert[]; total: number }>(await oc.get(`/api/admin/experts?groupId=${group.id}`));
    expect(listed.total).toBe(2);
    expect(listed.rows.every((r) => r.groups.some((g) => g.name === '生命健康组'))).toBe(true);
    const groups = json<Group[]>(await oc.get('/api/admin/expert-groups'));
    expect(groups.find((g) => g.id === group.id)?.members).toHaveLength(2);

    const removed = await oc.del(`/api/admin/expert-groups/${group.id}/members/${a.id}`);
    expect(json<Group>(removed).members.map((m) => m.id)).toEqual([b.id]);
    expect((await oc.del(`/api/admin/expert-groups/${group.id}/members/${a.id}`)).statusCode).toBe(404);

    expect(json<{ ok: boolean }>(await oc.del(`/api/admin/expert-groups/${group.id}`)).ok).toBe(true);
    expect(await t.s.db.select().from(expertGroups).where(eq(expertGroups.id, group.id))).toEqual([]);
    expect(await t.s.db.select().from(expertGroupMembers).where(eq(expertGroupMembers.groupId, group.id))).toEqual([]);
    expect((await oc.del(`/api/admin/expert-groups/${group.id}`)).statusCode).toBe(404);
    // the experts stay
    expect((await oc.get(`/api/admin/experts/${b.id}`)).statusCode).toBe(200);
  });
});

describe('评审专家 list', () => {
  it('searches 姓名, 单位, 领域 and 手机, and pages', async () => {
    const marker = `标记${Date.now().toString(36)}`;
    const made: Expert[] = [];
    for (let i = 0; i < 5; i++)
      made.push(await createExpert({ realName: `检索专家${i}`, workUnit: `${marker}研究院`, field: i % 2 ? '物理学' : `${marker}学` }));
    const byUnit = json<{ rows: Expert[]; total: number; page: number; pageSize: number }>(
      await oc.get(`/api/admin/experts?keyword=${encodeURIComponent(marker)}&pageSize=2&page=2`),
    );
    expect(byUnit).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(byUnit.rows).toHaveLength(2);
    // newest first
    expect(byUnit.rows.map((r) => r.realName)).toEqual(['检索专家2', '检索专家1']);
    const byName = json<{ total: number }>(await oc.get(`/api/admin/experts?keyword=${encodeURIComponent('检索专家3')}`));
    expect(byName.total).toBe(1);
    const byMobile = json<{ rows: Expert[] }>(await oc.get(`/api/admin/experts?keyword=${made[4]!.mobile}`));
    expect(byMobile.rows.map((r) => r.id)).toEqual([made[4]!.id]);
    // a % in the keyword is a character, not a wildcard
    expect(json<{ total: number }>(await oc.get('/api/admin/experts?keyword=%25')).total).toBe(0);
    const bad = await oc.get('/api/admin/experts?pageSize=500');
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toContain('每页显示条数应在1至100之间');
  });
});

describe('permission matrix: applicant, unit, expert and anonymous are refused, and nothing changes', () => {
  it('every route', async () => {
    const expert = await createExpert({ realName: '矩阵专家' });
    const group = json<Group>(await oc.post('/api/admin/expert-groups', { name: `矩阵组${Date.now().toString(36)}` }));
    const applicant = await buildApplicant(t.s);
    const unit = await buildUnit(t.s);
    const other = await buildExpert(t.s, { workUnit: '新疆大学' });
    const clients: [string, Client, number][] = [['anonymous', new Client(t.app), 401]];
    for (const [who, acc] of [
      ['applicant', applicant],
      ['unit', unit],
      ['expert', other],
    ] as const) {
      const c = new Client(t.app);
      await c.login(acc.username, acc.password);
      clients.push([who, c, 403]);
    }
    const file = await xlsx([
      ['姓名', '工作单位', '专业领域', '手机', '电子邮箱'],
      ['越权', '新疆大学', '化学', freshMobile(), null],
    ]);
    const body = { realName: '越权', workUnit: '新疆大学', field: '化学', mobile: freshMobile() };
    const calls: [string, (c: Client) => ReturnType<Client['get']>][] = [
      ['GET experts', (c) => c.get('/api/admin/experts')],
      ['GET expert', (c) => c.get(`/api/admin/experts/${expert.id}`)],
      ['GET template', (c) => c.get('/api/admin/experts/template')],
      ['POST experts', (c) => c.post('/api/admin/experts', body)],
      ['PUT expert', (c) => c.put(`/api/admin/experts/${expert.id}`, body)],
      ['import', (c) => upload(c, file)],
      ['disable', (c) => c.post(`/api/admin/experts/${expert.id}/disable`)],
      ['enable', (c) => c.post(`/api/admin/experts/${expert.id}/enable`)],
      ['resend', (c) => c.post(`/api/admin/experts/${expert.id}/resend-password`)],
      ['GET groups', (c) => c.get('/api/admin/expert-groups')],
      ['POST group', (c) => c.post('/api/admin/expert-groups', { name: '越权组' })],
      ['PUT group', (c) => c.put(`/api/admin/expert-groups/${group.id}`, { name: '越权组' })],
      ['add member', (c) => c.post(`/api/admin/expert-groups/${group.id}/members`, { expertIds: [expert.id] })],
      ['remove member', (c) => c.del(`/api/admin/expert-groups/${group.id}/members/${expert.id}`)],
      ['DELETE group', (c) => c.del(`/api/admin/expert-groups/${group.id}`)],
    ];
    const before = await snapshot();
    for (const [who, client, status] of clients) {
      for (const [what, call] of calls) {
        const res = await call(client);
        expect(res.statusCode, `${who} ${what}: ${res.body.slice(0, 200)}`).toBe(status);
        if (status === 403) expect(errorOf(res).message).toBe('此功能仅限自治区科协使用');
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});
