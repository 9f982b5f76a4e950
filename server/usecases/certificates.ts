// 证书 (issue 15, 3.): numbered at 发布, rendered to PDF once and stored, verified at /verify/<证书编号>.
// Rendering happens off the publish transaction (the job certificates.render, enqueued in it) and, for one certificate
// not yet rendered, at its download (one small PDF, ~20 ms). A certificate's stored PDF is written only if the seals
// are still those it was drawn with: the check and the write take the campaign's seal lock, as does every seal change
// (which clears the stored PDFs and enqueues the render again), so a slow render can never store a stale picture.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import sharp from 'sharp';
import {
  CERTIFICATE_HOSTS,
  CERTIFICATE_JOB_KINDS,
  CERTIFICATE_NUMBER_PATTERN,
  certificateNumber,
  certificateTitle,
  SEAL_MAX_BYTES,
  type CampaignCertificates,
  type CertificateKind,
  type CertificateView,
} from '../../core/certificates';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applications, applicationUnits, campaignSeals, campaigns, certificates, programs, publications, selections } from '../db/schema';
import { AppError, notFound } from '../errors';
import { enqueueJob } from '../jobs/runner';
import { MediaError, PIXEL_LIMIT, probeFile } from '../media/probe';
import { renderCertificate } from '../pdf/certificate';

export type CertificateRow = typeof certificates.$inferSelect;

const RENDER_JOB = CERTIFICATE_JOB_KINDS.render;
const ZIP_JOB = CERTIFICATE_JOB_KINDS.zip;

/** The origin the QR codes point at: PUBLIC_URL, else this server on localhost (the 证书 page warns). */
export function verifyOrigin(s: Services): { origin: string; configured: boolean } {
  return s.config.publicUrl ? { origin: s.config.publicUrl, configured: true } : { origin: `http://localhost:${s.config.port}`, configured: false };
}

export const verifyUrlOf = (s: Services, number: string) => `${verifyOrigin(s).origin}/verify/${encodeURIComponent(number)}`;
export const certificateDownloadUrl = (number: string) => `/api/certificates/${encodeURIComponent(number)}/pdf`;

function present(s: Services, row: CertificateRow): CertificateView {
  return {
    number: row.number,
    kind: row.kind as CertificateKind,
    name: row.name,
    title: row.title,
    year: row.year,
    issuedOn: row.issuedOn,
    applicationId: row.applicationId,
    rendered: row.storageKey !== null,
    downloadUrl: certificateDownloadUrl(row.number),
    verifyUrl: verifyUrlOf(s, row.number),
  };
}

const seqOf = (number: string) => Number(/(\d+)$/.exec(number)?.[1] ?? 0);

/**
 * Called by 发布 inside its transaction (server/usecases/publication.ts): one certificate row per winner (kind
 * winner) and one per national recommendee (kind national) of the confirmed selection, numbered, issued on
 * `issuedOn` (YYYY-MM-DD). Idempotent: a certificate that exists is kept with its number. The PDFs are rendered by
 * the job certificates.render, which starts once the transaction commits.
 */
export async function issueCertificates(tx: Db, campaignId: string, issuedOn: string): Promise<void> {
  const [selection] = await tx
    .select()
    .from(selections)
    .where(and(eq(selections.campaignId, campaignId), eq(selections.status, 'confirmed')));
  if (!selection) throw new AppError('CONFLICT', '最终评选结果尚未确认，无法颁发证书：请先在最终评选结果中确认名单');
  const [campaign] = await tx
    .select({ year: campaigns.year, code: programs.code })
    .from(campaigns)
    .innerJoin(programs, eq(programs.id, campaigns.programId))
    .where(eq(campaigns.id, campaignId));
  if (!campaign) throw notFound('评选活动');
  const lists: Record<CertificateKind, string[]> = { winner: selection.winners as string[], national: selection.nationals as string[] };
  const ids = [...new Set([...lists.winner, ...lists.national])];
  if (!ids.length) return;
  const people = await tx
    .select({ id: applications.id, applicantName: applications.applicantName, formName: sql<string | null>`${applications.form}->>'name'` })
    .from(applications)
    .where(inArray(applications.id, ids));
  const nameOf = new Map(people.map((p) => [p.id, (p.formName ?? '').trim() || p.applicantName]));
  const existing = await tx.select().from(certificates).where(eq(certificates.campaignId, campaignId));
  for (const kind of ['winner', 'national'] as const) {
    const have = new Set(existing.filter((c) => c.kind === kind).map((c) => c.applicationId));
    let seq = Math.max(0, ...existing.filter((c) => c.kind === kind).map((c) => seqOf(c.number)));
    const rows = lists[kind]
      .filter((id) => !have.has(id) && nameOf.has(id))
      .map((applicationId) => ({
        number: certificateNumber(campaign.code, campaign.year, kind, ++seq),
        campaignId,
        applicationId,
        kind,
        name: nameOf.get(applicationId)!,
        title: certificateTitle(kind, campaign.year),
        year: campaign.year,
        issuedOn,
      }));
    if (rows.length) await tx.insert(certificates).values(rows).onConflictDoNothing();
  }
  await enqueueRender(tx, campaignId);
}

async function enqueueRender(db: Db, campaignId: string) {
  await enqueueJob(db, { kind: RENDER_JOB, campaignId, dedupeKey: `${RENDER_JOB}:${campaignId}` });
}

// ---- seals ---------------------------------------------------------------------------------------------

/** The seal lock of a campaign: a seal change, and the check-and-store of a rendered certificate. */
async function lockSeals(tx: Db, campaignId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`certificate-seals:${campaignId}`}))`);
}

async function sealRows(db: Db, campaignId: string) {
  return db.select().from(campaignSeals).where(eq(campaignSeals.campaignId, campaignId)).orderBy(asc(campaignSeals.position));
}

const fingerprint = (rows: { position: number; storageKey: string }[]) => rows.map((r) => `${r.position}:${r.storageKey}`).join('|');

export async function readStored(s: Services, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await s.storage.open(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sealPosition(raw: string | undefined): number {
  const n = Number(raw);
  if (!/^[0-9]$/.test(raw ?? '') || n >= CERTIFICATE_HOSTS.length)
    throw new AppError('NOT_FOUND', `未找到该印章位置：主办单位的印章位置为 0 至 ${CERTIFICATE_HOSTS.length - 1}`);
  return n;
}

async function requireCampaign(db: Db, campaignId: string) {
  const [row] = await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!row) throw notFound('评选活动');
}

/**
 * Stores a seal image for one 主办单位: a PNG or JPEG by content (anything else 415), at most SEAL_MAX_BYTES (413),
 * normalized to a PNG at most 600 px (transparency kept, metadata dropped). The campaign's certificates are drawn
 * again with it. `tmpPath` is the upload, removed here whatever happens.
 */
export async function putSeal(s: Services, user: SessionUser, campaignId: string, position: number, tmpPath: string): Promise<CampaignCertificates> {
  const normalized = path.join(s.storage.tmpDir, `seal-${crypto.randomUUID()}.png`);
  try {
    const size = (await fsp.stat(tmpPath)).size;
    if (size > SEAL_MAX_BYTES) throw new AppError('TOO_LARGE', `印章图片不能超过${SEAL_MAX_BYTES / 1024 / 1024}MB`);
    const probe = await probeFile(tmpPath);
    if (probe.mime !== 'image/png' && probe.mime !== 'image/jpeg') {
      throw new AppError('UNSUPPORTED_FILE', `印章图片应为 PNG（透明背景）或 JPEG 格式，上传的文件内容是 ${probe.ext.toUpperCase()} 格式`);
    }
    try {
      await sharp(tmpPath, { limitInputPixels: PIXEL_LIMIT, failOn: 'error' })
        .rotate()
        .resize({ width: 600, height: 600, fit: 'inside', withoutEnlargement: true })
        .png()
        .toFile(normalized);
    } catch {
      throw new MediaError('印章图片已损坏，无法读取，请重新保存或导出后上传', 'image_corrupt');
    }
    await requireCampaign(s.db, campaignId);
    const key = await s.storage.putFile(normalized, { contentType: 'image/png' });
    await s.db.transaction(async (tx) => {
      await lockSeals(tx, campaignId);
      await tx
        .insert(campaignSeals)
        .values({ campaignId, position, storageKey: key, mime: 'image/png', uploadedBy: user.id })
        .onConflictDoUpdate({
          target: [campaignSeals.campaignId, campaignSeals.position],
          set: { storageKey: key, mime: 'image/png', uploadedBy: user.id, uploadedAt: new Date() },
        });
      await redrawAll(tx, campaignId);
    });
  } finally {
    await fsp.rm(tmpPath, { force: true });
    await fsp.rm(normalized, { force: true });
  }
  // the replaced image and the PDFs drawn with it are no row's any more: the sweep removes them (sweep.ts)
  return campaignCertificates(s, campaignId);
}

export async function removeSeal(s: Services, campaignId: string, position: number): Promise<CampaignCertificates> {
  await requireCampaign(s.db, campaignId);
  await s.db.transaction(async (tx) => {
    await lockSeals(tx, campaignId);
    const gone = await tx
      .delete(campaignSeals)
      .where(and(eq(campaignSeals.campaignId, campaignId), eq(campaignSeals.position, position)))
      .returning({ key: campaignSeals.storageKey });
    if (gone.length) await redrawAll(tx, campaignId);
  });
  return campaignCertificates(s, campaignId);
}

async function redrawAll(tx: Db, campaignId: string) {
  const cleared = await tx
    .update(certificates)
    .set({ storageKey: null })
    .where(eq(certificates.campaignId, campaignId))
    .returning({ number: certificates.number });
  if (cleared.length) await enqueueRender(tx, campaignId);
}

export async function openSeal(s: Services, campaignId: string, position: number): Promise<Readable> {
  const [row] = await s.db
    .select()
    .from(campaignSeals)
    .where(and(eq(campaignSeals.campaignId, campaignId), eq(campaignSeals.position, position)));
  if (!row) throw new AppError('NOT_FOUND', '该主办单位尚未上传印章图片');
  return s.storage.open(row.storageKey);
}

// ---- rendering -----------------------------------------------------------------------------------------

/**
 * The stored PDF of a certificate, rendering and storing it first when there is none. Stored only if the seals are
 * still those it was drawn with (else drawn again); a PDF stored meanwhile by someone else wins and ours is removed.
 */
export async function ensureRendered(s: Services, number: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [row] = await s.db.select().from(certificates).where(eq(certificates.number, number));
    if (!row) throw notFound('证书');
    if (row.storageKey) return row.storageKey;
    const seals = await sealRows(s.db, row.campaignId);
    const images = await Promise.all(seals.map(async (seal) => ({ position: seal.position, data: await readStored(s, seal.storageKey) })));
    const file = path.join(s.storage.tmpDir, `certificate-${crypto.randomUUID()}.pdf`);
    let key: string;
    try {
      await renderCertificate(
        {
          number: row.number,
          name: row.name,
          title: row.title,
          kind: row.kind as CertificateKind,
          issuedOn: row.issuedOn,
          verifyUrl: verifyUrlOf(s, row.number),
          hosts: CERTIFICATE_HOSTS.map((h) => h.full),
          seals: CERTIFICATE_HOSTS.map((_h, i) => images.find((img) => img.position === i)?.data ?? null),
        },
        file,
      );
      key = await s.storage.putFile(file, { contentType: 'application/pdf' });
    } finally {
      await fsp.rm(file, { force: true });
    }
    const stored = await s.db.transaction(async (tx) => {
      await lockSeals(tx, row.campaignId);
      if (fingerprint(await sealRows(tx, row.campaignId)) !== fingerprint(seals)) return false;
      const rows = await tx
        .update(certificates)
        .set({ storageKey: key })
        .where(and(eq(certificates.number, number), isNull(certificates.storageKey)))
        .returning({ number: certificates.number });
      return rows.length > 0;
    });
    if (stored) return key;
    await s.storage.remove(key);
  }
  throw new AppError('CONFLICT', '印章图片正在更新，证书暂时无法生成，请稍后再试');
}

/** Renders every certificate of the campaign that has no stored PDF; `progress` after each. */
export async function renderMissing(s: Services, campaignId: string, progress: (done: number, total: number) => Promise<void>): Promise<void> {
  const missing = await s.db
    .select({ number: certificates.number })
    .from(certificates)
    .where(and(eq(certificates.campaignId, campaignId), isNull(certificates.storageKey)))
    .orderBy(asc(certificates.number));
  await progress(0, missing.length);
  for (const [i, c] of missing.entries()) {
    await ensureRendered(s, c.number);
    await progress(i + 1, missing.length);
  }
}

// ---- reading -------------------------------------------------------------------------------------------

async function isPublished(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db.select({ status: publications.status }).from(publications).where(eq(publications.campaignId, campaignId));
  return row?.status === 'published';
}

/** 证书 page of the organizer: every certificate of the campaign, the seals, where the QR codes point. */
export async function campaignCertificates(s: Services, campaignId: string): Promise<CampaignCertificates> {
  await requireCampaign(s.db, campaignId);
  const [rows, seals, published] = await Promise.all([
    s.db.select().from(certificates).where(eq(certificates.campaignId, campaignId)).orderBy(desc(certificates.kind), asc(certificates.number)),
    sealRows(s.db, campaignId),
    isPublished(s.db, campaignId),
  ]);
  const origin = verifyOrigin(s);
  return {
    campaignId,
    published,
    verifyOrigin: origin.origin,
    verifyOriginConfigured: origin.configured,
    certificates: rows.map((r) => present(s, r)),
    seals: CERTIFICATE_HOSTS.map((host, position) => {
      const seal = seals.find((x) => x.position === position);
      return {
        position,
        host: host.short,
        uploadedAt: seal?.uploadedAt.toISOString() ?? null,
        imageUrl: seal ? `/api/certificates/campaigns/${campaignId}/seals/${position}` : null,
      };
    }),
  };
}

/**
 * The certificates a user may download: an applicant their own, a unit those of the applications submitted to it,
 * both only once the campaign is published; the organizer every one. Anything else does not exist for them.
 */
function reachable(user: SessionUser) {
  const published = sql`exists (select 1 from ${publications} p where p.campaign_id = ${certificates.campaignId} and p.status = 'published')`;
  switch (user.role) {
    case 'organizer':
      return sql`true`;
    case 'applicant':
      return and(published, eq(applications.applicantId, user.id), isNull(applications.deletedAt))!;
    case 'unit':
      return user.unit
        ? and(
            published,
            isNull(applications.deletedAt),
            sql`${applications.id} in (select au.application_id from ${applicationUnits} au where au.unit_id = ${user.unit.id})`,
          )!
        : sql`false`;
    default:
      return sql`false`;
  }
}

/** 我的证书: the certificates of the applicant's own, or the unit's, published applications. */
export async function myCertificates(s: Services, user: SessionUser): Promise<CertificateView[]> {
  if (user.role !== 'applicant' && user.role !== 'unit') return [];
  const rows = await s.db
    .select({ c: certificates })
    .from(certificates)
    .innerJoin(applications, eq(applications.id, certificates.applicationId))
    .where(reachable(user))
    .orderBy(desc(certificates.year), desc(certificates.kind), asc(certificates.number));
  return rows.map((r) => present(s, r.c));
}

/** One certificate's PDF, for whoever may reach it (else 404); rendered first if it is not yet. */
export async function openCertificate(s: Services, user: SessionUser, number: string): Promise<{ name: string; size: number; stream: Readable }> {
  if (!CERTIFICATE_NUMBER_PATTERN.test(number)) throw notFound('证书');
  const [row] = await s.db
    .select({ c: certificates })
    .from(certificates)
    .innerJoin(applications, eq(applications.id, certificates.applicationId))
    .where(and(eq(certificates.number, number), reachable(user)));
  if (!row) throw notFound('证书');
  const key = await ensureRendered(s, number);
  const stat = await s.storage.stat(key);
  if (!stat) throw new AppError('NOT_FOUND', '证书文件暂时无法读取，请稍后再试');
  return { name: certificateFileName(row.c), size: stat.size, stream: await s.storage.open(key) };
}

/** 证书编号-姓名.pdf, with nothing a file system or an archive could read as a path */
export function certificateFileName(c: Pick<CertificateRow, 'number' | 'name'>): string {
  const name = c.name.replace(/[\\/:*?"<>|]/g, '_');
  return `${c.number}-${name}.pdf`;
}

/** /verify/<证书编号>: name, title and year of a certificate of a published campaign, or null. */
export async function verifyCertificate(db: Db, number: string): Promise<{ name: string; title: string; year: number } | null> {
  if (!CERTIFICATE_NUMBER_PATTERN.test(number)) return null;
  const [row] = await db
    .select({ name: certificates.name, title: certificates.title, year: certificates.year })
    .from(certificates)
    .innerJoin(publications, and(eq(publications.campaignId, certificates.campaignId), eq(publications.status, 'published')))
    .where(eq(certificates.number, number));
  return row ?? null;
}

/** The ZIP of every certificate of a campaign, as a job of the organizer who asked. */
export async function enqueueCertificateZip(s: Services, user: SessionUser, campaignId: string) {
  await requireCampaign(s.db, campaignId);
  const [one] = await s.db.select({ n: certificates.number }).from(certificates).where(eq(certificates.campaignId, campaignId)).limit(1);
  if (!one) throw new AppError('CONFLICT', '该评选活动尚未颁发证书：证书在发布结果时生成');
  return enqueueJob(s.db, { kind: ZIP_JOB, campaignId, ownerId: user.id, dedupeKey: `${ZIP_JOB}:${campaignId}:${user.id}` });
}
