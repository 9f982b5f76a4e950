// 集中评选 meeting (docs/API.md "集中评选 meeting"): the organizer's meeting, rounds, 计票 and 计票结果; the expert's 签到
// and ballot. The types are core/meeting's (type-only: no page loads zod for them).
import { api } from '../api';
import type {
  BallotView,
  BallotWriteReply,
  ExpertMeeting,
  MeetingReply,
  MeetingView,
  RoundView,
  StartRoundRequest,
  Tally,
  Vote,
} from '../../../core/meeting/api';

export type { BallotView, BallotWriteReply, ExpertMeeting, MeetingView, RoundView, Tally, Vote };

const campaign = (id: string) => `/api/meeting/campaigns/${encodeURIComponent(id)}`;
const round = (id: string) => `/api/meeting/rounds/${encodeURIComponent(id)}`;

export const getMeeting = (campaignId: string) => api<MeetingReply>('GET', campaign(campaignId));
export const openMeeting = (campaignId: string, expertIds?: string[]) =>
  api<MeetingView>('POST', `${campaign(campaignId)}/open`, expertIds ? { expertIds } : {});
export const closeMeeting = (campaignId: string) => api<MeetingView>('POST', `${campaign(campaignId)}/close`);
export const startRound = (campaignId: string, body: StartRoundRequest = {}) => api<MeetingView>('POST', `${campaign(campaignId)}/rounds`, body);
export const getRound = (roundId: string) => api<RoundView>('GET', round(roundId));
export const closeRound = (roundId: string) => api<RoundView>('POST', `${round(roundId)}/close`);
export const getTally = (campaignId: string) => api<Tally>('GET', `${campaign(campaignId)}/tally`);
export const tallyEventsUrl = (campaignId: string) => `${campaign(campaignId)}/tally/events`;
export const resultXlsxUrl = (roundId: string) => `${round(roundId)}/result.xlsx`;

export const myMeetings = () => api<{ meetings: ExpertMeeting[] }>('GET', '/api/meeting/mine');
export const signIn = (campaignId: string) => api<ExpertMeeting>('POST', `${campaign(campaignId)}/sign-in`);
export const getBallot = (roundId: string) => api<BallotView>('GET', `${round(roundId)}/ballot`);
export const saveBallot = (roundId: string, votes: Vote[]) => api<BallotWriteReply>('PUT', `${round(roundId)}/ballot`, { votes });
export const submitBallot = (roundId: string, votes: Vote[]) => api<BallotWriteReply>('POST', `${round(roundId)}/ballot/submit`, { votes });
