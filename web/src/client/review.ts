// 网上评选 (docs/API.md "网上评选"): the organizer's assignment, 回避登记, progress, 催办, 退回重评 and 重置评审; the expert's list,
// score sheet and 申报回避. The types are core/review's (type-only: no page loads zod for them).
import { api } from '../api';
import type { AssignmentsReply, ConflictsReply, PlanReply, PlanRequest, ProgressReply, ReviewListReply, SheetDetail, SheetReply } from '../../../core/review';

export type { AssignmentsReply, PlanReply, PlanRequest, ProgressReply, ReviewListReply, SheetDetail, SheetReply };

const campaign = (id: string) => `/api/review/campaigns/${encodeURIComponent(id)}`;
const sheet = (applicationId: string) => `/api/review/applications/${encodeURIComponent(applicationId)}/sheet`;

export const previewPlan = (campaignId: string, body: PlanRequest) => api<PlanReply>('POST', `${campaign(campaignId)}/plan/preview`, body);
export const confirmPlan = (campaignId: string, body: PlanRequest) => api<PlanReply>('POST', `${campaign(campaignId)}/plan/confirm`, body);
export const listAssignments = (campaignId: string) => api<AssignmentsReply>('GET', `${campaign(campaignId)}/assignments`);
export const addAssignment = (campaignId: string, body: { applicationId: string; expertId: string }) =>
  api<AssignmentsReply>('POST', `${campaign(campaignId)}/assignments`, body);
export const removeAssignment = (campaignId: string, body: { applicationId: string; expertId: string }) =>
  api<AssignmentsReply>('POST', `${campaign(campaignId)}/assignments/remove`, body);
export const reviewProgress = (campaignId: string) => api<ProgressReply>('GET', `${campaign(campaignId)}/progress`);
export const sendReminders = (campaignId: string) => api<{ experts: number; message: string }>('POST', `${campaign(campaignId)}/reminders`);
export const resetReview = (campaignId: string, reason: string) =>
  api<{ sheets: number; message: string }>('POST', `${campaign(campaignId)}/reset`, { reason });
export const getSheetDetail = (sheetId: string) => api<SheetDetail>('GET', `/api/review/sheets/${encodeURIComponent(sheetId)}`);
export const reopenSheet = (sheetId: string, reason: string) =>
  api<SheetDetail>('POST', `/api/review/sheets/${encodeURIComponent(sheetId)}/reopen`, { reason });

export const myReviews = () => api<ReviewListReply>('GET', '/api/review/mine');
export const getMySheet = (applicationId: string) => api<SheetReply>('GET', sheet(applicationId));
export type SheetValues = { scores: Record<string, number | null>; gates: Record<string, boolean | null>; comment?: string };
export const saveSheet = (applicationId: string, body: SheetValues) => api<SheetReply>('PUT', sheet(applicationId), body);
export const submitSheet = (applicationId: string, body: SheetValues) => api<SheetReply>('POST', `${sheet(applicationId)}/submit`, body);
export const declareRecusal = (applicationId: string, reason: string) =>
  api<ReviewListReply>('POST', `/api/review/applications/${encodeURIComponent(applicationId)}/recusal`, { reason });

export type { ConflictsReply };
export const listConflicts = (campaignId: string) => api<ConflictsReply>('GET', `${campaign(campaignId)}/conflicts`);
export const addConflict = (campaignId: string, body: { expertId: string; applicationId: string; reason: string }) =>
  api<ConflictsReply>('POST', `${campaign(campaignId)}/conflicts`, body);
