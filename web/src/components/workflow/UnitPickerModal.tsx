import { useMemo, useState } from 'react';
import { Alert, Form, Modal, Select, Typography } from 'antd';
import { listUnits } from '../../client/units';
import { useLoader } from '../../hooks';
import type { UnitRef } from '../../types';

interface Props {
  open: boolean;
  submitting: boolean;
  onCancel: () => void;
  onSubmit: (unit: UnitRef) => void;
}

/** Before the first 【提交】: choose the 推荐单位 (GET /api/units), grouped by region, searchable. */
export function UnitPickerModal({ open, submitting, onCancel, onSubmit }: Props) {
  const [unitId, setUnitId] = useState<string | undefined>();
  const [touched, setTouched] = useState(false);
  const { data: units, loading, error } = useLoader(() => (open ? listUnits() : Promise.resolve(null)), [open]);

  const options = useMemo(() => {
    const byRegion = new Map<string, UnitRef[]>();
    for (const u of units ?? []) byRegion.set(u.region || '其他', [...(byRegion.get(u.region || '其他') ?? []), u]);
    return [...byRegion.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'zh-CN'))
      .map(([region, list]) => ({
        label: region,
        title: region,
        options: list.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')).map((u) => ({ value: u.id, label: u.name, region: u.region, type: u.type })),
      }));
  }, [units]);

  const chosen = units?.find((u) => u.id === unitId);

  return (
    <Modal
      title="选择推荐单位"
      open={open}
      okText="确定提交"
      cancelText="取消"
      confirmLoading={submitting}
      onCancel={onCancel}
      onOk={() => {
        setTouched(true);
        if (chosen) onSubmit(chosen);
      }}
      destroyOnHidden
      afterClose={() => {
        setUnitId(undefined);
        setTouched(false);
      }}
    >
      <Alert type="success" showIcon className="block-gap" title="申请书已填写完整，可提交至推荐单位" />
      <Typography.Paragraph type="secondary">
        请选择要提交到的推荐单位（所在地州市科协、自治区学会或所在单位科协等）。提交后，在推荐单位办理前可以【收回】。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon className="block-gap" title={error} />}
      <Form layout="vertical" name="unitPicker">
        <Form.Item
          label="推荐单位"
          htmlFor="unitPicker_unitId"
          required
          validateStatus={touched && !unitId ? 'error' : undefined}
          help={touched && !unitId ? '请选择要提交到的推荐单位' : undefined}
        >
          <Select
            id="unitPicker_unitId"
            value={unitId}
            onChange={setUnitId}
            loading={loading}
            options={options}
            placeholder="输入单位名称或地区搜索"
            showSearch={{
              filterOption: (input, option) => {
                const o = option as { label?: string; region?: string } | undefined;
                const text = `${o?.label ?? ''} ${o?.region ?? ''}`;
                return text.toLowerCase().includes(input.trim().toLowerCase());
              },
            }}
            notFoundContent={loading ? '正在加载…' : '没有找到符合条件的推荐单位'}
          />
        </Form.Item>
      </Form>
      {chosen && (
        <Typography.Paragraph>
          将提交到：<Typography.Text strong>{chosen.name}</Typography.Text>（{chosen.region}，{chosen.type}）
        </Typography.Paragraph>
      )}
    </Modal>
  );
}
