// 消息模板与后台任务 (docs/api/messages.md): the organizer's message templates, the background jobs' counts, 失败任务 and
// their re-run, 【重新发送】 of a failed message. The types are core/messages's (type-only here).
import { api } from '../api';
import type { BackgroundSummary, FailedJob, MessageTemplateView, TemplateSave } from '../../../core/messages';

export type { BackgroundSummary, FailedJob, MessageTemplateView, TemplateSave };

const templateUrl = (t: Pick<MessageTemplateView, 'key' | 'channel'>) => `/api/admin/message-templates/${encodeURIComponent(t.key)}/${t.channel}`;

export const listTemplates = () => api<MessageTemplateView[]>('GET', '/api/admin/message-templates');
export const saveTemplate = (t: Pick<MessageTemplateView, 'key' | 'channel'>, body: TemplateSave) => api<MessageTemplateView>('PUT', templateUrl(t), body);
/** 恢复默认 */
export const resetTemplate = (t: Pick<MessageTemplateView, 'key' | 'channel'>) => api<MessageTemplateView>('DELETE', templateUrl(t));
export const getBackground = () => api<BackgroundSummary>('GET', '/api/admin/background');
/** 重新执行 a failed job */
export const retryJob = (id: string) => api<{ message: string }>('POST', `/api/admin/background/jobs/${encodeURIComponent(id)}/retry`, {});
/** 重新发送 a message whose delivery failed */
export const resendMessage = (id: number) => api<{ message: string }>('POST', `/api/admin/outbox/${id}/resend`, {});
