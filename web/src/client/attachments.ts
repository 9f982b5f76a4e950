// Attachments and uploads (docs/API.md "Applicant: 我的申报表"): the URLs pages link to, 删除, the multipart
// upload of scans and the tus endpoint (the tus protocol itself is components/upload/tusUpload.ts).
import { api, upload } from '../api';
import type { Attachment } from '../types';

/** The original as uploaded: always a download; `<video src>` plays it (the server answers Range requests). */
export const originalUrl = (id: string) => `/api/attachments/${id}`;

/** The re-encoded JPEG (no metadata) of an image: the only form of an uploaded image shown inline. */
export const previewUrl = (id: string) => `/api/attachments/${id}/preview`;

/** GET /api/attachments/:id/meta: the attachment as in the lists (whether its preview is there yet). */
export function getAttachmentMeta(id: string): Promise<Attachment> {
  return api<Attachment>('GET', `/api/attachments/${id}/meta`);
}

/** DELETE /api/attachments/:id. */
export function deleteAttachment(id: string): Promise<{ ok: true }> {
  return api<{ ok: true }>('DELETE', `/api/attachments/${id}`);
}

/** POST /api/applications/:id/attachments: one multipart request (field `kind`, then the file), with progress 0–100. */
export function uploadAttachment(applicationId: string, kind: string, file: File, onProgress?: (percent: number) => void): Promise<Attachment> {
  return upload<Attachment>(`/api/applications/${applicationId}/attachments`, { kind }, file, onProgress);
}

/** The tus creation endpoint (POST /api/uploads); each upload then lives at the `Location` it answers. */
export const UPLOAD_PATH = '/api/uploads';

/** POST <upload path>/commit: stores an upload whose bytes had all arrived when storing failed on the server's side. */
export function commitUpload(uploadPath: string): Promise<Attachment> {
  return api<Attachment>('POST', `${uploadPath}/commit`);
}
