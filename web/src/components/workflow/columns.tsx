import { Tooltip, Typography, type TableColumnType } from 'antd';
import { formatTime } from '../../hooks';
import type { ApplicationRow } from '../../types';
import { StatusLink } from './StatusLink';

/** When a row shows 已阅: the one it was sent to has opened it, which is why its 收回 is gone. */
export interface ViewedNoteOf {
  /** The status in which the row waits with the one who opens it. */
  status: ApplicationRow['status'];
  /** Who opened it, when the row does not say. */
  fallback: (row: ApplicationRow) => string;
  /** The tooltip's end: whom to ask instead. */
  advice: string;
}

function ViewedNote({ row, status, fallback, advice }: ViewedNoteOf & { row: ApplicationRow }) {
  if (row.status !== status || !row.viewedAt) return null;
  const who = row.viewedBy ?? fallback(row);
  return (
    <Tooltip title={`${who}已于 ${formatTime(row.viewedAt)} 查看此申请书，不能收回；${advice}`}>
      <div className="viewed-note">
        <Typography.Text type="success" strong>
          已阅
        </Typography.Text>
        <Typography.Text type="secondary" className="viewed-detail">
          {who} {formatTime(row.viewedAt)}
        </Typography.Text>
      </div>
    </Tooltip>
  );
}

/**
 * The 【状态】 column of a list of applications: the status, which shows 流程情况 when clicked, and, with `viewed`,
 * 已阅 under a row the one it was sent to has opened.
 */
export function statusColumn(column: Omit<TableColumnType<ApplicationRow>, 'title' | 'render'>, viewed?: ViewedNoteOf): TableColumnType<ApplicationRow> {
  return {
    title: '状态',
    ...column,
    render: (_: unknown, row) => (
      <>
        <StatusLink row={row} />
        {viewed && <ViewedNote row={row} {...viewed} />}
      </>
    ),
  };
}
