import { describe, it, expect } from 'vitest';
import {
  campaignSettingsSchema,
  campaignTitleSchema,
  defaultCampaignSettings,
  isWindowOpen,
  readCampaignSettings,
  windowRefusal,
  WINDOW_LABELS,
} from './campaign';

describe('campaign settings', () => {
  it('defaults follow the 2023 notice and parse with the schema', () => {
    const s = defaultCampaignSettings(2023);
    expect(campaignSettingsSchema.parse(s)).toEqual(s);
    expect(s.windows.apply).toEqual({ start: '2023-04-01', end: '2023-04-30' });
    expect(s.windows.concentrated).toEqual({ start: '2023-05-21', end: '2023-05-29' });
    expect(s.windows.publicity).toEqual({ start: '2023-06-01', end: '2023-12-31' });
    expect(s.publishDate).toBe('2023-05-30');
    expect([s.unitQuota, s.winners, s.nationalRecommendees, s.youthAgeLimit]).toEqual([3, 20, 10, 45]);
    expect(s.media.photoMinBytes).toBe(2 * 1024 * 1024);
    expect(s.media.videoMaxSeconds).toBe(180);
    expect(s.regulations).toContain('不涉及国家秘密、工作秘密、商业秘密');
    expect(s.regulations).toContain('政治过硬');
    expect(defaultCampaignSettings(2024).ageReferenceDate).toBe('2024-05-30');
    expect(Object.values(WINDOW_LABELS)).toEqual(['申报', '初评', '网上评选', '集中评选', '宣传学习']);
  });

  it('refuses a window whose start is after its end, naming the window', () => {
    const s = defaultCampaignSettings(2023);
    s.windows.online = { start: '2023-05-21', end: '2023-05-20' };
    const r = campaignSettingsSchema.safeParse(s);
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
    expect(r.error?.issues[0]?.message).toContain('网上评选');
    expect(r.error?.issues[0]?.path.slice(0, 2)).toEqual(['windows', 'online']);
  });

  it('refuses invalid dates, quotas and ratios', () => {
    const s = defaultCampaignSettings(2023);
    const bad = {
      ...s,
      publishDate: '2023-02-30',
      unitQuota: 51,
      nationalRecommendees: 21,
      academicianMaxRatio: 1.5,
      media: { ...s.media, photoMaxCount: 0 },
    };
    const r = campaignSettingsSchema.safeParse(bad);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['publishDate', 'unitQuota', 'academicianMaxRatio', 'media.photoMaxCount']));
    expect(campaignSettingsSchema.safeParse({ ...s, nationalRecommendees: 21 }).error?.issues[0]?.message).toContain('不能多于');
  });

  it('isWindowOpen is inclusive at both ends', () => {
    const w = { start: '2023-04-01', end: '2023-04-30' };
    expect(isWindowOpen(w, '2023-03-31')).toBe(false);
    expect(isWindowOpen(w, '2023-04-01')).toBe(true);
    expect(isWindowOpen(w, '2023-04-30')).toBe(true);
    expect(isWindowOpen(w, '2023-04-30T23:59:59+08:00')).toBe(true);
    expect(isWindowOpen(w, '2023-05-01')).toBe(false);
  });
});

describe('readCampaignSettings: stored settings through the schema, with the defaults of the year', () => {
  const stored = (settings: unknown) => JSON.parse(JSON.stringify(settings)) as Record<string, unknown>;

  it('reads valid settings as they are, without problems, dropping keys the schema does not know', () => {
    const s = defaultCampaignSettings(2024);
    s.unitQuota = 5;
    s.windows.apply = { start: '2024-03-01', end: '2024-03-31' };
    expect(readCampaignSettings({ ...stored(s), retired: true }, 2024)).toEqual({ settings: s, problems: [] });
  });

  it('fills a missing section and a missing key with the defaults of the campaign year, silently', () => {
    const s = stored(defaultCampaignSettings(2024));
    s.unitQuota = 2;
    delete s.media;
    delete (s.windows as Record<string, unknown>).publicity;
    const { settings, problems } = readCampaignSettings(s, 2024);
    expect(problems).toEqual([]);
    expect(settings.media).toEqual(defaultCampaignSettings(2024).media);
    expect(settings.windows.publicity).toEqual({ start: '2024-06-01', end: '2024-12-31' });
    expect(settings.windows.apply).toEqual({ start: '2024-04-01', end: '2024-04-30' });
    expect(settings.unitQuota).toBe(2);
    const media = stored(defaultCampaignSettings(2024).media);
    delete media.videoMaxSeconds;
    media.scanMaxBytes = 1234567;
    const partial = readCampaignSettings({ ...stored(defaultCampaignSettings(2024)), media }, 2024).settings.media;
    expect(partial).toEqual({ ...defaultCampaignSettings(2024).media, scanMaxBytes: 1234567 });
  });

  it('reads a stored value that no longer passes the schema as its default, and names it', () => {
    const s = stored(defaultCampaignSettings(2023));
    s.unitQuota = 0;
    (s.media as Record<string, unknown>).photoMaxCount = 'ten';
    (s.windows as Record<string, unknown>).online = { start: '2023-05-21', end: '2023-05-20' };
    s.regulations = '';
    const { settings, problems } = readCampaignSettings(s, 2023);
    const d = defaultCampaignSettings(2023);
    expect(settings.unitQuota).toBe(3);
    expect(settings.media.photoMaxCount).toBe(10);
    expect(settings.windows.online).toEqual(d.windows.online);
    expect(settings.regulations).toBe(d.regulations);
    expect(problems.map((p) => p.path)).toEqual(['windows.online', 'unitQuota', 'media.photoMaxCount', 'regulations']);
    expect(problems[0]!.message).toBe('网上评选时间的开始日期不能晚于结束日期，请调整');
    expect(problems[1]!.message).toBe('每个推荐单位推荐名额应为1至50之间的整数');
    expect(campaignSettingsSchema.safeParse(settings).success).toBe(true);
  });

  it('a rule across keys falls back to the defaults of the keys it compares, which agree', () => {
    const s = stored(defaultCampaignSettings(2023));
    s.winners = 5;
    s.nationalRecommendees = 'many';
    (s.media as Record<string, unknown>).photoMinBytes = 40 * 1024 * 1024;
    const { settings, problems } = readCampaignSettings(s, 2023);
    expect([settings.winners, settings.nationalRecommendees]).toEqual([20, 10]);
    expect([settings.media.photoMinBytes, settings.media.photoMaxBytes]).toEqual([2 * 1024 * 1024, 30 * 1024 * 1024]);
    expect(problems.map((p) => p.path)).toEqual(['nationalRecommendees', 'nationalRecommendees', 'media.photoMaxBytes']);
    expect(problems[1]!.message).toBe('全国“最美科技工作者”推荐人数（10）不能多于最终评选人数（5）');
  });

  it('a value that is not an object at all is the defaults, named as such', () => {
    for (const bad of [null, 'x', 42, []]) {
      const { settings, problems } = readCampaignSettings(bad, 2025);
      expect(settings).toEqual(defaultCampaignSettings(2025));
      expect(problems).toEqual([{ path: '', message: '活动设置不是对象，已全部使用默认值' }]);
    }
    const { settings, problems } = readCampaignSettings({ ...stored(defaultCampaignSettings(2025)), media: 'none' }, 2025);
    expect(settings.media).toEqual(defaultCampaignSettings(2025).media);
    expect(problems).toEqual([{ path: 'media', message: '不是对象，已使用默认值' }]);
  });
});

describe('windowRefusal', () => {
  it('writes the refusal of an action outside a window, with or without the action', () => {
    const w = { start: '2023-04-01', end: '2023-04-30' };
    expect(windowRefusal('2023年“新疆最美科技工作者”学习宣传活动', 'apply', w)).toBe(
      '2023年“新疆最美科技工作者”学习宣传活动的申报时间为 2023-04-01 至 2023-04-30，当前不在申报时间内',
    );
    expect(windowRefusal('活动', 'preliminary', w, '提交')).toBe('活动的初评时间为 2023-04-01 至 2023-04-30，当前不在初评时间内，不能提交');
  });
});

describe('campaignTitleSchema', () => {
  it('takes 4 to 100 characters, trimmed', () => {
    expect(campaignTitleSchema.parse('  2024年评选  ')).toBe('2024年评选');
    expect(campaignTitleSchema.safeParse('评选').error?.issues[0]?.message).toBe('活动名称至少4个字');
    expect(campaignTitleSchema.safeParse('名'.repeat(101)).error?.issues[0]?.message).toBe('活动名称不能超过100字');
    expect(campaignTitleSchema.safeParse('活动\u0000名称').success).toBe(false);
  });
});
