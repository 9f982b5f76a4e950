import { useState } from 'react';
import { Alert, App, Button, Card, Collapse, Descriptions, Grid, Input, Skeleton, Space, Tabs, Tag, Typography } from 'antd';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { PUBLICITY_LIMITS, type ObjectionView, type PublicityDetail } from '../../../../core';
import { getPublicity, listObjections, withdrawPublicity } from '../../client/publicity';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { formatTime, useLoad } from '../../hooks';
import { useErrorReporter } from '../../formUtils';
import { ObjectionList } from './ObjectionList';
import { PHASE_COLORS } from './PublicFrame';

type Entry = PublicityDetail['entries'][number];

const entryColumns: ListColumn<Entry>[] = [
  { title: '序号', dataIndex: 'position', width: 60 },
  { title: '申请书编号', dataIndex: 'number', width: 120 },
  { title: '姓名', dataIndex: 'name', width: 100 },
  { title: '工作单位', dataIndex: 'workUnit', width: 180 },
  { title: '专业技术职务', dataIndex: 'jobTitle', width: 120 },
  { title: '推荐领域', dataIndex: 'field', width: 160 },
  { title: '事迹简介', dataIndex: 'summary', render: (v: string) => <span className="pre-wrap">{v}</span> },
];

/** A 公示's candidates: a table on a wide screen, one card each on a phone. */
function EntryList({ entries, label, size }: { entries: readonly Entry[]; label: string; size?: 'small' }) {
  return (
    <ResponsiveList<Entry>
      rowKey="applicationId"
      dataSource={entries}
      columns={entryColumns}
      pagination={false}
      scrollX={900}
      size={size}
      emptyText="没有候选人"
      label={label}
    />
  );
}

/** One 公示 for its owner (更正, 撤回, 异议 and their 核实, every version) and, read-only, for 自治区科协. */
export default function PublicityDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const { modal, message } = App.useApp();
  const report = useErrorReporter();
  const [p, setP] = useState<PublicityDetail | null>(null);
  const [objections, setObjections] = useState<ObjectionView[]>([]);
  const { loading, error, reload } = useLoad(() => Promise.all([getPublicity(id), listObjections(id)]), [id], {
    onLoad: ([detail, list]) => {
      setP(detail);
      setObjections(list);
    },
  });
  const saved = (location.state as { saved?: string } | null)?.saved;
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? (typeof window !== 'undefined' && window.innerWidth >= 768);

  if (error) return <Alert type="error" showIcon title={error} />;
  if (loading && !p) return <Skeleton active />;
  if (!p) return null;

  const withdraw = () => {
    let reason = '';
    modal.confirm({
      title: '撤回公示',
      content: (
        <div>
          <Typography.Paragraph>撤回后公开页面显示“该公示已撤回”，不再受理异议，且不能再更正。请填写撤回理由：</Typography.Paragraph>
          <Input.TextArea aria-label="撤回理由" rows={3} maxLength={PUBLICITY_LIMITS.withdrawReason} onChange={(e) => (reason = e.target.value)} />
        </div>
      ),
      okText: '确定撤回',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        if (!reason.trim()) {
          void message.error('请填写撤回理由');
          throw new Error('请填写撤回理由');
        }
        try {
          setP(await withdrawPublicity(p.id, reason));
          void message.success('公示已撤回');
        } catch (err) {
          report(err);
          throw err;
        }
      },
    });
  };

  const editable = p.mine && p.status === 'published';
  const actions = (
    <Space wrap>
      <Link to={`/gongshi/${p.id}`} target="_blank">
        查看公开页面
      </Link>
      {editable && <Button onClick={() => navigate(`/zmkj/publicity/${p.id}/edit`)}>更正</Button>}
      {editable && (
        <Button danger onClick={withdraw}>
          撤回
        </Button>
      )}
      <Button onClick={() => navigate('/zmkj/publicity')}>返回</Button>
    </Space>
  );
  // a phone: the title whole, the buttons below it (in the card's head the title would be cut to one character)
  return (
    <Card title={wide ? p.title : undefined} extra={wide ? actions : undefined}>
      {!wide && (
        <div className="block-gap">
          <h2 className="public-subtitle block-gap">{p.title}</h2>
          {actions}
        </div>
      )}
      {saved && <Alert type="success" showIcon title={saved} className="block-gap" />}
      {p.status === 'withdrawn' && <Alert type="warning" showIcon title={`该公示已撤回：${p.withdrawnReason ?? ''}`} className="block-gap" />}
      <Descriptions column={{ xs: 1, md: 2 }} size="small" className="block-gap">
        <Descriptions.Item label="发布单位">{p.publisher}</Descriptions.Item>
        <Descriptions.Item label="状态">
          <Tag color={PHASE_COLORS[p.phaseLabel]}>{p.phaseLabel}</Tag>第{p.version}版
        </Descriptions.Item>
        <Descriptions.Item label="公示期">
          {p.startsOn} 至 {p.endsOn}
        </Descriptions.Item>
        <Descriptions.Item label="联系人">
          {p.contactName}，{p.contactPhone}
        </Descriptions.Item>
        <Descriptions.Item label="受理异议的方式" span={2}>
          <span className="pre-wrap">{p.objectionMethod}</span>
        </Descriptions.Item>
      </Descriptions>
      <Tabs
        items={[
          {
            key: 'entries',
            label: `候选人（${p.entries.length}）`,
            children: <EntryList entries={p.entries} label="公示的候选人" />,
          },
          {
            key: 'objections',
            label: `异议（${objections.length}${p.objections.open ? `，待核实${p.objections.open}` : ''}）`,
            children: <ObjectionList items={objections} onChanged={() => void reload()} />,
          },
          {
            key: 'versions',
            label: `版本记录（${p.versions.length}）`,
            children: (
              <Collapse
                items={p.versions.map((v) => ({
                  key: v.version,
                  label: `第${v.version}版 · ${v.actionLabel} · ${v.actorName} · ${formatTime(v.at)}`,
                  children: (
                    <div>
                      <Typography.Paragraph>
                        标题：{v.content.title}；公示期：{v.content.startsOn} 至 {v.content.endsOn}；联系人：{v.content.contactName}，{v.content.contactPhone}
                        {v.content.withdrawnReason ? `；撤回理由：${v.content.withdrawnReason}` : ''}
                      </Typography.Paragraph>
                      <EntryList entries={v.content.entries} label={`第${v.version}版的候选人`} size="small" />
                    </div>
                  ),
                }))}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
