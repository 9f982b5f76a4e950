// 集中评选's requests and replies (issue 14, 2.–4.): zod schemas, as core/review/api.ts does for 网上评选. The server
// registers the reply schemas as the routes' response schemas (only their fields leave the server); the web imports
// the types.
import { z } from 'zod';
import { replyText, text } from '../text';
import { CHOICES, QUESTIONS, ROUND_PURPOSES } from './rules';

const timestamp = () => z.iso.datetime();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (label: string) =>
  text(label)
    .regex(UUID, `${label}编号不正确`)
    .transform((v) => v.toLowerCase());

const questionEnum = z.enum(QUESTIONS, { error: '表决事项应为 win（当选“新疆最美科技工作者”）或 national（推荐为全国“最美科技工作者”人选）' });
const choiceEnum = z.enum(CHOICES, { error: '表决意见应为 yes（赞成）、no（反对）或 abstain（弃权）' });
const places = (label: string) =>
  z
    .number({ error: `${label}应为0至1000之间的整数` })
    .int(`${label}应为0至1000之间的整数`)
    .min(0, `${label}应为0至1000之间的整数`)
    .max(1000, `${label}应为0至1000之间的整数`);

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** 召开集中评选会议: the panel (评审专家 ids); without it, every enabled 评审专家. */
export const openMeetingSchema = z.object({
  expertIds: z.array(uuid('评审专家'), { error: '评审专家应为列表' }).min(1, '请至少选择一位评审专家').max(500, '评审专家不能超过500位').optional(),
});
export type OpenMeetingRequest = z.infer<typeof openMeetingSchema>;

/**
 * 开始一轮投票. Without a body: the round the last close proposed (result.next), or round 1 (every candidate of the
 * 入围名单, both questions, the campaign's places). Any field given replaces the proposal's.
 */
export const startRoundSchema = z.object({
  purpose: z.enum(ROUND_PURPOSES, { error: '轮次类型应为 main（投票）、tiebreak（同票决选）或 fill（补选）' }).optional(),
  questions: z.array(questionEnum, { error: '表决事项应为列表' }).min(1, '请至少选择一项表决事项').max(2, '表决事项至多两项').optional(),
  candidateIds: z.array(uuid('候选人'), { error: '候选人应为列表' }).min(1, '请至少选择一位候选人').max(1000, '候选人不能超过1000位').optional(),
  placesWin: places('当选名额').optional(),
  placesNational: places('全国推荐名额').optional(),
});
export type StartRoundRequest = z.infer<typeof startRoundSchema>;

export const voteSchema = z.object({ applicationId: uuid('候选人'), question: questionEnum, choice: choiceEnum });
export type Vote = z.infer<typeof voteSchema>;

/** 保存选票 (draft): the votes given are set (others kept). */
export const ballotSaveSchema = z.object({
  votes: z.array(voteSchema, { error: '投票应为列表' }).min(1, '请至少投一票后再保存').max(2000, '投票不能超过2000项'),
});
/** 【提交选票】: optionally the last votes, then every candidate and question must have one. */
export const ballotSubmitSchema = z.object({ votes: z.array(voteSchema, { error: '投票应为列表' }).max(2000, '投票不能超过2000项').optional() });

export const MEETING_LABELS = {
  expertIds: '评审专家',
  purpose: '轮次类型',
  questions: '表决事项',
  candidateIds: '候选人',
  placesWin: '当选名额',
  placesNational: '全国推荐名额',
  votes: '投票',
};

// ---------------------------------------------------------------------------------------------------------------
// Replies

const counts = z.object({ yes: z.number(), no: z.number(), abstain: z.number() });
const outcome = counts.extend({ passed: z.boolean() });
const nextRound = z.object({
  purpose: z.enum(['tiebreak', 'fill']),
  questions: z.array(questionEnum),
  candidates: z.array(replyText()),
  placesWin: z.number(),
  placesNational: z.number(),
});
export const roundResultSchema = z.object({
  present: z.number(),
  threshold: z.number(),
  candidates: z.array(z.object({ applicationId: replyText(), win: outcome.nullable(), national: outcome.nullable() })),
  elected: z.object({ win: z.array(replyText()), national: z.array(replyText()) }),
  tied: z.object({ win: z.array(replyText()), national: z.array(replyText()) }),
  next: nextRound.nullable(),
});

export const meetingWindowSchema = z.object({ start: replyText(), end: replyText(), open: z.boolean() });

/** A candidate as a round shows it: the 入围名单's online figures and a short summary. */
export const roundCandidateSchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  name: replyText(),
  workUnit: replyText(),
  /** 专业技术职务 */
  title: replyText(),
  /** 推荐领域 */
  field: replyText(),
  onlineRank: z.number().nullable(),
  onlineTied: z.boolean(),
  onlineFigure: z.number().nullable(),
});
export type RoundCandidate = z.infer<typeof roundCandidateSchema>;

export const roundViewSchema = z.object({
  id: replyText(),
  number: z.number(),
  purpose: z.enum(ROUND_PURPOSES),
  purposeLabel: replyText(),
  questions: z.array(questionEnum),
  placesWin: z.number(),
  placesNational: z.number(),
  status: z.enum(['open', 'closed']),
  present: z.number().nullable(),
  threshold: z.number().nullable(),
  result: roundResultSchema.nullable(),
  candidates: z.array(roundCandidateSchema),
  openedAt: timestamp(),
  closedAt: timestamp().nullable(),
});
export type RoundView = z.infer<typeof roundViewSchema>;

export const panelMemberSchema = z.object({
  expertId: replyText(),
  name: replyText(),
  workUnit: replyText().nullable(),
  signedIn: z.boolean(),
  signedInAt: timestamp().nullable(),
});

/** The organizer's meeting: panel, 签到, rounds with their results, and the round the next start would open. */
export const meetingViewSchema = z.object({
  id: replyText(),
  campaignId: replyText(),
  campaignTitle: replyText(),
  status: z.enum(['open', 'closed']),
  openedAt: timestamp(),
  closedAt: timestamp().nullable(),
  window: meetingWindowSchema,
  panel: z.array(panelMemberSchema),
  present: z.number(),
  rounds: z.array(roundViewSchema),
  /** what 【开始下一轮】 without a body starts; null when nothing is left (or a round is open) */
  proposal: z
    .object({
      purpose: z.enum(ROUND_PURPOSES),
      questions: z.array(questionEnum),
      candidates: z.array(replyText()),
      placesWin: z.number(),
      placesNational: z.number(),
    })
    .nullable(),
});
export type MeetingView = z.infer<typeof meetingViewSchema>;
export const meetingReplySchema = z.object({ meeting: meetingViewSchema.nullable() });
export type MeetingReply = z.infer<typeof meetingReplySchema>;

export const BALLOT_STATES = ['none', 'draft', 'submitted'] as const;
export type BallotState = (typeof BALLOT_STATES)[number];
export const BALLOT_STATE_LABELS: Record<BallotState, string> = { none: '未投票', draft: '未提交', submitted: '已提交' };

/** 计票: the live tally (organizer only), pushed whole on every change. Counts are of submitted ballots only. */
export const tallySchema = z.object({
  meetingId: replyText(),
  campaignId: replyText(),
  status: z.enum(['open', 'closed']),
  panel: z.array(z.object({ expertId: replyText(), name: replyText(), signedIn: z.boolean(), ballot: z.enum(BALLOT_STATES) })),
  present: z.number(),
  round: z
    .object({
      id: replyText(),
      number: z.number(),
      purpose: z.enum(ROUND_PURPOSES),
      questions: z.array(questionEnum),
      placesWin: z.number(),
      placesNational: z.number(),
      status: z.enum(['open', 'closed']),
      /** the threshold with the experts present now (the close fixes it) */
      threshold: z.number(),
      submitted: z.number(),
      candidates: z.array(
        z.object({
          applicationId: replyText(),
          number: replyText(),
          name: replyText(),
          onlineRank: z.number().nullable(),
          win: counts.nullable(),
          national: counts.nullable(),
        }),
      ),
    })
    .nullable(),
  at: timestamp(),
});
export type Tally = z.infer<typeof tallySchema>;

/** The expert's meeting: 签到, the open round and their ballot's state. */
export const expertMeetingSchema = z.object({
  meetingId: replyText(),
  campaignId: replyText(),
  campaignTitle: replyText(),
  status: z.enum(['open', 'closed']),
  window: meetingWindowSchema,
  signedIn: z.boolean(),
  signedInAt: timestamp().nullable(),
  round: z
    .object({ id: replyText(), number: z.number(), purpose: z.enum(ROUND_PURPOSES), purposeLabel: replyText(), questions: z.array(questionEnum) })
    .nullable(),
  ballot: z.enum(BALLOT_STATES),
});
export type ExpertMeeting = z.infer<typeof expertMeetingSchema>;
export const expertMeetingsReplySchema = z.object({ meetings: z.array(expertMeetingSchema) });

/** The expert's ballot for a round: the candidates they may vote on (回避 removed) with their own votes. */
export const ballotViewSchema = z.object({
  roundId: replyText(),
  number: z.number(),
  purpose: z.enum(ROUND_PURPOSES),
  purposeLabel: replyText(),
  questions: z.array(questionEnum),
  roundOpen: z.boolean(),
  state: z.enum(BALLOT_STATES),
  submittedAt: timestamp().nullable(),
  candidates: z.array(
    roundCandidateSchema.extend({
      votes: z.object({ win: z.enum(CHOICES).nullable(), national: z.enum(CHOICES).nullable() }),
    }),
  ),
});
export type BallotView = z.infer<typeof ballotViewSchema>;

/**
 * 保存's and 【提交选票】's answer: the ballot's state and its votes as saved — not the candidates again (the page has
 * them from GET …/ballot; 30 experts submit at once, and 40 candidates' facts in every reply were most of a vote's work).
 */
export const ballotWriteReplySchema = z.object({
  roundId: replyText(),
  roundOpen: z.boolean(),
  state: z.enum(BALLOT_STATES),
  submittedAt: timestamp().nullable(),
  votes: z.array(z.object({ applicationId: replyText(), question: z.enum(QUESTIONS), choice: z.enum(CHOICES) })),
});
export type BallotWriteReply = z.infer<typeof ballotWriteReplySchema>;
