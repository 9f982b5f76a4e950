import { useRef, useState } from 'react';
import { Alert, App, Button, Card, Divider, Form, Grid, Input, InputNumber, Modal, Radio, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { errorMessage } from '../../api';
import {
  addAssignment,
  confirmPlan,
  listAssignments,
  previewPlan,
  removeAssignment,
  reopenSheet,
  resetReview,
  reviewProgress,
  sendReminders,
  type AssignmentsReply,
  type PlanReply,
  type ProgressReply,
} from '../../client/review';
import { listGroups } from '../../client/experts';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';
import { ConflictsTab } from '../review/ConflictsTab';
import { SubsetPicker } from '../review/SubsetPicker';
import { WindowNote } from '../review/WindowNote';
import { STATE_COLORS } from '../expert/ReviewListPage';

type Mode = 'balanced' | 'groups';

/** 分配评审专家: the mode, k and L, the subsets (empty: all), 预览 (nothing stored), then 确认分配. */
function PlanTab({ campaignId, k, L, onDone }: { campaignId: string; k: number; L: number; onDone: () => void }) {
  const { message, modal } = App.useApp();
  const [mode, setMode] = useState<Mode>('balanced');
  const [kv, setK] = useState(k);
  const [lv, setL] = useState(L);
  const [plan, setPlan] = useState<PlanReply | null>(null);
  const [busy, setBusy] = useState(false);
  // the pickers: in a row on a desktop, one under the other on a phone (each as wide as the screen allows)
  const wide = Grid.useBreakpoint().md ?? true;
  // the subsets: empty = all (候选人: every 已受理 or 网上评选中 one; 评审专家: every enabled one; 评审组: the campaign's)
  const [candidateIds, setCandidateIds] = useState<string[]>([]);
  const [expertIds, setExpertIds] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const { data: choices } = useLoader(async () => {
    const [people, groups] = await Promise.all([listAssignments(campaignId), listGroups()]);
    return { people, groups: groups.filter((g) => g.campaignId === campaignId) };
  }, [campaignId]);
  const picked = <T extends object>(ids: string[], extra: T) => (ids.length ? extra : {});
  const body = () => ({
    mode,
    k: kv,
    ...(mode === 'balanced' ? { L: lv } : {}),
    ...picked(candidateIds, { candidateIds }),
    ...(mode === 'balanced' ? picked(expertIds, { expertIds }) : picked(groupIds, { groupIds })),
  });
  const pick = (set: (ids: string[]) => void) => (ids: string[]) => {
    set(ids);
    setPlan(null);
  };
  const names = new Map(plan?.experts.map((e) => [e.id, e.name]));
  const covers = plan
    ? `候选人${candidateIds.length ? '（所选）' : '（全部）'}${plan.candidates.length}位；` +
      (mode === 'balanced'
        ? `评审专家${expertIds.length ? '（所选）' : '（全部）'}${plan.experts.length}位`
        : `评审组${groupIds.length ? `（所选）${groupIds.length}个` : '（全部）'}，组内专家${plan.experts.length}位`)
    : '';

  const preview = async () => {
    setBusy(true);
    try {
      setPlan(await previewPlan(campaignId, body()));
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const confirm = () =>
    modal.confirm({
      title: '确认分配',
      content: `将新增${plan?.added ?? 0}份评审分配，已受理的候选人将进入“网上评选中”。确定分配吗？`,
      okText: '确认分配',
      cancelText: '取消',
      onOk: async () => {
        try {
          const r = await confirmPlan(campaignId, body());
          setPlan(r);
          void message.success(`已分配：新增${r.added}份评审，${r.moved}位候选人进入网上评选`);
          onDone();
        } catch (err) {
          void message.error(errorMessage(err));
        }
      },
    });

  return (
    <>
      <Form layout="inline" className="block-gap">
        <Form.Item label="分配方式">
          <Radio.Group
            value={mode}
            onChange={(e) => {
              setMode(e.target.value as Mode);
              setPlan(null);
            }}
            options={[
              { label: '均衡分配', value: 'balanced' },
              { label: '按评审组分配', value: 'groups' },
            ]}
          />
        </Form.Item>
        <Form.Item label="每位候选人至少评审份数">
          <InputNumber aria-label="每位候选人至少评审份数" min={1} max={50} value={kv} onChange={(v) => setK(v ?? 1)} />
        </Form.Item>
        {mode === 'balanced' && (
          <Form.Item label="每位专家最多评审份数">
            <InputNumber aria-label="每位专家最多评审份数" min={1} max={1000} value={lv} onChange={(v) => setL(v ?? 1)} />
          </Form.Item>
        )}
      </Form>
      <Form layout={wide ? 'inline' : 'vertical'} className="block-gap">
        <Form.Item label="候选人">
          <SubsetPicker
            label="候选人"
            unit="位"
            value={candidateIds}
            onChange={pick(setCandidateIds)}
            options={(choices?.people.candidates ?? []).map((c) => ({ value: c.applicationId, label: `${c.applicantName}（${c.number}）` }))}
          />
        </Form.Item>
        {mode === 'balanced' ? (
          <Form.Item label="评审专家">
            <SubsetPicker
              label="评审专家"
              unit="位"
              value={expertIds}
              onChange={pick(setExpertIds)}
              options={(choices?.people.experts ?? []).filter((e) => !e.disabled).map((e) => ({ value: e.id, label: `${e.name}（${e.workUnit ?? ''}）` }))}
            />
          </Form.Item>
        ) : (
          <Form.Item label="评审组">
            <SubsetPicker
              label="评审组"
              unit="个"
              value={groupIds}
              onChange={pick(setGroupIds)}
              options={(choices?.groups ?? []).map((g) => ({ value: g.id, label: `${g.name}（${g.members.length}人）` }))}
            />
          </Form.Item>
        )}
        <Form.Item>
          <Space>
            <Button onClick={() => void preview()} loading={busy}>
              预览
            </Button>
            <Button type="primary" disabled={!plan?.ok || plan.added === 0} onClick={confirm}>
              确认分配
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary">
        回避自动执行：专家工作单位与候选人单位名称或推荐单位相同、专家即候选人本人（手机或身份证号码相同）、专家申报回避的，不予分配。已有的分配保留并计入。
      </Typography.Paragraph>
      {plan && !plan.ok && (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          title={`无法按要求分配：${plan.reason}`}
          description={
            <>
              <div>本次分配涵盖：{covers}</div>
              {plan.problems.map((p) => (
                <div key={p}>{p}</div>
              ))}
              {plan.suggestedL !== null && <div>可将每位专家最多评审份数调整为{plan.suggestedL}份。</div>}
            </>
          }
        />
      )}
      {plan?.ok && (
        <>
          <Alert
            type={plan.belowK.length ? 'warning' : 'success'}
            showIcon
            className="block-gap"
            title={`${plan.moved ? '已分配' : '预览'}：新增${plan.added}份评审，共${plan.assignments.length}份；每位专家${Math.min(...plan.experts.map((e) => e.load))}至${Math.max(0, ...plan.experts.map((e) => e.load))}份；${plan.recused.length}对回避`}
            description={
              <>
                <div>本次分配涵盖：{covers}</div>
                {plan.belowK.map((b) => (
                  <div key={b.applicationId}>{b.text}</div>
                ))}
              </>
            }
          />
          <Table
            size="small"
            rowKey="id"
            dataSource={plan.candidates}
            pagination={false}
            scroll={{ x: 700 }}
            columns={[
              { title: '申请书编号', dataIndex: 'number', width: 150 },
              { title: '候选人', dataIndex: 'name', width: 100 },
              { title: '工作单位', dataIndex: 'workUnit', width: 200 },
              { title: '评审份数', dataIndex: 'coverage', width: 90 },
              {
                title: '评审专家',
                key: 'experts',
                render: (_: unknown, c: PlanReply['candidates'][number]) =>
                  plan.assignments
                    .filter((a) => a.applicationId === c.id)
                    .map((a) => (
                      <Tag key={a.expertId} color={a.added ? 'blue' : 'default'}>
                        {names.get(a.expertId) ?? ''}
                      </Tag>
                    )),
              },
            ]}
          />
        </>
      )}
    </>
  );
}

/** 分配情况: each candidate's experts, the shortfall below k, 调整分配 and 退回重评. */
function AssignmentsTab({ campaignId, version }: { campaignId: string; version: number }) {
  const { message } = App.useApp();
  const { data, setData, loading, error } = useLoader(() => listAssignments(campaignId), [campaignId, version]);
  const [adding, setAdding] = useState<Record<string, string>>({});
  const [reopen, setReopen] = useState<{ sheetId: string; who: string } | null>(null);
  const [reason, setReason] = useState('');
  const act = async (f: () => Promise<AssignmentsReply>, ok: string) => {
    try {
      setData(await f());
      void message.success(ok);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  type Row = AssignmentsReply['candidates'][number];
  return (
    <>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<Row>
        size="small"
        rowKey="applicationId"
        loading={loading}
        dataSource={data?.candidates ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: '暂无已受理的候选人' }}
        columns={[
          {
            title: '候选人',
            key: 'c',
            width: 180,
            render: (_: unknown, r: Row) => (
              <Link to={`/zmkj/view/${r.applicationId}`}>
                {r.number} {r.applicantName}
              </Link>
            ),
          },
          {
            title: '评审专家',
            key: 'experts',
            render: (_: unknown, r: Row) => (
              <Space size={[4, 4]} wrap>
                {r.experts.map((e) => (
                  <Tag
                    key={e.expertId}
                    color={e.recusal ? 'red' : STATE_COLORS[e.state]}
                    closable={!e.recusal && e.state !== 'submitted'}
                    onClose={(ev) => {
                      ev.preventDefault();
                      void act(() => removeAssignment(campaignId, { applicationId: r.applicationId, expertId: e.expertId }), `已取消${e.name}的分配`);
                    }}
                    title={e.recusal ?? e.stateLabel}
                  >
                    {e.name} · {e.recusal ? '回避' : e.stateLabel}
                    {e.state === 'submitted' && e.sheetId && (
                      <Button
                        type="link"
                        size="small"
                        className="inline-link-btn"
                        onClick={() => setReopen({ sheetId: e.sheetId!, who: `${e.name}对${r.applicantName}` })}
                      >
                        退回重评
                      </Button>
                    )}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: `有效评审（至少${data?.k ?? ''}份）`,
            key: 'valid',
            width: 200,
            render: (_: unknown, r: Row) => (r.shortfall ? <Typography.Text type="danger">{r.shortfall}</Typography.Text> : `${r.valid}份`),
          },
          {
            title: '补充分配',
            key: 'add',
            width: 260,
            render: (_: unknown, r: Row) => (
              <Space.Compact>
                <Select
                  aria-label={`为${r.applicantName}补充分配专家`}
                  showSearch
                  optionFilterProp="label"
                  placeholder="选择专家"
                  style={{ width: 170 }}
                  value={adding[r.applicationId]}
                  onChange={(v: string) => setAdding({ ...adding, [r.applicationId]: v })}
                  options={(data?.experts ?? [])
                    .filter((e) => !e.disabled && !r.experts.some((x) => x.expertId === e.id))
                    .map((e) => ({ value: e.id, label: `${e.name}（${e.workUnit ?? ''}）` }))}
                />
                <Button
                  disabled={!adding[r.applicationId]}
                  onClick={() =>
                    void act(() => addAssignment(campaignId, { applicationId: r.applicationId, expertId: adding[r.applicationId]! }), '已补充分配')
                  }
                >
                  添加
                </Button>
              </Space.Compact>
            ),
          },
        ]}
      />
      <Modal
        open={reopen !== null}
        title={`退回重评：${reopen?.who ?? ''}的评分`}
        okText="退回重评"
        cancelText="取消"
        onCancel={() => setReopen(null)}
        onOk={async () => {
          try {
            await reopenSheet(reopen!.sheetId, reason);
            setReopen(null);
            setReason('');
            void message.success('已退回重评，并已通知专家');
            setData(await listAssignments(campaignId));
          } catch (err) {
            void message.error(errorMessage(err));
          }
        }}
      >
        <Input.TextArea
          aria-label="退回重评理由"
          rows={3}
          maxLength={500}
          showCount
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="请填写退回重评理由"
        />
      </Modal>
    </>
  );
}

/** 评审进度: per expert and per candidate; 催办; 重置评审. */
function ProgressTab({ campaignId, version }: { campaignId: string; version: number }) {
  const { message, modal } = App.useApp();
  const { data, loading, error, reload } = useLoader(() => reviewProgress(campaignId), [campaignId, version]);
  // the confirmation's text box: read when 重置评审 is clicked (the dialog's content is drawn once)
  const resetReason = useRef('');
  type E = ProgressReply['experts'][number];
  type C = ProgressReply['candidates'][number];
  const remind = async () => {
    try {
      const r = await sendReminders(campaignId);
      void message.success(r.message);
      void reload();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const reset = () =>
    modal.confirm({
      title: '重置评审',
      content: (
        <>
          <p>重置后所有专家已保存和已提交的评分将被清空（原评分留有记录），评分标准可重新修改。此操作将记入日志。</p>
          <Input.TextArea aria-label="重置理由" rows={2} onChange={(e) => (resetReason.current = e.target.value)} placeholder="请填写重置理由" />
        </>
      ),
      okText: '重置评审',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          const r = await resetReview(campaignId, resetReason.current);
          void message.success(r.message);
          void reload();
        } catch (err) {
          void message.error(errorMessage(err));
          throw err;
        }
      },
    });
  return (
    <>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {data && <WindowNote window={data.window} />}
      <Space wrap className="block-gap">
        <Button type="primary" onClick={() => void remind()}>
          催办
        </Button>
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
        <Button danger onClick={reset}>
          重置评审
        </Button>
        {data?.reminders[0] && (
          <Typography.Text type="secondary">
            最近催办：{formatTime(data.reminders[0].at)}（{data.reminders[0].kind === 'auto' ? '自动' : '手动'}，{data.reminders[0].experts}位专家）
          </Typography.Text>
        )}
      </Space>
      <Divider titlePlacement="start">专家</Divider>
      <Table<E>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={data?.experts ?? []}
        pagination={false}
        scroll={{ x: 700 }}
        columns={[
          { title: '专家', dataIndex: 'name', width: 100 },
          { title: '工作单位', dataIndex: 'workUnit' },
          { title: '分配', dataIndex: 'assigned', width: 70 },
          { title: '已保存', dataIndex: 'saved', width: 80 },
          {
            title: '已提交',
            dataIndex: 'submitted',
            width: 80,
            render: (v: number, e: E) => <Typography.Text type={v === e.assigned ? 'success' : undefined}>{v}</Typography.Text>,
          },
          { title: '最近评审', dataIndex: 'lastActivity', width: 150, render: (v: string | null) => (v ? formatTime(v) : '—') },
        ]}
      />
      <Divider titlePlacement="start">候选人</Divider>
      <Table<C>
        size="small"
        rowKey="applicationId"
        loading={loading}
        dataSource={data?.candidates ?? []}
        pagination={false}
        scroll={{ x: 500 }}
        columns={[
          { title: '申请书编号', dataIndex: 'number', width: 150 },
          { title: '候选人', dataIndex: 'applicantName' },
          {
            title: '已提交 / 应评',
            key: 'n',
            width: 120,
            render: (_: unknown, c: C) => (
              <Tag color={c.required > 0 && c.submitted >= c.required ? 'green' : 'default'}>
                {c.submitted} / {c.required}
              </Tag>
            ),
          },
        ]}
      />
    </>
  );
}

/** 网上评选管理 (自治区科协): 分配评审专家, 分配情况 (调整分配, 退回重评), 评审进度 (催办, 重置评审), 回避登记. */
export default function ReviewAdminPage() {
  const { data: campaign, error } = useCurrentCampaign();
  const [version, setVersion] = useState(0);
  // on a phone the four tabs fit without antd's overflow menu (whose button axe refuses inside a tablist)
  const wide = Grid.useBreakpoint().md ?? true;
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!campaign) return <Card loading title="网上评选管理" />;
  const { k, L } = campaign.settings.review;
  return (
    <Card title="网上评选管理">
      <Tabs
        destroyOnHidden
        tabBarGutter={wide ? 32 : 12}
        items={[
          { key: 'plan', label: '分配评审专家', children: <PlanTab campaignId={campaign.id} k={k} L={L} onDone={() => setVersion((v) => v + 1)} /> },
          { key: 'assignments', label: '分配情况', children: <AssignmentsTab campaignId={campaign.id} version={version} /> },
          { key: 'progress', label: '评审进度', children: <ProgressTab campaignId={campaign.id} version={version} /> },
          { key: 'conflicts', label: '回避登记', children: <ConflictsTab campaignId={campaign.id} onChange={() => setVersion((v) => v + 1)} /> },
        ]}
      />
    </Card>
  );
}
