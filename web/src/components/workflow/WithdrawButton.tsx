import { useState } from 'react';
import { App, Button, Popconfirm } from 'antd';
import { errorMessage } from '../../api';
import type { ApplicationRow } from '../../types';
import { transition } from '../../client/workflow';
import { WITHDRAW_CONFIRM, withdrawOf } from '../../workflow';

/**
 * 【收回】 of a row (manual 一.8–10, 二.8–10): shown exactly when the server allows it
 * (abilities.withdraw, withdrawReturn or withdrawForward).
 */
export function WithdrawButton({ row, onDone }: { row: ApplicationRow; onDone: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const name = withdrawOf(row);
  if (!name) return null;
  const run = async () => {
    setBusy(true);
    try {
      const d = await transition(row.id, name);
      void message.success(`收回成功，当前状态：${d.statusLabel}`);
    } catch (err) {
      void message.error({ content: errorMessage(err), duration: 8 });
    } finally {
      setBusy(false);
    }
    // either way the list shows the status as it is now
    onDone();
  };
  return (
    <Popconfirm title={WITHDRAW_CONFIRM} okText="确定" cancelText="取消" onConfirm={run}>
      <Button type="link" size="small" loading={busy} className="inline-link-btn">
        收回
      </Button>
    </Popconfirm>
  );
}
