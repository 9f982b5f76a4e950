import { useState } from 'react';
import { Alert, Grid, Space } from 'antd';
import { Link, useLocation } from 'react-router';
import { rangeText } from '../../../../core';
import { queryApplications } from '../../client/applications';
import { formatTime, useLoader } from '../../hooks';
import type { ApplicationRow } from '../../types';
import { ResponsiveList } from '../ResponsiveList';
import { statusColumn, type ViewedNoteOf } from './columns';
import { WithdrawButton } from './WithdrawButton';

/**
 * 已阅 under a forwarded row: 自治区科协 has opened it, which is why its 收回 is gone (manual 二.10), as the
 * applicant's list shows it for the unit.
 */
const VIEWED_BY_ORGANIZER: ViewedNoteOf = {
  status: 'submitted_to_org',
  fallback: () => '自治区科协',
  advice: '如需修改，请联系自治区科协退回申请书至推荐单位',
};

/** One tab of 待审核申报表: 待审核的 (tab=pending) or 已办理的 (tab=handled). */
export function PendingTable({ tab }: { tab: 'pending' | 'handled' }) {
  const location = useLocation();
  const from = location.pathname + location.search;
  const wide = Grid.useBreakpoint().md ?? true;
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, loading, error, reload } = useLoader(
    () => queryApplications(`tab=${tab}&sort=transferredAt&page=${page}&pageSize=${pageSize}`),
    [tab, page, pageSize],
  );

  return (
    <>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <ResponsiveList<ApplicationRow>
        rowKey="id"
        label={tab === 'pending' ? '待审核的申请书' : '已办理的申请书'}
        size="small"
        loading={loading}
        dataSource={data?.rows ?? []}
        scrollX={860}
        emptyText={tab === 'pending' ? '暂无待审核的申请书' : '暂无已办理的申请书'}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (total) => rangeText(page, pageSize, total),
          locale: { items_per_page: '条/页' },
          onChange: (p, s) => {
            setPage(s !== pageSize ? 1 : p);
            setPageSize(s);
          },
        }}
        columns={[
          { title: '申请书编号', dataIndex: 'number', width: 120 },
          { title: '申请人姓名', dataIndex: 'applicantName', width: 110 },
          { title: '工作单位', dataIndex: 'workUnit', width: 180, render: (v: string) => v || '—' },
          statusColumn({ key: 'status', width: 230 }, tab === 'handled' ? VIEWED_BY_ORGANIZER : undefined),
          { title: '转交时间', dataIndex: 'transferredAt', width: 140, render: (v: string | null) => formatTime(v) || '—' },
          {
            title: '操作',
            key: 'actions',
            width: 110,
            fixed: wide ? 'right' : undefined,
            render: (_: unknown, row) => (
              <Space size={8} wrap>
                <Link to={`/zmkj/handle/${row.id}`} state={{ from }}>
                  办理
                </Link>
                {tab === 'handled' && <WithdrawButton row={row} onDone={() => void reload()} />}
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}
