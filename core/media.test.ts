import { describe, it, expect } from 'vitest';
import { defaultCampaignSettings } from './campaign';
import {
  checkExtra,
  checkMediaCounts,
  checkPhoto,
  checkVideo,
  formatBytesMB,
  formatDuration,
  formatName,
  isMediaKind,
  maxBytesForKind,
  MEDIA_KINDS,
  mediaAcceptAttribute,
  photoFileName,
  precheckFile,
  uploadChunkBytes,
} from './media';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const media = defaultCampaignSettings(2023).media;
const video = { size: 10 * MiB, mime: 'video/mp4', width: 1920, height: 1080, durationSeconds: 120 };

describe('media kinds', () => {
  it('lists the four kinds with their labels and the content types each accepts', () => {
    expect(MEDIA_KINDS.map((k) => [k.kind, k.label, [...k.accept]])).toEqual([
      ['photo', '照片', ['image/jpeg']],
      ['video', '视频', ['video/mp4', 'video/quicktime']],
      ['deeds_extra', '主要事迹补充材料', ['image/jpeg', 'image/png', 'application/pdf', 'video/mp4', 'video/quicktime']],
      ['story_extra', '感人故事补充材料', ['image/jpeg', 'image/png', 'application/pdf', 'video/mp4', 'video/quicktime']],
    ]);
    expect(isMediaKind('photo')).toBe(true);
    expect(isMediaKind('integrity_pledge')).toBe(false);
    expect(mediaAcceptAttribute('video')).toBe('video/mp4,video/quicktime,.mp4,.mov');
  });

  it('names formats as users know them', () => {
    expect(['image/jpeg', 'image/png', 'application/pdf', 'video/mp4', 'video/quicktime', 'image/heic', 'image/x-icon'].map(formatName)).toEqual([
      'JPEG',
      'PNG',
      'PDF',
      'MP4',
      'MOV',
      'HEIC',
      'ICON',
    ]);
  });
});

describe('formatBytesMB', () => {
  it('shows MB (1024×1024 bytes) with one decimal, whole numbers without ".0"', () => {
    expect(formatBytesMB(1.4 * MiB)).toBe('1.4 MB');
    expect(formatBytesMB(2 * MiB)).toBe('2 MB');
    expect(formatBytesMB(30 * MiB)).toBe('30 MB');
    expect(formatBytesMB(31.2 * MiB)).toBe('31.2 MB');
    expect(formatBytesMB(MiB)).toBe('1 MB');
    expect(formatBytesMB(9.96 * MiB)).toBe('10 MB');
  });

  it('shows GB from 1024 MB, and KB under 1 MB', () => {
    expect(formatBytesMB(GiB)).toBe('1 GB');
    expect(formatBytesMB(1.2 * GiB)).toBe('1.2 GB');
    expect(formatBytesMB(1023.96 * MiB)).toBe('1 GB');
    expect(formatBytesMB(1023.9 * MiB)).toBe('1023.9 MB');
    expect(formatBytesMB(512 * 1024)).toBe('512 KB');
    expect(formatBytesMB(MiB - 1)).toBe('1023 KB');
    expect(formatBytesMB(1)).toBe('1 KB');
    expect(formatBytesMB(0)).toBe('0 KB');
  });

  it('never shows a size equal to the limit it breaks: down below it, up above it', () => {
    expect(formatBytesMB(2 * MiB - 1)).toBe('2 MB');
    expect(formatBytesMB(2 * MiB - 1, 2 * MiB)).toBe('1.99 MB');
    expect(formatBytesMB(1.96 * MiB, 2 * MiB)).toBe('1.96 MB');
    expect(formatBytesMB(1.94 * MiB, 2 * MiB)).toBe('1.9 MB');
    expect(formatBytesMB(2 * MiB, 2 * MiB)).toBe('2 MB');
    expect(formatBytesMB(30 * MiB + 1, 30 * MiB)).toBe('30.01 MB');
    expect(formatBytesMB(GiB + 1, GiB)).toBe('1.01 GB');
    expect(formatBytesMB(GiB - 1, GiB)).toBe('0.99 GB');
    expect(formatBytesMB(1.2 * GiB, GiB)).toBe('1.2 GB');
  });
});

describe('formatDuration', () => {
  it('shows minutes and seconds', () => {
    expect(formatDuration(192)).toBe('3分12秒');
    expect(formatDuration(45)).toBe('45秒');
    expect(formatDuration(180)).toBe('3分钟');
    expect(formatDuration(0)).toBe('0秒');
    expect(formatDuration(3600)).toBe('60分钟');
    expect(formatDuration(191.6)).toBe('3分12秒');
  });

  it('never shows a duration equal to the limit it breaks', () => {
    expect(formatDuration(180.02, 180)).toBe('3分0.1秒');
    expect(formatDuration(180.4, 180)).toBe('3分0.4秒');
    expect(formatDuration(180.001, 180)).toBe('3分0.1秒');
    expect(formatDuration(179.6, 180)).toBe('2分59.6秒');
    expect(formatDuration(180.0004, 180)).toBe('3分钟');
    expect(formatDuration(192, 180)).toBe('3分12秒');
  });
});

describe('checkPhoto', () => {
  const photo = (size: number, mime = 'image/jpeg') => checkPhoto({ size, mime, width: 4000, height: 3000 }, media);

  it('accepts a JPEG from exactly 2 MB to exactly 30 MB', () => {
    expect(photo(2 * MiB)).toEqual([]);
    expect(photo(30 * MiB)).toEqual([]);
  });

  it('refuses a photo under 2 MB, even by one byte, without printing "2 MB" for it', () => {
    expect(photo(1.4 * MiB)).toEqual(['照片 1.4 MB，要求不小于 2 MB']);
    expect(photo(2 * MiB - 1)).toEqual(['照片 1.99 MB，要求不小于 2 MB']);
    expect(photo(300 * 1024)).toEqual(['照片 300 KB，要求不小于 2 MB']);
  });

  it('refuses a photo over 30 MB', () => {
    expect(photo(31.2 * MiB)).toEqual(['照片 31.2 MB，要求不大于 30 MB']);
    expect(photo(30 * MiB + 1)).toEqual(['照片 30.01 MB，要求不大于 30 MB']);
  });

  it('refuses anything but JPEG by content, saying only that', () => {
    expect(photo(1 * MiB, 'image/png')).toEqual(['照片格式为 PNG，要求 JPEG（按文件内容识别）']);
    expect(photo(5 * MiB, 'video/mp4')).toEqual(['照片格式为 MP4，要求 JPEG（按文件内容识别）']);
  });

  it('follows the campaign settings', () => {
    expect(checkPhoto({ size: 3 * MiB, mime: 'image/jpeg' }, { ...media, photoMinBytes: 5 * MiB })).toEqual(['照片 3 MB，要求不小于 5 MB']);
  });
});

describe('checkVideo', () => {
  it('accepts MP4 and MOV, landscape 1920×1080 and portrait 1080×1920, up to exactly 3 minutes and 1 GB', () => {
    expect(checkVideo(video, media)).toEqual([]);
    expect(checkVideo({ ...video, mime: 'video/quicktime', width: 1080, height: 1920 }, media)).toEqual([]);
    expect(checkVideo({ ...video, durationSeconds: 180 }, media)).toEqual([]);
    expect(checkVideo({ ...video, durationSeconds: 180.0004 }, media)).toEqual([]);
    expect(checkVideo({ ...video, size: GiB }, media)).toEqual([]);
  });

  it('refuses a video longer than 3 minutes, compared to the millisecond', () => {
    expect(checkVideo({ ...video, durationSeconds: 192 }, media)).toEqual(['视频时长 3分12秒，要求 3 分钟以内']);
    expect(checkVideo({ ...video, durationSeconds: 180.001 }, media)).toEqual(['视频时长 3分0.1秒，要求 3 分钟以内']);
    expect(checkVideo({ ...video, durationSeconds: 180.5 }, media)).toEqual(['视频时长 3分1秒，要求 3 分钟以内']);
    expect(checkVideo({ ...video, durationSeconds: 181 }, media)).toEqual(['视频时长 3分1秒，要求 3 分钟以内']);
  });

  it('says the limit in minutes and seconds when it is not whole minutes', () => {
    const m = { ...media, videoMaxSeconds: 150 };
    expect(checkVideo({ ...video, durationSeconds: 151 }, m)).toEqual(['视频时长 2分31秒，要求 2分30秒以内']);
    expect(checkVideo({ ...video, durationSeconds: 50 }, { ...media, videoMaxSeconds: 45 })).toEqual(['视频时长 50秒，要求 45秒以内']);
  });

  it('refuses other frame sizes', () => {
    expect(checkVideo({ ...video, width: 1280, height: 720 }, media)).toEqual(['视频分辨率 1280×720，要求横版 1920×1080 或竖版 1080×1920']);
    expect(checkVideo({ ...video, width: 3840, height: 2160 }, media)).toEqual(['视频分辨率 3840×2160，要求横版 1920×1080 或竖版 1080×1920']);
    expect(checkVideo({ ...video, width: 1920, height: 1088 }, media)).toHaveLength(1);
  });

  it('refuses a video over 1 GB in GB', () => {
    expect(checkVideo({ ...video, size: 1.2 * GiB }, media)).toEqual(['视频 1.2 GB，要求不大于 1 GB']);
    expect(checkVideo({ ...video, size: GiB + 1 }, media)).toEqual(['视频 1.01 GB，要求不大于 1 GB']);
  });

  it('lists every problem at once', () => {
    expect(checkVideo({ size: 1.2 * GiB, mime: 'video/quicktime', width: 1280, height: 720, durationSeconds: 192 }, media)).toEqual([
      '视频 1.2 GB，要求不大于 1 GB',
      '视频时长 3分12秒，要求 3 分钟以内',
      '视频分辨率 1280×720，要求横版 1920×1080 或竖版 1080×1920',
    ]);
  });

  it('refuses a video whose duration or size could not be read', () => {
    expect(checkVideo({ size: MiB, mime: 'video/mp4' }, media)).toEqual([
      '无法读取视频时长，请重新导出后上传',
      '无法读取视频分辨率，要求横版 1920×1080 或竖版 1080×1920，请重新导出后上传',
    ]);
  });

  it('refuses anything but MP4 or MOV, saying only that', () => {
    expect(checkVideo({ size: MiB, mime: 'image/jpeg' }, media)).toEqual(['视频格式为 JPEG，要求 MP4 或 MOV（按文件内容识别）']);
  });
});

describe('checkExtra', () => {
  it('accepts JPEG, PNG and PDF up to the scan limit, MP4 and MOV up to the video limit', () => {
    expect(checkExtra('deeds_extra', { size: 20 * MiB, mime: 'application/pdf' }, media)).toEqual([]);
    expect(checkExtra('story_extra', { size: 100 * 1024, mime: 'image/png' }, media)).toEqual([]);
    expect(checkExtra('story_extra', { size: 500 * MiB, mime: 'video/quicktime' }, media)).toEqual([]);
    expect(checkExtra('deeds_extra', { size: 25 * MiB, mime: 'application/pdf' }, media)).toEqual(['主要事迹补充材料 25 MB，要求不大于 20 MB']);
    expect(checkExtra('story_extra', { size: 1.2 * GiB, mime: 'video/mp4' }, media)).toEqual(['感人故事补充材料 1.2 GB，要求不大于 1 GB']);
  });

  it('refuses other types', () => {
    expect(checkExtra('deeds_extra', { size: MiB, mime: 'image/webp' }, media)).toEqual([
      '主要事迹补充材料格式为 WEBP，要求 JPEG、PNG、PDF、MP4 或 MOV（按文件内容识别）',
    ]);
  });
});

describe('checkMediaCounts', () => {
  it('requires 1 to 10 photos and at most 3 videos', () => {
    expect(checkMediaCounts({ photos: 1, videos: 0 }, media)).toEqual([]);
    expect(checkMediaCounts({ photos: 10, videos: 3 }, media)).toEqual([]);
    expect(checkMediaCounts({ photos: 0, videos: 0 }, media)).toEqual(['照片 0 张，要求至少 1 张']);
    expect(checkMediaCounts({ photos: 11, videos: 4 }, media)).toEqual(['照片 11 张，要求最多 10 张', '视频 4 个，要求最多 3 个']);
  });
});

describe('photoFileName', () => {
  it('is the applicant name and a sequence number', () => {
    expect(photoFileName('张三', 1)).toBe('张三1.jpg');
    expect(photoFileName('买买提·艾力', 12)).toBe('买买提·艾力12.jpg');
    expect(photoFileName('  张 三  ', 2)).toBe('张 三2.jpg');
  });

  it('drops path separators, control and bidi characters, and falls back to 照片', () => {
    expect(photoFileName('../../etc/passwd', 1)).toBe('etcpasswd1.jpg');
    expect(photoFileName('..\\..\\x', 1)).toBe('x1.jpg');
    expect(photoFileName('张\u0000三\n', 3)).toBe('张三3.jpg');
    expect(photoFileName('photo\u202egpj.exe', 1)).toBe('photogpj.exe1.jpg');
    expect(photoFileName('a<b>:"c"|?*', 1)).toBe('abc1.jpg');
    expect(photoFileName('', 4)).toBe('照片4.jpg');
    expect(photoFileName('..', 4)).toBe('照片4.jpg');
    expect(photoFileName('\u202e\u200f', 5)).toBe('照片5.jpg');
    expect(photoFileName('长'.repeat(300), 1)).toBe(`${'长'.repeat(40)}1.jpg`);
  });

  it('requires a positive whole sequence number', () => {
    expect(() => photoFileName('张三', 0)).toThrow(RangeError);
    expect(() => photoFileName('张三', 1.5)).toThrow(RangeError);
  });
});

describe('precheckFile', () => {
  const file = (name: string, size: number, type = '') => ({ name, size, type });

  it('passes files that may be fine and leaves the final word to the server', () => {
    expect(precheckFile(file('IMG_0001.JPG', 3 * MiB, 'image/jpeg'), 'photo', media)).toEqual([]);
    expect(precheckFile(file('IMG_0001.MOV', 300 * MiB, 'video/quicktime'), 'video', media)).toEqual([]);
    expect(precheckFile(file('clip.mp4', 300 * MiB), 'video', media)).toEqual([]);
    expect(precheckFile(file('noext', 3 * MiB), 'photo', media)).toEqual([]);
    expect(precheckFile(file('scan.pdf', 5 * MiB, 'application/pdf'), 'story_extra', media)).toEqual([]);
    expect(precheckFile(file('clip.mov', 500 * MiB), 'deeds_extra', media)).toEqual([]);
  });

  it('refuses by MIME type or extension', () => {
    expect(precheckFile(file('a.png', 3 * MiB, 'image/png'), 'photo', media)).toEqual(['照片格式为 PNG，要求 JPEG']);
    expect(precheckFile(file('IMG_1.HEIC', 3 * MiB), 'photo', media)).toEqual(['照片格式为 HEIC，要求 JPEG']);
    expect(precheckFile(file('a.avi', 3 * MiB, 'video/x-msvideo'), 'video', media)).toEqual(['视频格式为 AVI，要求 MP4 或 MOV']);
    expect(precheckFile(file('a.docx', MiB), 'deeds_extra', media)).toEqual(['主要事迹补充材料格式为 DOCX，要求 JPEG、PNG、PDF、MP4 或 MOV']);
  });

  it('refuses by size', () => {
    expect(precheckFile(file('a.jpg', 2 * MiB - 1, 'image/jpeg'), 'photo', media)).toEqual(['照片 1.99 MB，要求不小于 2 MB']);
    expect(precheckFile(file('a.jpg', 2 * MiB, 'image/jpeg'), 'photo', media)).toEqual([]);
    expect(precheckFile(file('a.jpg', 31.2 * MiB, 'image/jpeg'), 'photo', media)).toEqual(['照片 31.2 MB，要求不大于 30 MB']);
    expect(precheckFile(file('a.mp4', 1.2 * GiB, 'video/mp4'), 'video', media)).toEqual(['视频 1.2 GB，要求不大于 1 GB']);
    expect(precheckFile(file('a.pdf', 25 * MiB, 'application/pdf'), 'deeds_extra', media)).toEqual(['主要事迹补充材料 25 MB，要求不大于 20 MB']);
    expect(precheckFile(file('a.jpg', 0, 'image/jpeg'), 'photo', media)).toEqual(['照片文件为空，请重新选择文件']);
  });
});

describe('uploadChunkBytes: the size of each tus PATCH', () => {
  it('sends files up to 32 MiB (every photo and scan the defaults allow) in 8 MiB pieces, larger ones in 32 MiB pieces', () => {
    expect(uploadChunkBytes(1)).toBe(8 * MiB);
    expect(uploadChunkBytes(defaultCampaignSettings(2023).media.photoMaxBytes)).toBe(8 * MiB);
    expect(uploadChunkBytes(32 * MiB)).toBe(8 * MiB);
    expect(uploadChunkBytes(32 * MiB + 1)).toBe(32 * MiB);
    expect(uploadChunkBytes(defaultCampaignSettings(2023).media.videoMaxBytes)).toBe(32 * MiB);
  });
});

describe('maxBytesForKind: the largest file of a kind', () => {
  it('photo, video, the scans, and 补充材料 by its type (the larger limit while the type is unknown)', () => {
    const m = { ...media, photoMaxBytes: 30 * MiB, videoMaxBytes: GiB, scanMaxBytes: 20 * MiB };
    expect(maxBytesForKind('photo', m)).toBe(30 * MiB);
    expect(maxBytesForKind('video', m)).toBe(GiB);
    for (const scan of ['integrity_pledge', 'unit_opinion', 'political_review', 'recommend_report']) expect(maxBytesForKind(scan, m)).toBe(20 * MiB);
    expect(maxBytesForKind('deeds_extra', m)).toBe(GiB);
    expect(maxBytesForKind('story_extra', { ...m, videoMaxBytes: 10 * MiB })).toBe(20 * MiB);
    expect(maxBytesForKind('deeds_extra', m, 'video/quicktime')).toBe(GiB);
    expect(maxBytesForKind('deeds_extra', m, 'application/pdf')).toBe(20 * MiB);
  });
});
