import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { ResponsiveList } from '../../components/ResponsiveList';
import { addToShortlist, buildShortlist, getShortlist, markFrontline, removeFromShortlist, type ShortlistReply } from '../../client/selection';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';

type Entry = ShortlistReply['entries'][number];
type Change = ShortlistReply['changes'][number];

/**
 * 入围名单 (自治区科协): built from the 网上评选 ranking (top N, ties at the boundary all in, 政治过硬 否 left out), 增补 and
 * 移出 with a reason, 基层一线, and the record of every change.
 */
export default function ShortlistPage() {
  const { message } = App.useApp();
  const { data: campaign, error: campaignError } = useCurrentCampaign();
  const campaignId = campaign?.id ?? null;
  const [list, setList] = useState<ShortlistReply | null>(null);
  const { error } = useLoader(async () => (campaignId ? getShortlist(campaignId) : null), [campaignId], { onLoad: (v) => setList(v) });
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Entry | null>(null);
  const [reason, setReason] = useState('');
  const [adding, setAdding] = useState<string | undefined>();
  const [addReason, setAddReason] = useState('');

  const run = async (action: () => Promise<ShortlistReply>, done: string) => {
    setBusy(true);
    try {
      setList(await action());
      message.success(done);
      return true;
    } catch (e) {
      message.error((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (campaignError) return <Alert type="error" showIcon title={`评选活动加载失败：${campaignError}`} />;
  if (error) return <Alert type="error" showIcon title={`入围名单加载失败：${error}`} />;
  const locked = !!list?.locked;
  return (
    <Card title="入围名单" loading={!list}>
      {list && campaignId && (
        <>
          <Typography.Paragraph type="secondary">
            {`按网上评选排名取前${list.size}名（名次并列者一并入围；有专家认为未达到政治过硬要求者不自动入围，可增补并说明理由）。生成后，所有仍在评审中的候选人状态均显示为“评审中”。`}
          </Typography.Paragraph>
          {locked && <Alert className="block-gap" type="info" showIcon title="最终评选结果已确认，入围名单不能修改" />}
          <Space className="block-gap" wrap>
            <Button
              type="primary"
              loading={busy}
              disabled={list.rebuildLocked || locked}
              onClick={() => void run(() => buildShortlist(campaignId), '入围名单已生成')}
            >
              {list.built ? '重新生成入围名单' : '生成入围名单'}
            </Button>
            {list.rebuildLocked && <Typography.Text type="secondary">集中评选已开始，不能重新生成，可逐个增补或移出</Typography.Text>}
            <Link to="/admin/selection">最终评选结果</Link>
          </Space>
          {list.entries.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={list.built ? '入围名单为空' : '尚未生成入围名单'} />
          ) : (
            <ResponsiveList<Entry>
              rowKey="applicationId"
              size="small"
              label="入围候选人"
              emptyText="入围名单为空"
              scrollX={1010}
              dataSource={list.entries}
              columns={[
                { key: 'rank', title: '网上评选排名', dataIndex: 'rankLabel', width: 110 },
                { key: 'number', title: '申请书编号', dataIndex: 'number', width: 150 },
                {
                  key: 'name',
                  title: '姓名',
                  width: 100,
                  render: (_: unknown, r) => <Link to={`/zmkj/view/${encodeURIComponent(r.applicationId)}`}>{r.name}</Link>,
                },
                { key: 'origin', title: '来源', width: 80, render: (_: unknown, r) => (r.origin === 'manual' ? <Tag color="blue">增补</Tag> : '排名') },
                { key: 'workUnit', title: '工作单位', dataIndex: 'workUnit', width: 180 },
                { key: 'unitName', title: '推荐单位', width: 160, render: (_: unknown, r) => r.unitName ?? '—' },
                { key: 'field', title: '推荐领域', dataIndex: 'field', width: 140 },
                {
                  key: 'frontline',
                  title: '基层一线',
                  width: 90,
                  render: (_: unknown, r) => (
                    <Switch
                      aria-label={`${r.name}是否基层一线`}
                      checked={r.frontline}
                      disabled={locked || busy}
                      onChange={(v) =>
                        void run(() => markFrontline(campaignId, r.applicationId, v), v ? `已标记${r.name}为基层一线` : `已取消${r.name}的基层一线标记`)
                      }
                    />
                  ),
                },
                {
                  key: 'actions',
                  title: '操作',
                  width: 80,
                  render: (_: unknown, r) => (
                    <Button size="small" danger disabled={locked} onClick={() => (setRemoving(r), setReason(''))}>
                      移出
                    </Button>
                  ),
                },
              ]}
            />
          )}
          {list.built && !locked && (
            <Form layout="vertical" className="block-gap" style={{ marginTop: 16 }}>
              <Typography.Title level={2} className="section-title">
                增补候选人
              </Typography.Title>
              <Form.Item label="候选人" htmlFor="shortlist-add">
                <Select
                  id="shortlist-add"
                  value={adding}
                  onChange={setAdding}
                  placeholder="选择仍在评审中的候选人"
                  style={{ maxWidth: 420 }}
                  options={list.outsiders.map((o) => ({
                    value: o.applicationId,
                    label: `${o.name}（${o.number}，${o.rankLabel}${o.gateFailed ? '，政治过硬有否决票' : ''}）`,
                  }))}
                />
              </Form.Item>
              <Form.Item label="增补理由" htmlFor="shortlist-add-reason">
                <Input.TextArea
                  id="shortlist-add-reason"
                  value={addReason}
                  onChange={(e) => setAddReason(e.target.value)}
                  maxLength={500}
                  rows={2}
                  style={{ maxWidth: 600 }}
                />
              </Form.Item>
              <Button
                disabled={!adding}
                loading={busy}
                onClick={async () => {
                  if (adding && (await run(() => addToShortlist(campaignId, adding, addReason), '已增补'))) {
                    setAdding(undefined);
                    setAddReason('');
                  }
                }}
              >
                增补
              </Button>
            </Form>
          )}
          <Typography.Title level={2} className="section-title" style={{ marginTop: 24 }}>
            变更记录
          </Typography.Title>
          <ResponsiveList<Change>
            rowKey="id"
            size="small"
            label="变更记录"
            emptyText="尚无记录"
            dataSource={list.changes}
            columns={[
              { key: 'at', title: '时间', width: 160, render: (_: unknown, r) => formatTime(r.at) },
              { key: 'action', title: '操作', dataIndex: 'actionLabel', width: 110 },
              { key: 'name', title: '候选人', width: 100, render: (_: unknown, r) => r.name ?? '—' },
              { key: 'reason', title: '理由或说明', render: (_: unknown, r) => r.reason ?? r.detail ?? '—' },
              { key: 'actor', title: '操作人', dataIndex: 'actorName', width: 100 },
            ]}
          />
          <Modal
            title={removing ? `移出入围名单：${removing.name}` : ''}
            open={!!removing}
            okText="移出"
            okButtonProps={{ danger: true, loading: busy }}
            cancelText="取消"
            onCancel={() => setRemoving(null)}
            onOk={async () => {
              if (removing && (await run(() => removeFromShortlist(campaignId, removing.applicationId, reason), `已将${removing.name}移出入围名单`)))
                setRemoving(null);
            }}
          >
            <Form layout="vertical">
              <Form.Item label="移出理由" htmlFor="shortlist-remove-reason" required>
                <Input.TextArea id="shortlist-remove-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} />
              </Form.Item>
            </Form>
          </Modal>
        </>
      )}
    </Card>
  );
}
