// 审计日志 (issue 16 item 7): the actions' Chinese labels, the search's query and the reply, shared by the server's
// GET /api/admin/audit (docs/api/audit.md) and the organizer's page. Imported as 'core/audit' (not re-exported by
// core/index.ts).
import { z } from 'zod';
import { replyText, text } from './text';

/** Every action the platform records, with what the page shows; an action not listed shows as its code. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  // 查看与下载
  'application.view': '查看申请书',
  'application.pdf': '生成申请书PDF',
  'attachment.download': '下载附件',
  'attachment.infected': '上传文件检出病毒（已拒收）',
  'objection_file.download': '下载异议材料',
  'job.download': '下载导出文件',
  'certificate.download': '下载证书',
  'review.ranking_download': '下载网上评选结果',
  'meeting.result_download': '下载计票结果',
  'export.create': '导出',
  'export.full_id_number': '导出完整身份证号码',
  // 账号与登录
  'account.login': '登录',
  'account.login_failed': '登录失败',
  'account.login_password': '密码验证通过（待两步验证）',
  'account.mfa_failed': '两步验证失败',
  'account.totp_enabled': '启用两步验证',
  'account.totp_disabled': '关闭两步验证',
  'account.totp_recovery_code_used': '使用恢复码',
  'account.totp_recovery_codes_regenerated': '重新生成恢复码',
  'account.session_revoked': '注销会话',
  'account.sessions_revoked': '注销其他会话',
  'admin.sessions_revoked': '管理员注销会话',
  'account.logout': '退出登录',
  'account.login_code_sent': '发送登录验证码',
  'account.register': '注册账号',
  'account.contact': '修改联系方式',
  'account.password_reset': '找回密码',
  'account.password_change': '修改密码',
  'account.initial_password_changed': '修改初始密码',
  'unit.register': '推荐单位注册',
  'unit.create': '新建推荐单位',
  'unit.approve': '推荐单位审核通过',
  'unit.refuse': '推荐单位审核不通过',
  'expert.create': '新建评审专家',
  'expert.import': '导入评审专家',
  'expert.update': '修改评审专家',
  'expert.disable': '停用评审专家',
  'expert.enable': '启用评审专家',
  'expert.password_resend': '重发专家初始密码',
  'expert_group.create': '新建评审组',
  'expert_group.update': '修改评审组',
  'expert_group.delete': '删除评审组',
  'expert_group.add': '评审组添加专家',
  'expert_group.remove': '评审组移除专家',
  // 设置
  'campaign.settings': '修改评选活动设置',
  'campaign.create': '创建评选活动',
  'message_template.save': '修改消息模板',
  'message_template.reset': '恢复默认消息模板',
  'job.retry': '重新运行后台任务',
  'audit.search': '查询审计日志',
  // 申报与公示
  'application.pledge': '签署诚信承诺',
  'publicity.publish': '发布公示',
  'publicity.correct': '更正公示',
  'publicity.withdraw': '撤回公示',
  'objection.decide': '异议核实结论',
  // 网上评选
  'review.assign': '分配评审专家',
  'review.assignment.add': '增加评审分配',
  'review.assignment.remove': '取消评审分配',
  'review.conflict.expert': '专家申报回避',
  'review.conflict.organizer': '设置回避',
  'review.remind': '催办',
  'review.reset': '重置网上评选',
  'review.sheet_save': '保存评分',
  'review.sheet_submit': '提交评分',
  'review.sheet_reopen': '退回重评',
  // 集中评选
  'shortlist.build': '生成入围名单',
  'shortlist.add': '加入入围名单',
  'shortlist.remove': '移出入围名单',
  'meeting.open': '召开集中评选会议',
  'meeting.close': '结束集中评选会议',
  'meeting.round_start': '开始投票',
  'meeting.round_close': '结束本轮投票',
  'meeting.ballot_submit': '提交选票',
  'selection.confirm': '确认评选结果',
  'selection.reopen': '重新调整评选结果',
};

export const auditActionLabel = (action: string) => AUDIT_ACTION_LABELS[action] ?? action;

export const AUDIT_TARGET_LABELS: Record<string, string> = {
  application: '申请书',
  attachment: '附件',
  job: '导出任务',
  certificate: '证书',
  campaign: '评选活动',
  user: '账号',
  unit: '推荐单位',
  expert_group: '评审组',
  meeting: '集中评选会议',
  meeting_round: '投票轮次',
  publicity: '公示',
  objection: '异议',
  objection_file: '异议材料',
  audit_log: '审计日志',
};

export const auditTargetLabel = (type: string | null) => (type ? (AUDIT_TARGET_LABELS[type] ?? type) : '');

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = (label: string, max: number) => z.preprocess(blankToUndefined, text(label).trim().max(max, `${label}不能超过${max}个字`).optional());
/** a day (2026-11-30) or an instant (ISO 8601 with its offset) */
const instant = (label: string) =>
  z.preprocess(
    blankToUndefined,
    text(label)
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/, `${label}应为日期（如 2026-11-30）或带时区的时间`)
      .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00+08:00` : v)), `${label}不是有效的日期`)
      .optional(),
  );

/** GET /api/admin/audit's query: every condition optional; days are Beijing time, `to` includes its whole day */
export const auditQuerySchema = z.object({
  from: instant('开始时间'),
  to: instant('结束时间'),
  actor: optionalText('操作人', 50),
  action: z.preprocess(
    blankToUndefined,
    text('操作类型')
      .trim()
      .max(60, '操作类型不是可选项')
      .regex(/^[a-z_.]+$/, '操作类型不是可选项')
      .optional(),
  ),
  target: optionalText('操作对象', 100),
  ip: optionalText('IP地址', 45),
  page: z.coerce.number({ error: '页码应为正整数' }).int('页码应为正整数').min(1, '页码应为正整数').max(100_000, '页码过大').default(1),
  pageSize: z.coerce
    .number({ error: '每页显示条数应在1至100之间' })
    .int()
    .min(1, '每页显示条数应在1至100之间')
    .max(100, '每页显示条数应在1至100之间')
    .default(20),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export const AUDIT_QUERY_LABELS = {
  from: '开始时间',
  to: '结束时间',
  actor: '操作人',
  action: '操作类型',
  target: '操作对象',
  ip: 'IP地址',
  page: '页码',
  pageSize: '每页条数',
};

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  /** null: the system (a job, the maintenance) */
  actorId: replyText().nullable(),
  actorName: replyText(),
  actorUsername: replyText(),
  actorRole: replyText(),
  action: replyText(),
  actionLabel: replyText(),
  targetType: replyText(),
  targetTypeLabel: replyText(),
  targetId: replyText(),
  /** what the target is, readably (a 申请书's 编号 and 申请人, an account's name, a campaign's title), or "" */
  targetLabel: replyText(),
  ip: replyText(),
  /** the row's details as JSON text, or "" */
  detail: replyText(),
  /** false: not yet linked into the hash chain (the chainer runs every few seconds) */
  chained: z.boolean(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditListSchema = z.object({
  rows: z.array(auditEntrySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** the actions the page's filter offers (value and label) */
  actions: z.array(z.object({ value: replyText(), label: replyText() })),
});
export type AuditList = z.infer<typeof auditListSchema>;
