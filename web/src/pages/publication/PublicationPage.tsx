import { useRef, useState } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Select, Space, Tag, Typography } from 'antd';
import { beijingDateTime } from '../../../../core/publication';
import { errorMessage } from '../../api';
import { previewUrl } from '../../client/attachments';
import {
  cancelScheduledPublish,
  createNextCampaign,
  getPublication,
  listPublicationCampaigns,
  publishResult,
  type ProfileSummary,
  type PublicationState,
} from '../../client/publication';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { useLoader } from '../../hooks';
import { ProfileEditor } from './ProfileEditor';

function profileColumns(published: boolean, edit: (id: string) => void): ListColumn<ProfileSummary>[] {
  return [
    { key: 'position', title: '序号', dataIndex: 'position', width: 64 },
    {
      key: 'cover',
      title: '展示照片',
      width: 96,
      render: (_: unknown, r) =>
        r.coverId ? <img src={previewUrl(r.coverId)} alt={`${r.name}的展示照片`} width={64} height={48} style={{ objectFit: 'cover' }} /> : <Tag>未选照片</Tag>,
    },
    {
      key: 'name',
      title: '姓名',
      width: 150,
      render: (_: unknown, r) => (
        <Space size={4} wrap>
          {r.name}
          {r.national && <Tag color="success">推荐全国</Tag>}
        </Space>
      ),
    },
    { key: 'workUnit', title: '工作单位', dataIndex: 'workUnit', width: 200 },
    { key: 'field', title: '推荐领域', dataIndex: 'field', width: 160 },
    {
      key: 'article',
      title: '宣传稿',
      width: 100,
      render: (_: unknown, r) => (r.articleLength > 0 ? `${r.articleLength}字` : <Tag color="warning">未填写</Tag>),
    },
    { key: 'media', title: '照片/视频', width: 110, render: (_: unknown, r) => `${r.photoCount}张 / ${r.videoCount}个` },
    { key: 'slug', title: '页面编号', dataIndex: 'slug', width: 90 },
    {
      key: 'updated',
      title: '最后修改',
      width: 150,
      render: (_: unknown, r) => (r.updatedByName ? `${r.updatedByName} ${beijingDateTime(r.updatedAt)}` : '—'),
    },
    {
      key: 'actions',
      title: '操作',
      width: 120,
      fixed: 'right',
      render: (_: unknown, r) => (
        <Button size="small" onClick={() => edit(r.applicationId)} aria-label={`${published ? '更正宣传稿' : '编辑宣传稿'}：${r.name}`}>
          {published ? '更正宣传稿' : '编辑宣传稿'}
        </Button>
      ),
    },
  ];
}

/** 发布结果 (issue 15, 1.): readiness, 立即发布 / 定时发布 / 取消, each winner's 宣传稿, and the next year's campaign. */
export default function PublicationPage() {
  const { message, modal } = App.useApp();
  const campaigns = useLoader(listPublicationCampaigns, []);
  const [chosen, setChosen] = useState<string | null>(null);
  const campaignId = chosen ?? campaigns.data?.[0]?.id ?? null;
  const [at, setAt] = useState<Dayjs | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [editing, setEditing] = useState<ProfileSummary | null>(null);
  const editorDirty = useRef(false);
  const {
    data: state,
    setData,
    error,
    reload,
  } = useLoader(async () => (campaignId ? getPublication(campaignId) : null), [campaignId], {
    clear: true,
    onLoad: (s) => setAt(s ? dayjs(s.scheduledAt ?? s.defaultAt) : null),
  });

  const act = async (run: () => Promise<PublicationState>, done: string) => {
    setBusy(true);
    setActionError(null);
    try {
      const next = await run();
      setData(next);
      void campaigns.reload();
      message.success(done);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const publishNow = () => {
    if (!state) return;
    modal.confirm({
      title: '立即发布评选结果？',
      content: '发布后，申报人和推荐单位将看到“当选”“推荐全国”或“未当选”，证书随之编号；发布不能撤回。',
      okText: '立即发布',
      cancelText: '取消',
      onOk: () => act(() => publishResult(state.campaignId, null), '评选结果已发布'),
    });
  };

  const schedule = () => {
    if (!state || !at) return;
    void act(() => publishResult(state.campaignId, at.format('YYYY-MM-DDTHH:mm:ssZ')), `已定时于 ${at.format('YYYY-MM-DD HH:mm')} 发布`);
  };

  const closeEditor = () => {
    if (!editorDirty.current) {
      setEditing(null);
      return;
    }
    modal.confirm({
      title: '放弃未保存的修改？',
      content: '宣传稿有未保存的修改，关闭后将丢失。',
      okText: '放弃修改',
      cancelText: '继续编辑',
      okButtonProps: { danger: true },
      onOk: () => {
        editorDirty.current = false;
        setEditing(null);
      },
    });
  };

  const nextYear = () => {
    if (!state) return;
    const year = state.year + 1;
    modal.confirm({
      title: `创建${year}年度评选活动？`,
      content: `复制${state.year}年度的全部设置（各项日期顺延一年），可在【评选活动设置】中修改。${state.year}年度的评选结果和公开页面保持不变。`,
      okText: '创建',
      cancelText: '取消',
      onOk: async () => {
        try {
          const made = await createNextCampaign(year, state.campaignId);
          message.success(`已创建：${made.title}`);
          await campaigns.reload();
          setChosen(made.id);
        } catch (err) {
          setActionError(errorMessage(err));
        }
      },
    });
  };

  const newest = campaigns.data?.[0]?.id === campaignId;
  const published = state?.status === 'published';

  return (
    <>
      <Typography.Title level={1}>发布结果</Typography.Title>
      <Space wrap className="block-gap">
        <label htmlFor="publication-year">评选年度</label>
        <Select
          id="publication-year"
          style={{ minWidth: 220 }}
          value={campaignId ?? undefined}
          loading={campaigns.loading}
          onChange={(v: string) => setChosen(v)}
          options={(campaigns.data ?? []).map((c) => ({ value: c.id, label: `${c.year}年度（${c.statusLabel}）` }))}
        />
      </Space>
      {(error || campaigns.error) && <Alert type="error" showIcon title={error ?? campaigns.error} />}
      {state && (
        <>
          <Typography.Title level={2}>发布</Typography.Title>
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { key: 'title', label: '评选活动', children: state.title },
              {
                key: 'status',
                label: '状态',
                children: <Tag color={published ? 'success' : state.status === 'scheduled' ? 'processing' : 'default'}>{state.statusLabel}</Tag>,
              },
              ...(state.scheduledAt ? [{ key: 'scheduled', label: '定时发布时间', children: `${beijingDateTime(state.scheduledAt)}（北京时间）` }] : []),
              ...(state.publishedAt ? [{ key: 'published', label: '发布时间', children: `${beijingDateTime(state.publishedAt)}（北京时间）` }] : []),
            ]}
          />
          <div className="block-gap">
            {published ? (
              <Alert
                type="success"
                showIcon
                title={state.readiness.reason ?? '评选结果已发布'}
                description="申报人和推荐单位已能在【我的申报表】【查询申报表】和流程情况中看到结果。"
              />
            ) : state.readiness.ready ? (
              <Alert type="success" showIcon title="已满足发布条件" description="最终公示期满且无异议，确认的名单与公示名单一致。" />
            ) : (
              <Alert type="warning" showIcon title="尚不能发布" description={state.readiness.reason} />
            )}
          </div>
          {state.lastFailure && (
            <Alert
              className="block-gap"
              type="error"
              showIcon
              title={`定时发布未能执行（${beijingDateTime(state.lastFailure.at)}）`}
              description={state.lastFailure.error}
            />
          )}
          {actionError && <Alert className="block-gap" type="error" showIcon title={actionError} closable onClose={() => setActionError(null)} />}
          {!published && (
            <Space wrap className="block-gap" align="center">
              <Button type="primary" disabled={!state.readiness.ready || busy} onClick={publishNow}>
                立即发布
              </Button>
              <label htmlFor="publish-at">发布时间</label>
              <DatePicker id="publish-at" showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={at} onChange={(v) => setAt(v)} allowClear={false} />
              <Button disabled={!at || busy} onClick={schedule}>
                {state.status === 'scheduled' ? '修改定时发布' : '定时发布'}
              </Button>
              {state.status === 'scheduled' && (
                <Button danger disabled={busy} onClick={() => void act(() => cancelScheduledPublish(state.campaignId), '已取消定时发布')}>
                  取消定时发布
                </Button>
              )}
            </Space>
          )}
          <Typography.Paragraph type="secondary">
            定时发布默认为评选活动设置中的发布日期 9:00（北京时间），由平台按时自动执行；执行时再次核对发布条件，不满足时不发布并在此显示原因。
          </Typography.Paragraph>

          <Typography.Title level={2}>当选人员宣传稿</Typography.Title>
          <Typography.Paragraph type="secondary">
            名单来自已确认的最终评选结果。公开页面只显示姓名、工作单位、推荐领域、宣传稿和选用的照片、视频。
          </Typography.Paragraph>
          <ResponsiveList<ProfileSummary>
            rowKey="applicationId"
            label="当选人员宣传稿"
            columns={profileColumns(published, (id) => setEditing(state.profiles.find((p) => p.applicationId === id) ?? null))}
            dataSource={state.profiles}
            emptyText="最终评选结果确认后，这里列出当选人员"
            scrollX={1200}
          />

          {newest && (
            <>
              <Typography.Title level={2}>下一年度</Typography.Title>
              <Typography.Paragraph>新一年度的评选活动复制本年度的设置，往年获评人员再次申请时将被拒绝。</Typography.Paragraph>
              <Button onClick={nextYear}>创建下一年度评选活动（复制本年度设置）</Button>
            </>
          )}
        </>
      )}
      <Drawer
        open={!!editing}
        destroyOnHidden
        width={Math.min(900, typeof window === 'undefined' ? 900 : window.innerWidth)}
        title={editing ? `${published ? '更正' : '编辑'}宣传稿：${editing.name}` : ''}
        onClose={closeEditor}
      >
        {editing && <ProfileEditor applicationId={editing.applicationId} dirtyRef={editorDirty} onSaved={() => void reload()} />}
      </Drawer>
    </>
  );
}
