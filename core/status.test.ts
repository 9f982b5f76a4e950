import { describe, it, expect } from 'vitest';
import { APPLICATION_STATUSES, isWinnerStatus, OUTCOME_STATUSES, STATUS_HOLDER, STATUS_LABELS, statusLabel, statusTone } from './status';
import { ATTACHMENT_KINDS, REQUIRED_APPLICANT_ATTACHMENTS, attachmentKindLabel } from './attachments';

describe('status labels', () => {
  it('uses the manual’s exact texts', () => {
    expect(APPLICATION_STATUSES.map((s) => STATUS_LABELS[s])).toEqual([
      '申报人',
      '[申报人]提交到[推荐单位]',
      '[推荐单位]退回到[申报人]',
      '[推荐单位]提交到[自治区科协]',
      '[自治区科协]退回到[推荐单位]',
      '[自治区科协]已受理',
      '网上评选中',
      '评审中',
      '当选',
      '推荐全国',
      '未当选',
    ]);
  });

  it('substitutes the unit’s real name', () => {
    expect(statusLabel('submitted_to_unit', '乌鲁木齐市科协')).toBe('[申报人]提交到[乌鲁木齐市科协]');
    expect(statusLabel('returned_to_unit', '新疆大学科协')).toBe('[自治区科协]退回到[新疆大学科协]');
    expect(statusLabel('submitted_to_unit', null)).toBe('[申报人]提交到[推荐单位]');
    expect(statusLabel('submitted_to_unit', '  ')).toBe('[申报人]提交到[推荐单位]');
    expect(statusLabel('applicant', '乌鲁木齐市科协')).toBe('申报人');
  });

  it('knows the outcomes of 发布: 推荐全国 is a winner too', () => {
    expect(OUTCOME_STATUSES.map((s) => STATUS_LABELS[s])).toEqual(['当选', '推荐全国', '未当选']);
    expect(['won', 'national', 'not_won', 'final_review'].map(isWinnerStatus)).toEqual([true, true, false, false]);
  });

  it('knows who holds each status', () => {
    expect(APPLICATION_STATUSES.map((s) => STATUS_HOLDER[s])).toEqual([
      'applicant',
      'unit',
      'applicant',
      'organizer',
      'unit',
      'organizer',
      'organizer',
      'organizer',
      'organizer',
      'organizer',
      'organizer',
    ]);
  });
});

describe('attachments', () => {
  it('labels the three applicant attachments and requires them all', () => {
    expect(ATTACHMENT_KINDS.map((k) => k.label)).toEqual(['个人诚信承诺', '所在单位意见', '政审材料']);
    expect(REQUIRED_APPLICANT_ATTACHMENTS).toEqual(['integrity_pledge', 'unit_opinion', 'political_review']);
    expect(attachmentKindLabel('political_review')).toBe('政审材料');
    expect(attachmentKindLabel('unknown')).toBe('unknown');
  });
});

describe('statusTone', () => {
  it('green for a winner, blue while the applicant holds it, grey for 未当选, gold while a unit or the organizer holds it', () => {
    expect(statusTone('national')).toBe('success');
    expect(statusTone('applicant')).toBe('blue');
    expect(statusTone('returned_to_applicant')).toBe('blue');
    expect(statusTone('not_won')).toBe('default');
    expect(statusTone('submitted_to_org')).toBe('gold');
  });
});
