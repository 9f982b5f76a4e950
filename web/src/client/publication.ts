// 发布 and 宣传稿 (docs/api/publication.md): the organizer's 发布结果 page. The types are core/publication's.
import { api } from '../api';
import type { NextCampaignReply, ProfileDetail, ProfileInput, ProfileSummary, PublicationCampaign, PublicationState } from '../../../core/publication';

export type { NextCampaignReply, ProfileDetail, ProfileInput, ProfileSummary, PublicationCampaign, PublicationState };

const base = (campaignId: string) => `/api/publication/campaigns/${encodeURIComponent(campaignId)}`;

export const listPublicationCampaigns = () => api<PublicationCampaign[]>('GET', '/api/publication/campaigns');
export const getPublication = (campaignId: string) => api<PublicationState>('GET', base(campaignId));
/** 立即发布 (`at` null) or 定时发布 at an ISO instant with its offset. */
export const publishResult = (campaignId: string, at: string | null) => api<PublicationState>('POST', `${base(campaignId)}/publish`, at ? { at } : {});
export const cancelScheduledPublish = (campaignId: string) => api<PublicationState>('POST', `${base(campaignId)}/cancel`, {});
export const getProfile = (applicationId: string) => api<ProfileDetail>('GET', `/api/publication/profiles/${encodeURIComponent(applicationId)}`);
export const saveProfile = (applicationId: string, input: ProfileInput) =>
  api<ProfileDetail>('PUT', `/api/publication/profiles/${encodeURIComponent(applicationId)}`, input);
export const createNextCampaign = (year: number, copyFrom: string) => api<NextCampaignReply>('POST', '/api/admin/campaigns', { year, copyFrom });
