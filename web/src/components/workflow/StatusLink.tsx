import { useState } from 'react';
import { holderOf } from '../../../../core/status';
import type { ApplicationRow } from '../../types';
import { FlowModal } from '../lazyModals';

/** The 【状态】 text of a row; clicking it shows 流程情况 (manual 二.11). */
export function StatusLink({ row }: { row: Pick<ApplicationRow, 'id' | 'number' | 'applicantName' | 'status' | 'statusLabel'> }) {
  const [open, setOpen] = useState(false);
  const mine = holderOf(row.status) === 'applicant';
  return (
    <>
      <a
        href={`#flow-${row.id}`}
        className={mine ? 'status-link status-link-applicant' : 'status-link'}
        title="点击查看流程情况"
        onClick={(e) => {
          e.preventDefault();
          setOpen(true);
        }}
      >
        {row.statusLabel}
      </a>
      {open && (
        <FlowModal applicationId={row.id} subject={`${row.number} ${row.applicantName}`.trim()} statusLabel={row.statusLabel} onClose={() => setOpen(false)} />
      )}
    </>
  );
}
