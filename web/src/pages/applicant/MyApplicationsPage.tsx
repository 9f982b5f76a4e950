import { useState } from 'react';
import { Alert, App, Button, Card, Popconfirm, Space, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { createApplication, deleteApplication, listMyApplications } from '../../client/applications';
import { AttachmentsModal } from '../../components/lazyModals';
import { ResponsiveList } from '../../components/ResponsiveList';
import { statusColumn, type ViewedNoteOf } from '../../components/workflow/columns';
import { WithdrawButton } from '../../components/workflow/WithdrawButton';
import { useErrorReporter } from '../../formUtils';
import { formatTime, useCurrentCampaign, useLoader } from '../../hooks';
import type { ApplicationRow } from '../../types';
import { ApplicationPdfButton } from '../certificates/ApplicationPdfButton';
import { MyCertificates } from '../certificates/MyCertificates';

/** 已阅: the unit has opened it, so the applicant can no longer 收回 (manual 一.10). */
const VIEWED_BY_UNIT: ViewedNoteOf = {
  status: 'submitted_to_unit',
  fallback: (row) => row.unitName ?? '推荐单位',
  advice: '如需修改，请联系推荐单位退回申请书至申请人',
};

/** 【最美科技工作者】——【我的申报表】 */
export default function MyApplicationsPage() {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const navigate = useNavigate();
  const { data, loading, error, reload } = useLoader(listMyApplications, []);
  /** the newest campaign: where 我要申请 creates the application (附件 takes each application's own campaign's limits) */
  const { data: campaign } = useCurrentCampaign();
  const [creating, setCreating] = useState(false);
  const [attachmentsFor, setAttachmentsFor] = useState<string | null>(null);

  const create = async () => {
    setCreating(true);
    try {
      const app = await createApplication(campaign ? { campaignId: campaign.id } : {});
      navigate(`/zmkj/applications/${app.id}`);
    } catch (err) {
      report(err);
    } finally {
      setCreating(false);
    }
  };

  const remove = async (row: ApplicationRow) => {
    try {
      await deleteApplication(row.id);
      void message.success('申请书已删除');
      void reload();
    } catch (err) {
      report(err);
    }
  };

  return (
    <Card
      title="我的申报表"
      extra={
        <Button type="primary" icon={<PlusOutlined />} loading={creating} onClick={create}>
          我要申请
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">
        当且仅当【状态】是申报人时可以编辑申请书。提交到推荐单位后、推荐单位办理前，可以点击“收回”收回申请书；点击【状态】可以查看流程情况。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <ResponsiveList<ApplicationRow>
        rowKey="id"
        label="我的申报表"
        loading={loading}
        dataSource={data ?? []}
        pagination={false}
        scrollX={980}
        emptyText="暂无申请书，点击【我要申请】开始填写"
        columns={[
          { title: '申请书编号', dataIndex: 'number', width: 130 },
          { title: '申请人姓名', dataIndex: 'applicantName', width: 110 },
          statusColumn({ dataIndex: 'statusLabel', width: 250 }, VIEWED_BY_UNIT),
          { title: '推荐单位', dataIndex: 'unitName', width: 160, render: (v: string | null) => v ?? '—' },
          { title: '更新时间', dataIndex: 'updatedAt', width: 150, render: (v: string) => formatTime(v) },
          {
            title: '操作',
            key: 'actions',
            width: 250,
            render: (_: unknown, row) => (
              <Space size={4} wrap>
                <Link to={`/zmkj/applications/${row.id}`}>{row.abilities.edit ? '编辑申请书/提交' : '查看申请书'}</Link>
                <Button type="link" size="small" onClick={() => setAttachmentsFor(row.id)}>
                  附件
                </Button>
                <ApplicationPdfButton applicationId={row.id} size="small" type="link" />
                <WithdrawButton row={row} onDone={() => void reload()} />
                {row.abilities.delete && (
                  <Popconfirm title="确定删除该申请书吗？删除后不可恢复" okText="确定" cancelText="取消" onConfirm={() => remove(row)}>
                    <Button type="link" size="small" danger>
                      删除
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <MyCertificates />
      <AttachmentsModal
        applicationId={attachmentsFor}
        open={attachmentsFor !== null}
        onClose={() => {
          setAttachmentsFor(null);
          void reload();
        }}
      />
    </Card>
  );
}
