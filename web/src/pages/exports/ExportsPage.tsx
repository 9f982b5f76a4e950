import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Col, Form, Input, Progress, Row, Select, Space, Tag, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { STATUS_LABELS, WORK_UNIT_HINT } from '../../../../core';
import { DEFAULT_EXPORT_COLUMNS, EXPORT_COLUMNS, type ExportColumnKey } from '../../../../core/exports';
import { JOB_STATUS_LABELS } from '../../../../core/jobs';
import { errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { queryApplications } from '../../client/applications';
import { exportApplications, exportFinal, exportMedia, exportRanking, exportTallies } from '../../client/exports';
import { cancelJob, downloadUrl, getJob, jobEnded, jobPercent, listJobs, type JobView } from '../../client/jobs';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';

const ALL = '全部';
const POLL_MS = 1000;

interface SummaryForm {
  keyword: string;
  year: string;
  workUnit: string;
  status: string;
  columns: ExportColumnKey[];
  fullIdNumber: boolean;
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

const STATUS_COLORS: Record<JobView['status'], string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error', cancelled: 'default' };

/** Follows one job every second until it ends; the caller is told of each change. */
function useFollow(job: JobView | null, onChange: (job: JobView) => void) {
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  useEffect(() => {
    if (!job || jobEnded(job)) return;
    let stopped = false;
    const timer = setTimeout(async () => {
      try {
        const next = await getJob(job.id);
        if (!stopped) onChangeRef.current(next);
      } catch (err) {
        if (!stopped) onChangeRef.current({ ...job, status: 'failed', error: errorMessage(err) });
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [job]);
}

function JobCard({ job, onCancel }: { job: JobView; onCancel: () => void }) {
  return (
    <Card size="small" className="block-gap export-job" title={`${job.label}：${JOB_STATUS_LABELS[job.status]}`} aria-live="polite">
      {job.status !== 'failed' && job.status !== 'cancelled' && (
        <Progress
          percent={jobPercent(job)}
          status={job.status === 'done' ? 'success' : 'active'}
          aria-label={`${job.label}导出进度`}
          // antd draws the figure in the bar's colour (green on white is 2.3:1 when done): the text's own colour instead
          format={(p) => (
            <span style={{ color: 'rgba(0, 0, 0, 0.88)' }}>
              {job.progress.total && job.status !== 'done' ? `${job.progress.done}/${job.progress.total}` : `${p}%`}
            </span>
          )}
        />
      )}
      {job.status === 'failed' && <Alert type="error" showIcon title={job.error ?? '导出失败'} />}
      {job.status === 'cancelled' && <Alert type="info" showIcon title="已取消本次导出" />}
      <Space wrap className="block-gap">
        {job.status === 'done' && job.result && (
          <Button type="primary" href={downloadUrl(job.id)} className="export-download">
            下载 {job.result.name}（{sizeText(job.result.size)}）
          </Button>
        )}
        {!jobEnded(job) && <Button onClick={onCancel}>取消导出</Button>}
      </Space>
    </Card>
  );
}

/** 数据导出 (issue 15, 4.): the exports as background jobs with their progress and downloads */
export default function ExportsPage() {
  const { user } = useAuth();
  const organizer = user?.role === 'organizer';
  const [params] = useSearchParams();
  const [form] = Form.useForm<SummaryForm>();
  const { data: campaign } = useCurrentCampaign();
  const [job, setJob] = useState<JobView | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [mediaNumber, setMediaNumber] = useState('');
  const fullIdNumber = Form.useWatch('fullIdNumber', form);
  const history = useLoader(listJobs, []);

  useFollow(job, (next) => {
    setJob(next);
    if (jobEnded(next)) void history.reload();
  });

  const start = async (run: () => Promise<JobView>) => {
    setStarting(true);
    setStartError(null);
    try {
      const started = await run();
      setJob(started);
      void history.reload();
    } catch (err) {
      setStartError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  const startSummary = (v: SummaryForm) =>
    start(() =>
      exportApplications({
        keyword: v.keyword?.trim() || undefined,
        year: v.year && v.year !== ALL ? Number(v.year) : undefined,
        workUnit: v.workUnit?.trim() || undefined,
        status: v.status && v.status !== ALL ? (v.status as keyof typeof STATUS_LABELS) : undefined,
        columns: v.columns,
        fullIdNumber: organizer ? !!v.fullIdNumber : false,
      }),
    );

  const startMedia = () =>
    start(async () => {
      const number = mediaNumber.trim().toUpperCase();
      if (!number) throw new Error('请输入申请书编号');
      const found = (await queryApplications(new URLSearchParams({ keyword: number, pageSize: '10' }).toString())).rows.find((r) => r.number === number);
      if (!found) throw new Error(`未找到申请书编号为 ${number} 的申请书，或您无权查看`);
      return exportMedia(found.id);
    });

  const cancel = async () => {
    if (!job) return;
    try {
      setJob(await cancelJob(job.id));
    } catch (err) {
      setStartError(errorMessage(err));
    }
  };

  const thisYear = new Date().getFullYear();
  const years = [...new Set([thisYear, thisYear - 1, thisYear - 2, thisYear - 3, ...(campaign ? [campaign.year] : [])])].sort((a, b) => b - a);
  const fromSearch = ['keyword', 'year', 'workUnit', 'status'].some((k) => params.get(k));

  const columns: ListColumn<JobView>[] = [
    { title: '导出内容', dataIndex: 'label', key: 'label' },
    { title: '开始时间', dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatTime(v) },
    {
      title: '状态',
      dataIndex: 'status',
      key: 'status',
      render: (_: unknown, j) => (
        <Tag color={STATUS_COLORS[j.status]} title={j.error ?? undefined}>
          {JOB_STATUS_LABELS[j.status]}
          {j.status === 'running' && j.progress.total ? ` ${jobPercent(j)}%` : ''}
        </Tag>
      ),
    },
    {
      title: '操作',
      key: 'actions',
      render: (_: unknown, j) =>
        j.downloadUrl && j.result ? (
          <a href={j.downloadUrl} aria-label={`下载 ${j.result.name}`}>
            下载
          </a>
        ) : j.status === 'failed' ? (
          <Typography.Text type="danger">{j.error}</Typography.Text>
        ) : j.status === 'done' ? (
          // the file is kept 7 days after the export (server/usecases/sweep.ts)
          <Typography.Text type="secondary">文件已过期（保留7天），请重新导出</Typography.Text>
        ) : null,
    },
  ];

  return (
    <div className="exports-page">
      <Typography.Title level={1}>数据导出</Typography.Title>
      <Typography.Paragraph type="secondary">
        导出在后台进行，可以离开本页，稍后在“我的导出记录”中下载（文件保留7天）。{organizer ? '' : '推荐单位只能导出提交到本单位的申请书。'}
      </Typography.Paragraph>
      {startError && <Alert type="error" showIcon className="block-gap" title={startError} closable onClose={() => setStartError(null)} />}
      {job && <JobCard job={job} onCancel={cancel} />}

      <Card className="block-gap">
        <Typography.Title level={2} className="section-title">
          申报表汇总表
        </Typography.Title>
        {fromSearch && <Alert type="info" showIcon className="block-gap" title="已带入“查询申报表”的当前查询条件" />}
        <Form<SummaryForm>
          form={form}
          name="summary-export"
          layout="vertical"
          onFinish={startSummary}
          initialValues={{
            keyword: params.get('keyword') ?? '',
            year: params.get('year') ?? ALL,
            workUnit: params.get('workUnit') ?? '',
            status: params.get('status') ?? ALL,
            columns: [...DEFAULT_EXPORT_COLUMNS],
            fullIdNumber: false,
          }}
        >
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item label="条件" name="keyword">
                <Input placeholder="申请书名称、申报书编号" allowClear />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label="年度" name="year">
                <Select options={[ALL, ...years.map(String)].map((v) => ({ value: v, label: v }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                label="工作单位"
                name="workUnit"
                rules={[
                  {
                    validator: async (_, v: string) =>
                      v && Array.from(v.trim()).length > 0 && Array.from(v.trim()).length < 4 ? Promise.reject(new Error(WORK_UNIT_HINT)) : undefined,
                  },
                ]}
              >
                <Input placeholder={WORK_UNIT_HINT} allowClear />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label="当前步骤" name="status">
                <Select options={[{ value: ALL, label: ALL }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            label="导出列"
            name="columns"
            rules={[{ validator: async (_, v: unknown[] | undefined) => (v?.length ? undefined : Promise.reject(new Error('请至少选择一列'))) }]}
          >
            <Checkbox.Group className="export-columns" options={EXPORT_COLUMNS.map((c) => ({ value: c.key, label: c.label }))} />
          </Form.Item>
          <Space wrap className="block-gap">
            <Button
              size="small"
              onClick={() =>
                form.setFieldValue(
                  'columns',
                  EXPORT_COLUMNS.map((c) => c.key),
                )
              }
            >
              全选
            </Button>
            <Button size="small" onClick={() => form.setFieldValue('columns', [...DEFAULT_EXPORT_COLUMNS])}>
              恢复默认列
            </Button>
          </Space>
          {organizer && (
            <>
              <Form.Item name="fullIdNumber" valuePropName="checked">
                <Checkbox>身份证号码 完整显示</Checkbox>
              </Form.Item>
              {fullIdNumber && (
                <Alert
                  type="warning"
                  showIcon
                  className="block-gap"
                  title="完整的身份证号码属于个人敏感信息：本次导出将被记录（导出人、时间和查询条件），请妥善保管导出的文件。"
                />
              )}
            </>
          )}
          <Typography.Paragraph type="secondary">未勾选“完整显示”时，身份证号码只显示前4位和后4位。</Typography.Paragraph>
          <Button type="primary" htmlType="submit" loading={starting}>
            开始导出
          </Button>
        </Form>
      </Card>

      {organizer && (
        <Card className="block-gap">
          <Typography.Title level={2} className="section-title">
            评选结果
          </Typography.Title>
          <Typography.Paragraph type="secondary">{campaign ? `评选活动：${campaign.title}` : '正在读取当前评选活动…'}</Typography.Paragraph>
          <Space wrap>
            <Button disabled={!campaign || starting} onClick={() => campaign && start(() => exportRanking(campaign.id))}>
              导出网上评选结果
            </Button>
            <Button disabled={!campaign || starting} onClick={() => campaign && start(() => exportTallies(campaign.id))}>
              导出集中评选计票结果
            </Button>
            <Button disabled={!campaign || starting} onClick={() => campaign && start(() => exportFinal(campaign.id))}>
              导出最终评选结果
            </Button>
          </Space>
        </Card>
      )}

      <Card className="block-gap">
        <Typography.Title level={2} className="section-title">
          宣传素材包
        </Typography.Title>
        <Typography.Paragraph type="secondary">一位候选人的照片（姓名+序号.jpg）、视频和事迹（PDF），打包为ZIP，供媒体宣传使用。</Typography.Paragraph>
        <Space.Compact className="export-media" style={{ width: '100%', maxWidth: 480 }}>
          <Input
            aria-label="申请书编号"
            placeholder="申请书编号，如ZMKJ20231"
            value={mediaNumber}
            onChange={(e) => setMediaNumber(e.target.value)}
            onPressEnter={startMedia}
          />
          <Button type="primary" loading={starting} onClick={startMedia}>
            导出素材包
          </Button>
        </Space.Compact>
      </Card>

      <Card className="block-gap">
        <Typography.Title level={2} className="section-title">
          我的导出记录
        </Typography.Title>
        {history.error && <Alert type="error" showIcon title={history.error} />}
        <ResponsiveList<JobView>
          rowKey="id"
          label="我的导出记录"
          size="small"
          loading={history.loading}
          dataSource={history.data ?? []}
          columns={columns}
          emptyText="暂无导出记录"
        />
      </Card>
    </div>
  );
}
