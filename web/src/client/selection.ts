// 入围名单 and 最终评选结果 (docs/API.md "入围名单 and 最终评选结果"): the organizer's shortlist, the selection, 按规则推荐,
// 确认, 结构分析, the final 公示 and an upheld 异议's replacement. The types are core/selection/api's (type-only here).
import { api } from '../api';
import type { BalanceReply, ProposalReply, SelectionState, ShortlistReply } from '../../../core/selection/api';
import type { PublicityInput } from '../../../core';

export type { BalanceReply, ProposalReply, SelectionState, ShortlistReply };

const base = (campaignId: string) => `/api/selection/campaigns/${encodeURIComponent(campaignId)}`;

export const getShortlist = (campaignId: string) => api<ShortlistReply>('GET', `${base(campaignId)}/shortlist`);
export const buildShortlist = (campaignId: string) => api<ShortlistReply>('POST', `${base(campaignId)}/shortlist/build`, {});
export const addToShortlist = (campaignId: string, applicationId: string, reason: string) =>
  api<ShortlistReply>('POST', `${base(campaignId)}/shortlist/add`, { applicationId, reason });
export const removeFromShortlist = (campaignId: string, applicationId: string, reason: string) =>
  api<ShortlistReply>('POST', `${base(campaignId)}/shortlist/remove`, { applicationId, reason });
export const markFrontline = (campaignId: string, applicationId: string, frontline: boolean) =>
  api<ShortlistReply>('PUT', `${base(campaignId)}/shortlist/frontline`, { applicationId, frontline });

export const getSelection = (campaignId: string) => api<SelectionState>('GET', base(campaignId));
export const savePick = (campaignId: string, pick: { winners: string[]; nationals: string[]; version: number }) =>
  api<SelectionState>('PUT', `${base(campaignId)}/pick`, pick);
export const proposeSelection = (campaignId: string) => api<ProposalReply>('POST', `${base(campaignId)}/propose`, {});
export const acceptProposal = (campaignId: string, version: number) => api<SelectionState>('POST', `${base(campaignId)}/accept`, { version });
export const confirmSelection = (campaignId: string, version: number) => api<SelectionState>('POST', `${base(campaignId)}/confirm`, { version });
export const reopenSelection = (campaignId: string, version: number, reason: string) =>
  api<SelectionState>('POST', `${base(campaignId)}/reopen`, { version, reason });
export const getBalance = (campaignId: string) => api<BalanceReply>('GET', `${base(campaignId)}/balance`);
export const publishFinal = (campaignId: string, input: PublicityInput) => api<SelectionState>('POST', `${base(campaignId)}/publicity`, input);
export const proposeReplacement = (campaignId: string, applicationId: string) =>
  api<ProposalReply>('POST', `${base(campaignId)}/replacement`, { applicationId });
