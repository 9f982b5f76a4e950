import { Alert, Table } from 'antd';
import { formatTime } from '../../hooks';
import type { ChangesReply } from '../../types';

/** 申报人重新提交后的修改: what changed since the submission the unit returned. */
export function ChangesAlert({ changes }: { changes: ChangesReply }) {
  if (changes.changes.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      className="block-gap changes-alert"
      title="申报人重新提交后的修改："
      description={
        <>
          {changes.comparedTo && (
            <div className="changes-since">
              与 {formatTime(changes.comparedTo)} 提交的内容相比，共 {changes.changes.length} 处修改（已在下表中以橙色标出）
            </div>
          )}
          <Table
            size="small"
            pagination={false}
            rowKey={(c) => `${c.field}|${c.before}|${c.after}`}
            dataSource={changes.changes}
            columns={[
              { title: '项目', dataIndex: 'label', width: 96 },
              { title: '修改前', dataIndex: 'before', render: (v: string) => <span className="pre-wrap">{v || '—'}</span> },
              { title: '修改后', dataIndex: 'after', render: (v: string) => <span className="pre-wrap">{v || '—'}</span> },
            ]}
          />
        </>
      }
    />
  );
}
