// 集中评选 meeting (issue 14, 2.–5.): the organizer opens and closes the meeting, starts and closes 轮次, watches the
// 计票 (JSON, or pushed as Server-Sent Events) and downloads a closed round's 计票结果; the expert of the panel 签到
// and votes. An expert not on the panel gets 404 on every URL of the meeting, like any scope.
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import {
  ballotSaveSchema,
  ballotSubmitSchema,
  ballotViewSchema,
  ballotWriteReplySchema,
  expertMeetingSchema,
  expertMeetingsReplySchema,
  MEETING_LABELS,
  meetingReplySchema,
  meetingViewSchema,
  openMeetingSchema,
  roundViewSchema,
  startRoundSchema,
  tallySchema,
} from '../../core/meeting';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, noBody, parse, replyWith, requireUser } from '../http';
import { closeMeeting, getMeeting, meetingNotFound, meetingOfCampaign, openMeeting } from '../usecases/meeting';
import { getBallot, myMeetings, signIn, writeBallot } from '../usecases/meeting-ballots';
import { closeRoundOf, getRound, roundWorkbook, startRound } from '../usecases/meeting-rounds';
import { tallyOf, watchTally } from '../usecases/meeting-tally';
import { getCampaign } from '../usecases/campaigns';
import { snapshotStream } from '../sse';

/** A comment line every 15 s keeps proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

export async function meetingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');
  const expert = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'expert');
  const campaignId = (req: Parameters<typeof idParam>[0]) => idParam(req, '评选活动');
  const roundId = (req: Parameters<typeof idParam>[0]) => idParam(req, '投票轮次');

  // ---- 自治区科协 ----

  app.get('/meeting/campaigns/:id', replyWith(meetingReplySchema), async (req) => {
    organizer(req);
    return { meeting: await getMeeting(s, campaignId(req)) };
  });

  app.post('/meeting/campaigns/:id/open', replyWith(meetingViewSchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return openMeeting(s, user, id, parse(openMeetingSchema, req.body, MEETING_LABELS));
  });

  app.post('/meeting/campaigns/:id/close', replyWith(meetingViewSchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    noBody(req);
    return closeMeeting(s, user, id);
  });

  app.post('/meeting/campaigns/:id/rounds', replyWith(meetingViewSchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return startRound(s, user, id, parse(startRoundSchema, req.body, MEETING_LABELS));
  });

  app.get('/meeting/rounds/:id', replyWith(roundViewSchema), async (req) => {
    organizer(req);
    return getRound(s, roundId(req));
  });

  app.post('/meeting/rounds/:id/close', replyWith(roundViewSchema), async (req) => {
    const user = organizer(req);
    const id = roundId(req);
    noBody(req);
    return closeRoundOf(s, user, id);
  });

  // an .xlsx file, not JSON
  app.get('/meeting/rounds/:id/result.xlsx', audited({ action: 'meeting.result_download', targetType: 'meeting_round' }), async (req, reply) => {
    organizer(req);
    const { name, buffer } = await roundWorkbook(s, roundId(req));
    attachmentDisposition(reply, name);
    reply.header('cache-control', 'no-store');
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buffer);
  });

  app.get('/meeting/campaigns/:id/tally', replyWith(tallySchema), async (req) => {
    organizer(req);
    return tallyOf(s, campaignId(req));
  });

  // Server-Sent Events, not JSON: `event: tally` with the whole snapshot now and after every change; the browser's
  // EventSource reconnects by itself (retry 3 s) and gets a fresh snapshot. Never compressed (a compressor would
  // hold the events back); the open streams are ended when the server closes.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of streams) raw.end();
  });
  app.get('/meeting/campaigns/:id/tally/events', { compress: false }, async (req, reply) => {
    organizer(req);
    const id = campaignId(req);
    // a stream never ends: only a client that asks for one (EventSource does) gets it
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      throw new AppError('VALIDATION', '计票实时推送须以 EventSource 连接（Accept: text/event-stream）；一次读取计票请用 GET /api/meeting/campaigns/:id/tally');
    }
    await getCampaign(s.db, id);
    const m = await meetingOfCampaign(s.db, id);
    if (!m) throw meetingNotFound();
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    raw.write('retry: 3000\n\n');
    streams.add(raw);
    // a screen that stops reading holds one snapshot, not every one since (server/sse.ts)
    const out = snapshotStream(raw);
    let stop = () => {};
    let ended = false;
    const heartbeat = setInterval(() => out.comment('ping'), HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      out.close();
      streams.delete(raw);
      stop();
    };
    raw.on('close', end);
    try {
      stop = await watchTally(s, m.id, (json) => out.snapshot('tally', json));
      if (ended) stop();
    } catch (err) {
      req.log.error(err);
      end();
      raw.end();
    }
  });

  // ---- 评审专家 ----

  app.get('/meeting/mine', replyWith(expertMeetingsReplySchema), async (req) => ({ meetings: await myMeetings(s, expert(req)) }));

  app.post('/meeting/campaigns/:id/sign-in', replyWith(expertMeetingSchema), async (req) => {
    const user = expert(req);
    const id = campaignId(req);
    noBody(req);
    return signIn(s, user, id);
  });

  app.get('/meeting/rounds/:id/ballot', replyWith(ballotViewSchema), async (req) => getBallot(s, expert(req), roundId(req)));

  app.put('/meeting/rounds/:id/ballot', replyWith(ballotWriteReplySchema), async (req) => {
    const user = expert(req);
    const id = roundId(req);
    const { votes } = parse(ballotSaveSchema, req.body, MEETING_LABELS);
    return writeBallot(s, user, id, votes, 'save');
  });

  app.post(
    '/meeting/rounds/:id/ballot/submit',
    { ...replyWith(ballotWriteReplySchema), ...audited({ action: 'meeting.ballot_submit', targetType: 'meeting_round' }) },
    async (req) => {
      const user = expert(req);
      const id = roundId(req);
      const { votes } = parse(ballotSubmitSchema, req.body, MEETING_LABELS);
      return writeBallot(s, user, id, votes ?? [], 'submit');
    },
  );
}
