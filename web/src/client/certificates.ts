// 证书 and the printable 申请书 (docs/api/certificates.md): the organizer's certificates and seals, the ZIP job, one's
// own certificates, and the 申请书 PDF job. The types are core/certificates's (type-only here).
import { api, upload } from '../api';
import type { CampaignCertificates, CertificateView } from '../../../core/certificates';
import type { JobView } from '../../../core/jobs';

export type { CampaignCertificates, CertificateView };

const base = (campaignId: string) => `/api/certificates/campaigns/${encodeURIComponent(campaignId)}`;

export const getCampaignCertificates = (campaignId: string) => api<CampaignCertificates>('GET', base(campaignId));
export const uploadSeal = (campaignId: string, position: number, file: File, onProgress?: (percent: number) => void) =>
  upload<CampaignCertificates>(`${base(campaignId)}/seals/${position}`, {}, file, onProgress);
export const removeSeal = (campaignId: string, position: number) => api<CampaignCertificates>('DELETE', `${base(campaignId)}/seals/${position}`);
export const startCertificateZip = (campaignId: string) => api<JobView>('POST', `${base(campaignId)}/zip`, {});
export const myCertificates = () => api<CertificateView[]>('GET', '/api/certificates/mine');
export const startApplicationPdf = (applicationId: string) => api<JobView>('POST', '/api/exports/application-pdf', { applicationId });
