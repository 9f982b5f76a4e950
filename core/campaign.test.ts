import { describe, it, expect } from 'vitest';
import { campaignSettingsSchema, defaultCampaignSettings, isWindowOpen, WINDOW_LABELS } from './campaign';

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
