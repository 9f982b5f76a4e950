// Test helpers of 集中评选 (issue 14, 2.–4.): the campaign's settings and window, candidates put on the 入围名单
// directly (helper E's shortlist routes build it in production), experts of a panel logged in, and a Server-Sent
// Events reader for the live tally.
import http from 'node:http';
import { eq } from 'drizzle-orm';
import type { Tally } from '../../core/meeting';
import { applications, campaigns, shortlistEntries } from '../db/schema';
import { currentCampaign } from '../usecases/campaigns';
import { buildApplicant, buildApplication, buildExpert } from './factories';
import { Client, type startTestPlatform } from './harness';

type T = Awaited<ReturnType<typeof startTestPlatform>>;

const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);

/** Sets the current campaign's 集中评选 window (open today by default), places and pass share; returns its id. */
export async function setMeetingSettings(
  t: T,
  opts: { window?: { start: string; end: string }; winners?: number; nationalRecommendees?: number; passShare?: number } = {},
) {
  const c = await currentCampaign(t.s.db);
  const settings = {
    ...c.settings,
    windows: { ...c.settings.windows, concentrated: opts.window ?? { start: day(-1), end: day(10) } },
    winners: opts.winners ?? c.settings.winners,
    nationalRecommendees: opts.nationalRecommendees ?? c.settings.nationalRecommendees,
    selection: { ...c.settings.selection, passShare: opts.passShare ?? c.settings.selection.passShare },
  };
  await t.s.db.update(campaigns).set({ settings }).where(eq(campaigns.id, c.id));
  return c.id;
}

export const closedWindow = () => ({ start: day(-10), end: day(-2) });

/**
 * `n` applications (drafts of fresh applicants: the meeting reads only the 入围名单) named 候选人1…n with their own
 * 工作单位 and 手机, put on the campaign's 入围名单 with online ranks 1…n (or `ranks`).
 */
export async function shortlistCandidates(t: T, campaignId: string, addedBy: string, n: number, ranks?: (number | null)[]) {
  const out: { id: string; name: string; workUnit: string; mobile: string }[] = [];
  for (let i = 0; i < n; i++) {
    const applicant = await buildApplicant(t.s);
    const app = await buildApplication(t.s, applicant.user);
    const name = `候选人${i + 1}`;
    const workUnit = `候选人单位${i + 1}_${Math.floor(Math.random() * 1e9)}`;
    const mobile = `1360000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    await t.s.db.update(applications).set({ applicantName: name, workUnit, mobile, campaignId }).where(eq(applications.id, app.id));
    const rank = ranks ? ranks[i]! : i + 1;
    await t.s.db.insert(shortlistEntries).values({
      campaignId,
      applicationId: app.id,
      origin: 'ranking',
      online: rank === null ? null : { rank, tied: false, figure: 90 - i, by: 'additive' },
      addedBy,
    });
    out.push({ id: app.id, name, workUnit, mobile });
  }
  return out;
}

/** A 评审专家 with a profile, logged in. */
export async function panelExpert(t: T, opts: { workUnit?: string; mobile?: string } = {}) {
  const e = await buildExpert(t.s, { workUnit: opts.workUnit ?? `专家单位${Math.floor(Math.random() * 1e9)}`, mobile: opts.mobile });
  const client = new Client(t.app);
  await client.login(e.username, e.password);
  return { ...e, id: e.user.id, client };
}

export const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Reads a `text/event-stream` of `event: tally` snapshots; `next(pred)` waits for the first one (received or to come) that matches. */
export function tallyStream(baseUrl: string, path: string, cookie: string) {
  const events: Tally[] = [];
  const waiters: { pred: (t: Tally) => boolean; from: number; resolve: (t: Tally) => void; reject: (e: Error) => void }[] = [];
  let status = 0;
  let headers: http.IncomingHttpHeaders = {};
  let failed: Error | null = null;
  const check = () => {
    for (const w of [...waiters]) {
      const hit = events.slice(w.from).find(w.pred);
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      } else if (failed) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(failed);
      }
    }
  };
  let opened: () => void;
  const ready = new Promise<void>((r) => (opened = r));
  const req = http.get(new URL(path, baseUrl), { headers: { cookie, accept: 'text/event-stream', 'accept-encoding': 'gzip, br' } }, (res) => {
    status = res.statusCode ?? 0;
    headers = res.headers;
    opened();
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const lines = block.split('\n');
        if (lines.includes('event: tally')) {
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          events.push(JSON.parse(data) as Tally);
        }
      }
      check();
    });
    res.on('end', () => {
      failed = new Error('事件流已结束');
      check();
    });
  });
  req.on('error', (err) => {
    failed = err;
    opened();
    check();
  });
  return {
    events,
    ready,
    get status() {
      return status;
    },
    get headers() {
      return headers;
    },
    /** the first snapshot from index `from` on that matches (10 s guard against a hang, not a timing assertion) */
    next(pred: (t: Tally) => boolean, from = 0): Promise<Tally> {
      return new Promise<Tally>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`10 s without a matching tally; last: ${JSON.stringify(events.at(-1))}`)), 10_000);
        waiters.push({
          pred,
          from,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        check();
      });
    },
    close() {
      req.destroy();
    },
  };
}
