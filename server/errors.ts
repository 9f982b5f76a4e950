/** The one error type of the platform. Use cases throw it; the error handler maps it to HTTP. */
export const ERROR_STATUS = {
  VALIDATION: 400,
  CAPTCHA: 400,
  UNAUTHENTICATED: 401,
  CSRF: 403,
  FORBIDDEN: 403,
  PENDING_APPROVAL: 403,
  /** an account on its initial password (评审专家): only 修改初始密码, 退出 and GET /api/auth/me until it is changed */
  PASSWORD_CHANGE_REQUIRED: 403,
  /** the password was right; the authenticator's code (or a recovery code) is owed: only POST /api/auth/mfa, 退出 and me */
  MFA_REQUIRED: 403,
  /** the role requires two-factor log-in and none is set up: only enrolment, 退出 and me (docs/api/security.md) */
  MFA_ENROLL_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_FILE: 415,
  LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  field: string;
  label: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, fields?: FieldIssue[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = '申请书') => new AppError('NOT_FOUND', `未找到该${what}，可能已被删除或您无权查看`);
