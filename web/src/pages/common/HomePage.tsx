import { Alert, Button, Card, Col, Row, Space, Table, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { chinaToday, ROLE_LABELS, WINDOW_KEYS, WINDOW_LABELS } from '../../../../core';
import type { Role, WindowKey } from '../../../../core';
import { useAuth } from '../../auth';
import { useCurrentCampaign } from '../../hooks';

interface WindowRow {
  key: WindowKey | 'publish';
  label: string;
  range: string;
  state: 'open' | 'future' | 'past';
}

function stateTag(state: WindowRow['state']) {
  if (state === 'open') return <Tag color="green">进行中</Tag>;
  if (state === 'future') return <Tag>未开始</Tag>;
  return <Tag color="default">已结束</Tag>;
}

/** Worded unlike the menu items, so each menu text stays unique on the page. */
const SHORTCUTS: Record<Role, { key: string; label: string }[]> = {
  applicant: [{ key: '/zmkj/mine', label: '填写申请书' }],
  unit: [
    { key: '/zmkj/pending', label: '审核申请书' },
    { key: '/zmkj/search', label: '查询申请书' },
  ],
  organizer: [
    { key: '/zmkj/pending', label: '审核申请书' },
    { key: '/zmkj/search', label: '查询申请书' },
    { key: '/admin/units', label: '审核推荐单位' },
    { key: '/admin/outbox', label: '查看已发消息' },
    { key: '/admin/settings', label: '设置评选活动' },
  ],
  expert: [{ key: '/zmkj/review', label: '进入网上评选' }],
};

export default function HomePage() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const { data: campaign, loading, error } = useCurrentCampaign();
  if (!user) return null;
  const today = chinaToday();

  const rows: WindowRow[] = campaign
    ? [
        ...WINDOW_KEYS.map((key): WindowRow => {
          const w = campaign.settings.windows[key];
          const state = today < w.start ? 'future' : today > w.end ? 'past' : 'open';
          return { key, label: WINDOW_LABELS[key], range: `${w.start} 至 ${w.end}`, state };
        }),
        {
          key: 'publish',
          label: '发布展示',
          range: campaign.settings.publishDate,
          state: today < campaign.settings.publishDate ? 'future' : today === campaign.settings.publishDate ? 'open' : 'past',
        },
      ]
    : [];
  const shortcuts = SHORTCUTS[user.role];

  return (
    <Space orientation="vertical" size="middle" className="full-width">
      <Card>
        <Typography.Title level={2} className="no-margin page-title">
          欢迎您，{user.realName || user.username}
        </Typography.Title>
        <Typography.Paragraph type="secondary" className="welcome-sub">
          当前身份：{ROLE_LABELS[user.role]}
          {user.unit ? `（${user.unit.name}）` : ''}
        </Typography.Paragraph>
        {user.role === 'unit' && !user.mobile && (
          <Alert
            type="warning"
            showIcon
            className="block-gap"
            title="本单位账号尚未登记手机，收不到找回密码的验证码和待办理提醒"
            action={
              <Button size="small" type="primary" onClick={() => navigate('/account')}>
                填写手机
              </Button>
            }
          />
        )}
        {shortcuts.length > 0 && (
          <Space wrap>
            {shortcuts.map((s) => (
              <Button key={s.key} type="primary" ghost onClick={() => navigate(s.key)}>
                {s.label}
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Card title={campaign ? campaign.title : '最美科技工作者'} loading={loading}>
        {error && <Alert type="warning" showIcon title={`暂时无法获取评选活动信息：${error}`} />}
        {campaign && (
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={14}>
              <Table<WindowRow>
                size="small"
                pagination={false}
                rowKey="key"
                dataSource={rows}
                columns={[
                  { title: '阶段', dataIndex: 'label' },
                  { title: '时间', dataIndex: 'range' },
                  { title: '状态', dataIndex: 'state', render: (s: WindowRow['state']) => stateTag(s) },
                ]}
              />
            </Col>
            <Col xs={24} lg={10}>
              <Typography.Paragraph>
                评选分为初评、网上评选、集中评选三个阶段。最终评选出 {campaign.settings.winners} 位{campaign.year}年“新疆最美科技工作者”，评选出{' '}
                {campaign.settings.nationalRecommendees} 位全国“最美科技工作者”推荐人选。
              </Typography.Paragraph>
            </Col>
          </Row>
        )}
      </Card>
    </Space>
  );
}
