// The routing calls of docs/API.md ("Routing"): transfers and opinions (办理 is openApplication in ./applications).
import { api } from '../api';
import type { PreliminaryResult } from '../../../core/preliminary';
import type { ApplicationDetail } from '../types';

/** Transfers a client may ask for, by their URL name. */
export type TransitionName = 'submit' | 'withdraw' | 'return' | 'withdraw-return' | 'forward' | 'withdraw-forward' | 'org-return' | 'accept';

/** POST /api/applications/:id/transitions/:name; only 提交 takes a body (`unitId`, not after a return). */
export function transition(id: string, name: TransitionName, body?: { unitId?: string }): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', `/api/applications/${id}/transitions/${name}`, body);
}

export type OpinionKind = 'return' | 'recommend' | 'org';

/** PUT /api/applications/:id/opinions/:kind: 修改意见, 推荐单位意见, 自治区科协's opinion for 退回. */
export function saveOpinion(id: string, kind: OpinionKind, text: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('PUT', `/api/applications/${id}/opinions/${kind}`, { text });
}

/** PUT /api/applications/:id/preliminary: the unit's 【保存初评】, 通过 or 不通过 (a reason required for 不通过). */
export function savePreliminary(id: string, body: { result: PreliminaryResult; reason?: string | null }): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('PUT', `/api/applications/${id}/preliminary`, body);
}
