import { chinaToday } from '../../core';
import { buildApplicant, buildApplication, buildOrganizer, buildUnit } from './factories';
import { Client, json, type startTestPlatform } from './harness';
import { jpegBytes, pdfBytes } from './files';

/** The notice's smallest photo: 2 MB as phones and Windows count it. */
export const PHOTO_BYTES = 2 * 1024 * 1024;

type T = Awaited<ReturnType<typeof startTestPlatform>>;

/** Logged-in clients for the three sides of the routing, each with fresh accounts. */
export async function parties(t: T) {
  const applicant = await buildApplicant(t.s);
  const unit = await buildUnit(t.s);
  const org = await buildOrganizer(t.s);
  const [ac, uc, oc] = [new Client(t.app), new Client(t.app), new Client(t.app)];
  await ac.login(applicant.username, applicant.password);
  await uc.login(unit.username, unit.password);
  await oc.login(org.username, org.password);
  return { applicant, unit, org, ac, uc, oc };
}

/** A complete, pledged application with its three scans and a photo: ready for 【提交】. */
export async function readyApplication(t: T, applicant: Awaited<ReturnType<typeof buildApplicant>>, ac: Client, form?: Parameters<typeof buildApplication>[2]) {
  const d = await buildApplication(t.s, applicant.user, { pledged: true, ...form });
  for (const kind of ['integrity_pledge', 'unit_opinion', 'political_review']) {
    const res = await ac.upload(`/api/applications/${d.id}/attachments`, kind, `${kind}.pdf`, pdfBytes(kind));
    if (res.statusCode !== 200) throw new Error(res.body);
  }
  const photo = await ac.upload(`/api/applications/${d.id}/attachments`, 'photo', 'photo.jpg', jpegBytes(PHOTO_BYTES));
  if (photo.statusCode !== 200) throw new Error(photo.body);
  return d.id;
}

/** The unit's three scans for 【提交】 to 自治区科协: 推荐报告扫描件, 干部人事管理部门意见, 纪检监察部门意见. */
export const UNIT_SCANS = [
  ['recommend_report', '推荐报告.pdf'],
  ['cadre_opinion', '干部人事管理部门意见.pdf'],
  ['discipline_opinion', '纪检监察部门意见.pdf'],
] as const;

/** `days` from today (Beijing), as YYYY-MM-DD. */
export const dayFromToday = (days: number) => chinaToday(new Date(Date.now() + days * 86_400_000));

/**
 * A 初评公示 of the unit for `ids` (初评 通过, held by the unit), by default already over (the day before yesterday to
 * yesterday), so that 初评须公示 (on by default) lets 【提交】 to 自治区科协 through. Returns the 公示's id.
 */
export async function publishPublicity(uc: Client, ids: readonly string[], period: { startsOn?: string; endsOn?: string } = {}) {
  const res = await uc.post('/api/publicities', {
    title: '关于“新疆最美科技工作者”候选人初评结果的公示',
    startsOn: period.startsOn ?? dayFromToday(-2),
    endsOn: period.endsOn ?? dayFromToday(-1),
    contactName: '单位联系人',
    contactPhone: '0991-6386020',
    objectionMethod: '请以实名书面或电话形式反映，并提供联系方式。',
    entries: ids.map((applicationId) => ({ applicationId, summary: '长期扎根科研一线，成果突出。' })),
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  return json<{ id: string }>(res).id;
}

/**
 * What the unit does before 【提交】 to 自治区科协, on an application it holds: 办理, 初评 通过, its 初评公示 (already over;
 * `publicity: false` leaves it out), 推荐单位意见, and the three scans (all of them, or those named in `scans`).
 */
export async function prepareForward(uc: Client, id: string, opts: { scans?: readonly string[]; preliminary?: boolean; publicity?: boolean } = {}) {
  const ok = (res: { statusCode: number; body: string }) => {
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  ok(await uc.post(`/api/applications/${id}/open`));
  if (opts.preliminary !== false) ok(await uc.put(`/api/applications/${id}/preliminary`, { result: 'pass' }));
  if (opts.preliminary !== false && opts.publicity !== false) await publishPublicity(uc, [id]);
  ok(await uc.put(`/api/applications/${id}/opinions/recommend`, { text: '同意推荐。' }));
  for (const [kind, name] of UNIT_SCANS) {
    if (opts.scans && !opts.scans.includes(kind)) continue;
    ok(await uc.upload(`/api/applications/${id}/attachments`, kind, name, pdfBytes(kind)));
  }
}

/** An application already at the unit, opened, with 初评 通过, 推荐单位意见 and the three scans: ready for 【提交】 to 自治区科协. */
export async function forwardable(t: T, uc: Client, unitId: string) {
  const applicant = await buildApplicant(t.s);
  const ac = new Client(t.app);
  await ac.login(applicant.username, applicant.password);
  const id = await readyApplication(t, applicant, ac);
  const sub = await ac.post(`/api/applications/${id}/transitions/submit`, { unitId });
  if (sub.statusCode !== 200) throw new Error(sub.body);
  await prepareForward(uc, id);
  return { id, number: json<{ number: string }>(sub).number, ac, applicant };
}

/** An application the unit has properly 【提交】 to 自治区科协 (status [推荐单位]提交到[自治区科协], not yet opened there). */
export async function forwarded(t: T, uc: Client, unitId: string) {
  const ready = await forwardable(t, uc, unitId);
  const res = await uc.post(`/api/applications/${ready.id}/transitions/forward`);
  if (res.statusCode !== 200) throw new Error(res.body);
  return ready;
}

/** The 异议 form as the browser sends it: `data` then the files. */
export function objectionMultipart(c: Client, publicityId: string, data: Record<string, unknown>, files: { name: string; bytes: Buffer }[]) {
  const boundary = '----xjkxobj' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${JSON.stringify(data)}\r\n`),
    ...files.flatMap((f) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      f.bytes,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return c.request('POST', `/api/public/publicities/${publicityId}/objections`, undefined, {
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}
