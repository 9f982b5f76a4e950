import type { ReactNode } from 'react';
import { Descriptions, Tag } from 'antd';
import type { DescriptionsProps } from 'antd';
import { APPLICATION_FIELDS } from '../../../../core';
import type { ApplicationDetail } from '../../types';

const PERSONAL = APPLICATION_FIELDS.filter((f) => f.section === 'personal');

export function showValue(v: unknown): string {
  if (v === true) return '是';
  if (v === false) return '否';
  if (v === undefined || v === null) return '';
  return String(v);
}

interface Props {
  detail: ApplicationDetail;
  /** Fields changed since the returned submission: highlighted. */
  changed: ReadonlySet<string>;
  /** The 附件材料 cell's 【附件】. */
  attachmentsButton: ReactNode;
}

/**
 * 个人信息, read-only, laid out as the manual draws it: two label/value pairs a row
 * (申请书编号 | 身份证号码 … 推荐领域 | 推荐单位, 附件材料 | 附件); one pair a row on phones.
 */
export function ReadonlyPersonalTable({ detail, changed, attachmentsButton }: Props) {
  const mark = (key: string, node: ReactNode) =>
    changed.has(key) ? (
      <>
        {node}{' '}
        <Tag color="orange" className="changed-tag">
          已修改
        </Tag>
      </>
    ) : (
      node
    );
  const changedStyle = (key: string) => (changed.has(key) ? { className: 'field-changed' } : {});
  const form = detail.form as Record<string, unknown>;
  const attachmentsChanged = [...changed].some((k) => k.startsWith('attachment'));

  const items: DescriptionsProps['items'] = [
    { key: 'number', label: '申请书编号', children: detail.number },
    ...PERSONAL.map((f) => ({
      key: f.key,
      label: f.label,
      children: mark(f.key, showValue(form[f.key])),
      ...changedStyle(f.key),
    })),
    { key: 'unit', label: '推荐单位', children: detail.unitName ?? '' },
    {
      key: 'attachments',
      label: '附件材料',
      span: 'filled' as const,
      children: attachmentsChanged ? (
        <>
          {attachmentsButton}{' '}
          <Tag color="orange" className="changed-tag">
            已修改
          </Tag>
        </>
      ) : (
        attachmentsButton
      ),
      ...(attachmentsChanged ? { className: 'field-changed' } : {}),
    },
  ];
  return <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2 }} className="readonly-table" items={items} />;
}
