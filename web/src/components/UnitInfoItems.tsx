import { Form, Input, Select } from 'antd';
import { REGIONS, UNIT_TYPES } from '../../../core';
import { optionsOf } from '../formUtils';

/**
 * A 推荐单位's own fields, 单位名称 to 联系电话: in 推荐单位管理 → 新建推荐单位 and in the unit's registration,
 * where (`registration`) they also carry help texts and hints for the browser's autofill.
 */
export function UnitInfoItems({ registration = false }: { registration?: boolean }) {
  return (
    <>
      <Form.Item label="单位名称" name="unitName" required extra={registration ? '请填写单位全称' : undefined}>
        <Input maxLength={100} autoComplete={registration ? 'organization' : undefined} />
      </Form.Item>
      <Form.Item label="单位类型" name="unitType" required>
        <Select options={optionsOf(UNIT_TYPES)} placeholder="请选择" showSearch={{ optionFilterProp: 'label' }} />
      </Form.Item>
      <Form.Item label="所在地区" name="region" required>
        <Select options={optionsOf(REGIONS)} placeholder="请选择" showSearch={{ optionFilterProp: 'label' }} />
      </Form.Item>
      <Form.Item label="联系人" name="contactName" required>
        <Input maxLength={30} />
      </Form.Item>
      <Form.Item label="联系电话" name="contactPhone" required extra={registration ? '固定电话（如0991-6386020）或手机号码' : undefined}>
        <Input inputMode={registration ? 'tel' : undefined} maxLength={30} />
      </Form.Item>
    </>
  );
}
