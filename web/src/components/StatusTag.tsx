import { Tag } from 'antd';
import { isWinnerStatus, statusTone } from '../../../core/status';

/**
 * The manual's status text; blue while the applicant holds the application. A published outcome (issue 15): 当选 and
 * 推荐全国 in green, and 推荐全国 says that it is also 当选 (a national recommendee is one of the winners).
 */
export function StatusTag({ label, status }: { label: string; status: string }) {
  if (isWinnerStatus(status)) {
    return (
      <>
        <Tag color="success">{label}</Tag>
        {status === 'national' && <Tag color="success">当选</Tag>}
      </>
    );
  }
  return <Tag color={statusTone(status)}>{label}</Tag>;
}
