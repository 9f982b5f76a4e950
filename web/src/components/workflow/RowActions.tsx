import { useState } from 'react';
import { App, Button, Dropdown, Modal, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api';
import type { ApplicationRow } from '../../types';
import { transition } from '../../client/workflow';
import { pendingForMe, WITHDRAW_CONFIRM, withdrawOf } from '../../workflow';
import { FlowModal } from '../lazyModals';

interface Props {
  row: ApplicationRow;
  /** Where 返回 of the opened page leads (this list, with its conditions). */
  from: string;
  /** After a 收回: reload the list. */
  onChanged: () => void;
}

/** 【更多功能 ▾】 of 查询申报表: 办理, 收回, 流程情况, 查看申请书 — each only when it applies. */
export function RowActions({ row, from, onChanged }: Props) {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [flowOpen, setFlowOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const withdraw = withdrawOf(row);

  const items: MenuProps['items'] = [
    ...(pendingForMe(row) ? [{ key: 'handle', label: '办理' }] : []),
    ...(withdraw ? [{ key: 'withdraw', label: '收回' }] : []),
    { key: 'flow', label: '流程情况' },
    { key: 'view', label: '查看申请书' },
  ];

  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'handle') navigate(`/zmkj/handle/${row.id}`, { state: { from } });
    if (key === 'view') navigate(`/zmkj/view/${row.id}`, { state: { from } });
    if (key === 'flow') setFlowOpen(true);
    if (key === 'withdraw' && withdraw) setConfirming(true);
  };

  const doWithdraw = async () => {
    if (!withdraw) return;
    setBusy(true);
    try {
      const d = await transition(row.id, withdraw);
      void message.success(`收回成功，当前状态：${d.statusLabel}`);
    } catch (err) {
      void message.error({ content: errorMessage(err), duration: 8 });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
    onChanged();
  };

  return (
    <>
      <Dropdown menu={{ items, onClick }} trigger={['click']}>
        <Button type="link" size="small" className="inline-link-btn">
          更多功能<span aria-hidden="true"> ▾</span>
        </Button>
      </Dropdown>
      <Modal
        title="收回申请书"
        open={confirming}
        okText="确定"
        cancelText="取消"
        confirmLoading={busy}
        onOk={() => void doWithdraw()}
        onCancel={() => setConfirming(false)}
        destroyOnHidden
        width={420}
      >
        <Typography.Paragraph>{WITHDRAW_CONFIRM}</Typography.Paragraph>
        <Typography.Text type="secondary">
          {row.number} {row.applicantName}，当前状态：{row.statusLabel}
        </Typography.Text>
      </Modal>
      {flowOpen && (
        <FlowModal applicationId={row.id} subject={`${row.number} ${row.applicantName}`} statusLabel={row.statusLabel} onClose={() => setFlowOpen(false)} />
      )}
    </>
  );
}
