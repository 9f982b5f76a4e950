import { Select } from 'antd';

/**
 * A multi-select for the plan's subsets (候选人, 评审专家, 评审组), searched by name: empty means all of them, as the
 * server takes a missing list (the placeholder says so, with the count).
 */
export function SubsetPicker({
  label,
  unit,
  options,
  value,
  onChange,
}: {
  label: string;
  /** the counting word: 位, 个 */
  unit: string;
  options: { value: string; label: string }[];
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <Select
      mode="multiple"
      aria-label={label}
      allowClear
      showSearch
      optionFilterProp="label"
      maxTagCount={4}
      maxTagTextLength={16}
      placeholder={`全部（共${options.length}${unit}）`}
      style={{ width: 320, maxWidth: '100%' }}
      value={value}
      onChange={onChange}
      options={options}
    />
  );
}
