// Per-campaign configuration, so another year or program is data rather than code.
import { z } from 'zod';
import { isValidDate } from './validators';
import { text } from './text';
import { defaultRubric, rubricSchema } from './review/rubric';
import { RANK_FIGURES, type RankFigure } from './review/ranking';
import { defaultSelectionSettings, selectionSettingsSchema } from './selection/types';

export const WINDOW_KEYS = ['apply', 'preliminary', 'online', 'concentrated', 'publicity'] as const;
export type WindowKey = (typeof WINDOW_KEYS)[number];

export const WINDOW_LABELS: Record<WindowKey, string> = {
  apply: '申报',
  preliminary: '初评',
  online: '网上评选',
  concentrated: '集中评选',
  publicity: '宣传学习',
};

const dateSchema = (label: string) =>
  text(label, { required: `请填写${label}，格式为YYYY-MM-DD` }).refine(isValidDate, { message: `${label}不是有效日期，应为YYYY-MM-DD格式，如2023-04-01` });

const windowSchema = (key: WindowKey) => {
  const label = WINDOW_LABELS[key];
  return z
    .object({ start: dateSchema(`${label}开始日期`), end: dateSchema(`${label}结束日期`) }, { error: `请设置${label}时间` })
    .refine((w) => w.start <= w.end, {
      message: `${label}时间的开始日期不能晚于结束日期，请调整`,
      path: ['end'],
    });
};

const int = (label: string, min: number, max?: number) => {
  const range = max === undefined ? `不小于${min}的整数` : `${min}至${max}之间的整数`;
  const s = z
    .number({ error: `${label}应为${range}` })
    .int(`${label}应为${range}`)
    .min(min, `${label}应为${range}`);
  return max === undefined ? s : s.max(max, `${label}应为${range}`);
};

const ratio = (label: string) =>
  z
    .number({ error: `${label}应为0至1之间的小数，如0.1表示10%` })
    .min(0, `${label}应为0至1之间的小数，如0.1表示10%`)
    .max(1, `${label}应为0至1之间的小数，如0.1表示10%`);

const positive = (label: string) => int(label, 1);

export const campaignSettingsSchema = z
  .object({
    windows: z.object({
      apply: windowSchema('apply'),
      preliminary: windowSchema('preliminary'),
      online: windowSchema('online'),
      concentrated: windowSchema('concentrated'),
      publicity: windowSchema('publicity'),
    }),
    publishDate: dateSchema('发布日期'),
    unitQuota: int('每个推荐单位推荐名额', 1, 50),
    winners: int('最终评选人数', 1),
    nationalRecommendees: int('全国“最美科技工作者”推荐人数', 0),
    academicianMaxRatio: ratio('院士比例上限'),
    youthMinRatio: ratio('青年科技工作者比例下限'),
    youthAgeLimit: int('青年科技工作者年龄上限', 1, 100),
    ageReferenceDate: dateSchema('年龄计算基准日期'),
    media: z.object({
      photoMinBytes: positive('照片最小字节数'),
      photoMaxBytes: positive('照片最大字节数'),
      photoMinCount: positive('照片最少张数'),
      photoMaxCount: positive('照片最多张数'),
      videoMaxCount: positive('视频最多个数'),
      videoMaxBytes: positive('视频最大字节数'),
      videoMaxSeconds: positive('视频最长秒数'),
      scanMaxBytes: positive('扫描件最大字节数'),
    }),
    /**
     * 初评: 初评须公示 — 【提交】 to 自治区科协 then also needs the candidate's 初评公示 ended without an open objection
     * (the 'publicityDone' guard). On by default, as the notice requires (三、3 ①: 初评结果经公示无异议后报送).
     */
    preliminary: z.object({ requirePublicity: z.boolean({ error: '初评须公示应为是或否' }) }),
    /**
     * 网上评选 (issue 13, 7.–10.): the 评分标准 (locked once the first sheet is saved, until the review is reset), the
     * balanced plan's defaults k (每位候选人至少评审份数) and L (每位专家最多评审份数), the automatic 催办 this many hours
     * before the 网上评选 window (windows.online) closes (0: none), and the figure that ranks (core/review RANK_FIGURES).
     */
    review: z.object({
      rubric: rubricSchema,
      k: int('每位候选人至少评审份数', 1, 50),
      L: int('每位专家最多评审份数', 1, 1000),
      remindHours: int('截止前自动催办的小时数', 0, 720),
      rankBy: z.enum(RANK_FIGURES, { error: `排名依据应为${RANK_FIGURES.join('、')}之一` }),
    }),
    /** 集中评选 and the final selection (issue 14): core/selection/types selectionSettingsSchema */
    selection: selectionSettingsSchema,
    regulations: text('评选条例', { required: '请填写评选条例（申报人点击【我承诺】前阅读的内容）' })
      .trim()
      .min(1, '请填写评选条例（申报人点击【我承诺】前阅读的内容）')
      .max(20000, '评选条例不能超过20000字'),
  })
  .superRefine((s, ctx) => {
    if (s.nationalRecommendees > s.winners) {
      ctx.addIssue({
        code: 'custom',
        path: ['nationalRecommendees'],
        message: `全国“最美科技工作者”推荐人数（${s.nationalRecommendees}）不能多于最终评选人数（${s.winners}）`,
      });
    }
    if (s.media.photoMinBytes > s.media.photoMaxBytes) {
      ctx.addIssue({ code: 'custom', path: ['media', 'photoMaxBytes'], message: '照片最大字节数不能小于最小字节数' });
    }
    if (s.media.photoMinCount > s.media.photoMaxCount) {
      ctx.addIssue({ code: 'custom', path: ['media', 'photoMaxCount'], message: '照片最多张数不能少于最少张数' });
    }
  });

export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;
export type DateWindow = { start: string; end: string };

/** 活动名称: the same rule in 评选活动设置 (web) and on the server (PUT /api/admin/campaigns/:id). */
export const campaignTitleSchema = text('活动名称').trim().min(4, '活动名称至少4个字').max(100, '活动名称不能超过100字');

const MiB = 1024 * 1024;

export const DEFAULT_REGULATIONS = `“新疆最美科技工作者”评选条例（摘要）

一、评选范围
评选在新疆工作的科技工作者中开展，按照富有先进性、典型性和故事性的原则，兼顾不同类别、不同年龄的科技工作者，注重向基层一线科技工作者倾斜，聚焦青年科技工作者典型。最终评选结果院士比例不超过10%，45岁以下青年科技工作者不少于20%。已获得国家级荣誉表彰、中宣部“最美”系列称号的科技人员原则上不再推荐。往年获评“新疆最美科技工作者”人员不再推荐。

二、评选标准
1.政治过硬。热爱祖国，拥护中国共产党的领导，政治坚定，自觉践行社会主义核心价值观；作风廉洁，遵纪守法；恪守科学道德、树立良好学风；淡泊名利、艰苦奋斗、无私奉献。
2.业绩突出。长期奋战在科研一线，在前沿领域和基础研究、国家重大需求与关键核心技术、经济主战场与成果转化、人民生命健康、服务社会（乡村振兴、共同富裕、公众科学素质提升）等方面作出重要贡献。
3.事迹感人。适合公开宣传，有突出的先进性、代表性和影响力。不包括现役军人、公务员和参照公务员法管理的党政机关现任厅局级以上行政职务者。

三、诚信承诺
本人承诺：所填写的申请书信息及上传的照片、视频和附件材料客观、准确、完整，真实反映本人的工作业绩和先进事迹；材料中不涉及国家秘密、工作秘密、商业秘密等信息；如有不实，本人愿意承担相应责任，并接受取消评选资格等处理。`;

/**
 * 网上评选's defaults: the rubric of 四、评选标准, each candidate read by at least 5 experts (enough for the trimmed
 * mean), at most 30 candidates per expert, 催办 24 hours before the window closes, ranked by the additive estimate
 * (each expert scores a different subset in a balanced plan: it removes the experts' leniency or harshness).
 */
export function defaultReviewSettings(): { rubric: ReturnType<typeof defaultRubric>; k: number; L: number; remindHours: number; rankBy: RankFigure } {
  return { rubric: defaultRubric(), k: 5, L: 30, remindHours: 24, rankBy: 'additive' };
}

/** The 2023 campaign as set out in 新科协发〔2023〕47号, shifted to `year`. */
export function defaultCampaignSettings(year: number): CampaignSettings {
  const d = (mmdd: string) => `${year}-${mmdd}`;
  return {
    windows: {
      apply: { start: d('04-01'), end: d('04-30') },
      preliminary: { start: d('04-01'), end: d('04-30') },
      online: { start: d('05-01'), end: d('05-20') },
      concentrated: { start: d('05-21'), end: d('05-29') },
      publicity: { start: d('06-01'), end: d('12-31') },
    },
    publishDate: d('05-30'),
    unitQuota: 3,
    winners: 20,
    nationalRecommendees: 10,
    academicianMaxRatio: 0.1,
    youthMinRatio: 0.2,
    youthAgeLimit: 45,
    ageReferenceDate: d('05-30'),
    media: {
      photoMinBytes: 2 * MiB,
      photoMaxBytes: 30 * MiB,
      photoMinCount: 1,
      photoMaxCount: 10,
      videoMaxCount: 3,
      videoMaxBytes: 1024 * MiB,
      videoMaxSeconds: 180,
      scanMaxBytes: 20 * MiB,
    },
    preliminary: { requirePublicity: true },
    review: defaultReviewSettings(),
    selection: defaultSelectionSettings(),
    regulations: DEFAULT_REGULATIONS,
  };
}

/** A stored setting that no longer passed the schema and was read as its default instead. */
export interface SettingsProblem {
  /** e.g. "unitQuota", "media.photoMaxBytes", "windows.apply", or "" for the whole settings value */
  path: string;
  /** what the schema says of the stored value, in Chinese */
  message: string;
}

type Shape = Record<string, z.ZodType>;

/** The keys each rule across keys of campaignSettingsSchema (its superRefine) names, and the keys it compares them with. */
const CROSS_KEY_RULES: Record<string, string[]> = {
  nationalRecommendees: ['winners'],
  'media.photoMaxBytes': ['media.photoMinBytes'],
  'media.photoMaxCount': ['media.photoMinCount'],
};

/** Sets `key` ("unitQuota", "media.photoMaxBytes") of `target` to its value in `defaults`. */
function setDefault(target: Record<string, unknown>, defaults: Record<string, unknown>, key: string): void {
  const [top, sub] = key.split('.') as [string, string | undefined];
  const section = target[top];
  if (sub !== undefined && isRecord(section)) target[top] = { ...section, [sub]: (defaults[top] as Record<string, unknown>)[sub] };
  else target[top] = defaults[top];
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const firstMessage = (r: { error?: z.ZodError }) => r.error?.issues[0]?.message ?? '不符合规则';

/**
 * The one reader of a campaign's stored settings (the jsonb of campaigns.settings), whatever they were saved under.
 * A section or key the stored value lacks (saved before it existed: a rubric, 公示, selection constraints) is the
 * default of the campaign's year (defaultCampaignSettings); a stored key that no longer passes the schema (a rule
 * tightened since) is read as its default too and named in `problems`, for the caller to log: the campaign keeps
 * working with the notice's values until the organizer saves 评选活动设置 again. Keys the schema does not know are
 * dropped. Sections that are objects (windows, media) are merged key by key, each window as a whole.
 */
export function readCampaignSettings(stored: unknown, year: number): { settings: CampaignSettings; problems: SettingsProblem[] } {
  const defaults = defaultCampaignSettings(year) as unknown as Record<string, unknown>;
  const problems: SettingsProblem[] = [];
  if (!isRecord(stored)) {
    return { settings: defaultCampaignSettings(year), problems: [{ path: '', message: '活动设置不是对象，已全部使用默认值' }] };
  }
  const merged: Record<string, unknown> = {};
  const shape = campaignSettingsSchema.shape as unknown as Shape;
  for (const [key, schema] of Object.entries(shape)) {
    const value = stored[key];
    if (value === undefined) {
      merged[key] = defaults[key];
    } else if (schema instanceof z.ZodObject) {
      const section: Record<string, unknown> = {};
      const sectionDefaults = defaults[key] as Record<string, unknown>;
      const given = isRecord(value) ? value : {};
      if (!isRecord(value)) problems.push({ path: key, message: '不是对象，已使用默认值' });
      for (const [sub, subSchema] of Object.entries(schema.shape as Shape)) {
        const v = given[sub];
        if (v === undefined) {
          section[sub] = sectionDefaults[sub];
          continue;
        }
        const r = subSchema.safeParse(v);
        if (r.success) section[sub] = r.data;
        else {
          section[sub] = sectionDefaults[sub];
          problems.push({ path: `${key}.${sub}`, message: firstMessage(r) });
        }
      }
      merged[key] = section;
    } else {
      const r = schema.safeParse(value);
      if (r.success) merged[key] = r.data;
      else {
        merged[key] = defaults[key];
        problems.push({ path: key, message: firstMessage(r) });
      }
    }
  }
  // Rules across keys (CROSS_KEY_RULES): the key named and its partners fall back to their defaults together (the
  // defaults agree with each other), then the key's whole section; only if that still fails, everything.
  for (let round = 0; round < 2; round++) {
    const r = campaignSettingsSchema.safeParse(merged);
    if (r.success) return { settings: r.data, problems };
    for (const issue of r.error.issues) {
      const path = issue.path.map(String);
      const top = path[0];
      if (top === undefined || !(top in defaults)) continue;
      const named = path.slice(0, 2).join('.');
      const keys = round === 0 ? [named, ...(CROSS_KEY_RULES[named] ?? [])] : [top];
      for (const k of keys) setDefault(merged, defaults, k);
      problems.push({ path: round === 0 ? named : top, message: issue.message });
    }
  }
  problems.push({ path: '', message: '活动设置不符合规则，已全部使用默认值' });
  return { settings: defaultCampaignSettings(year), problems };
}

/**
 * The refusal of an action outside a window, e.g. "2023年…活动的申报时间为 2023-04-01 至 2023-04-30，当前不在申报时间内，
 * 不能提交" (without `actionLabel`, the text ends at "…时间内").
 */
export function windowRefusal(title: string, key: WindowKey, window: DateWindow, actionLabel?: string): string {
  const label = WINDOW_LABELS[key];
  return `${title}的${label}时间为 ${window.start} 至 ${window.end}，当前不在${label}时间内${actionLabel ? `，不能${actionLabel}` : ''}`;
}

/** Inclusive on both ends; `today` may be a full ISO timestamp, only its date part is used. */
export function isWindowOpen(window: DateWindow, today: string): boolean {
  const day = today.slice(0, 10);
  return window.start <= day && day <= window.end;
}
