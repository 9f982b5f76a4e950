import { Tag } from 'antd';

/** The manual's status text; blue while the applicant holds the application. */
export function StatusTag({ label, status }: { label: string; status: string }) {
  const color = status === 'applicant' || status === 'returned_to_applicant' ? 'blue' : 'gold';
  return <Tag color={color}>{label}</Tag>;
}
