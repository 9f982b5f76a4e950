import { Tag } from 'antd';
import { holderOf } from '../../../core/status';

/** The manual's status text; blue while the applicant holds the application. */
export function StatusTag({ label, status }: { label: string; status: string }) {
  const color = holderOf(status) === 'applicant' ? 'blue' : 'gold';
  return <Tag color={color}>{label}</Tag>;
}
