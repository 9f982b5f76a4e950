// 恶意代码防范 (等保 2.0 level 3; ASVS 5.4.3): with CLAMD set, every upload goes through a real clamd (Debian's
// clamav-daemon on a socket of its own, with the EICAR test signature: server/testing/clamd.ts) before it is stored.
// An infected file is refused with its signature named, recorded in the audit log, and nothing is stored; with clamd
// down an upload is not stored either (fail closed), and a resumable one keeps its bytes until clamd is back. The
// public 异议 form's 证明材料 go through it too.
import type { AddressInfo } from 'node:net';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, auditLog, objections, outbox, uploads } from './db/schema';
import { parseClamdAddress, scanFile } from './media/antivirus';
import { buildApplicant, buildApplication } from './testing/factories';
import { pdfBytes } from './testing/files';
import { EICAR, EICAR_SIGNATURE, startClamd, type TestClamd } from './testing/clamd';
import { CAPTCHA, Client, CLUSTER, json, startTestPlatform } from './testing/harness';
import { previewsMade } from './testing/previews';
import { Tus } from './testing/tus';
import { jpegOfSize } from './testing/media-fixtures';
import { dayFromToday, objectionMultipart, parties, PHOTO_BYTES, publishPublicity, readyApplication } from './testing/journey';

let clamd: TestClamd;
let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;

beforeAll(async () => {
  clamd = await startClamd();
  t = await startTestPlatform({ CLAMD: clamd.socket });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await clamd?.close();
});

async function applicantWithApplication() {
  const applicant = await buildApplicant(t.s);
  const c = new Client(t.app);
  await c.login(applicant.username, applicant.password);
  const d = await buildApplication(t.s, applicant.user, { pledged: true });
  return { applicant, c, tus: new Tus(c, base), id: d.id };
}

const rowsOf = (applicationId: string) => t.s.db.select().from(attachments).where(eq(attachments.applicationId, applicationId));
const storedKeys = async () => {
  const keys: string[] = [];
  for await (const o of t.s.storage.list()) keys.push(o.key);
  return keys.sort();
};
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('antivirus: uploads through clamd', () => {
  it('stores a clean file after clamd said OK, through the form upload and through tus', async () => {
    const { c, tus, id } = await applicantWithApplication();
    const before = clamd.scans().length;
    const up = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '承诺书.pdf', pdfBytes('clean'));
    expect(up.statusCode, up.body).toBe(200);
    const photo = jpegOfSize(PHOTO_BYTES + 11);
    const viaTus = await tus.upload(id, 'photo', '照片.jpg', photo);
    expect(viaTus.status, viaTus.body).toBe(200);
    expect(await rowsOf(id)).toHaveLength(2);
    // both went through clamd, which found them clean
    const scans = clamd.scans().slice(before);
    expect(scans.length).toBeGreaterThanOrEqual(2);
    for (const line of scans) expect(line).toMatch(/: OK$/);
  });

  it('refuses an infected file with the signature named, stores nothing, and records it in the audit log', async () => {
    const { applicant, c, tus, id } = await applicantWithApplication();
    await previewsMade(t.s); // the earlier tests' previews, stored by their jobs, are not this test's
    const keysBefore = CLUSTER ? [] : await storedKeys();
    const infected = pdfBytes(EICAR);

    const up = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '承诺书（感染）.pdf', infected);
    expect(up.statusCode).toBe(415);
    expect(errorOf(up.body)).toEqual({
      code: 'UNSUPPORTED_FILE',
      message: `文件“承诺书（感染）.pdf”未通过病毒查杀（检出 ${EICAR_SIGNATURE}），未保存。请用杀毒软件检查您的电脑或手机后，重新上传未感染的文件`,
    });

    // by tus: the last PATCH's commit refuses it, and the upload is gone with its bytes (a refusal, not a failure)
    const created = await tus.create(id, 'integrity_pledge', '扫描件.pdf', infected.length);
    const done = await tus.patch(created.url!, 0, infected);
    expect(done.res.status).toBe(415);
    expect(errorOf(done.body).message).toContain(`检出 ${EICAR_SIGNATURE}`);
    expect((await tus.offset(created.url!)).status).toBe(404);
    expect(
      await t.s.db
        .select()
        .from(uploads)
        .where(eq(uploads.id, created.url!.split('/').pop()!)),
    ).toHaveLength(0);

    expect(await rowsOf(id)).toHaveLength(0);
    if (!CLUSTER) expect(await storedKeys()).toEqual(keysBefore);
    const rows = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'attachment.infected'), eq(auditLog.targetId, id)));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.actorId).toBe(applicant.user.id);
      expect(row.detail).toMatchObject({ kind: 'integrity_pledge', signature: EICAR_SIGNATURE, size: infected.length });
    }
    // clamd's own log: it found them
    expect(clamd.scans().filter((l) => l.includes(`${EICAR_SIGNATURE} FOUND`)).length).toBeGreaterThanOrEqual(2);
  });

  it('with clamd down stores nothing (fail closed); a resumable upload keeps its bytes and is stored once clamd is back', async () => {
    const { c, tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES + 29);
    const created = await tus.create(id, 'photo', '照片.jpg', photo.length);
    const commitPath = `${new URL(created.url!).pathname}/commit`;
    await clamd.stop();
    try {
      const up = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '承诺书.pdf', pdfBytes('while down'));
      expect(up.statusCode).toBe(500);
      expect(errorOf(up.body)).toEqual({ code: 'INTERNAL', message: '病毒查杀服务暂时不可用，文件未保存，请稍后重试' });

      const last = await tus.patch(created.url!, 0, photo);
      expect(last.res.status).toBe(500);
      expect(errorOf(last.body).message).toBe('病毒查杀服务暂时不可用，文件未保存，请稍后重试');
      expect(await tus.offset(created.url!)).toEqual({ status: 200, offset: photo.length });
      expect(await rowsOf(id)).toHaveLength(0);
    } finally {
      await clamd.start();
    }
    const again = await c.post(commitPath);
    expect(again.statusCode, again.body).toBe(200);
    expect(json<{ kind: string; size: number }>(again)).toMatchObject({ kind: 'photo', size: photo.length });
    expect(await rowsOf(id)).toHaveLength(1);
  });
});

describe('antivirus: the public 异议 form', () => {
  it('refuses infected 证明材料 from the public before the SMS code is used; the objection then goes in with clean evidence', async () => {
    const p = await parties(t);
    const id = await readyApplication(t, p.applicant, p.ac);
    expect((await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id })).statusCode).toBe(200);
    expect((await p.uc.post(`/api/applications/${id}/open`)).statusCode).toBe(200);
    expect((await p.uc.put(`/api/applications/${id}/preliminary`, { result: 'pass' })).statusCode).toBe(200);
    const publicityId = await publishPublicity(p.uc, [id], { startsOn: dayFromToday(0), endsOn: dayFromToday(5) });

    const anon = new Client(t.app);
    const mobile = `139${String(Date.now() % 1e8).padStart(8, '0')}`;
    expect((await anon.post('/api/public/phone-codes', { mobile, captcha: CAPTCHA })).statusCode).toBe(200);
    const [sms] = await t.s.db.select().from(outbox).where(eq(outbox.recipient, mobile)).orderBy(desc(outbox.id)).limit(1);
    const code = /验证码 (\d{6})/.exec(sms!.body)![1]!;
    const form = { name: '张三', mobile, code, entry: 1, content: '该候选人的事迹材料中的数据与实际不符。' };

    const refused = await objectionMultipart(anon, publicityId, form, [
      { name: '证明.pdf', bytes: pdfBytes('clean') },
      { name: '截图.pdf', bytes: pdfBytes(EICAR) },
    ]);
    expect(refused.statusCode).toBe(415);
    expect(errorOf(refused.body).message).toBe(
      `证明材料“截图.pdf”未通过病毒查杀（检出 ${EICAR_SIGNATURE}），未保存。请用杀毒软件检查您的电脑或手机后，重新上传未感染的文件`,
    );
    expect(await t.s.db.select().from(objections).where(eq(objections.publicityId, publicityId))).toHaveLength(0);
    const [row] = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'attachment.infected'), eq(auditLog.targetId, publicityId)));
    expect(row).toMatchObject({ actorId: null, targetType: 'publicity' });
    expect(row!.detail).toMatchObject({ name: '截图.pdf', signature: EICAR_SIGNATURE });

    // clamd down: no verdict, nothing of the objection kept, said in the form's words
    await clamd.stop();
    try {
      const down = await objectionMultipart(anon, publicityId, form, [{ name: '证明.pdf', bytes: pdfBytes('clean') }]);
      expect(down.statusCode).toBe(500);
      expect(errorOf(down.body)).toEqual({ code: 'INTERNAL', message: '病毒查杀服务暂时不可用，您的异议和证明材料均未提交（短信验证码仍可使用），请稍后重试' });
      expect(await t.s.db.select().from(objections).where(eq(objections.publicityId, publicityId))).toHaveLength(0);
    } finally {
      await clamd.start();
    }

    // the same code still works: neither refusal used it
    const ok = await objectionMultipart(anon, publicityId, form, [{ name: '证明.pdf', bytes: pdfBytes('clean') }]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await t.s.db.select().from(objections).where(eq(objections.publicityId, publicityId))).toHaveLength(1);
  });
});

describe('antivirus: the clamd client', () => {
  it('reads CLAMD as a socket path or host:port, and names what is wrong otherwise', () => {
    expect(parseClamdAddress('/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('unix:/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
    expect(parseClamdAddress('tcp://av.internal:3310')).toEqual({ host: 'av.internal', port: 3310 });
    expect(parseClamdAddress('[::1]:3310')).toEqual({ host: '::1', port: 3310 });
    for (const bad of ['clamd', 'host:0', 'host:70000', 'host:port', '']) expect(() => parseClamdAddress(bad), bad).toThrow(/环境变量 CLAMD 应为/);
  });

  it('a file larger than clamd accepts (StreamMaxLength) is no verdict: an error, not clean', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const big = path.join(os.tmpdir(), `xjkx-clamd-big-${process.pid}.bin`);
    // 64 MiB is the test daemon's limit
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 65 * 1024 * 1024);
    fs.closeSync(fd);
    try {
      await expect(scanFile({ path: clamd.socket }, big)).rejects.toThrow(/clamd: .*(size limit|ERROR)/);
    } finally {
      fs.rmSync(big, { force: true });
    }
    // and a clamd that is not there
    await expect(scanFile({ path: `${clamd.socket}.missing` }, big)).rejects.toThrow(/clamd/);
    expect(await t.s.db.execute(sql`select 1`)).toBeTruthy();
  });
});
