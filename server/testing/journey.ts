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

/**
 * What the unit does before 【提交】 to 自治区科协, on an application it holds: 办理, 初评 通过, 推荐单位意见, and the three
 * scans (all of them, or those named in `scans`).
 */
export async function prepareForward(uc: Client, id: string, opts: { scans?: readonly string[]; preliminary?: boolean } = {}) {
  const ok = (res: { statusCode: number; body: string }) => {
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  ok(await uc.post(`/api/applications/${id}/open`));
  if (opts.preliminary !== false) ok(await uc.put(`/api/applications/${id}/preliminary`, { result: 'pass' }));
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
