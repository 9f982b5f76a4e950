import { describe, expect, it } from 'vitest';
import { defaultCampaignSettings } from './campaign';
import { checkScan } from './scans';

const MiB = 1024 * 1024;
const media = defaultCampaignSettings(2023).media;

describe('checkScan: 个人诚信承诺, 所在单位意见, 政审材料, 推荐报告扫描件', () => {
  it('takes PDF, JPEG and PNG up to the scan limit', () => {
    for (const mime of ['application/pdf', 'image/jpeg', 'image/png']) expect(checkScan({ mime }, 20 * MiB, 'integrity_pledge', media)).toEqual([]);
  });

  it('refuses another type, read from the content, naming the kind', () => {
    expect(checkScan({ mime: 'image/webp' }, MiB, 'political_review', media)).toEqual(['政审材料格式为 WEBP，要求 PDF、JPEG 或 PNG（按文件内容识别）']);
    expect(checkScan({ mime: 'video/mp4' }, 100 * MiB, 'recommend_report', media)).toEqual([
      '推荐报告扫描件格式为 MP4，要求 PDF、JPEG 或 PNG（按文件内容识别）',
    ]);
  });

  it('refuses more than the scan limit, saying how to make it smaller', () => {
    expect(checkScan({ mime: 'application/pdf' }, 20 * MiB + 1, 'unit_opinion', media)).toEqual([
      '所在单位意见 20.01 MB，要求不大于 20 MB，请压缩或分页扫描后重新上传',
    ]);
    expect(checkScan({ mime: 'image/png' }, 3 * MiB, 'integrity_pledge', { ...media, scanMaxBytes: 2 * MiB })).toEqual([
      '个人诚信承诺 3 MB，要求不大于 2 MB，请压缩或分页扫描后重新上传',
    ]);
  });
});
