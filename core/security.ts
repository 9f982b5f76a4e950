// 账号安全 (issue 16 item 7, docs/api/security.md): the bodies and replies of two-factor log-in, enrolment, recovery
// codes and sessions.
import { z } from 'zod';
import { ROLES } from './codes';
import { replyText, text } from './text';
import { sessionUserSchema } from './replies';

const timestamp = () => z.iso.datetime();

/**
 * A code from the authenticator app (6 digits) or a recovery code (10 letters and digits, e.g. k7m2p-x9qra): the
 * second step of log-in, and the confirmation of 关闭两步验证 and 生成新的恢复码.
 */
export const totpCodeSchema = z.object({
  code: text('验证码', { required: '请输入身份验证器中的6位动态验证码，或一个恢复码' })
    .trim()
    .min(1, '请输入身份验证器中的6位动态验证码，或一个恢复码')
    .max(40, '验证码过长：应为6位数字的动态验证码，或形如 k7m2p-x9qra 的恢复码')
    .refine((v) => /^\d{6}$/.test(v) || /^[A-Za-z0-9]{5}[\s-]?[A-Za-z0-9]{5}$/.test(v), {
      message: '验证码格式不正确：应为身份验证器中的6位数字，或形如 k7m2p-x9qra 的恢复码',
    }),
});
export type TotpCodeInput = z.infer<typeof totpCodeSchema>;

/** 开启两步验证's confirmation: a code from the app (6 digits). */
export const totpConfirmSchema = z.object({
  code: text('验证码', { required: '请输入身份验证器中显示的6位数字' })
    .trim()
    .regex(/^\d{6}$/, '验证码应为身份验证器中显示的6位数字'),
});
export type TotpConfirmInput = z.infer<typeof totpConfirmSchema>;

/** 自治区科协: whose sessions (GET /api/admin/sessions?username=). */
export const sessionLookupSchema = z.object({
  username: text('用户名', { required: '请输入要查询的用户名' }).trim().min(1, '请输入要查询的用户名').max(64, '用户名过长'),
});

export const sessionInfoSchema = z.object({
  /** a reference to the session (not its cookie, not its stored id) */
  id: replyText(),
  createdAt: timestamp(),
  lastSeenAt: timestamp(),
  ip: replyText().nullable(),
  userAgent: replyText().nullable(),
  stage: z.enum(['full', 'mfa', 'enroll']),
  /** the session this request came from */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const securityOverviewSchema = z.object({
  totp: z.object({
    enabled: z.boolean(),
    enabledAt: timestamp().nullable(),
    /** the role must use two-factor log-in (MFA_REQUIRED_ROLES): it cannot be switched off */
    required: z.boolean(),
    recoveryCodesLeft: z.number(),
  }),
  sessions: z.array(sessionInfoSchema),
});
export type SecurityOverview = z.infer<typeof securityOverviewSchema>;

export const totpSetupReplySchema = z.object({
  /** base32, for typing into the app when the QR code cannot be scanned */
  secret: replyText(),
  /** otpauth://totp/… */
  uri: replyText(),
  /** the QR code of the URI, a data: URL (PNG) */
  qr: replyText(),
});
export type TotpSetupReply = z.infer<typeof totpSetupReplySchema>;

export const recoveryCodesReplySchema = z.object({ recoveryCodes: z.array(replyText()) });
export type RecoveryCodesReply = z.infer<typeof recoveryCodesReplySchema>;

export const totpEnabledReplySchema = z.object({ recoveryCodes: z.array(replyText()), user: sessionUserSchema });
export type TotpEnabledReply = z.infer<typeof totpEnabledReplySchema>;

export const endedReplySchema = z.object({ ended: z.number() });

export const userSessionsReplySchema = z.object({
  user: z.object({ id: replyText(), username: replyText(), realName: replyText(), role: z.enum(ROLES), totpEnabled: z.boolean() }),
  sessions: z.array(sessionInfoSchema),
});
export type UserSessionsReply = z.infer<typeof userSessionsReplySchema>;
