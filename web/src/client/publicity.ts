// 公示 and 异议 (docs/API.md "公示 and 异议"): the owner's notices and objections, and the public page's calls.
import type {
  ObjectionDecisionInput,
  ObjectionView,
  PublicIndexReply,
  PublicityCandidate,
  PublicityDetail,
  PublicityInput,
  PublicityView,
  PublicPageReply,
} from '../../../core';
import { api, ApiError, errorFromBody, csrfToken } from '../api';

export function listPublicities(): Promise<PublicityView[]> {
  return api<PublicityView[]>('GET', '/api/publicities');
}

export function listPublicityCandidates(): Promise<PublicityCandidate[]> {
  return api<PublicityCandidate[]>('GET', '/api/publicities/candidates');
}

export function getPublicity(id: string): Promise<PublicityDetail> {
  return api<PublicityDetail>('GET', `/api/publicities/${encodeURIComponent(id)}`);
}

/** 【发布公示】 */
export function createPublicity(body: PublicityInput): Promise<PublicityDetail> {
  return api<PublicityDetail>('POST', '/api/publicities', body);
}

/** 【更正公示】: the whole notice again, a new version. */
export function correctPublicity(id: string, body: PublicityInput): Promise<PublicityDetail> {
  return api<PublicityDetail>('PUT', `/api/publicities/${encodeURIComponent(id)}`, body);
}

/** 【撤回公示】 with a reason. */
export function withdrawPublicity(id: string, reason: string): Promise<PublicityDetail> {
  return api<PublicityDetail>('POST', `/api/publicities/${encodeURIComponent(id)}/withdraw`, { reason });
}

export function listObjections(publicityId?: string): Promise<ObjectionView[]> {
  return api<ObjectionView[]>('GET', `/api/objections${publicityId ? `?publicityId=${encodeURIComponent(publicityId)}` : ''}`);
}

/** 【核实】: 核实情况 and the conclusion. */
export function decideObjection(id: string, body: ObjectionDecisionInput): Promise<ObjectionView> {
  return api<ObjectionView>('PUT', `/api/objections/${encodeURIComponent(id)}/decision`, body);
}

export const objectionFileUrl = (id: string) => `/api/objection-files/${encodeURIComponent(id)}`;

// ---- public ----

export function publicIndex(): Promise<PublicIndexReply> {
  return api<PublicIndexReply>('GET', '/api/public/publicities');
}

export function publicPage(id: string): Promise<PublicPageReply> {
  return api<PublicPageReply>('GET', `/api/public/publicities/${encodeURIComponent(id)}`);
}

/** 获取短信验证码 (the image captcha's answer with it). */
export function requestPhoneCode(mobile: string, captcha: string): Promise<{ message: string }> {
  return api<{ message: string }>('POST', '/api/public/phone-codes', { mobile, captcha });
}

export interface ObjectionForm {
  name: string;
  mobile: string;
  code: string;
  entry: number;
  content: string;
}

/** 提交异议: the form as `data`, then the evidence files, in one multipart request. */
export function submitObjection(publicityId: string, form: ObjectionForm, files: File[]): Promise<{ message: string }> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    body.append('data', JSON.stringify(form));
    for (const f of files) body.append('file', f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/public/publicities/${encodeURIComponent(publicityId)}/objections`);
    xhr.setRequestHeader('x-csrf-token', csrfToken());
    xhr.setRequestHeader('accept', 'application/json');
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as { message: string });
        } catch {
          reject(new ApiError('INTERNAL', '服务器返回的数据无法识别', xhr.status));
        }
      } else reject(errorFromBody(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', '网络连接失败，请检查网络后重试', 0));
    xhr.send(body);
  });
}
