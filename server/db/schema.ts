import { sql } from 'drizzle-orm';
import type { EventKind } from '../../core';
import { bigint, bigserial, boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** core/pinyin pinyinSortKey(name), compared with collate "C": 查询申报表's 推荐单位 sort (null until the start-up backfill) */
    nameSort: text('name_sort'),
    type: text('type').notNull(),
    region: text('region').notNull(),
    contactName: text('contact_name').notNull(),
    contactPhone: text('contact_phone').notNull(),
    /** pending | active | refused | disabled (core/codes UNIT_STATUSES) */
    status: text('status').notNull().default('pending'),
    refusedReason: text('refused_reason'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('units_name_key').on(t.name)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** stored lower-case; log-in is case-insensitive */
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull(),
    realName: text('real_name').notNull(),
    mobile: text('mobile'),
    email: text('email'),
    unitId: uuid('unit_id').references(() => units.id),
    disabled: boolean('disabled').notNull().default(false),
    /** set for accounts created with an initial password sent to them (评审专家): log-in leads to the change first */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** set for accounts that log in through 使用合作网站登录 (OpenID Connect) */
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    /** TOTP (an authenticator app): the secret, encrypted by the field cipher; set at enrolment, before confirmation */
    totpSecret: text('totp_secret'),
    /** when the user confirmed TOTP with a first code; null: not enrolled */
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** the last TOTP time step accepted: a code is good once */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_username_key').on(t.username),
    index('users_unit_idx').on(t.unitId),
    uniqueIndex('users_oidc_key')
      .on(t.oidcIssuer, t.oidcSubject)
      .where(sql`oidc_subject is not null`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the cookie token: a database leak does not hand out live sessions */
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /**
     * full: signed in | mfa: the password was right, the TOTP code (or a recovery code) is owed |
     * enroll: the role requires TOTP and the user has none yet: only enrolment is open
     */
    stage: text('stage').notNull().default('full'),
    /** when the second factor was given in this session */
    mfaAt: timestamp('mfa_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** TOTP recovery codes: ten at enrolment (or when renewed), each usable once, only their hashes kept. */
export const totpRecoveryCodes = pgTable(
  'totp_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('totp_recovery_codes_user_idx').on(t.userId)],
);

/**
 * Rate-limit counters (log-in, registration, 找回) shared by every app instance: one row per route and client,
 * counting requests in a fixed window that starts with the first one (server/rate-limit-store.ts).
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
});

/**
 * Failed log-ins per (user name, address) — the lockout (usecases/accounts.ts#authenticate, docs/SECURITY.md).
 * `account` is a hash of the user name as typed (lower-case, trimmed), whether or not such a user exists:
 * unknown names are counted and locked exactly like real ones, so the answers tell nothing, and a password
 * typed into the name field is not kept. A fixed window of lockoutMinutes starts with the first failure;
 * `locked_until` is set at the lockoutThreshold-th. The sum over a name's addresses decides whether its
 * owner must also give a code sent to the registered mobile.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    account: text('account').notNull(),
    ip: text('ip').notNull(),
    failures: integer('failures').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.account, t.ip] }), index('login_failures_window_idx').on(t.windowStart)],
);

export const captchas = pgTable('captchas', {
  id: uuid('id').primaryKey().defaultRandom(),
  answerHash: text('answer_hash').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    /** recover (找回) | login (the code asked at log-in when a name is under attack); each works only for its purpose */
    purpose: text('purpose').notNull().default('recover'),
    channel: text('channel').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** Every message the platform sends. The default sender only writes here; a real SMS/e-mail sender also does. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').notNull(),
    recipient: text('recipient').notNull(),
    userId: uuid('user_id'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    /** the message_templates key it was made from, when it was */
    template: text('template'),
    /** recorded (outbox only, no sender configured) | queued | sent | failed (after the job's last attempt) */
    status: text('status').notNull().default('recorded'),
    /** which sender delivered it: aliyun-sms | tencent-sms | smtp */
    provider: text('provider'),
    /** the provider's id of the message (BizId, SerialNo, SMTP message id) */
    providerMessageId: text('provider_message_id'),
    attempts: integer('attempts').notNull().default(0),
    /** the last delivery error, in plain words */
    error: text('error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('outbox_created_idx').on(t.createdAt), index('outbox_status_idx').on(t.status)],
);

/**
 * The message texts the organizer may edit, one row per key and channel; a key without a row uses the text
 * built into the code. `{name}` placeholders are filled when a message is made.
 */
export const messageTemplates = pgTable(
  'message_templates',
  {
    key: text('key').notNull(),
    /** sms | email */
    channel: text('channel').notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    /** the SMS provider's template code (阿里云 TemplateCode, 腾讯云 TemplateId), when the provider needs one */
    providerTemplate: text('provider_template'),
    updatedBy: uuid('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.key, t.channel] })],
);

export const programs = pgTable(
  'programs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('programs_code_key').on(t.code)],
);

export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    programId: uuid('program_id')
      .notNull()
      .references(() => programs.id),
    year: integer('year').notNull(),
    title: text('title').notNull(),
    settings: jsonb('settings').notNull(),
    /** next application sequence number; only ever incremented, so numbers are never reused */
    nextSeq: integer('next_seq').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('campaigns_program_year_key').on(t.programId, t.year)],
);

export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** the campaign's 年度, copied at creation (a campaign's year never changes): 查询 sorts and filters on it without a join */
    year: integer('year').notNull(),
    number: text('number').notNull(),
    /** the sequence part of the number, for sorting 申请书编号从高到低 numerically */
    seq: integer('seq').notNull().default(0),
    applicantId: uuid('applicant_id')
      .notNull()
      .references(() => users.id),
    /** core/status APPLICATION_STATUSES */
    status: text('status').notNull().default('applicant'),
    /** the 推荐单位 it was (last) submitted to */
    unitId: uuid('unit_id').references(() => units.id),
    /** the 申请书 content without the 身份证号码, which lives encrypted in id_enc */
    form: jsonb('form').notNull().default({}),
    idEnc: text('id_enc'),
    /** keyed hash of the 身份证号码: finds the one live application per person without decrypting */
    idHash: text('id_hash'),
    applicantName: text('applicant_name').notNull().default(''),
    workUnit: text('work_unit').notNull().default(''),
    /** core/pinyin pinyinSortKey(work_unit), compared with collate "C": 查询申报表's 工作单位 sort (null until the start-up backfill) */
    workUnitSort: text('work_unit_sort'),
    mobile: text('mobile').notNull().default(''),
    pledgedAt: timestamp('pledged_at', { withTimezone: true }),
    /** 修改意见 of the unit (sent with 退回) */
    returnOpinion: text('return_opinion'),
    /** 推荐单位意见 (sent with 提交 to 自治区科协) */
    unitOpinion: text('unit_opinion'),
    /** 自治区科协's opinion (sent with 退回 to the unit) */
    orgOpinion: text('org_opinion'),
    /** the unit's 初评: core PRELIMINARY_RESULTS (pass | fail), null until recorded; never shown to the applicant */
    preliminaryResult: text('preliminary_result'),
    /** 初评 reason: required for 不通过 */
    preliminaryReason: text('preliminary_reason'),
    /** who recorded the 初评 last, and when (the name as it was: the unit's, then the account's) */
    preliminaryBy: uuid('preliminary_by'),
    preliminaryByName: text('preliminary_by_name'),
    preliminaryAt: timestamp('preliminary_at', { withTimezone: true }),
    /** set when the current receiver opens it; cleared on every transfer */
    viewedAt: timestamp('viewed_at', { withTimezone: true }),
    viewedBy: uuid('viewed_by'),
    transferredAt: timestamp('transferred_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('applications_number_key').on(t.number),
    uniqueIndex('applications_live_person_key')
      .on(t.campaignId, t.idHash)
      .where(sql`deleted_at is null and id_hash is not null`),
    uniqueIndex('applications_live_applicant_key')
      .on(t.campaignId, t.applicantId)
      .where(sql`deleted_at is null`),
    index('applications_unit_idx').on(t.unitId, t.status),
    index('applications_campaign_seq_idx').on(t.campaignId, t.seq),
    index('applications_status_idx').on(t.status, t.seq),
    index('applications_applicant_idx').on(t.applicantId),
    // 查询申报表: the default sort 申请书编号从高到低 (year desc, seq desc) walks this index backwards and stops after one page
    index('applications_year_seq_idx')
      .on(t.year, t.seq)
      .where(sql`deleted_at is null`),
    // the organizer's total: an index-only count of what is not a draft
    index('applications_visible_idx')
      .on(t.year, t.status)
      .where(sql`deleted_at is null and status <> 'applicant'`),
    // 工作单位 and keyword filters are substring searches (ILIKE '%…%'): trigram indexes serve them
    index('applications_work_unit_trgm_idx').using('gin', t.workUnit.op('gin_trgm_ops')),
    index('applications_name_trgm_idx').using('gin', t.applicantName.op('gin_trgm_ops')),
    index('applications_number_trgm_idx').using('gin', t.number.op('gin_trgm_ops')),
  ],
);

/** 流程情况: every transfer (from, to, action, who, when, opinion), written in the transition's transaction. */
export const applicationEvents = pgTable(
  'application_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    /** core's EventKind: a workflow action or 'create' */
    action: text('action').$type<EventKind>().notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorId: uuid('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    opinion: text('opinion'),
    /** who sent and who received, by name as they were at the time: 流程情况 stays true after renames */
    fromName: text('from_name').notNull().default(''),
    toName: text('to_name').notNull().default(''),
    actorName: text('actor_name').notNull().default(''),
    snapshotId: bigint('snapshot_id', { mode: 'number' }),
    at: createdAt(),
  },
  (t) => [index('application_events_app_idx').on(t.applicationId, t.at)],
);

/** The content as it was at a submission, so a unit can see what changed after a return. */
export const applicationSnapshots = pgTable(
  'application_snapshots',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    content: jsonb('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('application_snapshots_app_idx').on(t.applicationId)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    kind: text('kind').notNull(),
    /** the user's file name, shown and used for downloads; never used on the file system */
    name: text('name').notNull(),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    uploadedBy: uuid('uploaded_by').notNull(),
    /** photos: the stable 序号 of 姓名+序号.jpg, never reused within the application (deleting 张三2 leaves 张三3 as it is) */
    seq: integer('seq'),
    /** images: pixel size from the header; videos: the display size (after the track's rotation) */
    width: integer('width'),
    height: integer('height'),
    durationMs: integer('duration_ms'),
    /** a re-encoded JPEG without metadata, for thumbnails and the 附件 viewer; the original is only ever downloaded */
    previewKey: text('preview_key'),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('attachments_app_idx').on(t.applicationId, t.kind),
    uniqueIndex('attachments_photo_seq_key')
      .on(t.applicationId, t.kind, t.seq)
      .where(sql`seq is not null`),
  ],
);

/**
 * A resumable (tus) upload in progress: who may continue it and where it will go. The bytes live in
 * DATA_DIR/uploads under the generated id until the file is complete, checked and moved into storage.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    kind: text('kind').notNull(),
    /** the user's file name (cleaned); never used on the file system */
    name: text('name').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** bytes received so far (the sum of upload_parts' sizes): the tus Upload-Offset, shared by every instance */
    receivedBytes: bigint('received_bytes', { mode: 'number' }).notNull().default(0),
    /** the instance whose PATCH holds this upload, until locked_until (a lease; a killed instance's runs out) */
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('uploads_created_idx').on(t.createdAt)],
);

/** The stored pieces of a resumable upload, in shared storage, so a PATCH may land on any instance. */
export const uploadParts = pgTable(
  'upload_parts',
  {
    uploadId: text('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    /** the byte offset of this part in the file */
    start: bigint('start', { mode: 'number' }).notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.start] })],
);

/** Who did and saw what. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    detail: jsonb('detail'),
    at: createdAt(),
    /** the hash chain: hash = sha256(prev_hash ‖ this row's canonical content); null only for rows not yet chained */
    prevHash: text('prev_hash'),
    hash: text('hash'),
    /** the row's place in the chain (1, 2, …: the order the chainer linked rows in, not the ids'); null until chained */
    seq: bigint('seq', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('audit_log_seq_idx').on(t.seq),
    index('audit_log_unchained_idx')
      .on(t.id)
      .where(sql`seq is null`),
    index('audit_log_target_idx').on(t.targetType, t.targetId),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
  ],
);

/** Every unit an application was ever submitted to: what 查询申报表 shows a unit. */
export const applicationUnits = pgTable(
  'application_units',
  {
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    firstAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.unitId] }), index('application_units_unit_idx').on(t.unitId, t.applicationId)],
);

/** In-app messages: to a user, to every account of a unit, or to every organizer. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id'),
    unitId: uuid('unit_id'),
    role: text('role'),
    applicationId: uuid('application_id'),
    body: text('body').notNull(),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt), index('notifications_unit_idx').on(t.unitId, t.createdAt)],
);

/**
 * A 公示 (public notice) of candidates: a unit's 初评公示 (scope 'preliminary', unit_id set), or 自治区科协's final
 * 公示 (scope 'final', issue 14). The row holds the current version; every publish, correction and withdrawal also
 * writes the whole notice as it then was to publicity_versions. The period is inclusive, in dates of Beijing time.
 */
export const publicities = pgTable(
  'publicities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** preliminary (a unit's 初评公示) | final (自治区科协's, issue 14) */
    scope: text('scope').notNull(),
    /** the owning unit for scope 'preliminary'; null for the organizer's */
    unitId: uuid('unit_id').references(() => units.id),
    title: text('title').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    contactName: text('contact_name').notNull(),
    contactPhone: text('contact_phone').notNull(),
    /** how to object (受理异议的方式), shown on the public page */
    objectionMethod: text('objection_method').notNull(),
    /** published | withdrawn */
    status: text('status').notNull().default('published'),
    /** the current version's number (1 at first publication) */
    version: integer('version').notNull().default(1),
    withdrawnReason: text('withdrawn_reason'),
    createdBy: uuid('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('publicities_campaign_idx').on(t.campaignId, t.status), index('publicities_unit_idx').on(t.unitId)],
);

/**
 * The candidates of a 公示's current version, with only the public fields: 姓名, 工作单位, 专业技术职务, 推荐领域 and
 * the unit's short 事迹简介, copied at publication (the public page never reads the 申请书).
 */
export const publicityEntries = pgTable(
  'publicity_entries',
  {
    publicityId: uuid('publicity_id')
      .notNull()
      .references(() => publicities.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    workUnit: text('work_unit').notNull(),
    jobTitle: text('job_title').notNull(),
    field: text('field').notNull(),
    summary: text('summary').notNull(),
  },
  (t) => [primaryKey({ columns: [t.publicityId, t.applicationId] }), index('publicity_entries_app_idx').on(t.applicationId)],
);

/** Every version of a 公示 as it was published, corrected or withdrawn: the header and its entries, whole. */
export const publicityVersions = pgTable(
  'publicity_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    publicityId: uuid('publicity_id')
      .notNull()
      .references(() => publicities.id),
    version: integer('version').notNull(),
    /** publish | correct | withdraw */
    action: text('action').notNull(),
    content: jsonb('content').notNull(),
    actorId: uuid('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    at: createdAt(),
  },
  (t) => [uniqueIndex('publicity_versions_key').on(t.publicityId, t.version)],
);

/**
 * A real-name 异议 about one candidate of a 公示, sent from the public page (mobile checked by an SMS code). The
 * owner of the 公示 records 核实情况 and the conclusion; the objector is told the conclusion by SMS.
 */
export const objections = pgTable(
  'objections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    publicityId: uuid('publicity_id')
      .notNull()
      .references(() => publicities.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    name: text('name').notNull(),
    mobile: text('mobile').notNull(),
    content: text('content').notNull(),
    /** open | upheld (异议成立) | rejected (异议不成立) */
    status: text('status').notNull().default('open'),
    /** 核实情况 */
    finding: text('finding'),
    decidedBy: uuid('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (t) => [index('objections_publicity_idx').on(t.publicityId, t.status), index('objections_app_idx').on(t.applicationId, t.status)],
);

/** Evidence sent with an 异议 (PDF/JPEG/PNG, checked by content like every upload). */
export const objectionFiles = pgTable(
  'objection_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    objectionId: uuid('objection_id')
      .notNull()
      .references(() => objections.id),
    name: text('name').notNull(),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('objection_files_objection_idx').on(t.objectionId)],
);

/**
 * SMS codes for people without an account (the 异议 form's 手机 check): by number and purpose, single use,
 * limited attempts, stored hashed like recovery_codes.
 */
export const phoneCodes = pgTable(
  'phone_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mobile: text('mobile').notNull(),
    /** objection */
    purpose: text('purpose').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('phone_codes_mobile_idx').on(t.mobile, t.purpose, t.createdAt)],
);

/**
 * A 评审专家's profile beside the account (users.role 'expert'): what 回避 compares. work_unit_norm is core/review
 * recusal's normalised 工作单位; id_hash the keyed hash of the 身份证号码 when the organizer recorded one.
 */
export const expertProfiles = pgTable(
  'expert_profiles',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id),
    workUnit: text('work_unit').notNull(),
    workUnitNorm: text('work_unit_norm').notNull(),
    /** 专业领域 */
    field: text('field').notNull(),
    idHash: text('id_hash'),
    createdAt: createdAt(),
  },
  (t) => [index('expert_profiles_work_unit_idx').on(t.workUnitNorm)],
);

/** 评审组: a campaign's group of experts, for example by 推荐领域 (field: a core 推荐领域 code, or null for mixed). */
export const expertGroups = pgTable(
  'expert_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    name: text('name').notNull(),
    field: text('field'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('expert_groups_name_key').on(t.campaignId, t.name)],
);

export const expertGroupMembers = pgTable(
  'expert_group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => expertGroups.id, { onDelete: 'cascade' }),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.expertId] }), index('expert_group_members_expert_idx').on(t.expertId)],
);

/**
 * 网上评选 assignment: expert → candidate (an accepted application). The expert's query scope is these rows minus
 * review_conflicts; automatic 回避 (core/review recusal: 本人, 同单位) keeps a pair from ever being assigned.
 */
export const reviewAssignments = pgTable(
  'review_assignments',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    /** the 评审组 it came from (whole-group review), null for a balanced plan or a single reassignment */
    groupId: uuid('group_id'),
    assignedBy: uuid('assigned_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.applicationId, t.expertId] }),
    index('review_assignments_expert_idx').on(t.expertId, t.campaignId),
    index('review_assignments_campaign_idx').on(t.campaignId),
  ],
);

/**
 * 申报回避: a declared conflict for (expert, candidate), by the expert (with a reason) or recorded by the organizer.
 * A pair here is out of the expert's scope whether or not it is assigned.
 */
export const reviewConflicts = pgTable(
  'review_conflicts',
  {
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    reason: text('reason').notNull(),
    /** expert | organizer */
    declaredBy: text('declared_by').notNull(),
    actorId: uuid('actor_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.expertId, t.applicationId] }), index('review_conflicts_app_idx').on(t.applicationId)],
);

/**
 * One score sheet per (expert, candidate), enforced here. scores: criterion key → number (tenths); gates: gate key →
 * boolean; total = the sum of the scores, numeric(4,1) so the database ranks exactly. saved → submitted; a submitted
 * sheet changes only through 退回重评 (back to saved, recorded in score_sheet_changes).
 */
export const scoreSheets = pgTable(
  'score_sheets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    /** saved | submitted */
    status: text('status').notNull().default('saved'),
    scores: jsonb('scores').notNull().default({}),
    gates: jsonb('gates').notNull().default({}),
    total: numeric('total', { precision: 4, scale: 1 }),
    comment: text('comment'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('score_sheets_pair_key').on(t.applicationId, t.expertId),
    index('score_sheets_expert_idx').on(t.expertId, t.campaignId),
    index('score_sheets_campaign_idx').on(t.campaignId, t.status),
  ],
);

/** Every change to a sheet: who, when, what it was and what it became (save, submit, 退回重评 with its reason, reset). */
export const scoreSheetChanges = pgTable(
  'score_sheet_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sheetId: uuid('sheet_id')
      .notNull()
      .references(() => scoreSheets.id),
    /** save | submit | reopen (退回重评) | reset */
    action: text('action').notNull(),
    actorId: uuid('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    reason: text('reason'),
    at: createdAt(),
  },
  (t) => [
    index('score_sheet_changes_sheet_idx').on(t.sheetId, t.at),
    // a sheet's latest 退回重评 or 提交 (the pending reopen reason, review-sheets.ts) without its many 保存 rows: the
    // expert's list asks it of every 已保存 sheet (bench:review after its 【保存】 run: 18 ms a list without it)
    index('score_sheet_changes_reopen_submit_idx')
      .on(t.sheetId, t.id)
      .where(sql`${t.action} in ('reopen', 'submit')`),
  ],
);

/** 催办 sent to experts with unfinished sheets: by hand, or once automatically before the window closes (key 'auto:<window end>'). */
export const reviewReminders = pgTable(
  'review_reminders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** manual | auto */
    kind: text('kind').notNull(),
    /** for auto reminders: unique per campaign and window, so each is sent once even with several app instances */
    dedupeKey: text('dedupe_key'),
    sentBy: uuid('sent_by'),
    experts: integer('experts').notNull(),
    at: createdAt(),
  },
  (t) => [
    index('review_reminders_campaign_idx').on(t.campaignId, t.at),
    uniqueIndex('review_reminders_dedupe_key')
      .on(t.campaignId, t.dedupeKey)
      .where(sql`dedupe_key is not null`),
  ],
);

// ───────────────────────── 集中评选 and the final selection (issue 14) ─────────────────────────

/**
 * 入围名单: the candidates taken into 集中评选, built from the 网上评选 ranking (top N, campaign setting) and changed
 * by hand with a recorded reason (shortlist_changes). `online` is the ranking as it stood when the entry was made
 * ({ rank, tied, figure, by }), so the meeting's ballots and the selection show the same figures however the sheets
 * move later. `frontline` (基层一线) is marked by the organizer: the 申请书 has no such field.
 */
export const shortlistEntries = pgTable(
  'shortlist_entries',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    /** ranking | manual */
    origin: text('origin').notNull(),
    online: jsonb('online'),
    frontline: boolean('frontline').notNull().default(false),
    addedBy: uuid('added_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.applicationId] })],
);

/** Every change to the 入围名单: build (from the ranking), add, remove, mark (基层一线), each with its reason and actor. */
export const shortlistChanges = pgTable(
  'shortlist_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** null for 'build' */
    applicationId: uuid('application_id').references(() => applications.id),
    /** build | add | remove | mark */
    action: text('action').notNull(),
    reason: text('reason'),
    detail: jsonb('detail'),
    actorId: uuid('actor_id').notNull(),
    at: createdAt(),
  },
  (t) => [index('shortlist_changes_campaign_idx').on(t.campaignId, t.at)],
);

/** The 集中评选 meeting of a campaign (one per campaign): open → closed. */
export const meetings = pgTable(
  'meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** open | closed */
    status: text('status').notNull().default('open'),
    /** the experts of the panel (user ids): only they may 签到 and vote */
    panel: jsonb('panel').notNull().default([]),
    openedBy: uuid('opened_by').notNull(),
    openedAt: createdAt(),
    closedBy: uuid('closed_by'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('meetings_campaign_key').on(t.campaignId)],
);

/** 签到: an expert of the panel present at the meeting. The experts present are the quorum. */
export const meetingAttendance = pgTable(
  'meeting_attendance',
  {
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    signedInAt: timestamp('signed_in_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.expertId] })],
);

/**
 * A 轮次 of the meeting: its candidates (meeting_round_candidates), the questions asked (['win', 'national'] or one
 * of them in a further round), the places it fills, and, once closed, the quorum and threshold applied and the result
 * (jsonb: per candidate and question the counts and whether it passed; who is elected; the ties left for a further
 * round). At most one open round per meeting, enforced here. Closing is atomic with the ballots (row lock).
 */
export const meetingRounds = pgTable(
  'meeting_rounds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    number: integer('number').notNull(),
    /** main | tiebreak | fill */
    purpose: text('purpose').notNull().default('main'),
    questions: jsonb('questions').notNull(),
    placesWin: integer('places_win').notNull(),
    placesNational: integer('places_national').notNull(),
    /** open | closed */
    status: text('status').notNull().default('open'),
    present: integer('present'),
    threshold: integer('threshold'),
    result: jsonb('result'),
    openedBy: uuid('opened_by').notNull(),
    openedAt: createdAt(),
    closedBy: uuid('closed_by'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('meeting_rounds_number_key').on(t.meetingId, t.number),
    uniqueIndex('meeting_rounds_one_open')
      .on(t.meetingId)
      .where(sql`status = 'open'`),
  ],
);

export const meetingRoundCandidates = pgTable(
  'meeting_round_candidates',
  {
    roundId: uuid('round_id')
      .notNull()
      .references(() => meetingRounds.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.applicationId] })],
);

/** One ballot per (expert, round), enforced here: draft until 【提交选票】, then immutable. */
export const ballots = pgTable(
  'ballots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => meetingRounds.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    /** draft | submitted */
    status: text('status').notNull().default('draft'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('ballots_round_expert_key').on(t.roundId, t.expertId)],
);

/** A ballot's vote on one candidate and question: win (当选) | national (推荐为全国人选); yes | no | abstain. */
export const ballotVotes = pgTable(
  'ballot_votes',
  {
    ballotId: uuid('ballot_id')
      .notNull()
      .references(() => ballots.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    question: text('question').notNull(),
    choice: text('choice').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ballotId, t.applicationId, t.question] })],
);

/**
 * 最终评选结果: the organizer's current pick (winners, and the national recommendees among them) and whether it is
 * confirmed. Every pick, solver proposal (its input and output), acceptance, confirmation and replacement is in
 * selection_events, so the result can be reproduced.
 */
export const selections = pgTable('selections', {
  campaignId: uuid('campaign_id')
    .primaryKey()
    .references(() => campaigns.id),
  /** draft | confirmed */
  status: text('status').notNull().default('draft'),
  winners: jsonb('winners').notNull().default([]),
  nationals: jsonb('nationals').notNull().default([]),
  version: integer('version').notNull().default(1),
  updatedBy: uuid('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  confirmedBy: uuid('confirmed_by'),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
});

export const selectionEvents = pgTable(
  'selection_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    /** pick | propose | accept | confirm | reopen | replace */
    action: text('action').notNull(),
    input: jsonb('input'),
    output: jsonb('output'),
    reason: text('reason'),
    actorId: uuid('actor_id').notNull(),
    at: createdAt(),
  },
  (t) => [index('selection_events_campaign_idx').on(t.campaignId, t.at)],
);

// ——— Issue 15: 发布, public pages, certificates, exports ———

/**
 * Work that runs off the request path (exports, certificate ZIPs, a scheduled 发布): a row the browser follows by id.
 * A runner claims a queued row whose run_at has come (`for update skip locked`, a lease in locked_until), so on
 * PostgreSQL with several instances each job runs once; a lease that ran out (a killed process) is claimed again.
 * What it produces is stored like an upload (result_key in storage) and downloaded with the same checks.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** what to run: a key of server/jobs/kinds.ts */
    kind: text('kind').notNull(),
    campaignId: uuid('campaign_id').references(() => campaigns.id),
    /** who asked for it (null for the platform's own, e.g. a scheduled 发布); only they (and the organizer) see it */
    ownerId: uuid('owner_id').references(() => users.id),
    /** the unit whose data it may read, when a unit asked: the scope is fixed when the job is made */
    unitId: uuid('unit_id').references(() => units.id),
    params: jsonb('params').notNull().default({}),
    /** queued | running | done | failed | cancelled */
    status: text('status').notNull().default('queued'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    resultKey: text('result_key'),
    resultName: text('result_name'),
    resultType: text('result_type'),
    resultSize: bigint('result_size', { mode: 'number' }),
    /** a failure's message in Chinese, shown to the user */
    error: text('error'),
    /** at most one live job per key (e.g. `publish:<campaign>`): a second request finds the first */
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_queue_idx').on(t.status, t.runAt),
    index('jobs_owner_idx').on(t.ownerId, t.createdAt),
    uniqueIndex('jobs_dedupe_key')
      .on(t.dedupeKey)
      .where(sql`dedupe_key is not null and status in ('queued', 'running')`),
  ],
);

/**
 * 发布: one row per campaign once the organizer publishes or schedules it. status scheduled (at scheduled_at, run
 * by the platform) | published. Until published, applicants and units see 评审中 and nothing of the outcome.
 */
export const publications = pgTable('publications', {
  campaignId: uuid('campaign_id')
    .primaryKey()
    .references(() => campaigns.id),
  status: text('status').notNull(),
  scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  /** who published (or scheduled) it; the scheduled run acts in their name */
  actorId: uuid('actor_id').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A winner's public page: the published fields only, copied from the 申请书 when the profile is made (the public
 * pages never read applications), the organizer's 宣传稿 (edited before publishing, from 主要事迹 and 感人故事),
 * and the attachments chosen for the page. slug is the page's address within the campaign's year.
 */
export const winnerProfiles = pgTable(
  'winner_profiles',
  {
    applicationId: uuid('application_id')
      .primaryKey()
      .references(() => applications.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    slug: text('slug').notNull(),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    workUnit: text('work_unit').notNull(),
    field: text('field').notNull(),
    national: boolean('national').notNull().default(false),
    /** 宣传稿, plain text with blank lines between paragraphs */
    article: text('article').notNull().default(''),
    /** attachment ids (photos, in order; the first is the gallery's picture) and videos shown on the page */
    photoIds: jsonb('photo_ids').notNull().default([]),
    videoIds: jsonb('video_ids').notNull().default([]),
    updatedBy: uuid('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('winner_profiles_slug_key').on(t.campaignId, t.slug), index('winner_profiles_campaign_idx').on(t.campaignId, t.position)],
);

/**
 * 证书: one per winner (kind winner) and one per national recommendee (kind national), numbered at 发布. The PDF is
 * rendered once and stored (storage_key); /verify/<number> shows name, title and year, nothing more.
 */
export const certificates = pgTable(
  'certificates',
  {
    number: text('number').primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    /** winner | national */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    title: text('title').notNull(),
    year: integer('year').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    storageKey: text('storage_key'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('certificates_app_kind_key').on(t.applicationId, t.kind), index('certificates_campaign_idx').on(t.campaignId)],
);

/** The 主办单位's seal images for the certificates (position 0–2, in the order of the 主办单位); absent: left blank for stamping. */
export const campaignSeals = pgTable(
  'campaign_seals',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    position: integer('position').notNull(),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    uploadedBy: uuid('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.position] })],
);
